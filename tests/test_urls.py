"""The one canonical URL form (schemas/urls.py) and its explicit parameters."""

import pytest

from schemas.errors import UnreadableValue
from schemas.urls import canonical_url
from warehouse import udfs


def test_replay_form_sorts_the_query_and_keeps_the_user_name():
    assert canonical_url("HTTPS://bob:secret@Example.ORG:443/p?b=2&a=1#x") == "https://bob@example.org/p?a=1&b=2"


def test_published_form_keeps_query_order_and_drops_userinfo():
    url = "HTTPS://bob:secret@Example.ORG:443/p?b=2&a=1#x"
    assert canonical_url(url, sort_query=False, keep_userinfo=False) == "https://example.org/p?b=2&a=1"
    assert udfs.clean_url(url) == "https://example.org/p?b=2&a=1"


def test_only_the_schemes_own_default_port_is_dropped():
    assert canonical_url("http://example.org:443/") == "http://example.org:443/"
    assert canonical_url("https://example.org:443/") == "https://example.org/"


def test_ipv6_hosts_stay_bracketed():
    assert canonical_url("http://[::1]:8080/a") == "http://[::1]:8080/a"
    assert udfs.clean_url("http://[::1]/a") == "http://[::1]/a"


@pytest.mark.parametrize("raw", ["https://example.org:99999/", "http://[::1/"])
def test_unreadable_urls_raise(raw):
    with pytest.raises(ValueError):
        canonical_url(raw)
    with pytest.raises(UnreadableValue):
        udfs.clean_url(raw)

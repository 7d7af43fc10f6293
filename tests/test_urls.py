"""The one canonical URL form (schemas/urls.py) and its explicit parameters."""

import pytest

from schemas.errors import UnreadableValue
from schemas.urls import bare_domain_url, canonical_url
from scrapers.urls import absolute_url
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


PAGE = "https://www.dbsalliance.org/support/find-a-support-group/?state=KY"


@pytest.mark.parametrize(
    ("href", "resolved"),
    [
        ("example.org", "https://example.org"),
        ("www.example.org/chapter", "https://www.example.org/chapter"),
        ("dbsa-lex.org:8080/groups?day=mon", "https://dbsa-lex.org:8080/groups?day=mon"),
        ("nami.co.uk", "https://nami.co.uk"),
        # Relative links stay on the page's host: no public suffix, or a path.
        ("chapter.html", "https://www.dbsalliance.org/support/find-a-support-group/chapter.html"),
        ("groups.php?id=3", "https://www.dbsalliance.org/support/find-a-support-group/groups.php?id=3"),
        ("/about/", "https://www.dbsalliance.org/about/"),
        ("//cdn.example.org/x", "https://cdn.example.org/x"),
        ("https://other.org/a", "https://other.org/a"),
    ],
)
def test_a_link_without_a_scheme_is_its_own_site_and_a_path_stays_relative(href, resolved):
    assert absolute_url(PAGE, href) == resolved


@pytest.mark.parametrize("href", ["localhost/x", "a@b.org", "mailto:a@b.org", "../x.org", "10.0.0.1/x", ""])
def test_not_a_bare_domain(href):
    assert bare_domain_url(href) is None


def test_published_websites_use_the_same_rule():
    assert udfs.clean_url("www.Example.org/Chapter") == "https://www.example.org/Chapter"
    assert udfs.clean_url("chapter.html") is None  # not a site, and not made into one

"""NAMI discovery on built API pages: pagination, filtering, mirrors, errors."""

import json

import pytest

from schemas.errors import SourceChanged
from schemas.urls import canonical_url
from scrapers.page import Link, Page
from scrapers.sources.nami import Nami
from tests.nami_pages import API_P1, BASE, FETCHED, FILES, ROOT, api_page, entry, make_page


def test_full_page_links_the_next_page() -> None:
    """A full page of 100 entries (page 1 of the API) links page 2 after its 100 profiles."""
    links = Nami(BASE).discover(api_page([entry(n) for n in range(100)]))
    assert len(links) == 101
    assert links[-1] == Link(
        f"{BASE}/wp-json/wp/v2/affiliate?per_page=100&page=2&_fields=id,slug,link,title"
    )


def test_short_and_empty_pages_end_the_crawl() -> None:
    """A short page links no next page; an empty array yields nothing and raises nothing."""
    short = Nami(BASE).discover(api_page([entry(n) for n in range(99)], page=3))
    assert len(short) == 99 and not any("/wp-json/" in link.url for link in short)
    assert Nami(BASE).discover(api_page([], page=9)) == []


def test_total_pages_header_is_respected() -> None:
    """A full page 3 of 3 links nothing further; page 2 of 3 links page 3."""
    full = [entry(n) for n in range(100)]
    last = Nami(BASE).discover(api_page(full, page=3, total_pages=3))
    assert not any("/wp-json/" in link.url for link in last)
    middle = Nami(BASE).discover(api_page(full, page=2, total_pages=3))
    assert middle[-1].url.endswith("&page=3&_fields=id,slug,link,title")


def test_next_page_from_a_canonicalized_url() -> None:
    """The page number is read from a replayed (sorted, encoded) API URL too."""
    page = api_page([entry(n) for n in range(100)], page=4)
    replayed = Page(canonical_url(page.url), 200, page.headers, page.body, FETCHED)
    assert Nami(BASE).discover(replayed)[-1].url.endswith("&page=5&_fields=id,slug,link,title")


def test_entries_outside_the_directory_are_skipped() -> None:
    """Events pages, other paths, other hosts and deeper paths yield no profile link."""
    entries = [
        entry(1, "ohio/events/"),
        entry(2, "ohio/nami-x/events/"),
        {
            "id": 3,
            "slug": "news",
            "link": f"{BASE}/news/2026/nami-ohio/",
            "title": {"rendered": "News"},
        },
        {
            "id": 4,
            "slug": "o",
            "link": "https://example.org/find-your-local-nami/ohio/",
            "title": {},
        },
        entry(5, "ohio/nami-x/extra/"),
        entry(6, "ohio/"),
    ]
    links = Nami(BASE).discover(api_page(entries))
    assert [link.url for link in links] == [f"{ROOT}/ohio/"]


def test_links_point_at_a_mirror_base() -> None:
    """With a mirror base, www.nami.org and relative links are fetched from the mirror."""
    mirror = "http://127.0.0.1:8080"
    entries = [
        entry(1, "ohio/"),
        {"id": 2, "slug": "nami-y", "link": "/find-your-local-nami/ohio/nami-y/"},
    ]
    page = make_page(f"{mirror}/wp-json/wp/v2/affiliate?per_page=100&page=1", json.dumps(entries))
    links = Nami(base_url=mirror).discover(page)
    assert [link.url for link in links] == [
        f"{mirror}/find-your-local-nami/ohio/",
        f"{mirror}/find-your-local-nami/ohio/nami-y/",
    ]
    assert links[0].context["link"] == f"{ROOT}/ohio/"  # the link as published
    assert links[1].context["title"] is None  # no title in the entry


def test_invalid_page_number_json_raises_source_changed() -> None:
    """API page 10 past the end: WordPress answers a JSON object, not an array."""
    url = f"{BASE}/wp-json/wp/v2/affiliate?per_page=100&page=10&_fields=id,slug,link,title"
    page = make_page(url, (FILES / "nami_api_invalid_page.json").read_bytes())
    with pytest.raises(SourceChanged) as error:
        Nami(BASE).discover(page)
    assert error.value.source == "nami" and error.value.url == url
    assert "nami" in str(error.value) and url in str(error.value)
    assert "rest_post_invalid_page_number" in str(error.value)


def test_html_instead_of_json_raises_source_changed() -> None:
    """API_P1 answered by an HTML page (a theme 404 or a challenge page)."""
    page = make_page(
        API_P1, (FILES / "nami_api_error.html").read_bytes(), {"Content-Type": "text/html"}
    )
    with pytest.raises(SourceChanged, match=r"^nami: .*not JSON") as error:
        Nami(BASE).discover(page)
    assert API_P1 in str(error.value)


def test_entry_without_link_raises_source_changed() -> None:
    """An API_P1 whose entries lost their link field is a changed API."""
    with pytest.raises(SourceChanged, match="without a link"):
        Nami(BASE).discover(api_page([{"id": 1, "slug": "x", "title": {"rendered": "X"}}]))


def test_source_with_nothing_raises() -> None:
    """An empty API_P1 alone: the base class reports the source changed."""
    with pytest.raises(SourceChanged, match="no listings"):
        Nami(BASE).parse_all([api_page([])])

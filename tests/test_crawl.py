"""The crawl driver's handling of a start URL a site withholds on purpose (Source.restricted)."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from scrapers.base import Source
from scrapers.crawl import crawl
from scrapers.errors import FetchFailed
from scrapers.page import FetchLog, Link, Page

WHEN = datetime(2026, 11, 20, 6, tzinfo=UTC)


class ScriptedFetcher:
    """Answers each URL with a scripted status and body."""

    def __init__(self, answers: dict[str, tuple[int, bytes]]):
        self.answers = answers
        self.log: list[FetchLog] = []

    def get(self, url: str) -> Page:
        status, body = self.answers[url]
        page = Page(url, status, {"Content-Type": "application/json"}, body, WHEN)
        self.log.append(FetchLog.of(page))
        return page


class Feeds(Source):
    """Two start URLs; a 401 JSON answer is a restricted feed; the first page links a third URL."""

    name = "feeds"
    organization = "Test"
    base_url = "https://a.example"
    start_paths = ("/open", "/closed")

    def restricted(self, page: Page) -> str | None:
        return f"HTTP {page.status}: sharing restricted" if page.status == 401 else None

    def discover(self, page: Page) -> list[Link]:
        return [Link(self.url("/detail"))] if page.url.endswith("/open") else []


class Strict(Feeds):
    """The same site, without the restricted hook (every 4xx on a start URL is a failure)."""

    name = "strict"

    def restricted(self, page: Page) -> str | None:
        return Source.restricted(self, page)


ANSWERS = {
    "https://a.example/open": (200, b"[]"),
    "https://a.example/closed": (401, b'{"error": "HTTP/1.1 401 Unauthorized"}'),
    "https://a.example/detail": (200, b"{}"),
}


def test_restricted_start_url_is_reported_and_the_crawl_goes_on() -> None:
    result = crawl(Feeds(), ScriptedFetcher(ANSWERS))
    assert [p.url for p in result.pages] == ["https://a.example/open", "https://a.example/detail"]
    assert result.restricted == [("https://a.example/closed", "HTTP 401: sharing restricted")]
    assert result.skipped == []
    assert [entry.status for entry in result.log] == [200, 401, 200]  # the 401 is still logged


def test_without_the_hook_a_4xx_start_url_fails_the_source() -> None:
    with pytest.raises(FetchFailed, match=r"https://a\.example/closed: HTTP 401"):
        crawl(Strict(), ScriptedFetcher(ANSWERS))


def test_a_401_on_a_discovered_page_is_skipped_not_restricted() -> None:
    answers = {**ANSWERS, "https://a.example/closed": (200, b"[]"),
               "https://a.example/detail": (401, b'{"error": "no"}')}
    result = crawl(Feeds(), ScriptedFetcher(answers))
    assert result.restricted == []
    assert result.skipped == [("https://a.example/detail", "HTTP 401")]


def test_a_5xx_start_url_fails_even_with_the_hook() -> None:
    answers = {**ANSWERS, "https://a.example/closed": (503, b'{"error": "down"}')}
    with pytest.raises(FetchFailed, match="HTTP 503"):
        crawl(Feeds(), ScriptedFetcher(answers))


def test_per_url_headers_are_sent_with_the_request(httpserver, make_fetcher, fetch_config) -> None:
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    httpserver.expect_request("/feed").respond_with_json([])
    httpserver.expect_request("/other").respond_with_json([])
    feed, other = httpserver.url_for("/feed"), httpserver.url_for("/other")
    config = replace(fetch_config, headers={feed: {"Accept": "application/json", "X-Feed-Key": "k1"}})
    fetcher = make_fetcher(config)
    fetcher.get(feed)
    fetcher.get(other)
    sent = {request.path: request.headers for request, _ in httpserver.log}
    assert sent["/feed"]["X-Feed-Key"] == "k1" and sent["/feed"]["Accept"] == "application/json"
    assert "X-Feed-Key" not in sent["/other"]

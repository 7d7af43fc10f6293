"""The crawl driver: a start URL a site withholds on purpose (Source.restricted); page caps and budgets."""

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from schemas.errors import BudgetExceeded, FetchFailed
from schemas.fetch_log import FetchLog
from scrapers.base import Source
from scrapers.crawl import Limits, crawl
from scrapers.page import Link, Page

WHEN = datetime(2026, 11, 20, 6, tzinfo=UTC)


class ScriptedFetcher:
    """Answers each URL with a scripted status and body."""

    def __init__(self, answers: dict[str, tuple[int, bytes]]):
        self.answers = answers
        self.log: list[FetchLog] = []

    def get(self, url: str) -> Page:
        status, body = self.answers[url]
        page = Page(url, status, {"Content-Type": "application/json"}, body, WHEN)
        self.log.append(page.log_entry())
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


class EndlessNami:
    """A NAMI API that always answers a full page and no X-WP-TotalPages; profiles answer 200."""

    def __init__(self):
        self.log: list[FetchLog] = []
        self.asked: list[str] = []

    def get(self, url: str) -> Page:
        from urllib.parse import parse_qs, urlsplit

        from tests.nami_pages import api_page, entry, make_page

        self.asked.append(url)
        if "/wp-json/" not in url:
            return make_page(url, "<html><h1>NAMI Test</h1></html>")
        number = int(parse_qs(urlsplit(url).query)["page"][0])
        return api_page([entry(n) for n in range(number * 100, number * 100 + 100)], page=number)


def test_nami_paging_without_total_pages_stops_at_the_page_cap() -> None:
    from scrapers.sources.nami import Nami

    fetcher = EndlessNami()
    with pytest.raises(BudgetExceeded, match=r"nami: stopped at its cap of 250 pages: .*NAMI_MAX_PAGES"):
        crawl(Nami("https://www.nami.org"), fetcher, limits=Limits(max_pages=250))
    assert len(fetcher.asked) <= 250


def test_a_sitemap_listing_more_pages_than_the_cap_fails_before_fetching_them() -> None:
    from scrapers.sources.mha import Mha

    locs = "".join(f"<url><loc>https://mhanational.org/affiliates/a{n}/</loc></url>" for n in range(3000))
    sitemap = f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'
    start = "https://mhanational.org/affiliates-sitemap.xml"
    fetcher = ScriptedFetcher({start: (200, sitemap.encode())})
    with pytest.raises(BudgetExceeded, match=r"mha: stopped at its cap of 1000 pages"):
        crawl(Mha(), fetcher)  # the source's own cap (about 130 affiliates really)
    assert [entry.url for entry in fetcher.log] == [start]


def test_a_source_past_its_wall_clock_budget_fails_with_the_reason(make_fetcher) -> None:
    from scrapers.sources.nami import Nami
    from tests.faults import FaultServer, sample_pages

    with FaultServer(pages=sample_pages("nami"), latency=0.3) as slow:  # 14 pages: over 4 s
        with pytest.raises(BudgetExceeded, match=r"nami: ran past its budget of 1 s after \d+ pages"):
            crawl(Nami(slow.base), make_fetcher(), parse=True, limits=Limits(budget_s=1.0))
        assert len(slow.requests) < 10


def test_every_source_has_a_page_cap_above_its_real_size_and_a_setting(monkeypatch) -> None:
    from scrapers.registry import SOURCE_CLASSES

    caps = {name: cls().page_cap for name, cls in SOURCE_CLASSES.items()}
    assert caps["nami"] >= 2_000 and caps["mha"] >= 500 and caps["smart"] >= 5_000 and caps["dbsa"] >= 200
    monkeypatch.setenv("SUPPORTDIR_MHA_MAX_PAGES", "42")
    assert SOURCE_CLASSES["mha"]().page_cap == 42


def test_a_stopping_process_ends_every_crawl_before_its_next_page(make_fetcher) -> None:
    from flows.collect import parse_source
    from schemas.errors import CrawlStopped
    from scrapers import crawl as crawling
    from scrapers.sources.nami import Nami
    from tests.faults import FaultServer, sample_pages

    with FaultServer(pages=sample_pages("nami")) as site:
        fetcher = make_fetcher()

        def stop_after_two(url: str, *args, **kwargs):
            if len(fetcher.log) >= 2:
                crawling.stop_crawls()  # as the SIGTERM/SIGINT handler does
            return original(url, *args, **kwargs)

        original, fetcher.get = fetcher.get, stop_after_two
        try:
            result = crawl(Nami(site.base), fetcher, parse=True)
        finally:
            crawling.STOP.clear()
        assert result.stopped and len(site.requests) <= 4 < len(sample_pages("nami"))
        with pytest.raises(CrawlStopped, match="nami: stopped by a signal"):  # never loaded as a whole crawl
            parse_source.fn("nami", None, type("Sealed", (), {"value": result})(), None)

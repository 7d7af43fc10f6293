"""The crawl driver: a start URL a site withholds on purpose (Source.restricted); page caps and budgets."""

from dataclasses import replace
from datetime import UTC, datetime
from itertools import pairwise

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


class Hosts(Source):
    """Start pages on several hosts (each its own unit); a start page's JSON names a page on its host."""

    name = "hosts"
    organization = "Test"
    base_url = "http://hosts.invalid"
    independent_starts = True

    def __init__(self, starts: list[str]):
        super().__init__()
        self.starts = starts

    def start_urls(self) -> list[str]:
        return self.starts

    def discover(self, page: Page) -> list[Link]:
        import json
        from urllib.parse import urljoin

        return [Link(urljoin(page.url, path)) for path in json.loads(page.body).get("next", [])]

    def notes(self, page: Page) -> list[str]:
        return [f"{page.url}: read"]

    def parse(self, page: Page) -> list:
        return []


def crawl_hosts(servers, tmp_path, label: str, fetch_config, hosts: int):
    """Crawl the servers' start pages with a fresh fetcher and archive; the result and its WARC records."""
    from warcio.archiveiterator import ArchiveIterator

    from scrapers.archive import WarcArchive
    from scrapers.fetch import HostGate, HttpFetcher

    archive = WarcArchive(tmp_path / label, prefix=label)
    fetcher = HttpFetcher(replace(fetch_config, default_interval=0.3), archive, gate=HostGate())
    try:
        result = crawl(Hosts([s.url("/start") for s in servers]), fetcher, limits=Limits(hosts=hosts))
    finally:
        fetcher.close()
    records = []
    for path in sorted((tmp_path / label).iterdir()):
        with path.open("rb") as handle:
            records += [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read())
                        for r in ArchiveIterator(handle)]
    return result, records


def serve_hosts(count: int):
    """Hosts whose start page names two more pages (one missing: 404); the last host's start page fails."""
    from tests import faults

    servers = faults.serve_many(count, latency=0.1)
    for server in servers:
        server.pages = {"/start": (200, {}, b'{"next": ["/a", "/gone"]}'), "/a": (200, {}, b"{}")}
    servers[-1].script("/start", faults.status(500))
    return servers


def windows(server, latency: float = 0.1) -> list[tuple[float, float]]:
    """When the server was busy with each request (it answers `latency` after receiving it)."""
    return [(r.at, r.at + latency) for r in server.requests]


def test_hosts_are_fetched_at_once_each_host_one_request_at_a_time_at_its_interval(tmp_path, fetch_config):
    from tests import faults

    servers = serve_hosts(4)
    try:
        result, _ = crawl_hosts(servers, tmp_path, "many", fetch_config, hosts=8)
    finally:
        faults.stop_all(servers)
    for server in servers:  # one host: one request at a time, and 0.3 s between their starts
        starts = sorted(r.at for r in server.requests)
        assert len(starts) >= 3 and min(b - a for a, b in pairwise(starts)) >= 0.3 - 0.02
    busy = [(w, i) for i, server in enumerate(servers) for w in windows(server)]
    overlapping = {(i, j) for (a, i) in busy for (b, j) in busy if i < j and a[0] < b[1] and b[0] < a[1]}
    assert len(overlapping) == 6  # every pair of the four hosts was asked at the same time at least once
    assert len(result.pages) == 6  # three hosts: start and "/a" each; the fourth host's start failed


def test_no_more_hosts_at_once_than_the_cap(tmp_path, fetch_config):
    from tests import faults

    servers = serve_hosts(4)
    try:
        crawl_hosts(servers, tmp_path, "capped", fetch_config, hosts=2)
    finally:
        faults.stop_all(servers)
    busy = [w for server in servers for w in windows(server)]
    most = max(sum(1 for other in busy if other[0] <= start < other[1]) for start, _end in busy)
    assert most == 2


def test_hosts_at_once_give_the_crawl_one_page_at_a_time_gives(tmp_path, fetch_config):
    from collections import Counter

    from tests import faults

    servers = serve_hosts(4)
    try:
        many, many_records = crawl_hosts(servers, tmp_path, "many", fetch_config, hosts=8)
        one, one_records = crawl_hosts(servers, tmp_path, "one", fetch_config, hosts=1)
    finally:
        faults.stop_all(servers)
    assert [(p.url, p.status, p.body) for p in many.pages] == [(p.url, p.status, p.body) for p in one.pages]
    assert [p.url for p in many.pages][:3] == [s.url("/start") for s in servers[:3]]  # queue order
    assert (many.skipped, many.lost, many.notes) == (one.skipped, one.lost, one.notes)
    assert [url for url, _ in many.skipped] == [s.url("/gone") for s in servers[:3]]
    assert [url for url, _ in many.lost] == [servers[-1].url("/start")]
    assert Counter(many_records) == Counter(one_records)  # the same WARC records (request headers aside)
    assert Counter((e.url, e.status, e.error) for e in many.log) == Counter(
        (e.url, e.status, e.error) for e in one.log)

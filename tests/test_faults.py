"""Each network fault against a fault-injecting server on 127.0.0.1: a retry, a skip or a clear failure."""

import socket
import time
from dataclasses import replace

import pytest

from schemas.errors import (
    BodyTooLarge,
    DeadlineExceeded,
    FetchFailed,
    FetchRefused,
    HostUnreachable,
    NothingFetched,
    RetryAfterTooLong,
    RobotsDisallowed,
    SourceChanged,
)
from scrapers.crawl import crawl
from scrapers.sample import load_manifest
from scrapers.sources.dbsa import Dbsa
from scrapers.sources.nami import Nami
from tests import faults
from tests.faults import FaultServer

PAGE = b"<html><head><title>t</title></head><body><p>fine</p></body></html>"


@pytest.fixture
def server():
    with FaultServer() as running:
        yield running


def test_5xx_burst_then_success_is_retried(server, make_fetcher):
    server.script("/p", faults.status(503), faults.status(502), faults.status(500), faults.ok(PAGE))
    fetcher = make_fetcher(config=replace(make_fetcher().config, retries=3))
    page = fetcher.get(server.url("/p"))
    assert page.body == PAGE
    assert server.paths().count("/p") == 4
    assert [e.status for e in fetcher.log if e.url.endswith("/p")] == [503, 502, 500, 200]


@pytest.mark.parametrize("fault", [faults.retry_after_seconds(2), faults.retry_after_date(2.5)],
                         ids=["seconds", "http-date"])
def test_429_retry_after_is_honoured(server, make_fetcher, fault):
    server.script("/limited", fault, faults.ok(PAGE))
    page = make_fetcher().get(server.url("/limited"))
    assert page.body == PAGE
    first, second = [r.at for r in server.requests if r.path == "/limited"]
    # The backoff factor is 0.05 s: only Retry-After explains a wait of more than a second.
    assert second - first >= 1.0


def test_a_stalled_read_times_out_and_is_retried(server, make_fetcher):
    server.script("/stall", faults.stall(1.5), faults.ok(PAGE))  # read timeout is 0.5 s
    assert make_fetcher().get(server.url("/stall")).body == PAGE
    assert server.paths().count("/stall") == 2


def test_a_read_that_always_stalls_fails_with_the_reason(server, make_fetcher):
    server.script("/stall", faults.stall(1.0))
    with pytest.raises(FetchFailed, match=r"gave up after 2 retries: .*(?:[Tt]imed? ?out|timeout)"):
        make_fetcher().get(server.url("/stall"))
    assert server.paths().count("/stall") == 3


def test_a_connection_reset_mid_body_is_retried(server, make_fetcher):
    server.script("/reset", faults.reset_mid_body(), faults.ok(PAGE))
    assert make_fetcher().get(server.url("/reset")).body == PAGE
    assert server.paths().count("/reset") == 2


def test_a_body_shorter_than_its_content_length_is_never_accepted(server, make_fetcher):
    server.script("/short", faults.short_body(), faults.ok(PAGE))
    assert make_fetcher().get(server.url("/short")).body == PAGE
    server.script("/always-short", faults.short_body())
    with pytest.raises(FetchFailed, match="gave up after 2 retries"):
        make_fetcher().get(server.url("/always-short"))


def test_a_gzip_bomb_is_capped_after_decompression(server, make_fetcher):
    server.script("/bomb", faults.gzip_bomb(5_000_000))
    with pytest.raises(BodyTooLarge, match="exceeds 65536"):
        make_fetcher().get(server.url("/bomb"))
    assert server.paths().count("/bomb") == 1  # refused by policy: not retried


def test_a_page_larger_than_the_cap_is_refused(server, make_fetcher):
    server.script("/big", faults.ok(b"x" * 100_000))
    with pytest.raises(BodyTooLarge, match="Content-Length 100000"):
        make_fetcher().get(server.url("/big"))


def test_redirect_loop_and_non_http_redirects_are_refused(server, make_fetcher):
    server.script("/a", faults.redirect("/b"))
    server.script("/b", faults.redirect("/a"))
    server.script("/js", faults.redirect("javascript:alert(1)"))
    server.script("/file", faults.redirect("file:///etc/passwd"))
    fetcher = make_fetcher()
    with pytest.raises(FetchRefused, match="more than 5 redirects"):
        fetcher.get(server.url("/a"))
    for path in ("/js", "/file"):
        with pytest.raises(FetchRefused, match="not an http"):
            fetcher.get(server.url(path))


def test_redirect_to_another_private_host_is_refused_but_the_mirror_is_allowed(server, make_fetcher):
    """Only the configured mirror host may be private: a redirect elsewhere on loopback is refused."""
    with FaultServer() as other:
        other.script("/secret", faults.ok(b"internal"))
        server.script("/to-other", faults.redirect(other.url("/secret")))
        server.script("/to-v6", faults.redirect("http://[::1]:9/"))
        server.script("/fine", faults.ok(PAGE))
        config = replace(make_fetcher().config, allow_private=False, private_hosts=frozenset({server.host}))
        fetcher = make_fetcher(config=config)
        assert fetcher.get(server.url("/fine")).body == PAGE
        for path in ("/to-other", "/to-v6"):
            with pytest.raises(FetchRefused, match="private or loopback"):
                fetcher.get(server.url(path))
        assert other.requests == []


def test_robots_5xx_disallows_the_host_and_404_allows_it(make_fetcher):
    with FaultServer() as down, FaultServer() as missing:
        down.script("/robots.txt", faults.status(503))
        down.script("/page", faults.ok(PAGE))
        with pytest.raises(RobotsDisallowed, match=r"HTTP 503.*RFC 9309"):
            make_fetcher().get(down.url("/page"))
        assert "/page" not in down.paths()
        assert make_fetcher().get(missing.url("/page")).status == 404  # robots 404: allowed
        assert missing.paths() == ["/robots.txt", "/page"]


@pytest.mark.parametrize("header", ["utf-8", "iso-8859-1", None], ids=["wrong-utf8", "latin1", "missing"])
def test_a_wrong_or_missing_charset_still_reads_the_name(server, make_fetcher, header):
    """A windows-1252 profile whose <meta> tells the truth; the header lies or is absent."""
    from pathlib import Path

    body = (Path(__file__).parent / "files" / "nami_profile_cp1252.html").read_bytes()
    path = "/find-your-local-nami/new-mexico/nami-espanola/"
    server.script(path, faults.with_charset(body, header))
    page = make_fetcher().get(server.url(path))
    (listing,) = Nami(server.base).parse(page)
    assert listing.name == "NAMI Española Valley – Río Arriba"
    assert listing.city == "Española"


def test_utf8_served_as_latin1_is_read_as_utf8(server, make_fetcher):
    body = "<html><head><meta charset='utf-8'></head><body><h1>Peña – Río</h1></body></html>".encode()
    server.script("/u", faults.with_charset(body, "iso-8859-1"))
    assert make_fetcher().get(server.url("/u")).soup().h1.get_text() == "Peña – Río"


def test_a_crawl_skips_a_refused_detail_page_and_fails_on_a_refused_start(make_fetcher):
    """NAMI against the mirror: an oversized profile is skipped; an oversized API page fails the source."""
    from tests.faults import sample_pages

    with FaultServer(pages=sample_pages("nami")) as mirror:
        profile = "/find-your-local-nami/alaska/nami-juneau/"
        mirror.script(profile, faults.gzip_bomb(1_000_000))
        result = crawl(Nami(mirror.base), make_fetcher())
        assert [url for url, _ in result.skipped] == [mirror.url(profile)]
        assert "refused" in result.skipped[0][1] and "exceeds" in result.skipped[0][1]
        assert len(result.pages) == len(load_manifest("nami")) - 1
        start = Nami(mirror.base).start_urls()[0].removeprefix(mirror.base)
        mirror.script(start, faults.ok(b"x" * 100_000))
        with pytest.raises(BodyTooLarge):
            crawl(Nami(mirror.base), make_fetcher())


def test_a_crawl_whose_host_disallows_everything_fails_with_the_robots_reason(make_fetcher):
    with FaultServer() as mirror:
        mirror.script("/robots.txt", faults.status(500))
        with pytest.raises(NothingFetched, match=r"nami: nothing fetched; robots.txt disallows .*HTTP 500"):
            crawl(Nami(mirror.base), make_fetcher())


def test_a_crawl_parses_changed_pages_as_they_arrive_and_keeps_a_parse_error_for_later(make_fetcher):
    from tests.faults import sample_pages

    with FaultServer(pages=sample_pages("nami")) as mirror:
        source = Nami(mirror.base)
        result = crawl(source, make_fetcher(), parse=True)
        assert result.parse_error is None and len(result.parsed) == len(result.pages)
        assert source.parse_all(result.pages, result.parsed) == source.parse_all(result.pages)
    with FaultServer(pages=sample_pages("dbsa")) as mirror:
        ky = "/support/chapters-and-support-groups/find-a-support-group/?state=KY"
        mirror.script(ky, faults.ok(b"<html><body><p>a new layout</p></body></html>"))
        broken = crawl(Dbsa(mirror.base), make_fetcher(), parse=True)
        assert len(broken.pages) == len(Dbsa(mirror.base).start_urls())  # the crawl went on
        assert isinstance(broken.parse_error, SourceChanged) and "state=KY" in str(broken.parse_error)


@pytest.mark.parametrize("fault", [faults.drip(0.05), faults.drip_headers(0.05)], ids=["body", "headers"])
def test_a_server_dripping_bytes_is_cut_off_at_the_request_deadline(server, make_fetcher, fault):
    """Each byte comes well inside the 0.5 s read timeout; the whole answer would take over 10 s."""
    server.script("/drip", fault)
    fetcher = make_fetcher(config=replace(make_fetcher().config, request_deadline=1.0))
    started = time.monotonic()
    with pytest.raises(DeadlineExceeded, match=r"/drip: took longer than the 1 s deadline"):
        fetcher.get(server.url("/drip"))
    assert time.monotonic() - started < 8  # not the 10+ s the drip would take
    assert server.paths().count("/drip") == 1  # a deadline is a policy limit: not retried


def test_a_crawl_skips_a_dripping_detail_page_and_goes_on(make_fetcher):
    from tests.faults import sample_pages

    with FaultServer(pages=sample_pages("nami")) as mirror:
        profile = "/find-your-local-nami/alaska/nami-juneau/"
        mirror.script(profile, faults.drip(0.05))
        fetcher = make_fetcher(config=replace(make_fetcher().config, request_deadline=1.0))
        result = crawl(Nami(mirror.base), fetcher)
        assert [url for url, _ in result.skipped] == [mirror.url(profile)]
        assert "deadline" in result.skipped[0][1]
        assert len(result.pages) == len(load_manifest("nami")) - 1


def test_a_retry_after_past_the_cap_gives_the_url_up_with_the_reason(server, make_fetcher):
    server.script("/later", faults.retry_after_seconds(1_000_000_000), faults.ok(PAGE))
    fetcher = make_fetcher(config=replace(make_fetcher().config, max_retry_after=120))
    started = time.monotonic()
    asked = r"asked to retry after 1000000000 s, more than the 120 s cap"
    with pytest.raises(RetryAfterTooLong, match=asked):
        fetcher.get(server.url("/later"))
    assert time.monotonic() - started < 5 and server.paths().count("/later") == 1
    server.script("/soon", faults.retry_after_seconds(1), faults.ok(PAGE))  # within the cap: waited
    assert fetcher.get(server.url("/soon")).body == PAGE


def test_a_host_nothing_listens_on_is_reported_unreachable_not_disallowed(make_fetcher):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}/page"
    with pytest.raises(HostUnreachable, match=rf"could not reach 127\.0\.0\.1:{port}: .*Connection refused"):
        make_fetcher().get(url)
    with pytest.raises(HostUnreachable) as raised:
        crawl(Nami(f"http://127.0.0.1:{port}"), make_fetcher())
    assert "robots.txt disallows" not in str(raised.value)

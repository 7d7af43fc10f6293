"""The fetch layer against a real HTTP server on 127.0.0.1 (pytest-httpserver)."""

import threading
import time
from dataclasses import replace

import pytest
from werkzeug import Request, Response

from schemas.errors import BodyTooLarge, FetchFailed, RobotsDisallowed
from schemas.fetch_log import Validators
from scrapers.archive import read_response
from scrapers.fetch import HostGate


class Recorder:
    """A handler that answers a scripted sequence of responses and records when each request came."""

    def __init__(self, *responses: Response):
        self.responses = list(responses)
        self.times: list[float] = []
        self.requests: list[Request] = []

    def __call__(self, request: Request) -> Response:
        self.times.append(time.monotonic())
        self.requests.append(request)
        return self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]


def robots(httpserver, body: str = "User-agent: *\nAllow: /\n") -> None:
    """Serve a robots.txt."""
    httpserver.expect_request("/robots.txt").respond_with_data(body, content_type="text/plain")


def test_robots_disallowed_url_is_never_requested(httpserver, make_fetcher):
    robots(httpserver, "User-agent: *\nDisallow: /private/\n")
    httpserver.expect_request("/private/page").respond_with_data("secret")
    fetcher = make_fetcher()
    with pytest.raises(RobotsDisallowed, match="/private/page"):
        fetcher.get(httpserver.url_for("/private/page"))
    assert [req.path for req, _ in httpserver.log] == ["/robots.txt"]
    assert fetcher.log[-1].error == "robots.txt disallows"


def test_robots_for_our_user_agent_is_honoured(httpserver, make_fetcher):
    robots(httpserver, "User-agent: supportdir-test\nDisallow: /\n\nUser-agent: *\nAllow: /\n")
    httpserver.expect_request("/").respond_with_data("home")
    with pytest.raises(RobotsDisallowed):
        make_fetcher().get(httpserver.url_for("/"))


def test_robots_5xx_means_disallow_all_and_404_allow_all(httpserver, make_fetcher):
    httpserver.expect_request("/robots.txt").respond_with_data("oops", status=500)
    httpserver.expect_request("/page").respond_with_data("page")
    with pytest.raises(RobotsDisallowed):
        make_fetcher().get(httpserver.url_for("/page"))
    httpserver.clear()
    httpserver.expect_request("/robots.txt").respond_with_data("missing", status=404)
    httpserver.expect_request("/page").respond_with_data("page")
    assert make_fetcher().get(httpserver.url_for("/page")).body == b"page"


def test_429_with_retry_after_waits_then_succeeds(httpserver, make_fetcher):
    robots(httpserver)
    handler = Recorder(Response("slow down", status=429, headers={"Retry-After": "1"}), Response("ok"))
    httpserver.expect_request("/limited").respond_with_handler(handler)
    page = make_fetcher().get(httpserver.url_for("/limited"))
    assert page.status == 200 and page.body == b"ok"
    assert len(handler.times) == 2
    assert handler.times[1] - handler.times[0] >= 0.95


def test_5xx_then_success_is_retried(httpserver, make_fetcher):
    robots(httpserver)
    handler = Recorder(Response("a", status=503), Response("b", status=500), Response("fine"))
    httpserver.expect_request("/flaky").respond_with_handler(handler)
    fetcher = make_fetcher()
    page = fetcher.get(httpserver.url_for("/flaky"))
    assert page.body == b"fine"
    assert len(handler.times) == 3
    assert [e.error for e in fetcher.log if e.url.endswith("/flaky")] == ["retrying", "retrying", None]


def test_persistent_5xx_fails_with_reason_after_retries(httpserver, make_fetcher):
    robots(httpserver)
    handler = Recorder(Response("down", status=502))
    httpserver.expect_request("/down").respond_with_handler(handler)
    with pytest.raises(FetchFailed, match="HTTP 502"):
        make_fetcher().get(httpserver.url_for("/down"))
    assert len(handler.times) == 3  # the first try and two retries


def test_read_timeout_is_retried(make_fetcher):
    httpserver_class = __import__("pytest_httpserver").HTTPServer
    server = httpserver_class(threaded=True)
    server.start()
    try:
        calls = []

        def slow_then_fast(request: Request) -> Response:
            calls.append(time.monotonic())
            if len(calls) == 1:
                time.sleep(1.5)  # past the 0.5 s read timeout
            return Response("eventually")

        server.expect_request("/robots.txt").respond_with_data("", status=404)
        server.expect_request("/slow").respond_with_handler(slow_then_fast)
        page = make_fetcher().get(server.url_for("/slow"))
        assert page.body == b"eventually"
        assert len(calls) == 2
    finally:
        server.clear()
        server.stop()


def test_conditional_get_reuses_the_archived_body_on_304(httpserver, make_fetcher):
    robots(httpserver)
    handler = Recorder(
        Response("<html>v1</html>",
                 headers={"ETag": '"v1"', "Last-Modified": "Wed, 18 Nov 2026 06:00:00 GMT"}),
        Response(status=304),
    )
    httpserver.expect_request("/page").respond_with_handler(handler)
    first = make_fetcher().get(httpserver.url_for("/page"))
    remembered = {first.url: Validators('"v1"', "Wed, 18 Nov 2026 06:00:00 GMT",
                                        first.warc_file, first.warc_offset)}
    second = make_fetcher(validators=remembered).get(httpserver.url_for("/page"))
    assert handler.requests[0].headers.get("If-None-Match") is None
    assert handler.requests[1].headers["If-None-Match"] == '"v1"'
    assert handler.requests[1].headers["If-Modified-Since"] == "Wed, 18 Nov 2026 06:00:00 GMT"
    assert second.not_modified and second.status == 200
    assert second.body == b"<html>v1</html>"
    assert second.sha256 == first.sha256


def test_body_size_cap_by_content_length_and_by_stream(httpserver, make_fetcher, fetch_config):
    robots(httpserver)
    httpserver.expect_request("/big").respond_with_data(b"x" * 100_000)

    def streamed(request: Request) -> Response:
        return Response((b"y" * 10_000 for _ in range(20)), direct_passthrough=True)

    httpserver.expect_request("/stream").respond_with_handler(streamed)
    fetcher = make_fetcher()
    with pytest.raises(BodyTooLarge, match="Content-Length 100000"):
        fetcher.get(httpserver.url_for("/big"))
    with pytest.raises(BodyTooLarge, match="exceeds 65536"):
        fetcher.get(httpserver.url_for("/stream"))


def test_gzip_body_is_capped_after_decompression(httpserver, make_fetcher):
    import gzip

    robots(httpserver)
    bomb = gzip.compress(b"\0" * 5_000_000)
    httpserver.expect_request("/bomb").respond_with_data(bomb, headers={"Content-Encoding": "gzip"})
    assert len(bomb) < 65536
    with pytest.raises(BodyTooLarge):
        make_fetcher().get(httpserver.url_for("/bomb"))


class SendTimes(HostGate):
    """A host gate that records, per request, the monotonic time it let the request go."""

    def __init__(self) -> None:
        super().__init__()
        self.sent: list[float] = []

    def run(self, host: str, interval: float, call):
        def stamped():
            self.sent.append(self._slot(host)[1][0])  # the gate's own stamp, taken under the host lock
            return call()
        return super().run(host, interval, stamped)


def test_per_host_interval_between_the_requests_sent(httpserver, make_fetcher, fetch_config):
    """The gate's own send times, not the server's arrival stamps: a busy server stamps late.

    The server stamps a request when its handler thread runs, after the request went out; a first
    request stamped 30 ms late and a second on time look 30 ms too close (0.368 s for 0.4 s),
    however polite the client was.
    """
    robots(httpserver)
    handler = Recorder(Response("p"))
    httpserver.expect_request("/p").respond_with_handler(handler)
    gate = SendTimes()
    fetcher = make_fetcher(config=replace(fetch_config, default_interval=0.4), gate=gate)
    for _ in range(3):
        fetcher.get(httpserver.url_for("/p"))
    assert len(handler.times) == 3 and len(gate.sent) == 4  # robots.txt and three pages, all gated
    gaps = [b - a for a, b in zip(gate.sent, gate.sent[1:], strict=False)]
    assert min(gaps) >= 0.4 - 1e-6


def test_different_hosts_are_fetched_in_parallel(make_fetcher, fetch_config):
    from pytest_httpserver import HTTPServer

    servers = [HTTPServer(), HTTPServer()]
    handlers = [Recorder(Response("a")), Recorder(Response("b"))]
    gate = HostGate()
    config = replace(fetch_config, default_interval=0.5)
    for server, handler in zip(servers, handlers, strict=True):
        server.start()
        server.expect_request("/robots.txt").respond_with_data("", status=404)
        server.expect_request("/x").respond_with_handler(handler)
    try:
        def crawl(server):
            fetcher = make_fetcher(config=config, gate=gate)
            for _ in range(3):
                fetcher.get(server.url_for("/x"))

        started = time.monotonic()
        threads = [threading.Thread(target=crawl, args=(s,)) for s in servers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    finally:
        for server in servers:
            server.clear()
            server.stop()
    # Each host: robots + 3 pages, 0.5 s apart = at least 1.5 s; both in parallel: well under 3 s.
    assert all(len(h.times) == 3 for h in handlers)
    assert 1.45 <= elapsed < 2.6


def test_every_response_is_archived_with_its_request(httpserver, make_fetcher):
    robots(httpserver)
    httpserver.expect_request("/a").respond_with_data("<p>A</p>", content_type="text/html; charset=utf-8")
    page = make_fetcher().get(httpserver.url_for("/a"))
    stored = read_response(page.warc_file, page.warc_offset)
    assert stored.body == b"<p>A</p>" and stored.status == 200
    assert stored.url == page.url
    from warcio.archiveiterator import ArchiveIterator

    with open(page.warc_file, "rb") as handle:
        kinds = [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI")) for r in ArchiveIterator(handle)]
    assert ("request", page.url) in kinds and ("response", page.url) in kinds
    assert kinds[0][0] == "warcinfo"


def test_redirects_are_followed_archived_and_checked(httpserver, make_fetcher):
    robots(httpserver)
    httpserver.expect_request("/old").respond_with_data("", status=301, headers={"Location": "/new"})
    httpserver.expect_request("/new").respond_with_data("moved here")
    httpserver.expect_request("/evil").respond_with_data(
        "", status=302, headers={"Location": "javascript:alert(1)"})
    httpserver.expect_request("/loop").respond_with_data("", status=302, headers={"Location": "/loop"})
    fetcher = make_fetcher()
    page = fetcher.get(httpserver.url_for("/old"))
    assert page.body == b"moved here" and page.final_url.endswith("/new")
    assert page.url.endswith("/old")
    with pytest.raises(FetchFailed, match="not an http"):
        fetcher.get(httpserver.url_for("/evil"))
    with pytest.raises(FetchFailed, match="redirects"):
        fetcher.get(httpserver.url_for("/loop"))


def test_private_addresses_refused_unless_allowed(httpserver, make_fetcher, fetch_config):
    robots(httpserver)
    httpserver.expect_request("/").respond_with_data("hi")
    with pytest.raises(FetchFailed, match="private or loopback"):
        make_fetcher(config=replace(fetch_config, allow_private=False)).get(httpserver.url_for("/"))
    assert httpserver.log == []


def test_user_agent_names_the_project(httpserver, make_fetcher):
    robots(httpserver)
    handler = Recorder(Response("ok"))
    httpserver.expect_request("/ua").respond_with_handler(handler)
    make_fetcher().get(httpserver.url_for("/ua"))
    assert handler.requests[0].headers["User-Agent"].startswith("supportdir-test/0.1 (+https://")

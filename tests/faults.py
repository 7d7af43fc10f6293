"""A fault-injecting HTTP server on 127.0.0.1 for tests and benchmarks (standard library only).

`FaultServer` serves pages (e.g. the sample mirror) and, for chosen paths, a script of
faults played in order (the last one repeats): an HTTP status burst, Retry-After, a stalled
read, a connection reset mid-body, a body shorter than its Content-Length, a wrong charset,
a gzip bomb, redirects. Every request is recorded.

    with FaultServer(pages=sample_pages("dbsa")) as server:
        server.script("/robots.txt", status(503))
        server.script("/page", status(500), status(500), ok(b"fine"))
"""

import gzip
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from schemas.urls import canonical_url
from scrapers.sample import load_manifest, sample_sources

Fault = Callable[["_Handler"], None]


def mirror_key(url: str) -> str:
    """Path and sorted query of a URL: what the server matches on (hosts differ)."""
    parts = urlsplit(canonical_url(url))
    return parts.path + (f"?{parts.query}" if parts.query else "")


def sample_pages(*sources: str) -> dict[str, tuple[int, dict[str, str], bytes]]:
    """The sample snapshot's responses by mirror key (all sources if none named)."""
    pages = {}
    for source in sources or sample_sources():
        for response in load_manifest(source):
            headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
            pages[mirror_key(response.url)] = (response.status, headers, response.body)
    return pages


# --- faults: each writes one whole (or deliberately broken) response --------------------------


def ok(body: bytes, content_type: str = "text/html; charset=utf-8", **headers: str) -> Fault:
    """A 200 with this body."""
    return status(200, body, {"Content-Type": content_type, **headers})


def status(code: int, body: bytes = b"fault", headers: dict[str, str] | None = None) -> Fault:
    """A complete response with this status, body and headers."""
    def send(handler: "_Handler") -> None:
        handler.respond(code, {"Content-Type": "text/plain", **(headers or {})}, body)
    return send


def retry_after_seconds(seconds: int, code: int = 429) -> Fault:
    """429 (or 503) asking to come back in N seconds."""
    return status(code, b"slow down", {"Retry-After": str(seconds)})


def retry_after_date(seconds: float, code: int = 429) -> Fault:
    """429 (or 503) asking to come back at an HTTP date N seconds from now."""
    def send(handler: "_Handler") -> None:
        when = formatdate(time.time() + seconds, usegmt=True)
        handler.respond(code, {"Content-Type": "text/plain", "Retry-After": when}, b"slow down")
    return send


def stall(seconds: float, body: bytes = b"<html><body>" + b"x" * 200) -> Fault:
    """Headers and the first bytes, then silence for `seconds` (a read past the timeout)."""
    def send(handler: "_Handler") -> None:
        handler.head(200, {"Content-Type": "text/html", "Content-Length": str(len(body) * 2)})
        handler.wfile.write(body)
        handler.wfile.flush()
        time.sleep(seconds)
        handler.close_connection = True
    return send


def drip(every: float, body: bytes = b"<html><body>" + b"d" * 200) -> Fault:
    """Slowloris: headers, then the body one byte every `every` seconds (each read well in time)."""
    def send(handler: "_Handler") -> None:
        handler.head(200, {"Content-Type": "text/html", "Content-Length": str(len(body))})
        handler.wfile.flush()
        _drip(handler, body, every)
    return send


def drip_headers(every: float) -> Fault:
    """Slowloris in the headers: the status line and headers one byte every `every` seconds."""
    def send(handler: "_Handler") -> None:
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n" + b"X-Pad: " + b"p" * 200 + b"\r\n"
        _drip(handler, head + b"Content-Length: 2\r\n\r\nok", every)
    return send


def _drip(handler: "_Handler", data: bytes, every: float) -> None:
    """Write `data` a byte at a time; stop when the client has gone."""
    handler.close_connection = True
    for index in range(len(data)):
        try:
            handler.wfile.write(data[index:index + 1])
            handler.wfile.flush()
        except OSError:
            return
        time.sleep(every)


def reset_mid_body(body: bytes = b"<html><body>" + b"y" * 5000) -> Fault:
    """Headers and half the body, then a TCP reset (SO_LINGER 0)."""
    def send(handler: "_Handler") -> None:
        handler.head(200, {"Content-Type": "text/html", "Content-Length": str(len(body))})
        handler.wfile.write(body[: len(body) // 2])
        handler.wfile.flush()
        handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        handler.connection.close()
        handler.close_connection = True
    return send


def short_body(body: bytes = b"<html><body>" + b"z" * 1000, declared_extra: int = 500) -> Fault:
    """A body shorter than its Content-Length, then the connection closes."""
    def send(handler: "_Handler") -> None:
        handler.head(200, {"Content-Type": "text/html", "Content-Length": str(len(body) + declared_extra)})
        handler.wfile.write(body)
        handler.wfile.flush()
        handler.close_connection = True
    return send


def gzip_bomb(decompressed: int = 50_000_000) -> Fault:
    """A small gzip body that inflates to `decompressed` bytes."""
    bomb = gzip.compress(b"\0" * decompressed, compresslevel=9)

    def send(handler: "_Handler") -> None:
        handler.respond(200, {"Content-Type": "text/html", "Content-Encoding": "gzip"}, bomb)
    return send


def redirect(location: str, code: int = 302) -> Fault:
    """A redirect to `location` (relative, another scheme, another host)."""
    return status(code, b"", {"Location": location})


def with_charset(body: bytes, header_charset: str | None) -> Fault:
    """The body with a chosen (possibly wrong or missing) charset in the Content-Type header."""
    content_type = "text/html" + (f"; charset={header_charset}" if header_charset else "")
    return status(200, body, {"Content-Type": content_type})


# --- the server ---------------------------------------------------------------------------------


@dataclass
class Recorded:
    """One request the server received."""

    path: str
    headers: dict[str, str]
    at: float


class _Handler(BaseHTTPRequestHandler):
    """Answers from the server's scripts, else its pages, else 404."""

    server: "_Server"
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out at once, not 40 ms apart (delayed ACK)

    def log_message(self, format: str, *args) -> None:
        """Quiet."""

    def do_GET(self) -> None:
        """Record the request, wait the latency, then play a fault or serve a page."""
        owner = self.server.owner
        owner.record(self)
        if owner.latency:
            time.sleep(owner.latency)
        owner.respond_to(self)

    def head(self, code: int, headers: dict[str, str]) -> None:
        """Status line and headers only."""
        self.send_response(code)
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()

    def respond(self, code: int, headers: dict[str, str], body: bytes) -> None:
        """A complete response (Content-Length set from the body)."""
        self.head(code, {**headers, "Content-Length": str(len(body))})
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    owner: "FaultServer"


@dataclass
class FaultServer:
    """A threaded HTTP server on 127.0.0.1 with scripted faults per path; use as a context manager."""

    pages: Mapping[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)
    latency: float = 0.0
    robots: bytes | None = None  # None: robots.txt answers 404 (allow all) unless scripted
    requests: list[Recorded] = field(default_factory=list)
    etags: bool = True

    def __post_init__(self) -> None:
        self._scripts: dict[str, list[Fault]] = {}
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.owner = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> "FaultServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base(self) -> str:
        """http://127.0.0.1:PORT"""
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def host(self) -> str:
        """127.0.0.1:PORT, the fetch layer's unit of politeness."""
        return f"127.0.0.1:{self._server.server_address[1]}"

    def url(self, path: str) -> str:
        """An absolute URL on this server."""
        return self.base + path

    def script(self, path: str, *faults: Fault) -> None:
        """Answer `path` (with its query) with these faults in order; the last one repeats."""
        with self._lock:
            self._scripts[mirror_key(self.url(path))] = list(faults)

    def paths(self) -> list[str]:
        """Paths requested, in order."""
        return [r.path for r in self.requests]

    def record(self, handler: _Handler) -> None:
        """Remember a request."""
        with self._lock:
            self.requests.append(Recorded(handler.path, dict(handler.headers), time.monotonic()))

    def _next_fault(self, key: str) -> Fault | None:
        """The next scripted fault of a path, if any."""
        with self._lock:
            faults = self._scripts.get(key)
            if not faults:
                return None
            return faults.pop(0) if len(faults) > 1 else faults[0]

    def respond_to(self, handler: _Handler) -> None:
        """A scripted fault, robots.txt, a page (with an ETag and 304s), or 404."""
        key = mirror_key(self.url(handler.path))
        fault = self._next_fault(key)
        if fault is not None:
            fault(handler)
        elif key == "/robots.txt":
            body = self.robots
            handler.respond(200 if body is not None else 404, {"Content-Type": "text/plain"}, body or b"")
        elif key in self.pages:
            self._serve_page(handler, *self.pages[key])
        else:
            handler.respond(404, {"Content-Type": "text/plain"}, b"not found")

    def _serve_page(self, handler: _Handler, code: int, headers: dict[str, str], body: bytes) -> None:
        """A page with a strong ETag; If-None-Match that matches gets a 304."""
        etag = f'"{zlib.crc32(body):08x}-{len(body)}"'
        if self.etags and handler.headers.get("If-None-Match") == etag:
            handler.head(304, {"ETag": etag, "Content-Length": "0"})
            return
        extra = {"ETag": etag} if self.etags else {}
        handler.respond(code, {**headers, **extra}, body)


def serve_many(count: int, **options) -> list[FaultServer]:
    """Several servers (one host each), started."""
    return [FaultServer(**options).__enter__() for _ in range(count)]


def stop_all(servers: Iterable[FaultServer]) -> None:
    """Stop servers started by serve_many."""
    for server in servers:
        server.__exit__(None, None, None)

"""The polite HTTP client: the only module that talks to the network.

One requests.Session; a User-Agent naming the project; robots.txt per host
(protego); one request in flight per host and a minimum interval per host;
timeouts and a total deadline per request; a body-size cap; retries with
exponential backoff honoring Retry-After up to a cap (urllib3's Retry policy);
conditional GET with remembered validators, a 304 reusing the archived body.
Each host is resolved once and connected to by the address checked to be public
(scrapers.transport). Every response is archived.
"""

import socket
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit
from urllib.request import getproxies

import requests
from urllib3.exceptions import InvalidHeader, MaxRetryError
from urllib3.util.retry import Retry

from schemas.errors import (
    AddressRefused,
    BodyTooLarge,
    DeadlineExceeded,
    FetchFailed,
    FetchRefused,
    HostUnreachable,
    RetryAfterTooLong,
    RobotsDisallowed,
)
from schemas.fetch_log import FetchLog, Validators
from schemas.urls import DEFAULT_PORTS, canonical_url, is_http_url
from scrapers.archive import WarcArchive, read_response
from scrapers.page import Page
from scrapers.robots import RobotsRules
from scrapers.transport import AddressPolicy, deadline, pinned_pools
from scrapers.urls import absolute_url, host_of, politeness_host

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
TRANSIENT_ERRORS = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)


@dataclass(frozen=True)
class FetchConfig:
    """Politeness and limits of the fetch layer (picklable, so a task can build its own client)."""

    user_agent: str = "supportdir/0.1 (+https://github.com/supportdir/supportdir)"
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    request_deadline: float = 120.0  # seconds for one whole request, however the bytes trickle in
    max_bytes: int = 20 * 1024 * 1024
    retries: int = 4
    backoff_factor: float = 2.0
    max_retry_after: int = 120  # a Retry-After longer than this gives the URL up for the run
    default_interval: float = 1.0
    intervals: Mapping[str, float] = field(default_factory=dict)
    # Extra request headers by canonical URL (a source's per-feed headers); archived like any header.
    headers: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    max_redirects: int = 5
    allow_private: bool = False
    # Hosts (host[:port]) that may resolve to a private or loopback address even when
    # allow_private is off: the configured mirror of each source, and nothing it redirects to.
    private_hosts: frozenset[str] = frozenset()
    # Mirrors serving other hosts as <mirror>/<host>/<path> (Source.mirrored): politeness is kept
    # per live host a mirrored URL stands for, as it would be on the live sites.
    mirrors: frozenset[str] = frozenset()


class HostGate:
    """One request in flight per host, and at least `interval` seconds between starts."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._hosts: dict[str, tuple[threading.Lock, list[float]]] = {}

    def _slot(self, host: str) -> tuple[threading.Lock, list[float]]:
        with self._lock:
            return self._hosts.setdefault(host, (threading.Lock(), [0.0]))

    def run(self, host: str, interval: float, call):
        """Call `call()` holding the host's slot, after waiting out its interval."""
        lock, last = self._slot(host)
        with lock:
            wait = last[0] + interval - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            last[0] = time.monotonic()
            return call()


# Shared by every fetcher in the process, so two sources on one host stay polite.
HOST_GATE = HostGate()


class HttpFetcher:
    """Fetches pages politely over HTTP and archives every response."""

    def __init__(
        self,
        config: FetchConfig,
        archive: WarcArchive,
        validators: Mapping[str, Validators] | None = None,
        gate: HostGate = HOST_GATE,
    ):
        self.config = config
        self.archive = archive
        self.validators = dict(validators or {})
        self.gate = gate
        self.session = requests.Session()
        self.session.headers.update({"User-Agent": config.user_agent, "Accept-Encoding": "gzip, deflate"})
        # Without proxy settings in the environment, skip requests' per-request look-ups of proxy
        # variables and ~/.netrc (about 1.5 ms a request, a third of a fast crawl's own time).
        self.session.trust_env = bool(getproxies())
        self.addresses = AddressPolicy(config.allow_private, config.private_hosts)
        adapter = requests.adapters.HTTPAdapter()
        adapter.poolmanager.pool_classes_by_scheme = pinned_pools(self.addresses)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.robots = RobotsRules(self._fetch_robots, config.user_agent)
        self.log: list[FetchLog] = []

    def close(self) -> None:
        """Release the HTTP connections."""
        self.session.close()

    def get(self, url: str) -> Page:
        """Fetch a page: robots, politeness, retries, redirects, conditional GET, archive."""
        url = canonical_url(url)
        current, conditional = url, {**self.config.headers.get(url, {}), **self._conditional_headers(url)}
        for _hop in range(self.config.max_redirects + 1):
            self._check_allowed(current)
            response, body = self._request(current, conditional)
            if response.status_code == 304 and current in self.validators:
                return self._not_modified(url, current, response)
            page = self._archive(url, current, response, body)
            location = response.headers.get("Location")
            if response.status_code not in REDIRECT_STATUSES or not location:
                return page
            current, conditional = canonical_url(absolute_url(current, location)), {}
        raise FetchRefused(url, f"more than {self.config.max_redirects} redirects")

    def _check_allowed(self, url: str) -> None:
        """Refuse non-http URLs, private addresses (unless allowed) and robots.txt exclusions."""
        if not is_http_url(url):
            self._log(FetchLog(url=url, status=None, error="refused: not an http(s) URL"))
            raise FetchRefused(url, "not an http(s) URL")
        self._check_address(url)
        if not self.robots.allowed(url):
            if unreachable := self.robots.unreachable(url):
                self._log(FetchLog(url=url, status=None, error=f"host unreachable: {unreachable}"))
                raise HostUnreachable(url, f"could not reach {host_of(url)}: {unreachable}")
            self._log(FetchLog(url=url, status=None, error="robots.txt disallows"))
            raise RobotsDisallowed(url, self.robots.why(url))

    def _check_address(self, url: str) -> None:
        """Resolve the host once (the connection reuses that answer); refuse a non-global address."""
        parts = urlsplit(url)
        try:
            self.addresses.address(parts.hostname or "", parts.port or DEFAULT_PORTS[parts.scheme.lower()],
                                   parts.scheme.lower())
        except AddressRefused as exc:
            self._log(FetchLog(url=url, status=None, error="refused: private or loopback address"))
            raise FetchRefused(url, exc.reason) from None
        except OSError:
            pass  # a DNS failure: the connection reports it (and it is retried)

    def _conditional_headers(self, url: str) -> dict[str, str]:
        """If-None-Match / If-Modified-Since from the last run that archived this URL."""
        known = self.validators.get(url)
        if not known:
            return {}
        headers = {}
        if known.etag:
            headers["If-None-Match"] = known.etag
        if known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
        return headers

    def host_key(self, url: str) -> str:
        """The host a request to this URL is polite to (under a mirror, the live host it stands for)."""
        return politeness_host(url, self.config.mirrors)

    def interval(self, url: str) -> float:
        """Minimum seconds between requests to a URL's host (its robots Crawl-delay can raise it)."""
        base = self.config.intervals.get(self.host_key(url), self.config.default_interval)
        return max(base, self.robots.crawl_delay(host_of(url)) or 0.0)

    def _request(self, url: str, headers: dict[str, str]) -> tuple[requests.Response, bytes]:
        """GET with retries on transient errors, 429 and 5xx (backoff, Retry-After)."""
        retry = self._retry_policy()
        host = self.host_key(url)
        while True:
            try:
                response, body = self.gate.run(host, self.interval(url), lambda: self._once(url, headers))
            except TRANSIENT_ERRORS as exc:
                retry = self._increment(retry, url, error=exc)
                retry.sleep()
                continue
            except AddressRefused as exc:  # raised by the connection itself
                self._log(FetchLog(url=url, status=None, error="refused: private or loopback address"))
                raise FetchRefused(url, exc.reason) from None
            except requests.RequestException as exc:  # e.g. a body that is not the gzip it claims
                self._log(FetchLog(url=url, status=None, error=repr(exc)))
                raise FetchRefused(url, f"{type(exc).__name__}: {exc}") from exc
            if not retry.is_retry("GET", response.status_code, "Retry-After" in response.headers):
                return response, body
            self._check_retry_after(url, response)
            self._log(FetchLog(url=url, status=response.status_code, error="retrying"))
            retry = self._increment(retry, url, response=response)
            self._sleep(retry, response)

    def _check_retry_after(self, url: str, response: requests.Response) -> None:
        """Give the URL up for this run when Retry-After asks for longer than the cap."""
        cap = self.config.max_retry_after
        try:
            asked = Retry(retry_after_max=10**12).get_retry_after(response.raw)
        except InvalidHeader:
            return
        if asked is not None and asked > cap:
            reason = f"asked to retry after {asked:.0f} s, more than the {cap} s cap"
            self._log(FetchLog(url=url, status=response.status_code, error=reason))
            raise RetryAfterTooLong(url, reason)

    def _retry_policy(self) -> Retry:
        """urllib3's Retry as the policy: counts, backoff, Retry-After."""
        return Retry(
            total=self.config.retries, connect=self.config.retries, read=self.config.retries,
            status=self.config.retries, other=self.config.retries,
            backoff_factor=self.config.backoff_factor, status_forcelist=RETRY_STATUSES,
            allowed_methods=frozenset({"GET"}), retry_after_max=self.config.max_retry_after,
            raise_on_status=False,
        )

    def _increment(self, retry: Retry, url: str, error=None, response=None) -> Retry:
        """Count one failed attempt; give up with FetchFailed when the budget is spent."""
        try:
            return retry.increment("GET", url, response=response.raw if response else None, error=error)
        except MaxRetryError:
            reason = f"HTTP {response.status_code}" if response is not None else _describe(error)
            self._log(FetchLog(url=url, status=getattr(response, "status_code", None), error=reason))
            raise FetchFailed(url, f"gave up after {self.config.retries} retries: {reason}") from error

    @staticmethod
    def _sleep(retry: Retry, response: requests.Response) -> None:
        """Wait as Retry-After asks (capped), else the exponential backoff."""
        try:
            retry.sleep(response.raw)
        except InvalidHeader:
            retry.sleep()

    def _once(self, url: str, headers: dict[str, str]) -> tuple[requests.Response, bytes]:
        """One GET within the request deadline (connect, headers and body together)."""
        seconds = self.config.request_deadline
        with deadline(seconds) as watch:
            try:
                answer = self._read(url, headers)
            except Exception as exc:
                if watch.expired:
                    self._log(FetchLog(url=url, status=None, error=f"deadline of {seconds:g} s passed"))
                    raise DeadlineExceeded(url, f"took longer than the {seconds:g} s deadline") from exc
                raise
        if watch.expired:  # the shut-down connection may also read as a body that just ended
            self._log(FetchLog(url=url, status=None, error=f"deadline of {seconds:g} s passed"))
            raise DeadlineExceeded(url, f"took longer than the {seconds:g} s deadline")
        return answer

    def _read(self, url: str, headers: dict[str, str]) -> tuple[requests.Response, bytes]:
        """One GET, body read in chunks up to the size cap."""
        timeout = (self.config.connect_timeout, self.config.read_timeout)
        with self.session.get(url, headers=headers, timeout=timeout, stream=True,
                              allow_redirects=False) as response:
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > self.config.max_bytes:
                raise BodyTooLarge(url, f"Content-Length {declared} exceeds {self.config.max_bytes} bytes")
            chunks, size = [], 0
            for chunk in response.iter_content(chunk_size=16 * 1024):
                size += len(chunk)
                if size > self.config.max_bytes:
                    raise BodyTooLarge(url, f"body exceeds {self.config.max_bytes} bytes")
                chunks.append(chunk)
            return response, b"".join(chunks)

    def _archive(self, url: str, current: str, response: requests.Response, body: bytes) -> Page:
        """Write the response to the WARC and describe it as a Page."""
        fetched_at = datetime.now(UTC)
        status_line = f"{response.status_code} {response.reason or ''}".strip()
        record = self.archive.write(current, response.request.headers, status_line,
                                    response.headers, body, fetched_at)
        page = Page(url=url, status=response.status_code, headers=dict(response.headers), body=body,
                    fetched_at=fetched_at, final_url=current, warc_file=record.warc_file,
                    warc_offset=record.warc_offset)
        self._log(page.log_entry(current))
        return page

    def _not_modified(self, url: str, current: str, response: requests.Response) -> Page:
        """A 304: the body is the one archived by the run that remembered the validators."""
        known = self.validators[current]
        stored = read_response(known.warc_file, known.warc_offset, self.config.max_bytes)
        fetched_at = datetime.now(UTC)
        self.archive.write_revisit(current, stored, fetched_at)
        page = Page(url=url, status=stored.status, headers=stored.headers, body=stored.body,
                    fetched_at=fetched_at, final_url=current, warc_file=known.warc_file,
                    warc_offset=known.warc_offset, not_modified=True)
        self._log(page.log_entry(current))
        return page

    def _fetch_robots(self, robots_url: str) -> tuple[int | None, bytes, str | None]:
        """Fetch a robots.txt (archived, polite, redirected); on a network error: None and why."""
        current = robots_url
        try:
            for _hop in range(self.config.max_redirects + 1):
                response, body = self._request(current, {})
                self._archive(current, current, response, body)
                location = response.headers.get("Location")
                if response.status_code not in REDIRECT_STATUSES or not location:
                    return response.status_code, body, None
                current = canonical_url(absolute_url(current, location))
                if not is_http_url(current):
                    raise FetchRefused(current, "not an http(s) URL")
        except FetchFailed as exc:
            self._log(FetchLog(url=robots_url, status=None, error=str(exc)))
            # A 5xx that outlasted the retries is still a 5xx (RFC 9309: disallow), not "unreachable".
            last = next((e.status for e in reversed(self.log) if e.url == current and e.status), None)
            refused = isinstance(exc, FetchRefused) or last is not None
            return last, b"", None if refused else exc.reason
        return None, b"", None

    def _log(self, entry: FetchLog) -> None:
        """Remember one request for the run's fetch table."""
        self.log.append(entry)


def _describe(error: BaseException | None) -> str:
    """One line naming a network error by its root cause (a DNS failure, a refused connection...)."""
    if error is None:
        return "unknown error"
    root = _root_cause(error)
    if isinstance(root, socket.gaierror):
        return f"DNS lookup failed ({root})"
    if root is not error:
        return f"{type(error).__name__} ({type(root).__name__}: {str(root)[:200]})"
    return f"{type(error).__name__}: {str(error)[:200]}"


def _root_cause(error: BaseException) -> BaseException:
    """The innermost exception of a requests/urllib3 error (its reason, cause or wrapped error)."""
    seen = {id(error)}
    while True:
        reason = getattr(error, "reason", None)
        wrapped = error.args[0] if error.args and isinstance(error.args[0], BaseException) else None
        inner = next((e for e in (reason, error.__cause__, wrapped) if isinstance(e, BaseException)), None)
        if inner is None or id(inner) in seen:
            return error
        seen.add(id(inner))
        error = inner

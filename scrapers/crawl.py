"""The crawl driver: fetch a source's start URLs, follow what discover() finds, keep every page.

A changed page (not a 304) can be parsed as soon as it arrives, in the time the crawl would
otherwise spend waiting out the host's politeness interval, and on a big crawl in worker
processes (`scrapers.parse_workers`) while the crawl goes on fetching.
"""

import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from itertools import islice
from typing import Protocol

from schemas.errors import (
    BudgetExceeded,
    FetchFailed,
    FetchRefused,
    NothingFetched,
    NotInArchive,
    RobotsDisallowed,
)
from schemas.fetch_log import FetchLog
from schemas.listing import ParsedListing
from schemas.urls import canonical_url
from scrapers.base import Source, Unit
from scrapers.page import Link, Page
from scrapers.parse_workers import IN_THREAD_BYTES, ParseWorkers

Progress = Callable[[str, int, int], None]
DEFAULT_BUDGET_S = 2 * 3600.0  # a source's wall-clock budget: generous, the biggest takes minutes
GONE = frozenset({404, 410})  # a start URL answered so may have moved (Source.replacement)
MAX_HOSTS = 8  # hosts of one source fetched at once (one request in flight per host)
LOOKAHEAD = 64  # queued links scanned for another host to fetch ahead (a bounded scan per page)


# Set when the process is told to stop (SIGTERM, SIGINT): every crawl ends before its next page,
# so the task runner's threads finish at once instead of crawling on while the build unwinds.
STOP = threading.Event()


def stop_crawls() -> None:
    """Ask every crawl in this process to end before its next page."""
    STOP.set()


@dataclass(frozen=True)
class Limits:
    """How far one source's crawl may go: pages (None: the source's own cap) and seconds."""

    max_pages: int | None = None
    budget_s: float = DEFAULT_BUDGET_S
    hosts: int = MAX_HOSTS  # hosts fetched at once over the network (1: one page at a time)


class Fetcher(Protocol):
    """What the crawl needs of a fetcher (live HTTP or WARC replay)."""

    log: list[FetchLog]

    def get(self, url: str) -> Page:
        """Fetch one URL."""
        ...


@dataclass
class CrawlResult:
    """The pages one source yielded in one run, what was skipped or restricted, and every request made."""

    source: str
    pages: list[Page] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    restricted: list[tuple[str, str]] = field(default_factory=list)
    lost: list[tuple[str, str]] = field(default_factory=list)  # pages not had now: last good listings kept
    notes: list[str] = field(default_factory=list)  # what the parser says of pages (unreadable values)
    units: list[Unit] = field(default_factory=list)  # the feeds or servers its pages cover (Source.units)
    log: list[FetchLog] = field(default_factory=list)
    started_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    finished_at: datetime | None = None
    parsed: dict[int, list[ParsedListing]] = field(default_factory=dict)  # page index -> its listings
    parse_error: Exception | None = None  # the first page's parse error (that page is parsed again later)
    parse_s: float = 0.0
    stopped: bool = False  # the process was told to stop: a partial crawl, never to be loaded

    def shed_parsed_bodies(self) -> None:
        """Drop the bodies of pages already parsed (kept: URL, status, flags): a smaller result to
        hand between tasks and processes. Their provenance is already in `log` and the listings."""
        self.pages = [replace(page, body=b"") if index in self.parsed else page
                      for index, page in enumerate(self.pages)]


def crawl(source: Source, fetcher: Fetcher, on_page: Progress | None = None,
          parse: bool = False, parse_workers: int = 0, in_thread_bytes: int = IN_THREAD_BYTES,
          limits: Limits = Limits()) -> CrawlResult:
    """Breadth-first over start URLs and discovered links; robots exclusions are skipped, not fatal.

    The crawl stops with BudgetExceeded once it finds more URLs than its page cap (before
    fetching pages whose listings would be a partial set) or runs past its wall-clock budget.
    With `parse`, each changed page is parsed as it arrives (kept in `parsed`; an error is kept
    in `parse_error` for the parse step), by `parse_workers` processes once the pages add up to
    more than `in_thread_bytes`; pages answered 304 are left for the parse step, which may not
    need them at all.
    """
    result = CrawlResult(source.name, log=fetcher.log)
    with ParseWorkers(source, parse_workers, in_thread_bytes) as parser:
        futures = _walk(source, fetcher, on_page, parser if parse else None, result, limits)
        _gather(parser, futures, result)
    if not result.pages and result.lost:  # every unit lost: the source failed (a retry may help)
        url, why = result.lost[0]
        more = len(result.lost) - 1
        raise FetchFailed(url, why + (f" (and {more} more lost: {result.lost[1][1]}, ...)" if more else ""))
    if not result.pages and result.skipped:
        raise NothingFetched(source.name, [why for _url, why in result.skipped])
    result.units = source.units(result.pages)
    result.finished_at = datetime.now(UTC)
    return result


def _walk(source: Source, fetcher: Fetcher, on_page: Progress | None, parser: ParseWorkers | None,
          result: CrawlResult, limits: Limits) -> dict[int, Future]:
    """Fetch every page reachable from the start URLs; hand each changed one to the parser.

    Pages are taken in queue order, as one page at a time would take them, so the result is the
    same; meanwhile up to `limits.hosts` other hosts' queued pages are fetched ahead (`_Ahead`).
    """
    cap = source.page_cap if limits.max_pages is None else limits.max_pages
    starts = [canonical_url(url) for url in source.start_urls()]
    queue = deque(Link(url) for url in starts)
    seen = set(starts)
    _check_cap(source, cap, len(seen))
    futures: dict[int, Future] = {}
    began = time.monotonic()
    with _Ahead(fetcher, limits.hosts) as ahead:
        while queue:
            if STOP.is_set():  # ended quietly: the build is unwinding and reports the interruption itself
                result.stopped = True
                break
            _check_budget(source, limits.budget_s, time.monotonic() - began, len(result.pages), len(queue))
            ahead.fill(queue)
            link = queue.popleft()
            moved: list[Link] = []
            page = _fetch(source, ahead.answer(link, queue), link, is_start=canonical_url(link.url) in starts,
                          result=result, moved=moved)
            if page is None:
                _enqueue(source, cap, moved, seen, queue)
                continue
            result.pages.append(page)
            if not parser and not page.not_modified:  # else made where the page is parsed (_gather)
                result.notes.extend(source.notes(page))
            if parser and not page.not_modified:
                started = time.perf_counter()
                futures[len(result.pages) - 1] = parser.submit(page)
                result.parse_s += time.perf_counter() - started
            _enqueue(source, cap, source.discover(page), seen, queue)
            if on_page:
                on_page(source.name, len(result.pages), len(result.pages) + len(queue))
    return futures


class _Answered:
    """A fetcher that gives back one fetch already made (its page, or raises its error)."""

    def __init__(self, fetcher: Fetcher, future: Future):
        self.log = fetcher.log
        self.future = future

    def get(self, url: str) -> Page:
        """The page fetched ahead for this link (the one URL it was made for)."""
        return self.future.result()


class _Ahead:
    """Fetches queued links of other hosts while the crawl waits on one: at most one per host
    (the fetcher's politeness gate keeps each host's interval), at most `hosts` at once.

    Only the fetch runs ahead; what a page means (kept, skipped, lost, moved) is decided when the
    crawl takes it in queue order. A fetcher without `host_key` (a replay) fetches in order.
    """

    def __init__(self, fetcher: Fetcher, hosts: int):
        self.fetcher = fetcher
        # How a network fetcher names the host a URL is polite to (a replay has no such thing).
        self.key: Callable[[str], str] | None = getattr(fetcher, "host_key", None)
        self.hosts = hosts if self.key else 1
        self.pool = ThreadPoolExecutor(self.hosts, "crawl") if self.hosts > 1 else None
        self.pending: dict[str, tuple[str, Future]] = {}  # a queued link's URL -> (its host, its fetch)

    def __enter__(self) -> "_Ahead":
        return self

    def __exit__(self, *exc) -> None:
        if self.pool:  # fetches under way finish (within the request deadline); queued ones are dropped
            self.pool.shutdown(wait=True, cancel_futures=True)

    def fill(self, queue: deque[Link]) -> None:
        """Start fetching the first queued link of each idle host, up to the cap of hosts at once."""
        if not self.pool or not self.key or STOP.is_set():
            return
        busy = {host for host, future in self.pending.values() if not future.done()}
        for link in islice(queue, LOOKAHEAD):
            if len(busy) >= self.hosts:
                return
            host = self.key(link.url)
            if link.url not in self.pending and host not in busy:
                busy.add(host)
                self.pending[link.url] = (host, self.pool.submit(self.fetcher.get, link.url))

    def answer(self, link: Link, queue: deque[Link]) -> Fetcher:
        """A fetcher answering this link's fetch (made ahead, or now); while it is under way, a host
        that is done starts on its next queued link."""
        if link.url not in self.pending:
            return self.fetcher
        _host, future = self.pending[link.url]  # kept there while under way: its host is busy
        while not future.done():
            under_way = [other for _host, other in self.pending.values() if not other.done()]
            wait(under_way, return_when=FIRST_COMPLETED)
            self.fill(queue)
        del self.pending[link.url]
        return _Answered(self.fetcher, future)


def _enqueue(source: Source, cap: int, links: Iterable[Link], seen: set[str], queue: deque[Link]) -> None:
    """Queue the links not seen yet (BudgetExceeded past the page cap)."""
    for found in links:
        key = canonical_url(found.url)
        if key not in seen:
            seen.add(key)
            _check_cap(source, cap, len(seen))
            queue.append(found)


def _check_cap(source: Source, cap: int, found: int) -> None:
    """BudgetExceeded once a crawl has found more URLs than its page cap."""
    if found > cap:
        setting = f"SUPPORTDIR_{source.name.upper()}_MAX_PAGES"
        raise BudgetExceeded(source.name, f"stopped at its cap of {cap} pages: the site lists more "
                                          f"(raise {setting} if the site really grew)")


def _check_budget(source: Source, budget_s: float, elapsed: float, pages: int, queued: int) -> None:
    """BudgetExceeded once a crawl has run past its wall-clock budget."""
    if elapsed > budget_s:
        raise BudgetExceeded(source.name, f"ran past its budget of {budget_s:g} s after {pages} pages "
                                          f"({queued} still to fetch)")


def _gather(parser: ParseWorkers, futures: dict[int, Future], result: CrawlResult) -> None:
    """Wait for the pages' listings in page order; a page that failed is left to the parse step."""
    started = time.perf_counter()
    for index, future in sorted(futures.items()):
        page = result.pages[index]
        result.notes.extend(parser.notes(future, page))
        try:
            result.parsed[index] = parser.listings(future, page)
        except Exception as exc:  # the parse step parses it again and reports it as a lost page
            result.parse_error = result.parse_error or exc
    result.parse_s += time.perf_counter() - started


def _fetch(source: Source, fetcher: Fetcher, link: Link, is_start: bool,
           result: CrawlResult, moved: list[Link]) -> Page | None:
    """One page with its link's context; None (and a note) when it is skipped, restricted, lost or moved.

    A page that cannot be had now (a server error after retries, a network failure, missing from
    the archive) is *lost*: reported, its listings of the last good run kept. A start page is lost
    only where the source's start pages are independent units (feeds, state pages); otherwise its
    failure fails the source. A start page that is gone (404, 410) where the source names a
    replacement is *moved*: the replacement's links go in `moved` (and a note in the result); a
    link standing in for a start page (context `replaces`) is that start page as a unit.
    """
    replaces = link.context.get("replaces")
    if replaces:  # fails as its start page would, and is reported under the start page's URL
        return _stand_in(source, fetcher, link, replaces, result)
    unit = not is_start or source.independent_starts
    try:
        page = fetcher.get(link.url)
    except RobotsDisallowed as exc:
        result.skipped.append((link.url, str(exc)))
        return None
    except FetchRefused as exc:
        if is_start and not unit:
            raise
        # Refused by policy (oversized, redirected off-site or to a private address).
        (result.skipped if not is_start else result.lost).append((link.url, f"refused: {exc.reason}"))
        return None
    except (FetchFailed, NotInArchive) as exc:
        if not unit:
            raise
        result.lost.append((link.url, getattr(exc, "reason", None) or str(exc)))
        return None
    if is_start and page.status in GONE and (found := list(source.replacement(page))):
        moved.extend(Link(f.url, {**f.context, "replaces": link.url}) for f in found)
        result.notes.append(f"{link.url}: HTTP {page.status}, looking for it at "
                            f"{', '.join(f.url for f in found)}")
        return None
    if is_start and 400 <= page.status < 500 and (why := source.restricted(page)):
        # The site withholds this start URL on purpose (e.g. a feed shared only with a key).
        result.restricted.append((link.url, why))
        return None
    if page.status >= 500 or (page.status >= 400 and is_start):
        if not unit:
            raise FetchFailed(link.url, f"HTTP {page.status}")
        result.lost.append((link.url, f"HTTP {page.status}"))
        return None
    if page.status >= 400:
        # A detail page that is gone (404/410) while its index still links it.
        result.skipped.append((link.url, f"HTTP {page.status}"))
        return None
    return replace(page, context=dict(link.context)) if link.context else page


def _stand_in(source: Source, fetcher: Fetcher, link: Link, replaces: str,
              result: CrawlResult) -> Page | None:
    """A page standing in for a start page: fetched as a start page; what it loses is the start page."""
    mine = CrawlResult(result.source, log=result.log)
    page = _fetch(source, fetcher, Link(link.url), is_start=True, result=mine, moved=[])
    result.skipped.extend(mine.skipped)
    result.restricted.extend((replaces, f"{link.url}: {why}") for _url, why in mine.restricted)
    result.lost.extend((replaces, f"{link.url}: {why}") for _url, why in mine.lost)
    return replace(page, context=dict(link.context)) if page is not None else None

"""Parsing a big crawl's pages in worker processes, so parsing uses every core instead of one GIL.

A crawl hands each changed page to `ParseWorkers.submit` as it arrives and gets a future of its
listings and the source's notes on it (`Source.notes`, e.g. a feed's values it cannot read): both
read the whole page, so both are done where the page is parsed. The first pages are parsed right
there, in the crawl's own thread: starting a worker costs about a quarter of a second of imports,
the time DBSA's parser takes for half a megabyte. Once a source's pages add up to
`in_thread_bytes`, the rest go to a pool of spawned worker processes (`schemas.pool`), each page
sent with the source's class name and base URL; a source with `slow_pages` (a PDF) sends all.

A worker that fails on a page, dies or answers nonsense costs only time: those pages are parsed
again in the calling process, which raises the parser's own typed error if there is one.
"""

import importlib
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import NamedTuple

from schemas.listing import ParsedListing
from schemas.pool import may_start_workers, process_pool
from scrapers.base import Source
from scrapers.page import Page

IN_THREAD_BYTES = 1_000_000  # the sample's sources (0.5 MB at most) need no worker


class Parsed(NamedTuple):
    """A page's listings and the source's notes on it."""

    listings: list[ParsedListing]
    notes: list[str]


class WorkerLost(Exception):
    """A worker could not parse a page (it failed on it, died, or answered nonsense)."""


class ParseWorkers:
    """Parses one source's pages: in the calling thread while the crawl is small, then in workers."""

    def __init__(self, source: Source, workers: int, in_thread_bytes: int = IN_THREAD_BYTES):
        self.source = source
        self.size = workers if may_start_workers() else 0  # a Dask worker parses in its own thread
        self.in_thread_bytes = in_thread_bytes
        self.seen_bytes = 0
        self.pool: ProcessPoolExecutor | None = None  # started with the first page sent to a worker
        self.worker_busy_s = 0.0  # parse seconds the workers reported
        self.lock = threading.Lock()  # guards worker_busy_s, added to from the pool's thread

    def __enter__(self) -> "ParseWorkers":
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)

    def submit(self, page: Page) -> Future:
        """A future of the page's listings and notes, a `Parsed` (already done when parsed in this thread)."""
        self.seen_bytes += len(page.body)
        if self.size < 1 or (self.seen_bytes <= self.in_thread_bytes and not self.source.slow_pages):
            return self._here(page)
        if self.pool is None:
            self.pool = process_pool(self.size)
        future: Future = Future()
        kind = type(self.source)
        try:
            sent = self.pool.submit(parse_in_worker, (kind.__module__, kind.__qualname__),
                                    self.source.base, page)
        except BrokenProcessPool:
            future.set_exception(WorkerLost("worker gone"))
            return future
        sent.add_done_callback(partial(self._answered, future))
        return future

    def _answered(self, future: Future, sent: Future) -> None:
        """Resolve a page's future from its worker's answer: (ok, listings and notes or why not, seconds)."""
        try:
            ok, value, seconds = sent.result()
            seconds = float(seconds)
            if ok and not isinstance(value, Parsed):
                raise TypeError(f"not a parsed page: {type(value).__name__}")
        except Exception as exc:  # the worker died (BrokenProcessPool), or the answer is nonsense
            future.set_exception(WorkerLost(f"worker gone: {exc!r}"))
            return
        with self.lock:
            self.worker_busy_s += seconds
        if ok:
            future.set_result(value)
        else:
            future.set_exception(WorkerLost(value))

    def _here(self, page: Page) -> Future:
        """Parse in this thread; the future holds the listings and notes, or the parser's error."""
        future: Future = Future()
        try:
            future.set_result(Parsed(self.source.parse_page(page), self.source.notes(page)))
        except Exception as exc:
            future.set_exception(exc)
        return future

    def listings(self, future: Future, page: Page) -> list[ParsedListing]:
        """The page's listings; a page a worker could not parse is parsed here (raising its error)."""
        try:
            return future.result().listings
        except WorkerLost:
            return self.source.parse_page(page)

    def notes(self, future: Future, page: Page) -> list[str]:
        """The source's notes on the page; those of a page that could not be parsed are made here."""
        try:
            return future.result().notes
        except Exception:
            return self.source.notes(page)


def _source_class(module: str, qualname: str) -> type[Source]:
    """The source's own class, imported by name (a class defined inside a function is not)."""
    found = importlib.import_module(module)
    for part in qualname.split("."):
        found = getattr(found, part)  # "<locals>" is no attribute: the page is parsed by the caller
    if not (isinstance(found, type) and issubclass(found, Source)):
        raise TypeError(f"{module}.{qualname} is not a Source")
    return found


_sources: dict[tuple[tuple[str, str], str], Source] = {}  # in a worker: each source made once


def parse_in_worker(kind: tuple[str, str], base: str, page: Page) -> tuple[bool, object, float]:
    """In a worker: parse one page; (ok, its listings and notes or why not, seconds)."""
    started = time.perf_counter()
    try:
        if (kind, base) not in _sources:
            _sources[kind, base] = _source_class(*kind)(base)
        source = _sources[kind, base]
        answer = (True, Parsed(source.parse_page(page), source.notes(page)))
    except Exception as exc:  # the calling process parses the page again and raises it itself
        answer = (False, f"{type(exc).__name__}: {exc}")
    return (*answer, time.perf_counter() - started)

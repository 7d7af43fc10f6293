"""Parsing a big crawl's pages in worker processes, so parsing uses every core instead of one GIL.

A crawl hands each changed page to `ParseWorkers.submit` as it arrives and gets a future of its
listings. The first pages are parsed right there, in the crawl's own thread: starting a worker
costs about a quarter of a second of imports, the time DBSA's parser takes for half a megabyte.
Once a source's pages add up to `in_thread_bytes`, the rest go to `python -m
scrapers.parse_workers` processes: fresh interpreters fed one pickled page (with the source's
class name and base URL) at a time on stdin, answering one pickled list of listings on stdout, so
nothing of the calling program (its threads, its main script) is copied or run again.

A worker that fails on a page, dies or answers nonsense costs only time: those pages are parsed
again in the calling process, which raises the parser's own typed error if there is one.
"""

import contextlib
import importlib
import pickle
import subprocess
import sys
import threading
import time
from collections import deque
from concurrent.futures import Future
from typing import BinaryIO

from schemas.listing import ParsedListing
from scrapers.base import Source
from scrapers.page import Page
from scrapers.workers import spawn

WORKER = [sys.executable, "-m", __name__]
IN_THREAD_BYTES = 1_000_000  # the sample's sources (0.5 MB at most) need no worker


class WorkerLost(Exception):
    """A worker could not parse a page (it failed on it, died, or answered nonsense)."""


class _Worker:
    """One worker process, the futures of the pages sent to it in order, and the thread reading answers."""

    def __init__(self):
        self.process = spawn(WORKER)
        self.waiting: deque[Future] = deque()
        self.lock = threading.Lock()  # guards `waiting` and `dead`; never held during I/O
        self.dead = False
        self.busy_s = 0.0  # parse time the worker reported
        self.reader = threading.Thread(target=self._read, name="parse-worker-reader", daemon=True)
        self.reader.start()

    def send(self, request: bytes, future: Future) -> None:
        """Queue a future, then write its request (a full pipe waits for the worker: back-pressure)."""
        with self.lock:
            if self.dead:
                future.set_exception(WorkerLost("worker gone"))
                return
            self.waiting.append(future)
        with contextlib.suppress(OSError):  # a dead worker is noticed by the reader, at end of file
            self.process.stdin.write(request)
            self.process.stdin.flush()

    def _read(self) -> None:
        """Resolve each future with its answer, in order; at the end, fail the ones left."""
        while True:
            try:
                ok, value, seconds = pickle.load(self.process.stdout)
            except Exception:  # end of file, a truncated or foreign answer: the worker is gone
                break
            self.busy_s += seconds
            with self.lock:
                future = self.waiting.popleft() if self.waiting else None
            if future is None:
                break
            if ok:
                future.set_result(value)
            else:
                future.set_exception(WorkerLost(value))
        with self.lock:
            self.dead = True
            left, self.waiting = list(self.waiting), deque()
        for future in left:
            future.set_exception(WorkerLost("worker gone"))

    def stop(self) -> None:
        """Close its input, let it finish, reap it (kill it if it does not end)."""
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.reader.join(timeout=30)
        self.process.stdout.close()


class ParseWorkers:
    """Parses one source's pages: in the calling thread while the crawl is small, then in workers."""

    def __init__(self, source: Source, workers: int, in_thread_bytes: int = IN_THREAD_BYTES):
        self.source = source
        self.size = workers
        self.in_thread_bytes = in_thread_bytes
        self.seen_bytes = 0
        self.workers: list[_Worker] = []

    def __enter__(self) -> "ParseWorkers":
        return self

    def __exit__(self, *exc: object) -> None:
        for worker in self.workers:
            worker.stop()

    @property
    def worker_busy_s(self) -> float:
        """Parse seconds the workers reported."""
        return sum(worker.busy_s for worker in self.workers)

    def submit(self, page: Page) -> Future:
        """A future of the page's listings (already done when parsed in this thread)."""
        self.seen_bytes += len(page.body)
        if self.size < 1 or self.seen_bytes <= self.in_thread_bytes:
            return self._here(page)
        if not self.workers:
            self.workers = [_Worker() for _ in range(self.size)]
        future: Future = Future()
        kind = type(self.source)
        request = pickle.dumps(((kind.__module__, kind.__qualname__), self.source.base, page))
        min(self.workers, key=lambda worker: len(worker.waiting)).send(request, future)
        return future

    def _here(self, page: Page) -> Future:
        """Parse in this thread; the future holds the listings or the parser's error."""
        future: Future = Future()
        try:
            future.set_result(self.source.parse_page(page))
        except Exception as exc:
            future.set_exception(exc)
        return future

    def listings(self, future: Future, page: Page) -> list[ParsedListing]:
        """The page's listings; a page a worker could not parse is parsed here (raising its error)."""
        try:
            return future.result()
        except WorkerLost:
            return self.source.parse_page(page)


def _source_class(module: str, qualname: str) -> type[Source]:
    """The source's own class, imported by name (a class defined inside a function is not)."""
    found = importlib.import_module(module)
    for part in qualname.split("."):
        found = getattr(found, part)  # "<locals>" is no attribute: the page is parsed by the caller
    if not (isinstance(found, type) and issubclass(found, Source)):
        raise TypeError(f"{module}.{qualname} is not a Source")
    return found


def serve(requests: BinaryIO, answers: BinaryIO) -> None:
    """The worker: parse each page sent, answer (ok, listings or why not, seconds)."""
    sources: dict[tuple[tuple[str, str], str], Source] = {}
    while True:
        try:
            kind, base, page = pickle.load(requests)
        except EOFError:
            return
        started = time.perf_counter()
        try:
            if (kind, base) not in sources:
                sources[kind, base] = _source_class(*kind)(base)
            answer = (True, sources[kind, base].parse_page(page))
        except Exception as exc:  # the calling process parses the page again and raises it itself
            answer = (False, f"{type(exc).__name__}: {exc}")
        pickle.dump((*answer, time.perf_counter() - started), answers)
        answers.flush()


if __name__ == "__main__":
    serve(sys.stdin.buffer, sys.stdout.buffer)

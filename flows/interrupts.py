"""SIGTERM and SIGINT stop a build at once: the run recorded as interrupted, every child process ended."""

import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from multiprocessing import resource_tracker

import psutil

from schemas.errors import BuildInterrupted
from scrapers.crawl import STOP, stop_crawls

GRACE_S = 5.0  # after a signal, the longest the build may take to unwind before it is ended
SIGNALS = (signal.SIGINT, signal.SIGTERM)


def exit_status(signum: int) -> int:
    """The shell's convention: 128 + the signal's number (130 for SIGINT, 143 for SIGTERM)."""
    return 128 + signum


@contextmanager
def stop_on_signals(on_stop: Callable[[str], None] = lambda _why: None) -> Iterator[None]:
    """While building, SIGTERM and SIGINT raise BuildInterrupted in the main thread.

    The flow unwinds through its handlers (the run is recorded as interrupted) and the children
    are ended; a thread still crawling cannot keep the process alive past GRACE_S.
    """
    def stop(signum: int, _frame) -> None:
        stop_crawls()
        for sig in SIGNALS:  # a second signal while unwinding must not interrupt the recording
            signal.signal(sig, signal.SIG_IGN)
        watchdog = threading.Timer(GRACE_S, force_exit, [signum])
        watchdog.daemon = True
        watchdog.start()
        raise BuildInterrupted(signum)

    if threading.current_thread() is not threading.main_thread():
        yield  # only the main thread may handle signals
        return
    STOP.clear()
    previous = {sig: signal.signal(sig, stop) for sig in SIGNALS}
    try:
        yield
    except BuildInterrupted as exc:
        end_children()
        with suppress(Exception):  # the interruption is what to report
            on_stop(f"interrupted: stopped by {exc.args[0]}")
        raise
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


@contextmanager
def crawls_stop_first() -> Iterator[None]:
    """Inside a flow: a signal first stops every crawl, then reaches the handler Prefect installed.

    Prefect answers SIGTERM by unwinding the flow, which waits for the task runner's threads; without
    this, a crawl on those threads went on for its whole length (26 s measured) before the build
    could end.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def chained(previous):
        def handler(signum: int, frame) -> None:
            stop_crawls()
            if callable(previous):
                previous(signum, frame)
            elif previous == signal.SIG_DFL:
                signal.signal(signum, signal.SIG_DFL)
                os.kill(os.getpid(), signum)
        return handler

    previous = {sig: signal.getsignal(sig) for sig in SIGNALS}
    for sig, handler in previous.items():
        if handler != signal.SIG_IGN:
            signal.signal(sig, chained(handler))
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def end_children(timeout: float = 3.0) -> None:
    """Terminate every process this one started (Prefect's server, parse and check workers), then kill.

    Not multiprocessing's resource tracker (started with the first worker pool): it ignores SIGTERM,
    is needed until this process ends (killed, it is started again, with warnings) and then ends too.
    """
    tracker = getattr(resource_tracker._resource_tracker, "_pid", None)
    children = [child for child in psutil.Process().children(recursive=True) if child.pid != tracker]
    for child in children:
        try:
            child.terminate()
        except psutil.NoSuchProcess:
            continue
    _gone, alive = psutil.wait_procs(children, timeout=timeout)
    for child in alive:
        try:
            child.kill()
        except psutil.NoSuchProcess:
            continue


def force_exit(signum: int) -> None:
    """End the children and the process: the unwinding took longer than GRACE_S (a crawl still going)."""
    end_children()
    name = signal.Signals(signum).name
    sys.stderr.write(f"error: interrupted by {name} (stopped after {GRACE_S:g} s of cleanup)\n")
    sys.stderr.flush()
    os._exit(exit_status(signum))

"""A process-wide progress hook the command line sets and the crawl tasks call."""

from collections.abc import Callable

Reporter = Callable[[str, int, int], None]
_reporter: Reporter | None = None


def set_reporter(reporter: Reporter | None) -> None:
    """Install (or remove) the function told (source, pages done, pages known)."""
    global _reporter
    _reporter = reporter


def report(source: str, done: int, known: int) -> None:
    """Tell the installed reporter, if any."""
    if _reporter is not None:
        _reporter(source, done, known)

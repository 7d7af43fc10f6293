"""The run report's line per unit of a source of many hosts (a Meeting Guide feed, a BMLT root server).

A unit's status comes from the crawl: restricted by the site, lost (its last good listings kept),
recovered (its start URL gone, found again from the page its source named), ok, or not reached.
Its listings are counted in the warehouse once staged (warehouse/runs.py), so a run that reused
its last good listings counts them too.
"""

from schemas.run import UnitOutcome, UnitStatus
from schemas.urls import canonical_url
from scrapers.base import Unit
from scrapers.crawl import CrawlResult


def unit_outcomes(crawled: CrawlResult, lost: tuple[tuple[str, str], ...] | list[tuple[str, str]]
                  ) -> list[UnitOutcome]:
    """Each unit the crawl covered, with its status and reason (listings counted later)."""
    by_url = {
        "lost": _by_url(lost),
        "restricted": _by_url(crawled.restricted),
        "not reached": _by_url(crawled.skipped),
    }
    stood_in = {canonical_url(url) for page in crawled.pages if (url := page.context.get("replaces"))}
    fetched = {canonical_url(page.url) for page in crawled.pages}
    outcomes = []
    for unit in crawled.units:
        status, why = _status(unit, by_url, stood_in, fetched)
        said = _notes(unit, crawled.notes)
        reason = "; ".join(filter(None, [why, *said])) or None
        outcomes.append(UnitOutcome(unit=unit.key, name=unit.name, url=unit.url, status=status,
                                    reason=reason))
    return outcomes


def _by_url(entries: list[tuple[str, str]] | tuple[tuple[str, str], ...]) -> dict[str, str]:
    """(url, reason) pairs by canonical URL (the first reason of a URL)."""
    found: dict[str, str] = {}
    for url, why in entries:
        found.setdefault(canonical_url(url), why)
    return found


def _status(unit: Unit, by_url: dict[str, dict[str, str]], stood_in: set[str],
            fetched: set[str]) -> tuple[UnitStatus, str | None]:
    """The unit's status, and the reason the crawl gave for it (lost, restricted, skipped)."""
    for status in ("lost", "restricted", "not reached"):
        why = next((by_url[status][url] for url in sorted(unit.urls) if url in by_url[status]), None)
        if why is not None:
            return status, why  # type: ignore[return-value]
    if unit.urls & stood_in:
        return "recovered", None
    return ("ok" if unit.urls & fetched else "not reached"), None


def _notes(unit: Unit, notes: list[str]) -> list[str]:
    """The crawl's and the parser's notes about a unit: those that begin with its key or one of its URLs."""
    prefixes = (f"{unit.key}: ", *(f"{url}: " for url in unit.urls))
    return [note.split(": ", 1)[1] for note in notes if note.startswith(prefixes)]  # the row names the unit

"""The yield guard: quarantine a source whose run collapsed, so a broken scrape never replaces good data.

A source is quarantined for a run when it staged no listings, when its count fell by more
than `max_drop` of its last good run's, or when a field that at least half of the last good
run's listings filled (name, URL, place, phone, email, website, schedule) is now filled by
fewer than (1 - max_drop) times as many. A quarantined source's staged rows stay for
inspection; it is not normalized, so its current listings stay exactly as they were.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

import duckdb

from schemas.run import SourceOutcome
from warehouse.db import run_sql

MIN_BASELINE_FILL = 0.5  # a field is watched when at least this share of the last good run filled it


@dataclass
class YieldCheck:
    """One source's yield in this run against its last good run, and what collapsed."""

    source: str
    listings: int
    baseline_run: str | None
    baseline_listings: int | None
    reasons: list[str] = field(default_factory=list)


def check_yields(con: duckdb.DuckDBPyConnection, run_id: str, max_drop: float = 0.5) -> list[YieldCheck]:
    """Compare every non-failed source of a run with its last good run."""
    checks = []
    for source, listings, base_run, base_listings, fill, base_fill in run_sql(
            con, "yield_stats", {"run_id": run_id}).fetchall():
        check = YieldCheck(source, listings, base_run, base_listings)
        check.reasons = _reasons(listings, base_run, base_listings, fill, base_fill, max_drop)
        checks.append(check)
    return checks


def _reasons(listings: int, base_run: str | None, base_listings: int | None, fill: dict,
             base_fill: dict, max_drop: float) -> list[str]:
    """Why a yield is not to be trusted (empty when it is)."""
    if listings == 0:
        return ["0 listings"]
    if base_run is None or not base_listings:
        return []
    found = []
    if listings < base_listings * (1 - max_drop):
        found.append(f"{listings} listings, {base_listings} in its last good run {base_run} "
                     f"(a drop of {1 - listings / base_listings:.0%}, more than {max_drop:.0%})")
    for name, before in base_fill.items():
        now = fill.get(name) or 0.0
        if before is not None and before >= MIN_BASELINE_FILL and now < before * (1 - max_drop):
            found.append(f"{name} filled in {now:.0%} of listings, {before:.0%} in its last good run "
                         f"{base_run}")
    return found


def apply_guard(con: duckdb.DuckDBPyConnection, run_id: str, outcomes: Iterable[SourceOutcome],
                max_drop: float = 0.5, accept: Iterable[str] = ()) -> list[SourceOutcome]:
    """Quarantine the sources whose yield collapsed (unless accepted); return the updated outcomes."""
    accepted = set(accept)
    checks = {c.source: c for c in check_yields(con, run_id, max_drop)}
    updated = []
    for outcome in outcomes:
        check = checks.get(outcome.source)
        if check is None or (not check.reasons and outcome.status in ("ok", "degraded")):
            updated.append(outcome)
            continue
        why = "; ".join(check.reasons or [outcome.reason or "yield collapsed"])
        if outcome.source in accepted:
            status, reason = "degraded" if outcome.lost else "ok", f"drop accepted (--accept-drop): {why}"
        else:
            status, reason = "quarantined", f"quarantined: {why}" + (
                f" ({outcome.reason})" if outcome.reason and outcome.reason not in why else "")
        con.execute("UPDATE run_sources SET status = ?, reason = ? WHERE run_id = ? AND source = ?",
                    [status, reason, run_id, outcome.source])
        updated.append(outcome.model_copy(update={"status": status, "reason": reason}))
    return updated

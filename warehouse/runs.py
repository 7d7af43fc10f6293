"""Read the run history for `supportdir runs`, and what earlier runs remember for the next one."""

import json

import duckdb

from schemas.fetch_log import Validators
from schemas.run import RunSummary, SourceOutcome, UnitOutcome
from warehouse.db import run_sql


def recent_runs(con: duckdb.DuckDBPyConnection, limit: int = 10) -> list[RunSummary]:
    """The latest runs, newest first, with their per-source outcomes."""
    rows = run_sql(con, "recent_runs", {"limit": limit}).fetchall()
    return [RunSummary.model_validate(json.loads(row[0])) for row in rows]


def latest_validators(con: duckdb.DuckDBPyConnection) -> dict[str, Validators]:
    """URL -> the validators and archived body of its newest 200 response."""
    rows = run_sql(con, "latest_validators").fetchall()
    return {row[0]: Validators(*row[1:]) for row in rows}


def last_good_outcomes(con: duckdb.DuckDBPyConnection, sources: list[str],
                       look_back: int = 50) -> dict[str, tuple[str, SourceOutcome]]:
    """Per source, the newest finished run where it was ok with listings: (run_id, its outcome)."""
    found: dict[str, tuple[str, SourceOutcome]] = {}
    for run in recent_runs(con, look_back):
        for outcome in run.sources:
            if outcome.source in sources and outcome.source not in found and outcome.status == "ok" \
                    and outcome.listings > 0:
                found[outcome.source] = (run.run_id, outcome)
    return found


def record_units(con: duckdb.DuckDBPyConnection, run_id: str, outcome: SourceOutcome) -> list[UnitOutcome]:
    """Count each unit's listings (staged now; kept, for a lost unit), record them; return them counted.

    Called once the source is staged and before the run's normalize, so the listings the warehouse
    holds for a lost unit are still those of its last good run.
    """
    if not outcome.units:
        return []
    params = {"run_id": run_id, "source": outcome.source}
    counts = {unit: (staged, held) for unit, staged, held in run_sql(con, "unit_counts", params).fetchall()}
    counted = []
    for unit in outcome.units:
        staged, held = counts.get(unit.unit, (0, 0))
        kept = held if unit.status == "lost" else 0
        counted.append(unit.model_copy(update={"listings": staged, "kept": kept}))
    con.executemany("INSERT INTO run_units VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [[run_id, outcome.source, u.unit, u.name, u.url, u.status, u.listings, u.kept, u.reason]
                     for u in counted])
    return counted

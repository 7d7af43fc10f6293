"""Run the warehouse side of a build (stage, guard, normalize, history, resolve) without Prefect."""

from datetime import UTC, datetime
from functools import partial

import duckdb

from schemas.listing import ParsedListing
from schemas.run import RunSummary, SourceOutcome
from warehouse import guard, normalize, stage
from warehouse.identity import history, resolve

FETCHED = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
SHA = "b" * 64


def listing(source: str = "nami", **fields) -> ParsedListing:
    """A parsed listing with defaults for the identity fields."""
    base = {"source": source, "kind": "chapter", "organization": source.upper(),
            "source_url": f"https://{source}.example.org/list", "fetched_at": FETCHED, "content_sha256": SHA}
    return ParsedListing(**{**base, **fields})


def build(con: duckdb.DuckDBPyConnection, run_id: str, at: datetime,
          sources: dict[str, list[ParsedListing] | None], accept: tuple[str, ...] = (),
          decisions: dict | None = None, inactive_after: int = 2) -> dict[str, SourceOutcome]:
    """One run: each source's listings (None = the source failed), guarded, merged, resolved."""
    stage.start_run(con, RunSummary(run_id=run_id, mode="replay", started_at=at, warehouse=":memory:"))
    outcomes = []
    for name, listings in sources.items():
        status = "failed" if listings is None else "quarantined" if not listings else "ok"
        outcome = SourceOutcome(source=name, status=status, listings=len(listings or []),
                                reason="FetchFailed: HTTP 503" if listings is None else None)
        stage.record_source(con, run_id, outcome, [], listings or [])
        outcomes.append(outcome)
    outcomes = guard.apply_guard(con, run_id, outcomes, 0.5, accept)
    after = [partial(history.record_run, run_id=run_id, run_at=at, inactive_after=inactive_after),
             partial(resolve.resolve_entities, run_id=run_id, decisions=decisions or {})]
    normalize.normalize_run(con, run_id, at, after=after)
    con.execute("UPDATE runs SET finished_at = ?, status = 'ok' WHERE run_id = ?", [at, run_id])
    return {o.source: o for o in outcomes}


def table(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    """Rows of a query as dicts."""
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]

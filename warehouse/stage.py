"""Stage a run: its row in `runs`, each source's outcome, fetch log and parsed listings as they came."""

import json
from collections.abc import Sequence

import duckdb
import pyarrow as pa

from schemas.fetch_log import FetchLog
from schemas.listing import ParsedListing
from schemas.run import RunSummary, SourceOutcome
from warehouse.db import run_sql

LIST_FIELDS = ("audiences", "topics", "service_area")


def start_run(con: duckdb.DuckDBPyConnection, summary: RunSummary) -> None:
    """Record that a run began."""
    con.execute(
        "INSERT INTO runs (run_id, started_at, mode, status) VALUES (?, ?, ?, 'running')",
        [summary.run_id, summary.started_at, summary.mode],
    )


def fail_interrupted(con: duckdb.DuckDBPyConnection, warehouse: str,
                     reason: str = "interrupted: the build stopped before finishing") -> list[str]:
    """Mark runs left `running` by a build that died (killed, crashed) as failed; return their ids.

    Only called while holding the build lock, so no such run can still be alive.
    """
    rows = con.execute("SELECT run_id, started_at, mode FROM runs WHERE status = 'running'").fetchall()
    for run_id, started_at, mode in rows:
        summary = RunSummary(run_id=run_id, mode=mode, started_at=started_at, status="failed",
                             warehouse=warehouse, reason=reason)
        con.execute(
            "UPDATE runs SET status = 'failed', summary = ? WHERE run_id = ? AND status = 'running'",
            [summary.model_dump_json(), run_id],
        )
    return [row[0] for row in rows]


def finish_run(con: duckdb.DuckDBPyConnection, summary: RunSummary) -> None:
    """Record how a run ended, with its summary as JSON."""
    con.execute(
        "UPDATE runs SET finished_at = ?, status = ?, summary = ? WHERE run_id = ?",
        [summary.finished_at, summary.status, summary.model_dump_json(), summary.run_id],
    )


def listings_table(run_id: str, listings: Sequence[ParsedListing]) -> pa.Table:
    """Parsed listings as an Arrow table shaped like staged_listings."""
    rows = [listing.model_dump() for listing in listings]
    columns = {name: [row[name] for row in rows] for name in ParsedListing.model_fields}
    for name in LIST_FIELDS:
        columns[name] = [list(values) for values in columns[name]]
    return pa.table({"run_id": [run_id] * len(rows), **columns})


def fetches_table(run_id: str, source: str, log: Sequence[FetchLog]) -> pa.Table:
    """A source's fetch log as an Arrow table shaped like fetches."""
    fields = list(FetchLog.__dataclass_fields__)
    columns = {name: [getattr(entry, name) for entry in log] for name in fields}
    return pa.table({"run_id": [run_id] * len(log), "source": [source] * len(log), **columns})


def record_source(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    outcome: SourceOutcome,
    log: Sequence[FetchLog],
    listings: Sequence[ParsedListing],
    reuse_from: str | None = None,
) -> None:
    """Stage one source's outcome, fetches and listings in one transaction (batch inserts).

    With `reuse_from`, the listings are those that run staged for this source (its pages were unchanged).
    The pages the source lost are recorded, so that history keeps their listings as they were.
    """
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(
            "INSERT INTO run_sources VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [run_id, outcome.source, outcome.status, outcome.pages, outcome.listings, outcome.skipped,
             outcome.reason, outcome.errors, outcome.started_at, outcome.finished_at],
        )
        _insert_arrow(con, "fetches", fetches_table(run_id, outcome.source, log))
        if outcome.lost:  # "url: reason" (a URL holds no space)
            con.executemany("INSERT INTO lost_pages VALUES (?, ?, ?, ?)",
                            [[run_id, outcome.source, *entry.split(": ", 1)] for entry in outcome.lost])
        if listings:
            _insert_arrow(con, "staged_listings", listings_table(run_id, listings))
        elif reuse_from:
            run_sql(con, "reuse_staged", {"run_id": run_id, "source": outcome.source, "previous": reuse_from})
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def _insert_arrow(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> None:
    """Insert an Arrow table by column name."""
    if rows.num_rows == 0:
        return
    con.register("arrow_rows", rows)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM arrow_rows")
    finally:
        con.unregister("arrow_rows")


def summary_json(summary: RunSummary) -> str:
    """The run summary as pretty JSON."""
    return json.dumps(summary.model_dump(mode="json"), indent=2)

"""History: listing versions, the change report of each run, and listings missed until inactive."""

import json
from datetime import datetime
from typing import Any

import duckdb
from pydantic import BaseModel

from schemas.errors import SupportDirError
from warehouse.db import run_sql
from warehouse.publish.attend import rule_text

SQL = "warehouse.identity.sql"  # this stage's .sql files

CHANGES = ("new", "changed", "returned", "missing", "inactive")


class UnknownListing(SupportDirError):
    """No listing has this id."""


class UnknownRun(SupportDirError):
    """No run has this id."""


class Change(BaseModel):
    """One line of a run's change report."""

    run_id: str
    change: str
    listing_id: str
    entity_id: str | None
    source: str
    source_key: str
    name: str
    fields: list[str]


class FieldChange(BaseModel):
    """One field of a listing as it was and as it became (JSON values; None when empty)."""

    field: str
    old: Any = None
    new: Any = None


def value_text(name: str, value: Any) -> str:
    """A field's value for a reader: the schedule in words, lists joined, "(none)" when empty."""
    if value in (None, "", []):
        return "(none)"
    if name == "schedule" and isinstance(value, list):
        return "; ".join(rule_text(rule) if isinstance(rule, dict) else str(rule) for rule in value)
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else str(value)


def change_text(change: FieldChange) -> str:
    """"phone: +12025460646 → +12025550199"."""
    return f"{change.field}: {value_text(change.field, change.old)} → {value_text(change.field, change.new)}"


class Version(BaseModel):
    """One version of a listing."""

    version: int
    run_id: str
    recorded_at: datetime
    changed: list[str]
    content: dict[str, Any]
    changes: list[FieldChange] = []


def record_run(con: duckdb.DuckDBPyConnection, run_id: str, run_at: datetime,
               inactive_after: int = 2) -> None:
    """After the upsert: new versions, the change report, and missed listings counted and deactivated."""
    params = {"run_id": run_id}
    run_sql(con, "history_versions", {**params, "run_at": run_at}, package=SQL)
    run_sql(con, "history_new_changed", params, package=SQL)
    run_sql(con, "history_returned", params, package=SQL)
    run_sql(con, "history_missed", params, package=SQL)
    run_sql(con, "history_report_missing", {**params, "inactive_after": inactive_after}, package=SQL)
    run_sql(con, "history_deactivate", {"inactive_after": inactive_after}, package=SQL)


def changes(con: duckdb.DuckDBPyConnection, run_id: str) -> list[Change]:
    """The change report of one run."""
    cursor = run_sql(con, "changes_of_run", {"run_id": run_id}, package=SQL)
    names = [column[0] for column in cursor.description]
    return [Change(**dict(zip(names, row, strict=True))) for row in cursor.fetchall()]


def change_counts(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, int]:
    """How many listings of each change a run reported (every kind, zeros included)."""
    rows = con.execute("SELECT change, count(*) FROM run_changes WHERE run_id = ? GROUP BY change",
                       [run_id]).fetchall()
    found = dict(rows)
    return {change: found.get(change, 0) for change in CHANGES}


def latest_run_id(con: duckdb.DuckDBPyConnection) -> str:
    """The newest finished run; UnknownRun if there is none."""
    rows = con.execute("SELECT run_id FROM runs WHERE finished_at IS NOT NULL "
                       "ORDER BY started_at DESC LIMIT 1").fetchall()
    if not rows:
        raise UnknownRun("no finished run yet; run `supportdir build --offline` first")
    return rows[0][0]


def check_run(con: duckdb.DuckDBPyConnection, run_id: str) -> str:
    """The run id itself if it exists; UnknownRun naming it otherwise."""
    if not con.execute("SELECT 1 FROM runs WHERE run_id = ?", [run_id]).fetchall():
        raise UnknownRun(f"no run {run_id!r} in this warehouse (see `supportdir runs`)")
    return run_id


def versions(con: duckdb.DuckDBPyConnection, listing_id: str) -> list[Version]:
    """Every version of a listing, oldest first; UnknownListing if no listing has the id."""
    if not con.execute("SELECT 1 FROM listings WHERE listing_id = ?", [listing_id]).fetchall():
        raise UnknownListing(f"no listing {listing_id!r} in this warehouse (ids are in listings.csv)")
    rows = run_sql(con, "listing_history", {"listing_id": listing_id}, package=SQL).fetchall()
    return [_version(*row) for row in rows]


def _version(version: int, run_id: str, recorded_at: datetime, changed: list[str], content: str,
             previous: str | None) -> Version:
    """A version, each changed field with its value in the version before and in this one."""
    now = json.loads(content)
    before = json.loads(previous) if previous else {}
    return Version(version=version, run_id=run_id, recorded_at=recorded_at, changed=list(changed),
                   content=now, changes=[FieldChange(field=name, old=before.get(name), new=now.get(name))
                            for name in changed])


def listing_events(con: duckdb.DuckDBPyConnection, listing_id: str) -> list[tuple[str, str, list[str]]]:
    """(run_id, change, fields) of every change reported for a listing, oldest first."""
    rows = con.execute("SELECT run_id, change, fields FROM run_changes WHERE listing_id = ? "
                       "ORDER BY run_id", [listing_id]).fetchall()
    return [(r[0], r[1], list(r[2])) for r in rows]


def listing_state(con: duckdb.DuckDBPyConnection, listing_id: str) -> dict[str, Any]:
    """A listing's identity and status now: source, key, name, entity, first/last seen, status."""
    cursor = con.execute("SELECT listing_id, entity_id, source, source_key, name, status, missed_runs, "
                         "first_seen, last_seen FROM listings WHERE listing_id = ?", [listing_id])
    names = [column[0] for column in cursor.description]
    rows = cursor.fetchall()
    if not rows:
        raise UnknownListing(f"no listing {listing_id!r} in this warehouse (ids are in listings.csv)")
    return dict(zip(names, rows[0], strict=True))

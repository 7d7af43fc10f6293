"""The export records: one dict per listing (the JSON export's row plus the meeting extras).

Every export reads the `export_directory` table (warehouse/publish/sql/export_view.sql), which takes person
names and personal contact details out when the build asks for it, so the switch applies to all.
"""

from pathlib import Path

import duckdb

from warehouse import udfs
from warehouse.db import attach, connect, run_sql, sql_text
from warehouse.publish import redact
from warehouse.publish.attend import Record
from warehouse.udf_registry import Problems

SQL = "warehouse.publish.sql"  # this stage's .sql files


def prepare(con: duckdb.DuckDBPyConnection, redact_people: bool = False,
            problems: Problems | None = None) -> Problems:
    """Register the export functions and (re)make the export table, redacted or not.

    Returns the counts of the values those functions could not read (made NULL).
    """
    problems = udfs.register(con, problems)  # next_meeting_at is computed once, into the export table
    redact.register(con, problems)
    con.execute("SET VARIABLE redact_people = ?", [redact_people])
    run_sql(con, "export_view", package=SQL)
    return problems


def count(con: duckdb.DuckDBPyConnection) -> int:
    """The listings of the export table."""
    return con.execute("SELECT count(*) FROM export_directory").fetchall()[0][0]


def _dicts(cursor: duckdb.DuckDBPyConnection) -> list[dict]:
    """The rows of an executed query as dicts."""
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def load(con: duckdb.DuckDBPyConnection) -> list[Record]:
    """Every listing of the export view, as the JSON export has it, with its meeting extras."""
    rows = _dicts(con.execute(sql_text("export_json", SQL)))
    extras = {row.pop("listing_id"): row for row in _dicts(con.execute(sql_text("export_extras", SQL)))}
    for row in rows:
        row.update(extras.get(row["listing_id"], {}))
        row["schedule"] = [dict(rule) for rule in row.get("schedule") or []]
    return rows


def save_groups(con: duckdb.DuckDBPyConnection, path: Path) -> Path:
    """Copy the groups' export rows and meeting extras into a DuckDB file of their own (export table made).

    A worker process loads the groups' records from it with `load_groups` (the warehouse itself is
    held by this connection), rather than being sent tens of thousands of them pickled.
    """
    attach(con, path, "groups_side")
    try:
        run_sql(con, "export_groups_side", package=SQL)
    finally:
        con.execute("DETACH groups_side")
    return path


def load_groups(path: Path) -> list[Record]:
    """The groups' records saved by `save_groups`, as `load` gives them."""
    con = connect(path, read_only=True)
    try:
        return load(con)
    finally:
        con.close()

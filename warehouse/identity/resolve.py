"""Resolve step: read every listing, match and cluster them (identity.clustering), store the entities.

Writes entity_crosswalk (every source record of every entity), match_pairs (every judged
pair, for the review export) and listings.entity_id. The `entities` view (migration 0004)
builds the exported entity rows from them.
"""

import duckdb
import pyarrow as pa

from warehouse.db import run_sql
from warehouse.identity.clustering import Decisions, Resolution, resolve
from warehouse.identity.matching import Record, Thresholds

SQL = "warehouse.identity.sql"  # this stage's .sql files


def load_records(con: duckdb.DuckDBPyConnection) -> list[Record]:
    """Every listing as the matcher sees it."""
    cursor = run_sql(con, "resolve_records", package=SQL)
    names = [column[0] for column in cursor.description]
    records = []
    for row in cursor.fetchall():
        values = dict(zip(names, row, strict=True))
        values["service_area"] = tuple(values["service_area"])
        values["slots"] = tuple(values["slots"])
        records.append(Record(**values))
    return records


def _replace(con: duckdb.DuckDBPyConnection, table: str, rows: pa.Table) -> None:
    """Replace a table's rows with an Arrow table's (by column name)."""
    con.execute(f"DELETE FROM {table}")
    if rows.num_rows:
        con.register("resolved_rows", rows)
        try:
            con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM resolved_rows")
        finally:
            con.unregister("resolved_rows")


def crosswalk_table(records: list[Record], result: Resolution, run_id: str) -> pa.Table:
    """One crosswalk row per listing."""
    joined = [result.joined_by.get(r.listing_id) for r in records]
    return pa.table({
        "listing_id": [r.listing_id for r in records],
        "entity_id": [result.entity_of[r.listing_id] for r in records],
        "source": [r.source for r in records],
        "source_key": [r.source_key for r in records],
        "match_rule": [j[0] if j else None for j in joined],
        "match_score": pa.array([j[1] if j else None for j in joined], pa.float64()),
        "run_id": [run_id] * len(records),
    })


def pairs_table(result: Resolution, run_id: str) -> pa.Table:
    """One row per judged pair."""
    pairs = result.pairs
    return pa.table({
        "left_id": [p.left_id for p in pairs], "right_id": [p.right_id for p in pairs],
        "rule": [p.rule for p in pairs], "score": pa.array([p.score for p in pairs], pa.float64()),
        "verdict": [p.verdict for p in pairs], "decided": pa.array([p.decided for p in pairs], pa.string()),
        "note": pa.array([p.note for p in pairs], pa.string()), "run_id": [run_id] * len(pairs),
    })


def resolve_entities(con: duckdb.DuckDBPyConnection, run_id: str, limits: Thresholds | None = None,
                     decisions: Decisions | None = None) -> Resolution:
    """Match and cluster every listing; store the crosswalk, the judged pairs and each entity_id."""
    records = load_records(con)
    result = resolve(records, limits, decisions)
    _replace(con, "entity_crosswalk", crosswalk_table(records, result, run_id))
    _replace(con, "match_pairs", pairs_table(result, run_id))
    run_sql(con, "resolve_apply", package=SQL)
    return result

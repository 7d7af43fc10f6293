"""Normalize a run's staged listings and merge them into the current listings (SQL in warehouse/sql)."""

from collections.abc import Callable, Sequence
from datetime import datetime

import duckdb

from warehouse import udfs
from warehouse.db import run_sql
from warehouse.reference import ensure_zip_geo
from warehouse.udf_registry import Problems

STEPS = ("normalize_listings", "place_listings", "geocode_listings", "attendance_listings", "upsert_prepare",
         "upsert_seen", "upsert_listings", "schedule_listings")


def normalize_run(con: duckdb.DuckDBPyConnection, run_id: str, run_at: datetime,
                  after: Sequence[Callable[[duckdb.DuckDBPyConnection], object]] = (),
                  problems: Problems | None = None) -> int:
    """Normalize, stated place, geocode, attendance, upsert, schedule steps (then `after`, same transaction).

    A value a normalization function cannot read becomes NULL and is counted in `problems`.
    """
    udfs.register(con, problems)
    ensure_zip_geo(con)
    con.execute("BEGIN TRANSACTION")
    try:
        run_sql(con, "normalize_listings", {"run_id": run_id})
        run_sql(con, "place_listings")
        run_sql(con, "geocode_listings")
        run_sql(con, "attendance_listings")
        run_sql(con, "upsert_prepare", {"run_id": run_id, "run_at": run_at})
        run_sql(con, "upsert_seen")
        run_sql(con, "upsert_listings")
        run_sql(con, "schedule_listings")
        merged = con.execute("SELECT count(*) FROM geocoded").fetchall()[0][0]
        for step in after:
            step(con)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return merged

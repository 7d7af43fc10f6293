"""The identity exports beside the listings: entities (csv/parquet/jsonl), review.csv and changes.jsonl."""

from pathlib import Path
from typing import Any

import duckdb

from schemas.entity import EntityRow, ReviewRow
from schemas.table_schema import table_schema
from warehouse.db import copy_to, sql_text
from warehouse.publish.package import file_resource, tabular_resource

SQL = "warehouse.publish.sql"  # this stage's .sql files

TYPED = {"parquet": "The entities with native types: the columns of entities.csv; the file carries its own "
                    "schema.",
         "jsonl": "The entities as JSON Lines: the columns of entities.csv, lists as JSON arrays."}
ENTITY_FILES = {
    "entities.csv": ("export_entities_flat", "(FORMAT csv, HEADER true)", "csv", "text/csv"),
    "entities.parquet": ("export_entities_typed", "(FORMAT parquet)", "parquet",
                         "application/vnd.apache.parquet"),
    "entities.jsonl": ("export_entities_json", "(FORMAT json)", "jsonl", "application/x-ndjson"),
}
REVIEW_FILE = "review.csv"
CHANGES_FILE = "changes.jsonl"


def write_identity(con: duckdb.DuckDBPyConnection, folder: Path, run_id: str) -> dict[str, int]:
    """Write the entity files, the review list and the run's change report; return rows per file."""
    counts = {}
    for name, (query, options, _fmt, _media) in ENTITY_FILES.items():
        counts[name] = copy_to(con, sql_text(query, SQL).strip().rstrip(";"), folder / name, options)
    review = sql_text("export_review", SQL).strip().rstrip(";")
    counts[REVIEW_FILE] = copy_to(con, review, folder / REVIEW_FILE, "(FORMAT csv, HEADER true)")
    con.execute("CREATE OR REPLACE TEMP TABLE changes_export AS " + sql_text("export_changes", SQL),
                {"run_id": run_id})
    counts[CHANGES_FILE] = copy_to(con, "SELECT * FROM changes_export", folder / CHANGES_FILE,
                                   "(FORMAT json)")
    return counts


def identity_resources(counts: dict[str, int]) -> list[dict[str, Any]]:
    """The datapackage resources of the identity files."""
    found = []
    for name, (_query, _options, fmt, media) in ENTITY_FILES.items():
        if fmt == "csv":
            schema = table_schema(EntityRow, primary_key="entity_id")
            found.append(tabular_resource(name, fmt, media, schema, counts[name]))
        else:
            found.append(file_resource(name.replace(".", "-"), name, fmt, media, counts[name], TYPED[fmt]))
    found.append(tabular_resource(
        REVIEW_FILE, "csv", "text/csv", table_schema(ReviewRow, primary_key=None), counts[REVIEW_FILE],
        description="Pairs of listings a person should decide are or are not one entity."))
    found.append(file_resource(
        "changes-jsonl", CHANGES_FILE, "jsonl", "application/x-ndjson", counts[CHANGES_FILE],
        "This run's change report, one JSON object per line: listings new, changed (with the fields), "
        "missing, inactive or returned."))
    return found

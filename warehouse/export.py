"""Export the directory: listings.csv, .parquet, .jsonl and a Frictionless datapackage.json."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from schemas.listing import DirectoryRow
from schemas.table_schema import table_schema
from warehouse.db import sql_text
from warehouse.publish import publish

FILES = {
    "listings.csv": ("export_flat", "(FORMAT csv, HEADER true)", "csv", "text/csv"),
    "listings.parquet": ("export_typed", "(FORMAT parquet)", "parquet", "application/vnd.apache.parquet"),
    "listings.jsonl": ("export_json", "(FORMAT json)", "jsonl", "application/x-ndjson"),
}
LICENSE = {"name": "ODC-By-1.0", "path": "https://opendatacommons.org/licenses/by/1-0/",
           "title": "Open Data Commons Attribution License 1.0"}


def _copy(con: duckdb.DuckDBPyConnection, query_name: str, path: Path, options: str) -> None:
    """COPY one export query to a file."""
    query = sql_text(query_name).strip().rstrip(";")
    target = str(path).replace("'", "''")
    con.execute(f"COPY ({query}) TO '{target}' {options}")


def write_listings(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, int]:
    """Write the three listing files into a folder; return rows per file."""
    rows = con.execute("SELECT count(*) FROM directory").fetchall()[0][0]
    con.execute(sql_text("csv_cell_macro"))
    for name, (query, options, _fmt, _media) in FILES.items():
        _copy(con, query, folder / name, options)
    return dict.fromkeys(FILES, rows)


def datapackage(counts: dict[str, int], sources: list[dict[str, Any]], run_id: str) -> dict[str, Any]:
    """The Data Package descriptor: every file with its format, schema and row count."""
    schema = table_schema(DirectoryRow)
    resources = []
    for name, (_query, _options, fmt, media) in FILES.items():
        resources.append({
            "name": name.replace(".", "-"), "path": name, "format": fmt, "mediatype": media,
            "encoding": "utf-8", "profile": "tabular-data-resource", "schema": schema,
            "rows": counts[name],
        })
    return {
        "name": "peer-support-directory",
        "title": "Peer-support organizations and groups",
        "description": "Chapters, support groups and organizations published by peer-support alliances.",
        "version": run_id,
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "licenses": [LICENSE],
        "sources": sources,
        "resources": resources,
    }


def export_directory(con: duckdb.DuckDBPyConnection, out: Path, run_id: str,
                     sources: list[dict[str, Any]]) -> dict[str, int]:
    """Write every export to a fresh folder and swap it in whole; return rows per file."""
    counts: dict[str, int] = {}

    def write(folder: Path) -> None:
        counts.update(write_listings(con, folder))
        descriptor = datapackage(counts, sources, run_id)
        (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")

    publish(Path(out), run_id, write)
    return counts

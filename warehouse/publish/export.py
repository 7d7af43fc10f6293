"""Export the directory: flat listings and entities, HSDS 3.0, Meeting Guide, GeoJSON and iCalendar.

Everything is written into one temporary build folder, each export is validated there, and only
then is the folder swapped in whole (warehouse/publish/atomic.py): a failed validation raises
ExportInvalid, the build folder is dropped and the previous export stays in place.
"""

import json
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
from pydantic import BaseModel, Field

from warehouse import csv_safe
from warehouse.db import copy_to, sql_text
from warehouse.publish import geojson, hsds, hsds_package, ical, meeting_guide, records
from warehouse.publish.atomic import publish
from warehouse.publish.checks import Checks, meeting_feed_problems
from warehouse.publish.hsds_package import ExportInvalid
from warehouse.publish.identity import identity_resources, write_identity
from warehouse.publish.package import datapackage
from warehouse.publish.table_checks import flat_problems, package_problems, top_level_problems

SQL = "warehouse.publish.sql"  # this stage's .sql files

FILES = {
    "listings.csv": ("export_flat", "(FORMAT csv, HEADER true)", "csv", "text/csv"),
    "listings.parquet": ("export_typed", "(FORMAT parquet)", "parquet", "application/vnd.apache.parquet"),
    "listings.jsonl": ("export_json", "(FORMAT json)", "jsonl", "application/x-ndjson"),
}
# From this many listings on, a second check worker pays for its start-up (a national export).
BIG_EXPORT = 5000
JSON_SCHEMAS = ("meeting_guide.schema.json", "geojson.schema.json")

__all__ = ["FILES", "ExportInvalid", "ExportResult", "check_complete", "export_directory", "listed_sources",
           "write_exports"]


class ExportResult(BaseModel):
    """What an export wrote: rows per file, and what a format could not express, by reason."""

    files: dict[str, int] = Field(default_factory=dict)
    left_out: dict[str, dict[str, int]] = Field(default_factory=dict)
    problems: dict[str, int] = Field(default_factory=dict, description="Values made NULL, per function.")


def write_listings(con: duckdb.DuckDBPyConnection, folder: Path) -> dict[str, int]:
    """Write the three listing files into a folder; return rows per file (export view prepared)."""
    return {name: copy_to(con, sql_text(query, SQL), folder / name, options)
            for name, (query, options, _fmt, _media) in FILES.items()}


def _write_json(path: Path, value: list | dict) -> None:
    """A JSON array (or a GeoJSON collection's features) written one item per line, for diffs.

    Each item is encoded on its own by json's C encoder (an `indent` would force the pure-Python
    one, several times slower), and streamed to the file rather than built as one string.
    """
    if isinstance(value, list):
        head, items, tail = "[", value, "\n]"
    else:
        rest = {key: item for key, item in value.items() if key != "features"}
        head = json.dumps(rest, ensure_ascii=False)[:-1] + ', "features": ['
        items, tail = value["features"], "\n]}"
    with path.open("w", encoding="utf-8") as out:
        out.write(head)
        for number, item in enumerate(items):
            out.write(",\n" if number else "\n")
            out.write(json.dumps(item, ensure_ascii=False))
        out.write(tail)


def write_exports(con: duckdb.DuckDBPyConnection, folder: Path, run_id: str, sources: list[dict[str, Any]],
                  redact_people: bool = False, now: datetime | None = None,
                  previous: Path | None = None) -> ExportResult:
    """Write and validate every export into `folder`; ExportInvalid when one does not validate.

    `previous` is the export published before (its unchanged group calendars are reused).

    The checks of the flat CSV and the HSDS package (their rows in DuckDB), the Meeting Guide feed
    and the GeoJSON file are queued to worker processes as soon as their files are written and
    overlap writing the others. A big export's calendars are written by a worker of their own
    while this process writes HSDS, the feed and the GeoJSON (a first 100k export: 74 s against
    96 s); they are checked here. Nothing is returned before every check has passed.
    """
    now = now or datetime.now(UTC)
    problems = records.prepare(con, redact_people)
    big = records.count(con) >= BIG_EXPORT
    result = ExportResult()
    with Checks(workers=2 if big else 1) as checks, ical.Apart(apart=big) as calendars:
        calendars.start(con, folder, now, previous)  # a big export's in a worker, beside the writers below
        result.files.update(write_listings(con, folder))
        flat = next(iter(FILES))
        checks.submit(flat, flat_problems, folder, flat)
        result.files.update(write_identity(con, folder, run_id))
        found = records.load(con)
        result.files.update(_write_hsds(found, folder / "hsds", now, run_id))
        result.left_out["hsds/schedules.csv"] = hsds.schedules_left_out(found)
        checks.submit("HSDS package", package_problems, folder / "hsds")
        _write_feed(found, folder, result)
        checks.submit("meetings.json", meeting_feed_problems, folder, "meetings.json")
        _write_collection(found, folder, result)
        checks.submit("directory.geojson", geojson.file_problems, folder, "directory.geojson")
        _write_calendars(calendars, found, folder, result)
        del found  # the records are the biggest thing held; the checks may still take a while
        _write_descriptor(folder, result, sources, run_id, redact_people)
        checks.submit("datapackage.json", top_level_problems, folder)
        # Last, over every CSV in the folder: one written some other way than csv_safe is caught too.
        checks.submit("a CSV file (a cell would start a spreadsheet formula)", csv_safe.formula_problems,
                      folder)
        checks.raise_problems()
    result.problems = problems.counts()
    return result


def _write_hsds(found: list[dict], folder: Path, now: datetime, run_id: str) -> dict[str, int]:
    """The HSDS tables as a tabular data package; rows per file."""
    return hsds_package.write_tables(hsds.build_tables(found, now, run_id), folder)


def _write_feed(found: list[dict], folder: Path, result: ExportResult) -> None:
    """meetings.json, the Meeting Guide feed of the weekly groups (checked as written, by a worker)."""
    entries, result.left_out["meetings.json"] = meeting_guide.build_feed(found)
    _write_json(folder / "meetings.json", entries)
    result.files["meetings.json"] = len(entries)


def _write_collection(found: list[dict], folder: Path, result: ExportResult) -> None:
    """directory.geojson, a point per listing with coordinates (checked as written, by a worker)."""
    collection = geojson.build_collection(found)
    _write_json(folder / "directory.geojson", collection)
    result.files["directory.geojson"] = len(collection["features"])


def _write_calendars(apart: ical.Apart, found: list[dict], folder: Path, result: ExportResult) -> None:
    """groups.ics and the group files (unchanged ones reused from the last export), a sample parsed back."""
    calendars = apart.result(found)
    result.left_out["groups.ics"] = calendars.left_out
    _check(calendars.problems + ical.calendars_problems(folder, calendars.files), "groups.ics")
    result.files.update(calendars.files)


def _write_descriptor(folder: Path, result: ExportResult, sources: list[dict[str, Any]], run_id: str,
                      redact_people: bool) -> None:
    """The JSON schemas the files follow, and the top-level datapackage.json listing every file."""
    (folder / "schemas").mkdir(exist_ok=True)
    for name in JSON_SCHEMAS:
        shutil.copyfile(hsds_package.standards_path(name), folder / "schemas" / name)
    hsds_descriptor = json.loads((folder / "hsds" / "datapackage.json").read_text(encoding="utf-8"))
    descriptor = datapackage(result.files, sources, run_id, redact_people, FILES, hsds_descriptor)
    descriptor["resources"] += identity_resources(result.files)
    (folder / "datapackage.json").write_text(json.dumps(descriptor, indent=2), encoding="utf-8")


def _check(problems: list[str], name: str) -> None:
    """Raise ExportInvalid naming the file and its first problems."""
    if problems:
        raise ExportInvalid(f"{name} is not valid: {'; '.join(problems[:5])}")


def _paths(resource: dict[str, Any]) -> list[str]:
    """The files of one resource (a list for the per-group calendars)."""
    return resource["path"] if isinstance(resource["path"], list) else [resource["path"]]


def listed_sources(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The sources that have listings in the warehouse."""
    from warehouse.db import run_sql

    return [row[0] for row in run_sql(con, "export_sources", package=SQL).fetchall()]


def export_directory(con: duckdb.DuckDBPyConnection, out: Path, run_id: str, sources: list[dict[str, Any]],
                     redact_people: bool = False) -> ExportResult:
    """Write every export to a fresh folder, validate it, and swap it in whole."""
    result = ExportResult()

    def write(folder: Path) -> None:
        # Read under the publish lock: the version `out` shows cannot be pruned while it is reused from.
        previous = Path(out).resolve() if Path(out).is_dir() else None
        result.__dict__.update(write_exports(con, folder, run_id, sources, redact_people,
                                             previous=previous).__dict__)

    publish(Path(out), run_id, write, check=check_complete)
    return result


def check_complete(folder: Path) -> None:
    """ExportInvalid unless every file datapackage.json names was written (checked before publishing)."""
    descriptor = folder / "datapackage.json"
    if not descriptor.is_file():
        raise ExportInvalid(f"{folder.name} has no datapackage.json")
    resources = json.loads(descriptor.read_text(encoding="utf-8"))["resources"]
    names = [name for resource in resources for name in _paths(resource)]
    missing = [name for name in names if not (folder / name).is_file()]
    if missing:
        raise ExportInvalid(f"datapackage.json names files that were not written: {', '.join(missing[:5])}")

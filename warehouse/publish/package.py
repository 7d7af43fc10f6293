"""The top-level datapackage.json: every exported file with its format and schema.

The CSV files carry a Table Schema and their row count, which frictionless checks. Parquet and
JSON Lines are described as files of the same columns: Parquet carries its own typed schema
(native lists and structs), which frictionless reads only through pandas, where a list cell is not
an array; a JSON Lines table needs frictionless's json extra and cannot be read when empty (a run
with no changes). The JSON documents and calendars are files too. A file's `entries` says how
many records it holds (`rows` would be read as a row count to check); the per-group calendars
are one resource whose `path` lists every file (RFC 5545 allows a stream of calendars).
"""

from datetime import UTC, datetime
from typing import Any

from schemas.listing import DirectoryRow
from schemas.table_schema import table_schema

LICENSE = {"name": "ODC-By-1.0", "path": "https://opendatacommons.org/licenses/by/1-0/",
           "title": "Open Data Commons Attribution License 1.0"}
JSON_RESOURCES = {
    "meetings.json": ("meetings", "application/json", "schemas/meeting_guide.schema.json",
                      "Weekly groups as a Meeting Guide JSON feed (one entry per group and weekday)."),
    "directory.geojson": ("directory-geojson", "application/geo+json", "schemas/geojson.schema.json",
                          "One GeoJSON Point feature per listing with coordinates (RFC 7946)."),
}
ICALENDAR = "https://www.rfc-editor.org/rfc/rfc5545"
EVENTS = "Recurring events (VEVENT with RRULE and TZID), one per schedule rule; `entries` counts them."
TYPED = {
    "parquet": "The directory with native types (lists, the schedule as a list of structs, UTC timestamps): "
               "the columns of listings.csv; the file carries its own schema.",
    "jsonl": "The directory as JSON Lines, one object per listing: the columns of listings.csv, lists and "
             "the schedule as JSON arrays.",
}
READING_CSV = ("Every cell is text: read it as text (pandas: pd.read_csv('listings.csv', dtype=str, "
               "keep_default_na=False); a spreadsheet: import the columns as Text), or postal_code "
               "'00911' becomes 911 and phone '+12025550199' loses its '+'.")


def tabular_resource(path: str, fmt: str, media: str, schema: dict[str, Any], rows: int,
                     **extra: Any) -> dict[str, Any]:
    """A file of rows with its Table Schema and row count (both checked by frictionless)."""
    return {"name": path.replace(".", "-"), "path": path, "format": fmt, "mediatype": media,
            "encoding": "utf-8", "profile": "tabular-data-resource", "schema": schema, "rows": rows, **extra}


def file_resource(name: str, path: str | list[str], fmt: str, media: str, entries: int,
                  description: str, **extra: Any) -> dict[str, Any]:
    """A file (or a list of files) that is not a table: what it holds and how many entries, no row count."""
    return {"name": name, "type": "file", "path": path, "format": fmt, "mediatype": media,
            "encoding": "utf-8", **extra, "description": description, "entries": entries}


def _flat(counts: dict[str, int], files: dict) -> list[dict[str, Any]]:
    """The three listing files: the CSV with its Table Schema, JSON Lines and Parquet as files."""
    found = []
    for name, (_query, _options, fmt, media) in files.items():
        if fmt == "csv":
            found.append(tabular_resource(name, fmt, media, table_schema(DirectoryRow), counts[name],
                                          description=READING_CSV))
        else:
            found.append(file_resource(name.replace(".", "-"), name, fmt, media, counts[name], TYPED[fmt]))
    return found


def _hsds(hsds_descriptor: dict[str, Any]) -> list[dict[str, Any]]:
    """The HSDS tables (hsds/*.csv) of the HSDS package, named hsds-<table>, foreign keys renamed."""
    found = []
    for resource in hsds_descriptor["resources"]:
        schema = {**resource["schema"], "foreignKeys": [
            {**key, "reference": {**key["reference"], "resource": f"hsds-{key['reference']['resource']}"}}
            for key in resource["schema"].get("foreignKeys", [])]}
        found.append({**resource, "name": f"hsds-{resource['name']}", "path": f"hsds/{resource['path']}",
                      "schema": schema})
    return found


def _others(counts: dict[str, int]) -> list[dict[str, Any]]:
    """meetings.json, directory.geojson, groups.ics and the per-group calendars (one resource)."""
    found = [file_resource(name, path, path.rsplit(".", 1)[1], media, counts[path], description,
                           jsonSchema=schema)
             for path, (name, media, schema, description) in JSON_RESOURCES.items()]
    found.append(file_resource("groups-ics", "groups.ics", "ics", "text/calendar", counts["groups.ics"],
                               f"Every group's recurring events in one calendar. {EVENTS}",
                               conformsTo=ICALENDAR))
    groups = sorted(path for path in counts if path.startswith("ics/"))
    if groups:
        found.append(file_resource("group-calendars", groups, "ics", "text/calendar",
                                   sum(counts[path] for path in groups),
                                   f"One calendar per group, ics/<listing_id>.ics. {EVENTS}",
                                   conformsTo=ICALENDAR))
    return found


def datapackage(counts: dict[str, int], sources: list[dict[str, Any]], run_id: str, redacted: bool,
                files: dict, hsds_descriptor: dict[str, Any]) -> dict[str, Any]:
    """The Data Package descriptor: every file with its format and schema, rows or entries."""
    note = " Person names and personal contact details were removed (--redact-people)." if redacted else ""
    return {
        "name": "peer-support-directory",
        "title": "Peer-support organizations and groups",
        "description": "Chapters, support groups and organizations published by peer-support alliances, "
                       "as flat tables, Open Referral HSDS 3.0 (hsds/), a Meeting Guide feed, GeoJSON and "
                       f"iCalendar.{note} Read the CSV files as text (pandas: dtype=str): ZIP codes keep "
                       "their leading zeros and phones their '+'. In crisis: call or text 988 (Suicide & "
                       "Crisis Lifeline, US).",
        "version": run_id,
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "licenses": [LICENSE],
        "sources": sources,
        "redacted": redacted,
        "resources": _flat(counts, files) + _hsds(hsds_descriptor) + _others(counts),
    }

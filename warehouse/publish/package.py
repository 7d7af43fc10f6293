"""The top-level datapackage.json: every exported file with its format, schema and row count."""

from datetime import UTC, datetime
from pathlib import Path
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


def _flat(counts: dict[str, int], files: dict) -> list[dict[str, Any]]:
    """The three flat listing files, each with the directory's Table Schema."""
    schema = table_schema(DirectoryRow)
    return [{"name": name.replace(".", "-"), "path": name, "format": fmt, "mediatype": media,
             "encoding": "utf-8", "profile": "tabular-data-resource", "schema": schema, "rows": counts[name]}
            for name, (_query, _options, fmt, media) in files.items()]


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
    """meetings.json, directory.geojson and the calendars."""
    found = []
    for path, (name, media, schema, description) in JSON_RESOURCES.items():
        found.append({"name": name, "path": path, "format": path.rsplit(".", 1)[1], "mediatype": media,
                      "encoding": "utf-8", "jsonSchema": schema, "description": description,
                      "rows": counts[path]})
    for path in sorted(p for p in counts if p.endswith(".ics")):
        name = "groups-ics" if path == "groups.ics" else f"ics-{Path(path).stem}"
        found.append({"name": name, "path": path, "format": "ics", "mediatype": "text/calendar",
                      "encoding": "utf-8", "conformsTo": ICALENDAR, "rows": counts[path],
                      "description": "Recurring events (VEVENT with RRULE and TZID), one per schedule rule."})
    return found


def datapackage(counts: dict[str, int], sources: list[dict[str, Any]], run_id: str, redacted: bool,
                files: dict, hsds_descriptor: dict[str, Any]) -> dict[str, Any]:
    """The Data Package descriptor: every file with its format, schema and row count."""
    note = " Person names and personal contact details were removed (--redact-people)." if redacted else ""
    return {
        "name": "peer-support-directory",
        "title": "Peer-support organizations and groups",
        "description": "Chapters, support groups and organizations published by peer-support alliances, "
                       "as flat tables, Open Referral HSDS 3.0 (hsds/), a Meeting Guide feed, GeoJSON and "
                       f"iCalendar.{note} In crisis: call or text 988 (Suicide & Crisis Lifeline, US).",
        "version": run_id,
        "created": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "licenses": [LICENSE],
        "sources": sources,
        "redacted": redacted,
        "resources": _flat(counts, files) + _hsds(hsds_descriptor) + _others(counts),
    }

"""The directory as GeoJSON (RFC 7946): one Point feature per listing that has coordinates.

A warmline (kind `line`) is never a feature: it has no place, even when a state it serves has a point.

Coordinates are [longitude, latitude] (WGS 84); the properties are the listing's row of the JSON
export (lists and the schedule as arrays), so `geo_precision` says how exact each point is.
"""

import json
from importlib import resources
from pathlib import Path
from typing import Any

from schemas.json_checks import schema_problems
from warehouse.publish.attend import Record

# RFC 7946 section 11.2: six decimal places are about 10 cm, more is noise.
DECIMALS = 6
EXTRA_FIELDS = ("meeting_types", "location_name", "conference_phone", "phone_extension")


def build_collection(records: list[Record]) -> dict[str, Any]:
    """A FeatureCollection of the listings with a point (warmlines left out)."""
    features = []
    for record in records:
        if record.get("latitude") is None or record.get("longitude") is None or record.get("kind") == "line":
            continue
        point = [round(record["longitude"], DECIMALS), round(record["latitude"], DECIMALS)]
        properties = dict(record)  # copied whole, then the extras taken out: the same order, faster
        for name in EXTRA_FIELDS:
            properties.pop(name, None)
        features.append({"type": "Feature", "id": record["listing_id"],
                         "geometry": {"type": "Point", "coordinates": point}, "properties": properties})
    return {"type": "FeatureCollection", "features": features}


def collection_schema() -> dict[str, Any]:
    """The JSON schema of directory.geojson (schemas/geojson.schema.json)."""
    return json.loads(resources.files("schemas").joinpath("geojson.schema.json").read_text("utf-8"))


def file_problems(folder: Path | str, name: str) -> list[str]:
    """What is wrong with a GeoJSON file as written (a worker's check: the bytes that will be published)."""
    try:
        collection = json.loads((Path(folder) / name).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"not a readable JSON file: {exc}"]
    return collection_problems(collection)


def collection_problems(collection: dict[str, Any]) -> list[str]:
    """What is wrong with a collection: schema errors and duplicate feature ids."""
    problems = schema_problems(collection, collection_schema())
    ids = [feature.get("id") for feature in collection.get("features", [])]
    if len(ids) != len(set(ids)):
        problems.append("duplicate feature ids")
    return problems

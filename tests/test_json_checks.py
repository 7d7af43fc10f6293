"""The fast JSON schema check finds exactly what jsonschema finds, and writes jsonschema's own lines."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator, FormatChecker

from schemas.json_checks import schema_problems
from warehouse.publish.geojson import collection_schema
from warehouse.publish.meeting_guide import feed_schema

ENTRY = {
    "name": "Tuesday Night Group", "slug": "tuesday-night-group-0123abcd", "day": 2, "time": "19:00",
    "end_time": "20:30", "timezone": "America/New_York", "types": ["O", "D"], "notes": "Peer-led.",
    "updated": "2026-11-20 06:00:00", "url": "https://dbsalex.example.org/", "attendance_option": "hybrid",
    "location": "Central Church", "address": "205 E Short St", "city": "Lexington", "state": "KY",
    "postal_code": "40507", "country": "US", "formatted_address": "205 E Short St, Lexington, KY 40507, US",
    "approximate": "no", "latitude": 38.0475, "longitude": -84.4961, "entity": "DBSA Lexington",
    "entity_email": "info@dbsalex.example.org",
}
FEATURE = {"type": "Feature", "id": "a1", "geometry": {"type": "Point", "coordinates": [-84.49, 38.04]},
           "properties": {"listing_id": "a1", "name": "Tuesday Night Group", "kind": "group",
                          "geo_precision": "rooftop", "source_url": "https://dbsalex.example.org/",
                          "last_seen": "2026-11-20T06:00:00Z"}}

# One broken value per keyword the schemas use, and the values Python's regexes let through.
BROKEN_ENTRIES = {
    "missing name": {k: v for k, v in ENTRY.items() if k != "name"},
    "time past 23:59": {**ENTRY, "time": "24:00"},
    "time with a newline (Python's $ allows it)": {**ENTRY, "time": "19:00\n"},
    "day out of range": {**ENTRY, "day": 7},
    "day as text": {**ENTRY, "day": "2"},
    "slug with capitals": {**ENTRY, "slug": "Tuesday"},
    "updated in Arabic-Indic digits (Python's \\d allows them)": {**ENTRY, "updated": "٢٠٢٦-11-20 06:00:00"},
    "e-mail without @": {**ENTRY, "entity_email": "info.dbsalex.example.org"},
    "latitude off the globe": {**ENTRY, "latitude": 98.5},
    "types not a list": {**ENTRY, "types": "O"},
    "timezone not a zone name": {**ENTRY, "timezone": "EST"},
}


def reference(document, schema, formats):
    """What jsonschema itself reports."""
    validator = Draft202012Validator(schema, format_checker=FormatChecker() if formats else None)
    return [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(document)]


def test_a_valid_feed_and_collection_have_no_problems():
    assert schema_problems([ENTRY], feed_schema(), formats=True) == []
    collection = {"type": "FeatureCollection", "features": [FEATURE]}
    assert schema_problems(collection, collection_schema()) == []


@pytest.mark.parametrize("case", sorted(BROKEN_ENTRIES))
def test_a_broken_entry_gets_jsonschemas_own_lines(case):
    feed = [ENTRY, BROKEN_ENTRIES[case]]
    assert schema_problems(feed, feed_schema(), formats=True) == reference(feed, feed_schema(), True)


def test_a_broken_value_is_found_among_many_good_ones():
    feed = [ENTRY] * 500 + [{**ENTRY, "time": "7:00 PM"}] + [ENTRY] * 500
    problems = schema_problems(feed, feed_schema(), formats=True)
    assert len(problems) == 1 and problems[0].startswith("500/time: ")


def test_a_broken_feature_gets_jsonschemas_own_lines():
    off = {**FEATURE, "geometry": {"type": "Point", "coordinates": [-184.0, 38.0]}}
    vague = {**FEATURE, "properties": {**FEATURE["properties"], "geo_precision": "somewhere"}}
    collection = {"type": "FeatureCollection", "features": [FEATURE, off, vague]}
    problems = schema_problems(collection, collection_schema())
    assert problems and problems == reference(collection, collection_schema(), False)


EDGES = st.sampled_from(["19:00", "7:00", "a@b", "x", "US", "2026-11-20 06:00:00"])
VALUES = st.one_of(st.none(), st.booleans(), st.integers(-10, 100), st.floats(allow_nan=False),
                   st.text(max_size=12), EDGES)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(sorted(ENTRY)), VALUES)
def test_any_one_changed_value_is_judged_as_jsonschema_judges_it(field, value):
    feed = [{**ENTRY, field: value}]
    assert schema_problems(feed, feed_schema(), formats=True) == reference(feed, feed_schema(), True)

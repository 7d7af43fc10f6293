"""The Meeting Guide clients' rules: each catches a meeting that breaks it; the built feed keeps them all."""

import json
from pathlib import Path

import pytest

from warehouse.publish import checks, meeting_guide
from warehouse.publish.feed_rules import FEED_RULES, rule_counts, rule_problems
from warehouse.publish.meeting_guide import build_feed, feed_problems, type_codes

GOOD = {
    "name": "Tuesday Night Group", "slug": "tuesday-night-group-0123abcd", "day": 2, "time": "19:00",
    "end_time": "20:30", "timezone": "America/New_York", "types": ["O", "D", "X"],
    "notes": "Peer-led.", "updated": "2026-11-20 06:00:00", "url": "https://dbsalex.example.org/",
    "attendance_option": "hybrid", "location": "Central Church", "address": "205 E Short St",
    "city": "Lexington", "state": "KY", "postal_code": "40507", "country": "US",
    "formatted_address": "205 E Short St, Lexington, KY 40507, US", "approximate": "no",
    "latitude": 38.0475, "longitude": -84.4961, "conference_url": "https://us02web.zoom.us/j/123",
    "group": "Lexington Group", "region": "Downtown", "entity": "DBSA Lexington",
}
ONLINE = {**{k: v for k, v in GOOD.items() if k not in ("location", "address", "postal_code", "latitude",
                                                         "longitude")},
          "slug": "online-circle", "types": ["O"], "attendance_option": "online", "approximate": "yes",
          "formatted_address": "Lexington, KY, US"}
NO_PLACE = ("formatted_address", "address", "city", "state", "postal_code", "country")

# One meeting breaking each rule, as the clients would see it (and what our feed used to publish).
BROKEN = {
    "address_information": {**ONLINE, **dict.fromkeys(NO_PLACE, "")},
    "approximate_given": {k: v for k, v in GOOD.items() if k != "approximate"},
    "approximate_is_the_address": {**GOOD, "approximate": "yes", "latitude": None, "longitude": None},
    "shown_active": {**ONLINE, "conference_url": None, "attendance_option": "online"},
    "attendance_agrees": {**ONLINE, "attendance_option": "in_person"},
    "conference_url_known": {**GOOD, "conference_url": "https://meet.example.org/circle"},
    "conference_phone_dialable": {**GOOD, "conference_phone": "555-0100"},
    "notes_with_their_link": {**ONLINE, "conference_url": None, "conference_phone": "+18595550100",
                              "conference_url_notes": "Register at https://x.example.org/ first."},
    "day_and_time": {**GOOD, "time": "7:00 PM"},
    "end_time_format": {**GOOD, "end_time": ""},
    "timezone_known": {**GOOD, "timezone": "Eastern"},
    "updated_format": {**GOOD, "updated": "2026-11-20T06:00:00Z"},
    "url_absolute": {**GOOD, "url": "dbsalex.example.org"},
    "in_person_types": {**ONLINE, "types": ["O", "X"]},
    "coordinates_for_a_place": {**ONLINE, "latitude": 38.04, "longitude": -84.5},
    "plain_text": {**GOOD, "notes": "<p>Peer-led.</p>", "name": "< script> is text, not a tag"},
    "types_in_spec": {**GOOD, "types": ["O", "HOMEBREW"]},
}


def _without_nones(entry: dict) -> dict:
    return {key: value for key, value in entry.items() if value is not None}


def test_a_meeting_the_clients_take_breaks_no_rule() -> None:
    assert feed_problems([GOOD, ONLINE]) == []
    assert set(rule_counts([GOOD, ONLINE], type_codes()).values()) == {0}


def test_every_rule_has_a_meeting_that_breaks_it() -> None:
    assert set(BROKEN) | {"slug_unique"} == set(FEED_RULES)


@pytest.mark.parametrize("rule", sorted(BROKEN))
def test_a_meeting_breaking_a_rule_is_caught_by_that_rule(rule: str) -> None:
    entry = _without_nones(BROKEN[rule])
    caught = {name for name, slug, _what in rule_problems([entry], type_codes())}
    assert rule in caught
    assert any(problem.startswith(f"{rule}: {entry['slug']}: ") for problem in feed_problems([entry]))


def test_a_slug_used_twice_is_caught() -> None:
    counts = rule_counts([GOOD, dict(GOOD)], type_codes())
    assert counts["slug_unique"] == 2


def test_the_feed_check_reads_the_file_as_written(tmp_path: Path) -> None:
    (tmp_path / "meetings.json").write_text(json.dumps([GOOD, _without_nones(BROKEN["shown_active"])]))
    problems = checks.meeting_feed_problems(tmp_path, "meetings.json")
    assert problems and all(p.startswith(("shown_active", "attendance_agrees")) for p in problems)
    (tmp_path / "meetings.json").write_text("[{")
    assert checks.meeting_feed_problems(tmp_path, "meetings.json")[0].startswith("not a readable JSON file")


def record(**fields) -> dict:
    """An export record of a weekly group (the fields build_feed reads)."""
    base = {"listing_id": "0123456789abcdef", "name": "Group", "kind": "group", "organization": "DBSA",
            "status": "active", "attendance": "in_person", "source_url": "https://x.example.org/",
            "last_seen": "2026-11-20T06:00:00Z", "meeting_types": ["O"], "country": "US",
            "timezone": "America/Chicago",
            "schedule": [{"freq": "WEEKLY", "interval": 1, "byday": "MO", "opens_at": "19:00",
                          "closes_at": None, "timezone": "America/Chicago"}]}
    return {**base, **fields}


def test_an_online_group_without_a_place_is_placed_by_its_zone_and_shown_online() -> None:
    online = record(attendance="online", conference_url="https://us02web.zoom.us/j/899", country=None,
                    meeting_types=["O", "X"])
    [entry], left_out = build_feed([online])
    assert (entry["formatted_address"], entry["approximate"], entry["region"]) == \
        ("Chicago, IL, US", "yes", "Online")
    assert entry["attendance_option"] == "online" and entry["types"] == ["O"]  # X: in person only
    assert "end_time" not in entry and "latitude" not in entry and left_out == {}
    assert feed_problems([entry]) == []


def test_a_street_with_a_zip_centre_point_is_a_specific_place_without_the_point() -> None:
    street = record(street="1330 Lakeshore Ave", city="Oakland", state="CA", postal_code="94606",
                    latitude=37.79, longitude=-122.25, geo_precision="zip")
    exact = {**street, "listing_id": "fedcba9876543210", "geo_precision": "source"}
    [zip_centre, published], _ = build_feed([street, exact])
    assert zip_centre["approximate"] == "no" and "latitude" not in zip_centre
    assert zip_centre["address"] == "1330 Lakeshore Ave" and zip_centre["attendance_option"] == "in_person"
    assert (published["latitude"], published["longitude"]) == (37.79, -122.25)
    assert feed_problems([zip_centre, published]) == []


@pytest.mark.parametrize(("fields", "reason"), [
    ({"attendance": "online", "registration_url": "https://sczaction.example.org/register/"},
     "registration_only"),
    ({"attendance": "phone", "registration_url": "https://us06web.zoom.us/meeting/register/tZ0"},
     "registration_only"),
    ({"attendance": "online"}, "no_join_details"),
    ({"attendance": "online", "conference_url": "https://meet.example.org/c"}, "unknown_conference_host"),
    ({"attendance": "in_person", "city": "Louisville", "state": "KY"}, "no_specific_address"),
    ({"street": "1 Main St", "city": "Louisville", "meeting_types": ["TC"]}, "location_temporarily_closed"),
    ({"status": "inactive", "street": "1 Main St", "city": "Louisville"}, "inactive"),
])
def test_a_group_the_client_would_show_as_inactive_is_left_out_and_counted(fields: dict, reason: str) -> None:
    entries, left_out = build_feed([record(**fields)])
    assert entries == [] and left_out == {reason: 1}


def test_the_source_feeds_fields_are_carried_as_those_fields() -> None:
    carried = record(street="9087 Grand Ave", city="San Diego", state="CA", meeting_group="Step Study Group",
                     region="Clairemont", sub_region="North", location_notes="Upstairs, room 204.",
                     source_updated="2024-01-13 03:04:25", description="Birthday meeting last Sunday.",
                     schedule=[{"freq": "WEEKLY", "interval": 1, "byday": "FR", "opens_at": "12:00",
                                "closes_at": "13:30", "timezone": "America/Los_Angeles"}])
    [entry], _ = build_feed([carried])
    carried_fields = ("group", "region", "sub_region", "location_notes", "updated")
    assert tuple(entry[key] for key in carried_fields) == \
        ("Step Study Group", "Clairemont", "North", "Upstairs, room 204.", "2024-01-13 03:04:25")
    assert entry["end_time"] == "13:30" and "Clairemont" not in entry["notes"]
    assert feed_problems([entry]) == []


def test_a_zone_not_named_after_a_us_city_places_nothing() -> None:
    assert meeting_guide.place_of_zone("America/Kentucky/Louisville") == \
        {"city": "Louisville", "state": "KY", "country": "US"}
    assert meeting_guide.place_of_zone("Europe/London") is None
    _, left_out = build_feed([record(attendance="online", conference_url="https://zoom.us/j/1", country=None,
                                     timezone="Europe/London",
                                     schedule=[{"freq": "WEEKLY", "interval": 1, "byday": "MO",
                                                "opens_at": "19:00", "closes_at": None,
                                                "timezone": "Europe/London"}])])
    assert left_out == {"no_place": 1}


def test_the_feed_fields_travel_through_the_warehouse_to_the_feed(con) -> None:
    from tests.test_exports import item, load, weekly
    from warehouse.publish import records

    fields = {"meeting_group": "Step Study Group", "region": "Clairemont", "sub_region": "North",
              "location_notes": "Upstairs, room 204.", "source_updated": "2024-01-13 03:04:25"}
    load(con, [item(source="meetingguide", source_key="sd/step", name="Step Study", attendance="in_person",
                    address="9087 Grand Ave\nSan Diego, CA 92117", schedule=(weekly("FR", "12:00"),),
                    **fields),
               item(source_key="lex/plain", name="Plain Group", address="1 Main St\nLexington, KY 40507",
                    schedule=(weekly("MO", "19:00"),))])
    records.prepare(con)
    [entry, plain] = sorted(build_feed(records.load(con))[0], key=lambda e: e["name"], reverse=True)
    assert {key: entry[key] for key in ("group", "region", "sub_region", "location_notes", "updated")} == \
        {"group": "Step Study Group", "region": "Clairemont", "sub_region": "North",
         "location_notes": "Upstairs, room 204.", "updated": "2024-01-13 03:04:25"}
    assert plain["updated"] == "2026-11-20 06:00:00"  # no source time: when we last saw it
    # The version content holds the new fields only where they have a value (no version invented).
    query = "SELECT source_key, CAST(content AS VARCHAR) FROM listing_content"
    contents = dict(con.execute(query).fetchall())
    assert '"location_notes":"Upstairs, room 204."' in contents["sd/step"]
    assert "location_notes" not in contents["lex/plain"] and "region" not in contents["lex/plain"]


def test_text_that_only_looks_like_a_tag_is_plain_text() -> None:
    assert feed_problems([{**GOOD, "name": "< script>alert(1)< /script> Double Escaped"}]) == []

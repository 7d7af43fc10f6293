"""The exports: HSDS 3.0 package, Meeting Guide feed, GeoJSON, iCalendar, the top datapackage,
validation before publishing, and the --redact-people switch on every file."""

import csv
import json
import lzma
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from icalendar import Calendar

from schemas.listing import ParsedListing
from schemas.run import RunSummary, SourceOutcome
from schemas.schedule import ScheduleRule
from warehouse import normalize, stage
from warehouse.publish import export, hsds, hsds_json, ical, meeting_guide, records
from warehouse.schedules.occurrences import occurrences

FETCHED = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
ROOT = Path(__file__).parents[1]
HSDS = ROOT / "schemas" / "standards" / "hsds-3.0"


def item(**fields) -> ParsedListing:
    """A DBSA-like listing with the identity fields filled."""
    base = {"source": "dbsa", "organization": "DBSA", "source_url": "https://www.dbsalliance.org/x/",
            "fetched_at": FETCHED, "content_sha256": "b" * 64, "kind": "group"}
    return ParsedListing(**{**base, **fields})


def weekly(byday: str, opens: str, closes: str | None = None, zone: str = "America/New_York",
           freq: str = "WEEKLY") -> ScheduleRule:
    return ScheduleRule(freq=freq, byday=byday, opens_at=opens, closes_at=closes, timezone=zone)


LISTINGS = [
    item(source_key="lex", kind="chapter", name="DBSA Lexington", email="dbsalexington@gmail.com",
         address="205 E. Short St.\nLexington, KY 40507", phone="(859) 555-0100", topics=("depression",),
         audiences=("peers",), website="https://dbsalex.example.org/"),
    item(source_key="lex/tuesday", parent_key="lex", name="Tuesday Night Group",
         location_name="Central Church",
         address="205 E. Short St.\nLexington, KY 40507", schedule=(weekly("TU", "19:00", "20:30"),),
         meeting_types=("O", "D"), topics=("bipolar",), audiences=("family",),
         email="jane.doe@gmail.com",
         description="Peer-led. Contact Jane Doe at 859-555-0134 or jane.doe@gmail.com for directions."),
    item(source_key="lex/online", parent_key="lex", name="Online Circle", attendance="online",
         conference_url="https://zoom.example.org/j/123", schedule=(weekly("MO,TH", "18:00"),),
         email="circle@dbsalex.example.org", topics=("depression", "bipolar")),
    item(source_key="lex/monthly", parent_key="lex", name="Family Evening", city="Lexington", state="KY",
         schedule=(weekly("2WE,4WE", "19:00", "20:30", freq="MONTHLY"),)),
    item(source_key="call", source="sardaa", organization="S&PAA", name="SA Call", attendance="phone",
         registration_url="https://sardaa.example.org/call-registration/",
         schedule=(weekly("SU", "19:00", zone="America/Chicago"),)),
]


def load(con, listings: list[ParsedListing], run_id: str = "r1", at: datetime = FETCHED) -> None:
    """Stage and normalize one run per source."""
    stage.start_run(con, RunSummary(run_id=run_id, mode="replay", started_at=at, warehouse=":memory:"))
    for source in sorted({x.source for x in listings}):
        mine = [x for x in listings if x.source == source]
        outcome = SourceOutcome(source=source, status="ok", listings=len(mine))
        stage.record_source(con, run_id, outcome, [], mine)
    normalize.normalize_run(con, run_id, at)


@pytest.fixture
def con(con: duckdb.DuckDBPyConnection) -> duckdb.DuckDBPyConnection:
    """The warehouse (conftest) with the test listings loaded."""
    load(con, LISTINGS)
    return con


@pytest.fixture
def out(con, tmp_path: Path) -> Path:
    folder = tmp_path / "out"
    export.export_directory(con, folder, "r1", [{"title": "DBSA", "path": "x"}])
    return folder


def csv_rows(path: Path) -> list[dict]:
    import csv

    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_hsds_package_validates_and_maps_chapters_groups_and_places(out):
    from frictionless import Package

    report = Package(str(out / "hsds" / "datapackage.json")).validate()
    assert report.valid, report.flatten(["taskName", "rowNumber", "fieldName", "note"])
    orgs = {r["name"]: r for r in csv_rows(out / "hsds" / "organizations.csv")}
    assert set(orgs) == {"DBSA", "S&PAA", "DBSA Lexington"}
    assert orgs["DBSA Lexington"]["parent_organization_id"] == orgs["DBSA"]["id"]
    assert orgs["DBSA Lexington"]["email"] == "dbsalexington@gmail.com"
    services = {r["name"]: r for r in csv_rows(out / "hsds" / "services.csv")}
    assert set(services) == {"Tuesday Night Group", "Online Circle", "Family Evening", "SA Call"}
    assert services["Online Circle"]["organization_id"] == orgs["DBSA Lexington"]["id"]
    assert services["SA Call"]["organization_id"] == orgs["S&PAA"]["id"]
    locations = {r["id"]: r for r in csv_rows(out / "hsds" / "locations.csv")}
    links = csv_rows(out / "hsds" / "service_at_location.csv")
    kinds = {(s, locations[link["location_id"]]["location_type"]) for link in links
             for s, row in services.items() if row["id"] == link["service_id"]}
    assert kinds == {("Tuesday Night Group", "physical"), ("Online Circle", "virtual"),
                     ("Family Evening", "physical"), ("SA Call", "virtual")}
    virtual = next(r for r in locations.values() if r["url"])
    assert virtual["url"] == "https://zoom.example.org/j/123"  # the only published join link
    schedules = {r["service_id"]: r for r in csv_rows(out / "hsds" / "schedules.csv")}
    tuesday = schedules[services["Tuesday Night Group"]["id"]]
    assert (tuesday["freq"], tuesday["interval"], tuesday["byday"]) == ("WEEKLY", "1", "TU")
    assert tuesday["opens_at"] in ("19:00:00-05:00", "19:00:00-04:00")
    assert tuesday["timezone"] in ("-5", "-4") and "America/New_York" in tuesday["notes"]
    assert schedules[services["Family Evening"]["id"]]["byday"] == "2WE,4WE"
    addresses = csv_rows(out / "hsds" / "addresses.csv")
    assert {(a["address_1"], a["postal_code"]) for a in addresses} == {("205 E. Short St.", "40507")}
    terms = {r["code"] for r in csv_rows(out / "hsds" / "taxonomy_terms.csv")}
    assert {"topic:bipolar", "audience:family", "meeting_type:O"} <= terms
    metadata = csv_rows(out / "hsds" / "metadata.csv")
    traced = {m["resource_id"] for m in metadata if m["field_name"] == "source_url"}
    assert {s["id"] for s in services.values()} <= traced
    assert all(m["last_action_date"] == "2026-11-20" for m in metadata)
    carried = {p.name for p in (out / "hsds" / "schema").iterdir()}
    assert {"LICENSE", "SOURCE.txt", "organization.json", "schedule.json"} <= carried
    assert "CC BY-SA" in (out / "hsds" / "schema" / "SOURCE.txt").read_text()


def test_hsds_json_objects_validate_against_the_compiled_schemas(con):
    from jsonschema import Draft7Validator, FormatChecker

    records.prepare(con)
    tables = hsds.build_tables(records.load(con), datetime.now(UTC), "r1")
    service_schema = json.loads((HSDS / "schema" / "compiled" / "service_with_definitions.json").read_text())
    packed = ROOT / "tests" / "files" / "hsds_compiled_organization.json.xz"  # compiled/organization.json
    org_schema = json.loads(lzma.decompress(packed.read_bytes()))
    checker = FormatChecker()
    services = [hsds_json.service_object(tables, s["id"]) for s in tables["service"]]
    assert len(services) == 4
    for service in services:
        errors = list(Draft7Validator(service_schema, format_checker=checker).iter_errors(service))
        assert not errors, [e.message for e in errors]
    tuesday = next(s for s in services if s["name"] == "Tuesday Night Group")
    assert tuesday["schedules"][0]["byday"] == "TU"
    assert tuesday["service_at_locations"][0]["location"]["addresses"][0]["city"] == "Lexington"
    assert tuesday["organization"]["name"] == "DBSA Lexington"
    chapter = next(o for o in tables["organization"] if o["name"] == "DBSA Lexington")
    compiled = hsds_json.organization_object(tables, chapter["id"])
    assert {s["name"] for s in compiled["services"]} == \
        {"Tuesday Night Group", "Online Circle", "Family Evening"}
    errors = list(Draft7Validator(org_schema, format_checker=checker).iter_errors(compiled))
    assert not errors, [e.message for e in errors][:3]
    broken = {**compiled, "locations": [{"id": "x"}]}  # location_type is required: the schema bites
    assert list(Draft7Validator(org_schema).iter_errors(broken))


def test_meeting_guide_feed_lists_each_weekday_and_counts_monthly_groups(con, out):
    entries = json.loads((out / "meetings.json").read_text())
    assert meeting_guide.feed_problems(entries) == []
    # Online Circle's link is on a host no Meeting Guide client knows, SA Call gives only a
    # registration page, Family Evening meets monthly: left out and counted, not shown as Inactive.
    assert [e["name"] for e in entries] == ["Tuesday Night Group"]
    assert meeting_guide.build_feed(records.load(con))[1] == \
        {"monthly": 1, "registration_only": 1, "unknown_conference_host": 1}
    [tuesday] = entries
    assert (tuesday["day"], tuesday["time"], tuesday["end_time"], tuesday["timezone"]) == \
        (2, "19:00", "20:30", "America/New_York")
    assert tuesday["types"] == ["O", "D"] and tuesday["location"] == "Central Church"
    # A street is a specific place (approximate "no"); its ZIP-centre point is not published.
    assert tuesday["approximate"] == "no" and "latitude" not in tuesday
    assert tuesday["entity"] == "DBSA Lexington" and tuesday["entity_email"] == "dbsalexington@gmail.com"


def test_meeting_guide_lists_each_weekday_with_its_own_slug():
    record = {"listing_id": "0123456789", "name": "Online Circle", "kind": "group", "organization": "DBSA",
              "status": "active", "attendance": "online", "source_url": "https://x.example.org/",
              "conference_url": "https://us02web.zoom.us/j/123", "city": "Lexington", "state": "KY",
              "last_seen": "2026-11-20T06:00:00Z",
              "schedule": [{"freq": "WEEKLY", "interval": 1, "byday": "MO,TH", "opens_at": "18:00",
                            "closes_at": None, "timezone": "America/New_York"}]}
    entries, left_out = meeting_guide.build_feed([record])
    assert [(e["day"], e["time"], e["slug"][-3:]) for e in entries] == \
        [(1, "18:00", "-mo"), (4, "18:00", "-th")]
    assert all("end_time" not in e and e["conference_url"].endswith("zoom.us/j/123") for e in entries)
    assert left_out == {} and meeting_guide.feed_problems(entries) == []


def test_meeting_guide_keeps_only_the_type_codes_the_spec_defines():
    record = {"listing_id": "0123456789", "name": "Noon Group", "kind": "group", "organization": "AA",
              "status": "active", "attendance": "in_person", "source_url": "https://x.example.org/",
              "street": "1 Main St", "city": "Lexington", "state": "KY",
              "last_seen": "2026-11-20T06:00:00Z", "meeting_types": ["O", "HOMEBREW", "D"],
              "schedule": [{"freq": "WEEKLY", "interval": 1, "byday": "MO", "opens_at": "12:00",
                            "closes_at": None, "timezone": "America/New_York"}]}
    entries, left_out = meeting_guide.build_feed([record])
    assert [e["types"] for e in entries] == [["O", "D"]] and left_out == {}
    assert meeting_guide.feed_problems(entries) == []


def test_meeting_guide_problems_catch_bad_entries():
    good = {"name": "A", "slug": "a", "day": 1, "time": "19:00", "timezone": "America/New_York",
            "types": ["O"], "updated": "2026-11-20 06:00:00", "url": "https://x.example.org/",
            "attendance_option": "in_person", "address": "1 Main St", "city": "Lexington",
            "formatted_address": "1 Main St, Lexington, KY", "approximate": "no"}
    assert meeting_guide.feed_problems([good]) == []
    problems = meeting_guide.feed_problems([{**good, "day": 7}, {**good, "types": ["NOPE"]}])
    assert any("7" in p for p in problems) and "slug_unique: a: slug used 2 times" in problems
    assert "types_in_spec: a: unknown types NOPE" in problems


def test_geojson_has_one_point_per_listing_with_coordinates(out):
    collection = json.loads((out / "directory.geojson").read_text())
    assert collection["type"] == "FeatureCollection"
    listings = [json.loads(line) for line in (out / "listings.jsonl").read_text().splitlines()]
    placed = {r["listing_id"]: r for r in listings if r["latitude"] is not None}
    assert {f["id"] for f in collection["features"]} == set(placed) and len(placed) == 3
    for feature in collection["features"]:
        row = placed[feature["id"]]
        assert feature["geometry"] == {"type": "Point", "coordinates": [
            round(row["longitude"], 6), round(row["latitude"], 6)]}
        lon, lat = feature["geometry"]["coordinates"]
        assert -90 < lon < -80 and 36 < lat < 40  # Kentucky, in RFC 7946 order: longitude first
        assert feature["properties"]["geo_precision"] == row["geo_precision"]
        assert feature["properties"]["schedule"] == row["schedule"]


def test_icalendar_round_trip_rrule_tzid_and_next_dtstart(out, con):
    calendar = Calendar.from_ical((out / "groups.ics").read_bytes())
    events = {str(e["SUMMARY"]): e for e in calendar.walk("VEVENT")}
    assert set(events) == {"Tuesday Night Group", "Online Circle", "Family Evening", "SA Call"}
    assert {str(z["TZID"]) for z in calendar.walk("VTIMEZONE")} == {"America/New_York", "America/Chicago"}
    tuesday = events["Tuesday Night Group"]
    assert tuesday["RRULE"].to_ical() == b"FREQ=WEEKLY;INTERVAL=1;BYDAY=TU"
    assert tuesday["DTSTART"].params["TZID"] == "America/New_York"
    start = tuesday["DTSTART"].dt
    expected = occurrences(weekly("TU", "19:00", "20:30"), datetime.now(UTC) - timedelta(minutes=5))[0]
    assert start == expected and start.strftime("%a %H:%M") == "Tue 19:00"
    assert tuesday["DTEND"].dt - start == timedelta(minutes=90)
    text = str(tuesday["DESCRIPTION"])
    assert "988" in text and "In person at Central Church" in text and "dbsalliance.org" in text
    assert str(tuesday["URL"]) == "https://www.dbsalliance.org/x/"
    family = events["Family Evening"]
    assert family["RRULE"].to_ical() == b"FREQ=MONTHLY;INTERVAL=1;BYDAY=2WE,4WE"
    call = events["SA Call"]
    assert call["DTSTART"].params["TZID"] == "America/Chicago" and "DURATION" in call
    assert "register at https://sardaa.example.org/call-registration/" in str(call["DESCRIPTION"])
    per_group = sorted((out / "ics").iterdir())
    assert len(per_group) == 4
    uids = {str(e["UID"]) for e in calendar.walk("VEVENT")}
    again = out.parent / "again"
    export.export_directory(con, again, "r2", [])
    again_events = Calendar.from_ical((again / "groups.ics").read_bytes()).walk("VEVENT")
    assert {str(e["UID"]) for e in again_events} == uids


def test_each_group_file_holds_its_own_events_and_only_their_zones(out):
    for path in sorted((out / "ics").iterdir()):
        calendar = Calendar.from_ical(path.read_bytes())
        events = calendar.walk("VEVENT")
        zones = {str(z["TZID"]) for z in calendar.walk("VTIMEZONE")}
        assert events and zones == {e["DTSTART"].params["TZID"] for e in events}
        assert {str(e["UID"]).rsplit("-", 1)[0] for e in events} == {path.stem}
        assert calendar["X-WR-CALNAME"] == str(events[0]["SUMMARY"])


def test_calendar_check_catches_a_broken_group_file_a_count_mismatch_and_bad_events(out, tmp_path):
    files = {"groups.ics": 4, **{f"ics/{p.name}": 1 for p in (out / "ics").iterdir()}}
    assert ical.calendars_problems(out, files) == []
    broken = tmp_path / "broken"
    shutil.copytree(out, broken, symlinks=True)
    first = sorted((broken / "ics").iterdir())[0]
    first.write_bytes(first.read_bytes().replace(b"RRULE:", b"X-NOT-RRULE:", 1))
    assert any("missing RRULE" in p for p in ical.calendars_problems(broken, files))
    one_short = {**files, sorted(files)[-1]: 0}  # a group file that lost its event
    problems = ical.calendars_problems(out, one_short)
    assert any("groups.ics has 4 events, the group files 3" in p for p in problems)
    event = Calendar.from_ical(first.read_bytes()).walk("VEVENT")[0]
    uids: set[str] = set()
    assert ical.event_problems(event, set(), "x.ics", uids) == [f"x.ics {event['UID']}: missing RRULE"]
    del event["X-NOT-RRULE"]
    event.add("rrule", {"freq": "weekly"})
    zone = event["DTSTART"].params["TZID"]
    assert ical.event_problems(event, {zone}, "x.ics", uids) == []
    assert ical.event_problems(event, {zone}, "x.ics", uids) == [f"x.ics: duplicate UID {event['UID']}"]
    assert "has no VTIMEZONE" in ical.event_problems(event, set(), "x.ics", set())[0]


NOW = datetime(2026, 11, 20, 12, 0, tzinfo=UTC)


def group_records(con) -> list[dict]:
    """The export records of the test listings."""
    records.prepare(con)
    return records.load(con)


def group_files(folder: Path) -> dict[str, bytes]:
    """The per-group calendars of a folder by name."""
    return {p.name: p.read_bytes() for p in (folder / "ics").iterdir()}


def stamps(data: bytes) -> set[str]:
    """The DTSTAMPs of a calendar's events, read back with icalendar."""
    return {e["DTSTAMP"].to_ical().decode() for e in Calendar.from_ical(data).walk("VEVENT")}


def test_a_second_export_with_nothing_changed_links_every_group_calendar_of_the_first(out, con):
    first = out.resolve()
    assert json.loads((first / ical.MANIFEST).read_text())["groups"]  # the next export reads this
    export.export_directory(con, out, "r2", [])
    second = out.resolve()
    assert second != first and group_files(second) == group_files(first) and len(group_files(second)) == 4
    for path in (second / "ics").iterdir():
        assert path.stat().st_ino == (first / "ics" / path.name).stat().st_ino  # the same file, linked
    assert (second / "groups.ics").read_bytes() == (first / "groups.ics").read_bytes()
    files = {"groups.ics": 4, **{f"ics/{name}": 1 for name in group_files(second)}}
    assert ical.calendars_problems(second, files) == []


def test_only_a_changed_group_is_serialized_again_and_a_gone_group_has_no_file(con, tmp_path):
    found = group_records(con)
    groups = sorted((r for r in found if r["kind"] == "group" and r["schedule"]), key=lambda r: r["name"])
    changed, gone = groups[0], groups[1]
    first, second, fresh = tmp_path / "first", tmp_path / "second", tmp_path / "fresh"
    ical.write_calendars(found, first, NOW)
    changed["name"] = "Renamed Group"
    found.remove(gone)
    later = NOW + timedelta(days=1)
    written = ical.write_calendars(found, second, later, previous=first)
    assert written.reused == 2 and written.files["groups.ics"] == 3
    ical.write_calendars(found, fresh, NOW)  # what serializing everything at the first export's time gives
    changed_name, gone_name = f"{changed['listing_id']}.ics", f"{gone['listing_id']}.ics"
    assert gone_name not in group_files(second) and gone_name in group_files(first)
    for name, data in group_files(second).items():
        linked = (second / "ics" / name).stat().st_ino == (first / "ics" / name).stat().st_ino
        assert linked == (name != changed_name)
        if name != changed_name:
            assert data == group_files(fresh)[name] and stamps(data) == {"20261120T120000Z"}
    renamed = Calendar.from_ical(group_files(second)[changed_name])
    assert renamed["X-WR-CALNAME"] == "Renamed Group" and stamps(renamed.to_ical()) == {"20261121T120000Z"}
    in_groups = Calendar.from_ical((second / "groups.ics").read_bytes()).walk("VEVENT")
    in_files = [e for data in group_files(second).values() for e in Calendar.from_ical(data).walk("VEVENT")]
    assert sorted(e.to_ical() for e in in_groups) == sorted(e.to_ical() for e in in_files)
    assert ical.calendars_problems(second, written.files) == []


def test_a_corrupt_manifest_or_an_altered_file_is_not_reused(con, tmp_path):
    found = group_records(con)
    first = tmp_path / "first"
    ical.write_calendars(found, first, NOW)
    altered = sorted((first / "ics").iterdir())[0]
    altered.write_bytes(altered.read_bytes().replace(b"SUMMARY:", b"SUMMARY:Altered ", 1))
    later = NOW + timedelta(days=1)
    second = tmp_path / "second"
    assert ical.write_calendars(found, second, later, previous=first).reused == 3
    again = Calendar.from_ical((second / "ics" / altered.name).read_bytes())
    assert "Altered" not in again.to_ical().decode() and stamps(again.to_ical()) == {"20261121T120000Z"}
    for garbage in ("not json", '{"groups": []}', '{"groups": {"x": {"nonsense": 1}}}'):
        (first / ical.MANIFEST).write_text(garbage)
        third = tmp_path / f"third-{len(garbage)}"
        written = ical.write_calendars(found, third, later, previous=first)
        assert written.reused == 0 and written.problems == []
        for data in group_files(third).values():
            assert stamps(data) == {"20261121T120000Z"}  # every file made afresh


def test_calendars_written_in_a_worker_process_are_those_written_here(con, tmp_path):
    found = group_records(con)
    with ical.Apart(apart=True) as apart:
        apart.start(con, tmp_path / "worker", NOW, None)
        assert apart.sent is not None  # handed to the worker, which loads the records itself
        written = apart.result([])
        assert apart.side is not None and (apart.side / "groups.duckdb").is_file()
    assert not apart.side.exists()  # the worker's records file is removed with the worker
    here = ical.write_calendars(found, tmp_path / "here", NOW)
    assert written == here and written.files["groups.ics"] == 4
    assert group_files(tmp_path / "worker") == group_files(tmp_path / "here")
    for name in ("groups.ics", ical.MANIFEST):
        assert (tmp_path / "worker" / name).read_bytes() == (tmp_path / "here" / name).read_bytes()


def test_calendars_are_written_here_when_their_worker_dies(con, tmp_path):
    found = group_records(con)
    with ical.Apart(apart=True) as apart:
        apart.start(con, tmp_path / "out", NOW, None)
        for process in list(apart.pool._processes.values()):  # killed while it starts
            process.kill()
        written = apart.result(found)
    assert written == ical.write_calendars(found, tmp_path / "here", NOW)
    assert group_files(tmp_path / "out") == group_files(tmp_path / "here")


def test_a_link_a_dead_worker_left_is_never_written_through(con, tmp_path):
    """A worker that died after linking an earlier file leaves a link to the published export behind."""
    found = group_records(con)
    first = tmp_path / "first"
    ical.write_calendars(found, first, NOW)
    published = group_files(first)
    second = tmp_path / "second"
    (second / "ics").mkdir(parents=True)
    for name in published:
        os.link(first / "ics" / name, second / "ics" / name)
    changed = [{**record, "name": record["name"] + " (renamed)"} for record in found]
    ical.write_calendars(changed, second, NOW + timedelta(days=1), previous=first)
    assert group_files(first) == published  # the published files are untouched
    assert all(b"(renamed)" in data for data in group_files(second).values())


def test_what_a_calendar_does_not_read_leaves_its_hash_and_file_alone(con, tmp_path):
    found = group_records(con)
    record = next(r for r in found if r["kind"] == "group" and r["schedule"])
    zones = ical.Zones(NOW)
    before = ical.inputs_hash(record, zones)
    ical.write_calendars([record], tmp_path / "a", NOW)
    shifted = {**record, "fetched_at": "1999-01-01T00:00:00Z", "first_seen": "1999-01-01T00:00:00Z",
               "next_meeting_at": "1999-01-01T00:00:00-05:00",
               "last_seen": record["last_seen"][:10] + "T23:59:59Z"}  # the same day, another time
    assert set(ical.NOT_READ) <= set(record) and ical.inputs_hash(shifted, zones) == before
    ical.write_calendars([shifted], tmp_path / "b", NOW)
    assert group_files(tmp_path / "a") == group_files(tmp_path / "b")
    for key, value in (("name", "Other"), ("description", "Other"), ("last_seen", "1999-01-01T00:00:00Z"),
                       ("schedule", [{**record["schedule"][0], "opens_at": "06:15"}])):
        assert ical.inputs_hash({**record, key: value}, zones) != before, key
    assert ical.inputs_hash(record, ical.Zones(NOW.replace(year=2027))) != before  # zones cover other years


def test_top_datapackage_lists_every_file_with_format_schema_and_rows(out):
    from frictionless import Package

    descriptor = json.loads((out / "datapackage.json").read_text())
    listed = {r["path"] if isinstance(r["path"], str) else "ics/": r for r in descriptor["resources"]}
    calendars = listed.pop("ics/")
    on_disk = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file() and p.suffix != ".json"
               and "schema" not in p.parts and p.parent.name != "ics"} | {"meetings.json"}
    on_disk.discard("datapackage.json")
    assert set(listed) == on_disk
    assert calendars["path"] == sorted(str(p.relative_to(out)) for p in (out / "ics").iterdir())
    assert calendars["entries"] == listed["groups.ics"]["entries"] == 4
    assert listed["meetings.json"]["entries"] == 1 and listed["directory.geojson"]["entries"] == 3
    assert listed["groups.ics"]["format"] == "ics" and "rows" not in listed["groups.ics"]
    assert listed["hsds/services.csv"]["rows"] == 4 and listed["listings.csv"]["rows"] == 5
    assert (out / listed["meetings.json"]["jsonSchema"]).exists()
    package = Package(str(out / "datapackage.json"))
    for name in ("listings-csv", "hsds-organization", "hsds-schedule"):
        report = package.get_resource(name).validate()
        assert report.valid, (name, report.flatten(["rowNumber", "fieldName", "note"]))


def test_flat_listings_name_the_parent_and_keep_their_own_contact_columns(out):
    import pyarrow.parquet as pq
    from frictionless import Resource

    rows = {r["name"]: r for r in csv_rows(out / "listings.csv")}
    evening, chapter = rows["Family Evening"], rows["DBSA Lexington"]
    assert (evening["parent"], evening["parent_name"]) == (chapter["listing_id"], "DBSA Lexington")
    assert (evening["phone"], evening["email"], evening["website"]) == ("", "", "")  # not the chapter's
    assert chapter["parent_name"] == "" and chapter["email"] == "dbsalexington@gmail.com"
    columns = list(rows["Family Evening"])
    assert columns.index("parent_name") == columns.index("parent") + 1
    jsonl = {r["name"]: r for r in map(json.loads, (out / "listings.jsonl").read_text().splitlines())}
    assert jsonl["Online Circle"]["parent_name"] == "DBSA Lexington"
    assert jsonl["SA Call"]["parent_name"] is None
    parquet = pq.read_table(out / "listings.parquet").to_pylist()
    assert {r["name"]: r["parent_name"] for r in parquet} == {n: r["parent_name"] for n, r in jsonl.items()}
    descriptor = json.loads((out / "datapackage.json").read_text())
    listings = next(r for r in descriptor["resources"] if r["path"] == "listings.csv")
    field = next(f for f in listings["schema"]["fields"] if f["name"] == "parent_name")
    assert field["type"] == "string" and "chapter or organization" in field["description"]
    report = Resource(listings, basepath=str(out)).validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "note"])


def test_frictionless_cli_finds_the_top_level_package_valid(out):
    """`frictionless validate datapackage.json`, the real CLI: every resource, Parquet and calendars too."""
    done = subprocess.run([sys.executable, "-m", "frictionless", "validate", "--json", "datapackage.json"],
                          cwd=out, capture_output=True, text=True, timeout=300, check=False)
    report = json.loads(done.stdout)
    invalid = {task["name"]: [e["message"] for e in task["errors"][:2]] for task in report["tasks"]
               if not task["valid"]}
    assert report["valid"] and invalid == {} and done.returncode == 0
    kinds = {task["name"]: task["type"] for task in report["tasks"]}
    assert kinds["listings-csv"] == kinds["entities-csv"] == kinds["hsds-schedule"] == "table"
    assert kinds["listings-parquet"] == kinds["group-calendars"] == kinds["meetings"] == "file"


def test_a_wrong_row_count_in_the_descriptor_stops_the_publish_with_one_line(con, out, monkeypatch):
    real = export.identity_resources

    def miscounted(counts):
        return [{**r, "rows": r["rows"] + 1} if r["name"] == "entities-csv" else r for r in real(counts)]

    monkeypatch.setattr(export, "identity_resources", miscounted)
    with pytest.raises(export.ExportInvalid) as raised:
        export.export_directory(con, out, "r2", [])
    message = str(raised.value)
    assert message.startswith("datapackage.json is not valid: entities-csv: ") and "row count" in message
    assert "\n" not in message


def test_the_top_level_check_names_a_broken_row_in_one_line(out, tmp_path):
    """entities.csv is checked by the top-level check only: a bad cell is named with its row and field."""
    from warehouse.publish.table_checks import top_level_problems

    broken = tmp_path / "broken"
    shutil.copytree(out.resolve(), broken)
    with (broken / "entities.csv").open(encoding="utf-8", newline="") as handle:
        header = next(csv.reader(handle))
    cells = {name: "x" for name in header} | {"latitude": "north", "members": "2", "entity_id": "e1",
                                              "first_seen": "", "last_seen": ""}
    with (broken / "entities.csv").open("a", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerow([cells[name] for name in header])
    problems = top_level_problems(broken)
    assert any(p.startswith("entities-csv: row ") and ": latitude: " in p for p in problems), problems
    assert all("\n" not in p for p in problems)
    assert top_level_problems(out) == []


def test_a_failed_validation_aborts_the_publish_and_keeps_the_previous_export(con, out, monkeypatch):
    before = (out / "meetings.json").read_bytes()
    real = meeting_guide.build_feed

    def broken(found):
        entries, left_out = real(found)
        return [{**entries[0], "day": 9}, *entries[1:]], left_out

    monkeypatch.setattr(meeting_guide, "build_feed", broken)
    with pytest.raises(export.ExportInvalid, match=r"meetings.json is not valid: .*9"):
        export.export_directory(con, out, "r2", [])
    assert (out / "meetings.json").read_bytes() == before
    builds = out.parent / ".out.builds"
    assert not any(p.name.endswith(".partial") for p in builds.iterdir())


def _all_text(folder: Path) -> str:
    """Every exported file as text (Parquet as its rows)."""
    parts = []
    for path in folder.rglob("*"):
        if path.is_file() and path.suffix == ".parquet":
            parts.append(str(duckdb.sql(f"SELECT * FROM '{path}'").fetchall()))
        elif path.is_file() and "schema" not in path.parts:
            parts.append(path.read_text(encoding="utf-8"))
    return "\n".join(parts)


def test_redact_people_removes_personal_details_from_every_export(con, out, tmp_path):
    plain = _all_text(out)
    assert "jane.doe@gmail.com" in plain and "Jane Doe" in plain and "859-555-0134" in plain
    redacted = tmp_path / "redacted"
    export.export_directory(con, redacted, "r2", [], redact_people=True)
    everything = _all_text(redacted)
    for personal in ("jane.doe", "Jane Doe", "859-555-0134"):
        assert personal not in everything
    names = ["listings.csv", "listings.jsonl", "hsds/services.csv", "meetings.json", "directory.geojson",
             "groups.ics"]
    for name in names:
        assert "jane" not in (redacted / name).read_text(encoding="utf-8").lower(), name
    # Organization contact points stay: the chapter's address, phone and role emails.
    for kept in ("dbsalexington@gmail.com", "circle@dbsalex.example.org", "+18595550100", "Peer-led."):
        assert kept in everything
    assert json.loads((redacted / "datapackage.json").read_text())["redacted"] is True


@pytest.mark.parametrize("value", [
    [{"name": "Grupo Esperanza", "day": 2}, {"name": "Lunch \"Bunch\"\nline", "day": 0}],
    [],
    {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"name": "Ümlaut"}}]},
    {"type": "FeatureCollection", "features": []},
])
def test_json_exports_round_trip_with_one_item_per_line(tmp_path, value):
    path = tmp_path / "out.json"
    export._write_json(path, value)
    text = path.read_text(encoding="utf-8")
    assert json.loads(text) == value
    items = value if isinstance(value, list) else value["features"]
    assert len(text.splitlines()) == len(items) + 2  # the opening, one line per item, the closing


def test_a_calendar_name_with_separators_and_length_reads_back_whole():
    name = "Family Support; Tuesdays, Thursdays — Lexington & Fayette County " * 3
    calendar = Calendar.from_ical(ical._assemble(name, [], []))
    assert str(calendar["X-WR-CALNAME"]) == name and str(calendar["PRODID"]) == ical.PRODID
    assert all(len(line) <= 75 for line in ical._assemble(name, [], []).split(b"\r\n"))


def test_listings_csv_read_as_text_keeps_leading_zeros_and_the_plus_of_phones(con, tmp_path):
    """What the data dictionary tells a pandas or spreadsheet user: read every cell as text."""
    from frictionless import Package

    trenton = item(source_key="trenton", kind="chapter", name="DBSA Trenton", phone="(609) 555-0100",
                   address="1 W State St\nTrenton, NJ 08608")
    load(con, [*LISTINGS, trenton], run_id="r2")
    out = tmp_path / "text"
    export.export_directory(con, out, "r2", [])
    with (out / "listings.csv").open(newline="", encoding="utf-8") as handle:
        row = next(r for r in csv.DictReader(handle) if r["source_key"] == "trenton")
    assert (row["postal_code"], row["phone"]) == ("08608", "+16095550100")
    typed = Package(str(out / "datapackage.json")).get_resource("listings-csv").read_rows()
    cells = next(r for r in typed if r["source_key"] == "trenton")
    assert (cells["postal_code"], cells["phone"]) == ("08608", "+16095550100")
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    assert "dtype=str" in descriptor["resources"][0]["description"]
    assert "dtype=str" in descriptor["description"]
    assert "dtype=str" in (ROOT / "docs" / "exports.md").read_text(encoding="utf-8")


def test_a_group_meeting_in_utc_gets_a_z_time_and_no_vtimezone(con, tmp_path):
    """A rule in UTC is written as 19:00Z (RFC 5545 form 2): no TZID, no VTIMEZONE, no problem."""
    record = next(r for r in group_records(con) if r["schedule"])
    record = {**record, "schedule": [{**record["schedule"][0], "timezone": "UTC", "interval": 1}]}
    written = ical.write_calendars([record], tmp_path, NOW)
    assert written.problems == [] and written.files["groups.ics"] == 1
    name = f"ics/{record['listing_id']}.ics"
    assert ical.calendar_problems(tmp_path / name) == []
    event = Calendar.from_ical((tmp_path / name).read_bytes()).walk("VEVENT")[0]
    assert event["DTSTART"].dt.utcoffset() == timedelta(0) and "TZID" not in event["DTSTART"].params
    assert not Calendar.from_ical((tmp_path / name).read_bytes()).walk("VTIMEZONE")


def test_one_instant_in_two_zones_is_written_with_each_zone():
    """The DTSTART lines are cached by time and zone: equal instants in two zones never share one."""
    from zoneinfo import ZoneInfo

    east = datetime(2026, 12, 7, 19, 0, tzinfo=ZoneInfo("America/New_York"))
    central = east.astimezone(ZoneInfo("America/Chicago"))
    assert east == central  # one instant
    lines = [ical._moment_line("DTSTART", moment, str(moment.tzinfo)) for moment in (east, central)]
    assert lines[0] == (b"DTSTART;TZID=America/New_York:20261207T190000", "America/New_York")
    assert lines[1] == (b"DTSTART;TZID=America/Chicago:20261207T180000", "America/Chicago")


def test_the_groups_records_saved_for_the_calendars_worker_load_as_the_export_loads_them(con, tmp_path):
    found = group_records(con)
    side = tmp_path / "it's here"  # a quote in the path
    side.mkdir()
    saved = records.save_groups(con, side / "groups.duckdb")
    groups = [record for record in found if record["kind"] == "group"]
    assert groups and len(groups) < len(found)
    assert records.load_groups(saved) == groups

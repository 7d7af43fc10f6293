"""Schedules and attendance in the warehouse: rules from sources and prose, re-runs, failed
sources, the attendance rules, and the schedule columns of the export."""

import csv
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from schemas.listing import ParsedListing
from schemas.run import RunSummary, SourceOutcome
from schemas.schedule import ScheduleRule
from warehouse import db, normalize, stage, udfs
from warehouse.publish import export

FETCHED = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
SHA = "b" * 64
LEXINGTON = "Lexington, KY 40507"  # a ZIP in America/New_York
MONDAY_7PM = ScheduleRule(freq="WEEKLY", byday="MO", opens_at="19:00", closes_at="20:00")


def group(key: str, **fields) -> ParsedListing:
    """A parsed support group with defaults for the identity fields."""
    base = {"source": "dbsa", "source_key": key, "kind": "group", "organization": "DBSA", "name": key,
            "source_url": "https://www.dbsalliance.org/x", "fetched_at": FETCHED, "content_sha256": SHA}
    return ParsedListing(**{**base, **fields})


def run(con, run_id: str, listings: list[ParsedListing], status: str = "ok", source: str = "dbsa",
        at: datetime = FETCHED) -> None:
    """Stage and normalize one run of one source."""
    stage.start_run(con, RunSummary(run_id=run_id, mode="replay", started_at=at, warehouse=":memory:"))
    outcome = SourceOutcome(source=source, status=status, listings=len(listings),
                            reason=None if status == "ok" else "FetchFailed: HTTP 503")
    stage.record_source(con, run_id, outcome, [], listings if status == "ok" else [])
    normalize.normalize_run(con, run_id, at)



def schedule_rows(con, key: str) -> list[tuple]:
    """(position, freq, interval, byday, opens_at, closes_at, timezone, origin) of one listing."""
    return con.execute(
        "SELECT s.position, s.freq, s.interval, s.byday, s.opens_at, s.closes_at, s.timezone, s.origin "
        "FROM schedules AS s JOIN listings AS l USING (listing_id) WHERE l.source_key = ? ORDER BY 1",
        [key]).fetchall()


def listing_field(con, key: str, column: str):
    return con.execute(f"SELECT {column} FROM listings WHERE source_key = ?", [key]).fetchall()[0][0]


def test_prose_gives_text_rules_with_the_texts_zone_else_the_places(con):
    run(con, "r1", [
        group("young-adults", address=LEXINGTON, schedule_text="Meets 2nd & 4th Tuesdays, 7-8:30 pm."),
        group("sa-friday", schedule_text="Fridays 10:00 AM Central Time"),
        group("nowhere", schedule_text="Tues/Thurs 6:30pm"),
    ])
    assert schedule_rows(con, "young-adults") == \
        [(0, "MONTHLY", 1, "2TU,4TU", "19:00", "20:30", "America/New_York", "text")]
    assert schedule_rows(con, "sa-friday") == \
        [(0, "WEEKLY", 1, "FR", "10:00", None, "America/Chicago", "text")]
    assert schedule_rows(con, "nowhere") == [(0, "WEEKLY", 1, "TU,TH", "18:30", None, None, "text")]
    assert db.failed_checks(con) == {}


def test_two_clauses_give_two_rows_in_order(con):
    run(con, "r1", [group("twice", schedule_text=(
        "meets twice a week on Mondays at 7 p.m. Central Time and Wednesdays at 6 p.m. Central Time"))])
    assert schedule_rows(con, "twice") == [
        (0, "WEEKLY", 1, "MO", "19:00", None, "America/Chicago", "text"),
        (1, "WEEKLY", 1, "WE", "18:00", None, "America/Chicago", "text")]


def test_source_rules_win_over_prose_and_get_the_places_zone(con):
    stated = ScheduleRule(freq="WEEKLY", byday="SA", opens_at="09:00", timezone="America/Phoenix")
    run(con, "r1", [group("feed", address=LEXINGTON, schedule=(MONDAY_7PM, stated),
                          schedule_text="Tuesdays at 8pm")])
    assert schedule_rows(con, "feed") == [
        (0, "WEEKLY", 1, "MO", "19:00", "20:00", "America/New_York", "source"),
        (1, "WEEKLY", 1, "SA", "09:00", None, "America/Phoenix", "source")]


def test_refused_prose_keeps_its_text_and_gets_no_rows(con):
    run(con, "r1", [group("zoom", schedule_text="Meets weekly on Zoom"),
                    group("vague", schedule_text="Mondays at 7")])
    assert schedule_rows(con, "zoom") == [] and schedule_rows(con, "vague") == []
    assert listing_field(con, "zoom", "schedule_text") == "Meets weekly on Zoom"
    assert listing_field(con, "vague", "schedule_text") == "Mondays at 7"


def test_a_rerun_replaces_rows_and_never_duplicates_them(con):
    run(con, "r1", [group("g", schedule_text="Mondays and Wednesdays at 7pm ET"),
                    group("h", schedule_text="Sundays at 3:00 PM ET")])
    run(con, "r2", [group("g", schedule_text="Mondays and Wednesdays at 7pm ET"),
                    group("h", schedule_text="Sundays at 3:00 PM ET")], at=FETCHED + timedelta(days=7))
    assert con.execute("SELECT count(*) FROM schedules").fetchall() == [(2,)]
    run(con, "r3", [group("g", schedule_text="Thursdays 6pm PT"), group("h", schedule_text="Call us")],
        at=FETCHED + timedelta(days=14))
    assert schedule_rows(con, "g") == [(0, "WEEKLY", 1, "TH", "18:00", None, "America/Los_Angeles", "text")]
    assert schedule_rows(con, "h") == []  # the source no longer states a time: the old rule goes


def test_a_failed_source_keeps_its_rows(con):
    run(con, "r1", [group("g", schedule_text="Mondays 7pm Eastern.")])
    before = schedule_rows(con, "g")
    run(con, "r3", [], status="failed")
    assert before and schedule_rows(con, "g") == before


def test_meeting_types_and_location_name_reach_the_listings(con):
    run(con, "r1", [group("m", meeting_types=(" o ", "tc", ""), location_name="St. Mark&#8217;s Church")])
    assert listing_field(con, "m", "meeting_types") == ["O", "TC"]
    assert listing_field(con, "m", "location_name") == "St. Mark’s Church"


STREET = "205 E. Short St.\nLexington, KY 40507"
ATTENDANCE = [
    ("in_person", {"address": STREET}),
    ("in_person", {"address": STREET, "meeting_types": ("O",)}),
    ("online", {"conference_url": "https://zoom.us/j/123"}),
    ("online", {"schedule_text": "Meets Saturdays 10:00 a.m.–noon via Zoom."}),
    ("online", {"description": "A virtual group.", "registration_url": "https://example.org/register"}),
    ("hybrid", {"address": STREET, "conference_url": "https://zoom.us/j/123"}),
    ("hybrid", {"address": STREET, "description": "In person and online."}),
    ("phone", {"conference_phone": "(859) 555-0100"}),
    ("phone", {"description": "A conference call group; numbers after registration."}),
    ("unknown", {"address": "Lexington, KY"}),  # a city is not a place to go
    ("unknown", {"address": "PO Box 12\nLexington, KY 40507"}),
    ("unknown", {}),
    # Meeting Guide TC: the location is temporarily closed.
    ("online", {"address": STREET, "meeting_types": ("TC",), "conference_url": "https://zoom.us/j/123"}),
    ("phone", {"address": STREET, "meeting_types": ("TC",), "conference_phone": "(859) 555-0100"}),
    ("unknown", {"address": STREET, "meeting_types": ("TC",)}),
    ("unknown", {"address": STREET, "meeting_types": ("TC",), "attendance": "in_person"}),
    # The parser's explicit attendance wins over the derived rules.
    ("phone", {"attendance": "phone", "description": "Zoom or phone"}),
    ("online", {"attendance": "online", "address": STREET}),
]


@pytest.mark.parametrize(("expected", "fields"), ATTENDANCE,
                         ids=[f"{expected}-{i}" for i, (expected, _) in enumerate(ATTENDANCE)])
def test_attendance_rules(con, expected: str, fields: dict):
    run(con, "r1", [group("a", **fields)])
    assert listing_field(con, "a", "attendance") == expected


def test_chapters_follow_the_same_rules_as_groups(con):
    """A chapter's street is a place to go; its text says how its groups meet (issue 14)."""
    run(con, "r1", [group("c", kind="chapter", address=STREET, description="Groups meet online."),
                    group("s", kind="chapter", address=STREET),
                    group("n", kind="chapter", description="See our website for the group calendar."),
                    group("v", kind="chapter", attendance="online")])
    assert listing_field(con, "c", "attendance") == "hybrid"
    assert listing_field(con, "s", "attendance") == "in_person"
    assert listing_field(con, "n", "attendance") == "unknown"
    assert listing_field(con, "v", "attendance") == "online"


def test_a_withheld_join_link_stays_withheld(con):
    run(con, "r1", [group("call", attendance="phone", registration_url="https://sardaa.org/call-registration/",
                          schedule_text="Tuesdays at 8:00 PM ET")])
    assert listing_field(con, "call", "conference_url") is None
    assert listing_field(con, "call", "conference_phone") is None
    assert listing_field(con, "call", "registration_url") == "https://sardaa.org/call-registration/"


def test_data_check_catches_a_broken_schedule_row(con):
    run(con, "r1", [group("g", schedule_text="Mondays 7pm Eastern.")])
    con.execute("UPDATE schedules SET byday = '2MO' WHERE position = 0")  # an ordinal in a weekly rule
    assert db.failed_checks(con) == {"checks/schedules_valid": 1}


def test_export_carries_the_schedule_and_the_next_meeting(con, tmp_path: Path):
    from frictionless import Package

    run(con, "r1", [group("g", address=LEXINGTON, schedule_text="2nd & 4th Tuesdays, 7-8:30 pm"),
                    group("none", schedule_text="Meets weekly on Zoom")])
    before = datetime.now(UTC)
    export.export_directory(con, tmp_path / "out", "r1", [])
    out = tmp_path / "out"
    rule = {"freq": "MONTHLY", "interval": 1, "byday": "2TU,4TU", "opens_at": "19:00", "closes_at": "20:30",
            "timezone": "America/New_York"}
    rows = {r["source_key"]: r for r in csv.DictReader((out / "listings.csv").open(encoding="utf-8"))}
    assert json.loads(rows["g"]["schedule"]) == [rule]
    assert rows["none"]["schedule"] == "" and rows["none"]["next_meeting_at"] == ""
    next_meeting = datetime.fromisoformat(rows["g"]["next_meeting_at"])
    assert next_meeting > before and next_meeting - before < timedelta(days=32)
    assert next_meeting.strftime("%a %H:%M") == "Tue 19:00" and (next_meeting.day - 1) // 7 in (1, 3)
    assert next_meeting.utcoffset() in (timedelta(hours=-5), timedelta(hours=-4))
    jsonl = {r["source_key"]: r for r in map(json.loads, (out / "listings.jsonl").read_text().splitlines())}
    assert jsonl["g"]["schedule"] == [rule] and jsonl["none"]["schedule"] == []
    assert jsonl["g"]["next_meeting_at"] == rows["g"]["next_meeting_at"]
    parquet = duckdb.sql(f"SELECT source_key, schedule, next_meeting_at FROM '{out / 'listings.parquet'}' "
                         "ORDER BY source_key").fetchall()
    assert parquet == [("g", [rule], rows["g"]["next_meeting_at"]), ("none", [], None)]
    report = Package(str(out / "datapackage.json")).get_resource("listings-csv").validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_next_meeting_udf_skips_a_broken_rule_and_handles_nothing():
    now = datetime(2026, 12, 1, tzinfo=UTC)
    good = MONDAY_7PM.model_copy(update={"timezone": "America/Chicago"}).model_dump()
    # 00:00 UTC on 1 December is 18:00 on Monday 30 November in Chicago.
    assert udfs.next_meeting_at([{**good, "byday": "XX"}, good], now) == "2026-11-30T19:00:00-06:00"
    assert udfs.next_meeting_at([], now) is None and udfs.next_meeting_at(None, now) is None
    assert udfs.schedule_rules("Meets monthly", "America/Chicago") == []

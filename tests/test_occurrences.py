"""Occurrences of schedule rules: daylight saving, zones without it, monthly ordinals, intervals."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from schemas.schedule import ScheduleRule
from warehouse.schedules.occurrences import next_occurrence, occurrences, rrule_text

NY = ZoneInfo("America/New_York")


def rule(byday: str, opens: str, tz: str | None = "America/New_York", freq: str = "WEEKLY",
         interval: int = 1) -> ScheduleRule:
    return ScheduleRule(freq=freq, interval=interval, byday=byday, opens_at=opens, timezone=tz)


def iso(moments: list[datetime]) -> list[str]:
    return [m.isoformat() for m in moments]


def test_new_york_spring_forward_keeps_the_wall_clock_time():
    # DST starts Sunday 8 March 2026: 7 p.m. is -05:00 the week before and -04:00 after.
    after = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    assert iso(occurrences(rule("SU", "19:00"), after, count=3)) == [
        "2026-03-01T19:00:00-05:00", "2026-03-08T19:00:00-04:00", "2026-03-15T19:00:00-04:00"]


def test_new_york_fall_back_keeps_the_wall_clock_time():
    # DST ends Sunday 1 November 2026.
    after = datetime(2026, 10, 26, tzinfo=UTC)
    assert iso(occurrences(rule("MO", "19:00"), after, count=2)) == [
        "2026-10-26T19:00:00-04:00", "2026-11-02T19:00:00-05:00"]


def test_a_time_that_happens_twice_is_the_first_and_one_that_never_happens_moves_forward():
    assert iso(occurrences(rule("SU", "01:30"), datetime(2026, 10, 31, tzinfo=UTC))) == \
        ["2026-11-01T01:30:00-04:00"]  # before the clocks go back
    assert iso(occurrences(rule("SU", "02:30"), datetime(2026, 3, 7, tzinfo=UTC))) == \
        ["2026-03-08T03:30:00-04:00"]  # 02:30 does not exist that night


def test_arizona_has_no_daylight_saving():
    phoenix = rule("TU", "18:00", tz="America/Phoenix")
    winter = occurrences(phoenix, datetime(2026, 3, 1, tzinfo=UTC))
    summer = occurrences(phoenix, datetime(2026, 7, 1, 12, tzinfo=UTC))
    assert iso(winter + summer) == ["2026-03-03T18:00:00-07:00", "2026-07-07T18:00:00-07:00"]


def test_monthly_last_friday():
    last_friday = rule("-1FR", "12:00", freq="MONTHLY")
    assert iso(occurrences(last_friday, datetime(2026, 1, 31, tzinfo=UTC), count=2)) == [
        "2026-02-27T12:00:00-05:00", "2026-03-27T12:00:00-04:00"]


def test_fifth_thursday_skips_months_without_one():
    # 2026: January and April have five Thursdays; February and March do not.
    fifth = rule("5TH", "19:00", freq="MONTHLY")
    assert iso(occurrences(fifth, datetime(2026, 2, 1, tzinfo=UTC), count=2)) == [
        "2026-04-30T19:00:00-04:00", "2026-07-30T19:00:00-04:00"]


def test_second_and_fourth_tuesday():
    second_and_fourth = rule("2TU,4TU", "19:00", freq="MONTHLY")
    assert iso(occurrences(second_and_fourth, datetime(2026, 12, 1, tzinfo=UTC), 3)) == [
        "2026-12-08T19:00:00-05:00", "2026-12-22T19:00:00-05:00", "2027-01-12T19:00:00-05:00"]


def test_every_other_week_needs_its_first_date():
    fortnightly = rule("TH", "12:00", interval=2)
    after = datetime(2026, 1, 9, tzinfo=UTC)
    assert occurrences(fortnightly, after) == []  # which Thursdays? not guessed
    assert next_occurrence([fortnightly], after) is None
    assert iso(occurrences(fortnightly, after, count=2, dtstart=date(2026, 1, 8))) == [
        "2026-01-22T12:00:00-05:00", "2026-02-05T12:00:00-05:00"]
    assert iso(occurrences(fortnightly, after, dtstart=date(2026, 1, 15))) == ["2026-01-15T12:00:00-05:00"]


def test_strictly_after_now():
    monday_7pm = datetime(2026, 11, 30, 19, 0, tzinfo=NY)
    assert iso(occurrences(rule("MO", "19:00"), monday_7pm)) == ["2026-12-07T19:00:00-05:00"]
    one_minute_before = datetime(2026, 11, 30, 18, 59, tzinfo=NY)
    assert iso(occurrences(rule("MO", "19:00"), one_minute_before)) == ["2026-11-30T19:00:00-05:00"]


def test_next_occurrence_is_the_earliest_instant_across_rules_and_zones():
    now = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)  # Monday 18:30 in New York, 15:30 in LA
    rules = [rule("MO", "19:00", tz="America/New_York"),  # 00:00 UTC Tuesday
             rule("MO", "16:00", tz="America/Los_Angeles"),  # 00:00 UTC Tuesday too
             rule("MO", "15:45", tz="America/Los_Angeles")]  # 23:45 UTC Monday: first
    found = next_occurrence(rules, now)
    assert found.isoformat() == "2026-11-30T15:45:00-08:00"


def test_rules_without_a_zone_or_a_time_have_no_occurrence():
    now = datetime(2026, 11, 30, tzinfo=UTC)
    no_zone = rule("MO", "19:00", tz=None)
    no_time = ScheduleRule(freq="WEEKLY", byday="MO", timezone="America/New_York")
    assert occurrences(no_zone, now) == [] and occurrences(no_time, now) == []
    assert next_occurrence([no_zone, no_time], now) is None
    assert next_occurrence([], now) is None


def test_rules_as_dicts_from_duckdb_and_bad_ones_are_errors():
    row = {"freq": "WEEKLY", "interval": 1, "byday": "WE", "opens_at": "18:00", "closes_at": None,
           "timezone": "America/Chicago"}
    found = next_occurrence([row], datetime(2026, 12, 1, tzinfo=UTC))
    assert found.isoformat() == "2026-12-02T18:00:00-06:00"
    with pytest.raises(ValueError, match="BYDAY"):
        occurrences({**row, "byday": "XX"}, datetime(2026, 12, 1, tzinfo=UTC))
    with pytest.raises(ValueError, match="timezone-aware"):
        occurrences(row, datetime(2026, 12, 1))


def test_rrule_text_is_rfc_5545():
    assert rrule_text(rule("2TU,4TU", "19:00", freq="MONTHLY")) == "FREQ=MONTHLY;INTERVAL=1;BYDAY=2TU,4TU"
    assert rrule_text(rule("TH", "12:00", interval=2)) == "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH"

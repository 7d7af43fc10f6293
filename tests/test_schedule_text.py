"""The schedule-phrase parser: each phrase pattern it supports, and each it must refuse."""

import pytest

from schemas.schedule import ScheduleRule
from warehouse.schedules.text import parse_schedule

# The listing's own zone in these tests: distinct from every zone a text can name, so a test
# shows whether a rule's zone came from the text or from the listing.
PLACE = "America/Indiana/Indianapolis"
NY, CHI, DEN, PHX, LA, AK, HI = (
    "America/New_York", "America/Chicago", "America/Denver", "America/Phoenix",
    "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu",
)


def weekly(byday: str, opens: str, closes: str | None = None, tz: str | None = PLACE,
           interval: int = 1) -> ScheduleRule:
    return ScheduleRule(freq="WEEKLY", interval=interval, byday=byday, opens_at=opens, closes_at=closes,
                        timezone=tz)


def monthly(byday: str, opens: str, closes: str | None = None, tz: str | None = PLACE) -> ScheduleRule:
    return ScheduleRule(freq="MONTHLY", byday=byday, opens_at=opens, closes_at=closes, timezone=tz)


PHRASES = [
    # From issue 3.
    ("2nd & 4th Tuesdays, 7-8:30 pm", [monthly("2TU,4TU", "19:00", "20:30")]),
    ("meets twice a week on Mondays at 7 p.m. Central Time and Wednesdays at 6 p.m. Central Time",
     [weekly("MO", "19:00", tz=CHI), weekly("WE", "18:00", tz=CHI)]),
    ("every other Thursday at noon ET", [weekly("TH", "12:00", tz=NY, interval=2)]),
    ("first Saturday of the month 10am", [monthly("1SA", "10:00")]),
    ("Tues/Thurs 6:30pm", [weekly("TU,TH", "18:30")]),
    ("daily at 8 PM EST", [weekly("MO,TU,WE,TH,FR,SA,SU", "20:00", tz=NY)]),
    # The DBSA sample pages (scrapers/sample/dbsa).
    ("Meets Wednesdays at 7 p.m. at the Santa Ana Public Library, 26 Civic Center Plaza.",
     [weekly("WE", "19:00")]),
    ("Meets Saturdays 10:00 a.m.–noon via Zoom.", [weekly("SA", "10:00", "12:00")]),
    ("Meets 2nd & 4th Tuesdays, 7-8:30 pm at Norton Commons Library.",
     [monthly("2TU,4TU", "19:00", "20:30")]),
    ("Tues/Thurs 6:30pm at St. Matthews Episcopal Church, 330 N. Hubbards Ln.", [weekly("TU,TH", "18:30")]),
    ("Meets every Monday, 7:00–8:30 p.m. at Central Christian Church, 205 E. Short St., Lexington.",
     [weekly("MO", "19:00", "20:30")]),  # "Central" names a church here, not a time zone
    ("Meets the first Thursday of every month at 6 p.m.", [monthly("1TH", "18:00")]),
    ("We meet Sundays at 2:30 PM at the Main Library.", [weekly("SU", "14:30")]),
    ("Meets Wednesdays 7pm at Asbury First United Methodist Church.", [weekly("WE", "19:00")]),
    # The S&PAA sample page (scrapers/sample/sardaa).
    ("When: Sundays at 3:00 PM ET", [weekly("SU", "15:00", tz=NY)]),
    ("Mondays 7pm Eastern.", [weekly("MO", "19:00", tz=NY)]),
    ("Tuesday & Thursday 1:00 p.m. Pacific", [weekly("TU,TH", "13:00", tz=LA)]),
    ("Wednesdays, 12:00 PM – 1:00 PM CT", [weekly("WE", "12:00", "13:00", tz=CHI)]),
    ("Thursdays at 6:30 p.m. ET.", [weekly("TH", "18:30", tz=NY)]),
    ("Fridays 10:00 AM Central Time", [weekly("FR", "10:00", tz=CHI)]),
    ("Saturdays at 11 a.m. PT – open to anyone living with schizophrenia", [weekly("SA", "11:00", tz=LA)]),
    ("Mondays at 8:00 PM ET on Zoom.", [weekly("MO", "20:00", tz=NY)]),
    ("2nd and 4th Wednesdays, 7:00 – 8:30 p.m. Eastern", [monthly("2WE,4WE", "19:00", "20:30", tz=NY)]),
    ("Thursdays 5pm PT.", [weekly("TH", "17:00", tz=LA)]),
    ("Sundays 7:00 pm Eastern", [weekly("SU", "19:00", tz=NY)]),
    ("Monday – Friday, 9:00 a.m. – 5:00 p.m. ET", [weekly("MO,TU,WE,TH,FR", "09:00", "17:00", tz=NY)]),
    # Day lists, ranges and plurals.
    ("Mon-Fri 12:00 p.m.", [weekly("MO,TU,WE,TH,FR", "12:00")]),
    ("Mondays and Wednesdays at 7pm", [weekly("MO,WE", "19:00")]),
    ("Mon, Wed & Fri at 6:30pm", [weekly("MO,WE,FR", "18:30")]),
    ("Monday through Thursday, 6-7:30 p.m.", [weekly("MO,TU,WE,TH", "18:00", "19:30")]),
    ("weekdays at noon", [weekly("MO,TU,WE,TH,FR", "12:00")]),
    ("Weekends 9am", [weekly("SA,SU", "09:00")]),
    ("Every day at 7:30 a.m.", [weekly("MO,TU,WE,TH,FR,SA,SU", "07:30")]),
    ("Sat. & Sun. 10 AM", [weekly("SA,SU", "10:00")]),
    # Times: ranges, 24-hour, noon, a range's am/pm carried to its start, durations.
    ("Thursdays from 6 to 7:30 PM", [weekly("TH", "18:00", "19:30")]),
    ("Tuesdays 11-12:30 pm", [weekly("TU", "11:00", "12:30")]),  # 11 pm would end before it starts
    ("Tuesdays at 19:00", [weekly("TU", "19:00")]),
    ("Sundays at 12 noon", [weekly("SU", "12:00")]),
    ("Fridays 7pm-9", [weekly("FR", "19:00", "21:00")]),
    ("Mondays at 7 p.m. for 90 minutes", [weekly("MO", "19:00", "20:30")]),
    ("Wednesdays at 7 in the evening", [weekly("WE", "19:00")]),
    ("Tuesdays, 7 pm, and Thursdays, 10 am", [weekly("TU", "19:00"), weekly("TH", "10:00")]),
    ("Sundays 10:30 AM & Wednesdays 7 PM", [weekly("SU", "10:30"), weekly("WE", "19:00")]),
    ("7 p.m. every Tuesday", [weekly("TU", "19:00")]),
    ("Mondays at 7pm and Wednesdays at 7pm", [weekly("MO,WE", "19:00")]),
    # Monthly ordinals.
    ("1st and 3rd Mon at 6pm", [monthly("1MO,3MO", "18:00")]),
    ("last Friday, noon–1:30 p.m. ET", [monthly("-1FR", "12:00", "13:30", tz=NY)]),
    ("Third Thursday of each month at 7 PM Mountain Time", [monthly("3TH", "19:00", tz=DEN)]),
    ("the 2nd Tuesday of every month, 6:30-8 p.m.", [monthly("2TU", "18:30", "20:00")]),
    ("2nd Tuesday and 4th Thursday at 7pm", [monthly("2TU,4TH", "19:00")]),
    ("At noon on the first Saturday of the month", [monthly("1SA", "12:00")]),
    ("Meets monthly on the 3rd Wednesday at 6 pm", [monthly("3WE", "18:00")]),
    ("Mondays at 7pm and the last Saturday at 10am",
     [weekly("MO", "19:00"), monthly("-1SA", "10:00")]),
    # Every other week.
    ("Every other week on Tuesday at 6pm PT", [weekly("TU", "18:00", tz=LA, interval=2)]),
    ("Alternate Wednesdays, 5:30pm", [weekly("WE", "17:30", interval=2)]),
    # Time zones.
    ("Fridays 7:30pm MST (Arizona)", [weekly("FR", "19:30", tz=PHX)]),
    ("Saturdays at 10am Arizona time", [weekly("SA", "10:00", tz=PHX)]),
    ("Mondays at 6pm Alaska Time", [weekly("MO", "18:00", tz=AK)]),
    ("Wednesdays 5 p.m. HST", [weekly("WE", "17:00", tz=HI)]),
    ("Tuesdays 8 PM EST/EDT", [weekly("TU", "20:00", tz=NY)]),
    ("Tuesdays 7pm ET / 4pm PT", [weekly("TU", "19:00", tz=NY)]),  # one meeting, two zones
    ("Mondays 7pm Eastern, Wednesdays 7pm Pacific",
     [weekly("MO", "19:00", tz=NY), weekly("WE", "19:00", tz=LA)]),
    ("Mondays at 7pm and Thursdays at 1pm. All times are Eastern.",
     [weekly("MO", "19:00", tz=NY), weekly("TH", "13:00", tz=NY)]),
    ("Thursdays 6pm MT", [weekly("TH", "18:00", tz=DEN)]),
    ("Tuesdays 7pm (Pacific Time)", [weekly("TU", "19:00", tz=LA)]),
    ("Thursdays 7pm ET (6pm CT)", [weekly("TH", "19:00", tz=NY)]),
    ("This group meets every Tuesday at 7:00 p.m. ET / 6:00 p.m. CT / 4:00 p.m. PT.",
     [weekly("TU", "19:00", tz=NY)]),
    ("Meets Sundays at 4 p.m. Pacific Time (7 p.m. Eastern Time)", [weekly("SU", "16:00", tz=LA)]),
    ("1st & 3rd Mondays of the month 7:00pm - 8:30pm CST", [monthly("1MO,3MO", "19:00", "20:30", tz=CHI)]),
    ("Every Monday and Thursday from 12-1:30 pm PT", [weekly("MO,TH", "12:00", "13:30", tz=LA)]),
    # More shapes seen in listings.
    ("Sun 3pm", [weekly("SU", "15:00")]),
    ("Every second Thursday of the month, 7pm", [monthly("2TH", "19:00")]),
    ("Last Sunday of each month, 2-4pm", [monthly("-1SU", "14:00", "16:00")]),
    ("fifth Thursday at 7pm", [monthly("5TH", "19:00")]),
    ("Mondays 10am and 7pm", [weekly("MO", "10:00"), weekly("MO", "19:00")]),
    ("Sundays 11pm-1am", [weekly("SU", "23:00", "01:00")]),
    ("SA Call – Tuesday Night Tuesdays at 8:00 PM ET", [weekly("TU", "20:00", tz=NY)]),
    ("three times a week: Mon, Wed, Fri 8am", [weekly("MO,WE,FR", "08:00")]),
]

REFUSED = [
    "Meets weekly on Zoom",
    "Call for meeting times",
    "Evenings",
    "Tuesday",
    "7pm",
    "Meets monthly",
    "2nd Tuesday",
    "Mondays at 7",  # am or pm?
    "Tuesdays 7:00",  # am or pm?
    "Mondays 6-8",
    "Thursday evenings",
    "Tuesdays or Wednesdays at 7pm",  # one or the other
    "Mondays at 7 or 7:30 pm",
    "Every 2nd Tuesday at 7pm",  # every other week, or the second of the month?
    "Biweekly on Thursdays at 6pm",  # twice a week, or every two weeks?
    "Meets monthly on Tuesdays at 7pm",  # which Tuesday?
    "Twice a month on Tuesdays at 7 pm",
    "Meets twice a week on Mondays at 7pm",  # says two, names one
    "Mondays at 7pm ET / 5pm PT",  # two different instants for one meeting
    "Mondays at 7pm, Tuesdays",  # a day without a time
    "Mondays 7pm Eastern and Tuesdays 6pm Pacific and Fridays 5pm",  # which zone for Friday?
    "Meets Mondays at 7pm except holidays",
    "Mondays at 7pm (no meetings in August)",
    "Wednesday, January 15 at 7pm",
    "Every Monday at 7 p.m. starting 3/2",
    "Days and times vary; check our calendar",
    "Saturdays at 10am BST",
    "Every other 2nd Tuesday at 7pm",
    "Groups meet weekly in person in Cincinnati and Florence, and online.",
    "Office closed Fridays; groups Mondays 7pm",  # two different sets of days, one time
    "Meets at 7 Main Street on Tuesdays at 7pm",  # "at 7" could be a time
    "Doors open at 6:30, meeting Mondays 7pm",
    "Seven weekly groups in Costa Mesa, Santa Ana and Laguna Hills. Call or email for the current schedule.",
    "Contact us through our website for meeting times and locations.",
    "",
]


def test_the_phrase_set_is_large_enough():
    assert len(PHRASES) >= 40
    assert len(REFUSED) >= 25


@pytest.mark.parametrize(("text", "rules"), PHRASES, ids=[t for t, _ in PHRASES])
def test_phrase(text: str, rules: list[ScheduleRule]):
    assert parse_schedule(text, PLACE) == rules


@pytest.mark.parametrize("text", REFUSED, ids=[t or "(empty)" for t in REFUSED])
def test_refused(text: str):
    assert parse_schedule(text, PLACE) == []


def test_a_time_without_a_zone_takes_the_texts_one_zone():
    assert parse_schedule("Mondays 7pm ET, Tuesdays 6pm", PLACE) == \
        [weekly("MO", "19:00", tz=NY), weekly("TU", "18:00", tz=NY)]


def test_no_zone_in_the_text_and_none_for_the_listing_leaves_the_zone_empty():
    assert parse_schedule("Tues/Thurs 6:30pm", None) == [weekly("TU,TH", "18:30", tz=None)]


def test_none_is_no_schedule():
    assert parse_schedule(None, PLACE) == []


def test_a_bad_default_zone_is_an_error_not_a_refusal():
    with pytest.raises(Exception, match="Nowhere/Land"):
        parse_schedule("Mondays 7pm", "Nowhere/Land")


def test_sun_and_sat_as_words_are_not_days():
    assert parse_schedule("Sun City group at 7pm", PLACE) == []

"""The fast fold writes every content line byte for byte as icalendar's own serializer does."""

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar.parser import Contentline

from benchmarks.calendar_events import icalendar_event
from warehouse.publish import ical
from warehouse.publish.ical_lines import LIMIT, fold

# Lines made of what folds differently: ASCII, escapes, two-, three- and four-octet characters.
ALPHABET = st.sampled_from([*'ab ,;:\\^n"', "é", "ß", "’", "—", "中", "😀", "\u0301"])
ANY_TEXT = st.text(max_size=300).map(lambda text: text.replace("\n", ""))
LINES = st.text(alphabet=ALPHABET, max_size=400) | ANY_TEXT


def icalendar_fold(line: str) -> bytes:
    """How icalendar folds and encodes one content line."""
    return Contentline(line).to_ical()


@settings(max_examples=600, deadline=None)
@given(LINES)
def test_a_line_is_folded_as_icalendar_folds_it(line):
    assert fold(line) == icalendar_fold(line)


def test_an_escape_at_the_fold_starts_the_next_line():
    line = "DESCRIPTION:" + "a" * (LIMIT - 13) + "\\,more"
    folded = fold(line)
    assert folded == icalendar_fold(line)
    assert folded.split(b"\r\n ")[1].startswith(b"\\,")


@pytest.mark.parametrize("lead", ["", "é", "中", "😀"])
@pytest.mark.parametrize("offset", range(60, 80))
def test_an_escape_near_a_fold_is_placed_as_icalendar_places_it(lead, offset):
    line = "DESCRIPTION:" + lead + "a" * (offset - 12) + "\\,x^^" + "中" * 30
    assert fold(line) == icalendar_fold(line)


def test_a_long_ascii_line_folds_every_74_octets():
    folded = fold("X" * 200).split(b"\r\n ")
    assert [len(piece) for piece in folded] == [74, 74, 52]


def test_a_character_is_never_split_across_lines():
    line = "SUMMARY:" + "中" * 60
    pieces = fold(line).split(b"\r\n ")
    assert all(piece.decode("utf-8") for piece in pieces)  # each piece decodes on its own
    assert max(len(piece) for piece in pieces) <= LIMIT
    assert fold(line) == icalendar_fold(line)


TEXT = st.text(max_size=200).map(lambda text: text.replace("\r", ""))
# A website is a cleaned URL (schemas.urls): never a line break, which icalendar's vUri refuses.
URL_TEXT = TEXT.map(lambda text: text.replace("\n", ""))
ZONES = ["America/New_York", "America/Phoenix", "Pacific/Honolulu", "Europe/London"]
RULES = st.fixed_dictionaries({  # weekly: a rule every 2 weeks with no first date makes no event
    "freq": st.just("WEEKLY"), "interval": st.just(1), "byday": st.sampled_from(["MO", "TH", "SA,SU"]),
    "opens_at": st.sampled_from(["00:00", "07:30", "19:00", "23:45"]),
    "closes_at": st.sampled_from([None, "08:30", "20:00", "00:15"]), "timezone": st.sampled_from(ZONES)})


@settings(max_examples=200, deadline=None)
@given(TEXT, TEXT, TEXT, st.lists(TEXT, max_size=3), st.sampled_from(["active", "inactive"]),
       st.sampled_from(["in_person", "online", "hybrid", "phone"]), st.one_of(st.none(), URL_TEXT), RULES)
def test_an_event_is_the_bytes_icalendars_event_writes(name, description, street, topics, status,
                                                      attendance, website, rule):
    record = {"listing_id": "0007ab44-80af-533e-9492-411849dbf9e6", "name": name, "status": status,
              "description": description, "street": street, "city": "Coleman", "state": "GA",
              "postal_code": "39836", "topics": topics, "audiences": ["women"] if status == "active" else [],
              "attendance": attendance, "website": website, "registration_url": None, "phone": None,
              "email": None, "conference_url": None, "source": "meetingguide", "location_name": None,
              "source_url": "https://aa.example.org/meetings?x=1&y=2", "last_seen": "2026-12-03T14:47:11Z"}
    rule = {key: value for key, value in rule.items() if value is not None}
    now = datetime(2026, 12, 3, 18, 0, tzinfo=UTC)
    made = ical._event(record, 2, rule, now)
    assert made.data == icalendar_event(record, 2, rule, now)
    assert made.uid == "0007ab44-80af-533e-9492-411849dbf9e6-2@supportdir" and made.tzid == rule["timezone"]

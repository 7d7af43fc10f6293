"""The fast fold writes every content line byte for byte as icalendar's own serializer does."""

from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Event, vRecur
from icalendar.parser import Contentline

from warehouse.publish.ical_lines import LIMIT, fold, serialized

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


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=500), st.text(max_size=120), st.text(max_size=120))
def test_an_event_is_serialized_as_icalendar_serializes_it(description, summary, location):
    event = Event()
    event.add("uid", "nami-12-0@supportdir")
    event.add("dtstamp", datetime(2026, 12, 3, 18, 0, tzinfo=UTC))
    event.add("summary", summary)
    event.add("rrule", vRecur.from_ical("FREQ=WEEKLY;BYDAY=MO,WE"))
    event.add("description", description)
    event.add("location", location)
    event.add("categories", ["support group", "family; friends"])
    assert serialized(event) == event.to_ical()

"""Tests of the DBSA national online groups page (scrapers/sample/dbsa/dbsa_national_online_groups.html)."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from schemas.errors import SourceChanged
from schemas.listing import ParsedListing
from scrapers.page import Page
from scrapers.sample import sample_page
from scrapers.sources.dbsa import Dbsa

FILES = Path(__file__).parent / "files"
ONLINE = "https://www.dbsalliance.org/support/dbsa-national-online-cultural-and-identity-focused-support-group-offerings/"
FETCHED = datetime(2026, 11, 20, 6, tzinfo=UTC)


@pytest.fixture(scope="module")
def groups() -> dict[str, ParsedListing]:
    """The online page parsed once, by source key (in page order)."""
    page = sample_page("dbsa", "dbsa_national_online_groups.html")
    assert page.url == ONLINE
    parsed = Dbsa().parse_page(page)
    return {item.source_key: item for item in parsed}


def test_count_and_order(groups) -> None:
    """Eight group headings; the intro, the FAQ (with its questions) and "Questions?" are not groups."""
    assert list(groups) == [
        "online/young-adults", "online/lgbtq", "online/black-african-american", "online/latinx",
        "online/veterans", "online/parents", "online/women", "online/older-adults",
    ]


def test_every_group_is_national_online_and_withholds_its_link(groups) -> None:
    for item in groups.values():
        assert (item.kind, item.attendance, item.organization) == ("group", "online", "DBSA")
        assert item.state is None and item.service_area == () and item.address is None
        assert item.conference_url is None and item.conference_phone is None
        assert item.topics == ("depression", "bipolar")
        assert item.source_url == ONLINE and item.fetched_at == FETCHED
        assert item.schedule == ()  # prose only: the phrase parser turns schedule_text into rules


def test_twice_a_week_prose_and_zoom_registration(groups) -> None:
    item = groups["online/young-adults"]
    assert item.name == "Young Adult Support Group (Ages 18–30)"
    assert item.schedule_text == ("Groups meet twice a week on Mondays at 7 p.m. Central Time and "
                                  "Wednesdays at 6 p.m. Central Time.")
    assert item.registration_url == \
        "https://dbsalliance.zoom.us/meeting/register/tJYkcO6gqTMuGtQ0bYpK9n3s5iQ0n1Xh2Rwx"
    assert item.audiences == ("peers", "young adults")
    assert item.description.startswith("A space for young adults ages 18 to 30")


def test_schedule_alone_in_its_paragraph(groups) -> None:
    item = groups["online/black-african-american"]
    assert item.schedule_text == "Thursdays, 7:00–8:30 p.m. ET"
    assert item.audiences == ("peers", "Black/African American")
    assert item.description.count("\n") == 1


def test_spanish_group_keeps_only_the_english_schedule_sentence(groups) -> None:
    item = groups["online/latinx"]
    assert item.name == "Latinx/Hispanic Support Group – Grupo de Apoyo en Español"
    assert item.schedule_text == (
        "This group is held in Spanish and meets on Saturdays at 11 a.m. Eastern Time."
    )
    assert item.registration_url == "https://www.dbsalliance.org/support/register-for-a-group/?group=espanol"
    assert item.audiences == ("peers", "Hispanic/Latino")
    assert item.description.startswith("Un grupo de apoyo entre pares")


def test_identity_audiences(groups) -> None:
    assert groups["online/lgbtq"].audiences == ("peers", "LGBTQ+")
    assert groups["online/veterans"].audiences == ("peers", "veterans")
    assert groups["online/older-adults"].audiences == ("peers", "older adults")
    assert groups["online/women"].audiences == ("peers", "women")


def test_parents_group_is_for_family_not_for_teens(groups) -> None:
    item = groups["online/parents"]
    assert item.audiences == ("family", "parents")
    assert item.schedule_text == "Meets the first Sunday of the month at 4 p.m. Central Time."


def test_monthly_ordinal_and_noon_phrases_kept_verbatim(groups) -> None:
    assert groups["online/veterans"].schedule_text == \
        "Meets the 2nd and 4th Wednesdays of each month at 7 p.m. Eastern."
    assert groups["online/older-adults"].schedule_text == "Meets every other Friday at noon ET."


def test_closed_registration_and_no_day_or_time(groups) -> None:
    """Women's group: no Register button (registration closed) and "Meets weekly on Zoom"."""
    item = groups["online/women"]
    assert item.registration_url is None
    assert item.schedule_text is None  # no day, no time: nothing to keep as a schedule
    assert "Registration for this group is currently closed." in item.description


def test_heading_without_anchor_falls_back_to_its_slug() -> None:
    html = (b'<div class="entry-content"><h2>Faith-Based Support Group</h2>'
            b"<p>Sundays at 6 p.m. ET.</p>"
            b'<p><a href="https://www.dbsalliance.org/support/register-for-a-group/?group=faith">'
            b"Register Now</a></p></div>")
    [item] = Dbsa().parse(Page(ONLINE, 200, {}, html, FETCHED))
    assert item.source_key == "online/faith-based-support-group"
    assert item.registration_url.endswith("?group=faith")


def test_changed_layout_raises_source_changed() -> None:
    body = (FILES / "dbsa_online_changed_layout.html").read_bytes()
    with pytest.raises(SourceChanged, match="online page") as caught:
        Dbsa().parse(Page(ONLINE, 200, {}, body, FETCHED))
    assert caught.value.url == ONLINE and caught.value.source == "dbsa"


@pytest.mark.live
def test_live_online_page_still_parses() -> None:
    """The real page still has group headings with Register links and prose schedules."""
    from tests.live import live_page

    found = list(Dbsa().parse(live_page(ONLINE)))
    assert len(found) >= 3
    assert any(item.registration_url for item in found)
    assert any(item.schedule_text for item in found)

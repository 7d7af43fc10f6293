"""Tests of the S&PAA (SARDAA) parser on the sample page and on tests/files/sardaa_* variants."""

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from schemas.errors import SourceChanged
from schemas.listing import ParsedListing
from scrapers.page import Page
from scrapers.sample import load_manifest, sample_page
from scrapers.sources.sardaa import Sardaa

FILES = Path(__file__).parent / "files"
URL = "https://sczaction.org/peer-support-groups/"
OLD_URL = "https://sardaa.org/peer-support-groups/"
FETCHED = datetime(2026, 11, 20, 6, tzinfo=UTC)
SA_REGISTER = "https://sczaction.org/register-sa-group/"
CALL_REGISTER = "https://sardaa.org/call-registration/"


def file_page(name: str, url: str) -> Page:
    """A saved test page from tests/files, as fetched from `url`."""
    body = (FILES / name).read_bytes()
    return Page(url, 200, {"Content-Type": "text/html; charset=UTF-8"}, body, FETCHED)


def by_key(listings: list[ParsedListing]) -> dict[str, ParsedListing]:
    """Listings by source key (which must be unique)."""
    keyed = {item.source_key: item for item in listings}
    assert len(keyed) == len(listings)
    return keyed


# --- the sample page, parsed once -------------------------------------------------------------


@pytest.fixture(scope="module")
def page() -> Page:
    """scrapers/sample/sardaa/sardaa_peer_support_groups.html stands for URL."""
    return sample_page("sardaa", "sardaa_peer_support_groups.html")


@pytest.fixture(scope="module")
def listings(page: Page) -> dict[str, ParsedListing]:
    """The sample page through parse_all."""
    return by_key(Sardaa().parse_all([page]))


def test_identity_and_start_url() -> None:
    assert Sardaa().start_urls() == [URL] == [r.url for r in load_manifest("sardaa")]
    assert Sardaa.organization == "S&PAA (formerly SARDAA)" and Sardaa.min_interval == 1.0


def test_count_audiences_and_attendance(listings: dict[str, ParsedListing]) -> None:
    """Eight SA virtual groups, four family groups, two SA conference-call groups."""
    assert len(listings) == 14
    assert Counter(item.audiences for item in listings.values()) == {("peers",): 10, ("family",): 4}
    assert Counter(item.attendance for item in listings.values()) == {"online": 12, "phone": 2}


def test_common_fields(listings: dict[str, ParsedListing], page: Page) -> None:
    for item in listings.values():
        assert item.kind == "group" and item.parent_key is None
        assert item.source == "sardaa" and item.organization == "S&PAA (formerly SARDAA)"
        assert item.topics == ("schizophrenia", "psychosis")
        assert item.source_url == URL and item.fetched_at == FETCHED
        assert item.content_sha256 == page.sha256
        assert item.schedule_text and item.registration_url
        assert item.conference_url is None  # the sample publishes no join link
        assert item.conference_phone is None and item.phone is None


def test_sa_group_with_labelled_schedule(listings: dict[str, ParsedListing]) -> None:
    item = listings["sa-sunday-afternoon"]
    assert item.name == "SA Sunday Afternoon"
    assert item.schedule_text == "When: Sundays at 3:00 PM ET"
    assert item.description == "When: Sundays at 3:00 PM ET\nA relaxed group to start the week together."
    assert item.registration_url == SA_REGISTER  # the section's Register button
    assert (item.attendance, item.audiences) == ("online", ("peers",))


def test_schedule_phrasings_kept_verbatim(listings: dict[str, ParsedListing]) -> None:
    """ET/PT/CT, "7pm Eastern", "Central Time", nbsp and dashes: kept as published."""
    expected = {
        "sa-monday-evening": "Mondays 7pm Eastern.",
        "sa-wednesday-midday": "Wednesdays, 12:00 PM – 1:00 PM CT",
        "sa-friday-morning": "Fridays 10:00 AM Central Time",
        "sa-en-espanol": "Wednesdays at 8:00 PM ET.",
        "family-and-friends": "2nd and 4th Wednesdays, 7:00 – 8:30 p.m. Eastern",
    }
    assert {key: listings[key].schedule_text for key in expected} == expected


def test_group_meeting_twice_a_week_is_one_listing(listings: dict[str, ParsedListing]) -> None:
    item = listings["sa-tuesday-thursday-west-coast"]
    assert item.name == "SA Tuesday & Thursday (West Coast)"
    assert item.schedule_text == "Tuesday & Thursday 1:00 p.m. Pacific"
    assert not any(key.startswith("sa-tuesday-thursday-west-coast-") for key in listings)


def test_zoom_registration_page_is_not_a_join_link(listings: dict[str, ParsedListing]) -> None:
    item = listings["sa-young-adults"]
    assert item.registration_url == "https://us06web.zoom.us/meeting/register/tZUqd-ChrzsiHNbX4eZ8fQ"
    assert item.conference_url is None
    assert item.schedule_text == "Thursdays at 6:30 p.m. ET."


def test_family_groups(listings: dict[str, ParsedListing]) -> None:
    family = {key: item for key, item in listings.items() if item.audiences == ("family",)}
    assert sorted(item.name for item in family.values()) == [
        "Families for Care – Monday",
        "Families for Care – Saturday",
        "Family and Friends",
        "Family and Friends – West Coast",
    ]
    monday = family["families-for-care-monday"]
    assert monday.registration_url == "https://sczaction.org/families-for-care-registration/"
    assert monday.schedule_text == "Mondays at 8:00 PM ET on Zoom."
    assert family["family-and-friends-west-coast"].schedule_text == "Thursdays 5pm PT."


def test_phone_groups_get_the_registration_page_and_no_dial_in(
    listings: dict[str, ParsedListing],
) -> None:
    """ "Phone numbers are provided after registration at sardaa.org/call-registration"."""
    phone = {key: item for key, item in listings.items() if item.attendance == "phone"}
    assert sorted(phone) == ["sa-call-sunday-evening", "sa-call-tuesday-night"]
    for item in phone.values():
        assert item.registration_url == CALL_REGISTER
        assert item.conference_phone is None and item.conference_url is None
        assert item.audiences == ("peers",)
    assert phone["sa-call-tuesday-night"].name == "SA Call – Tuesday Night"
    assert phone["sa-call-sunday-evening"].schedule_text == "Sundays 7:00 pm Eastern"


def test_navigation_footer_donate_and_contact_make_no_group(listings: dict[str, ParsedListing]) -> None:
    """Header webinar, Events menu, 'Give monthly', Contact office hours, newsletter: ignored."""
    names = " ".join(item.name for item in listings.values()).lower()
    for word in ("webinar", "community call", "events", "give", "contact", "newsletter", "peer support"):
        assert word not in names
    dumped = " ".join(str(item.model_dump()) for item in listings.values())
    assert "555-0142" not in dumped and "9:00 a.m." not in dumped and "4:00 PM" not in dumped


def test_old_domain_parses_the_same(page: Page, listings: dict[str, ParsedListing]) -> None:
    """The same body served from sardaa.org gives the same groups."""
    mirrored = Page(OLD_URL, 200, page.headers, page.body, FETCHED)
    again = by_key(Sardaa().parse_page(mirrored))
    assert again.keys() == listings.keys()
    for key, item in again.items():
        assert item.source_url == OLD_URL
        assert item.model_dump(exclude={"source_url"}) == listings[key].model_dump(exclude={"source_url"})


# --- other markups of the same content ----------------------------------------------------------


def test_schedule_as_tables() -> None:
    """tests/files/sardaa_table.html as OLD_URL: a classic theme, rows with and without names."""
    found = by_key(list(Sardaa().parse(file_page("sardaa_table.html", OLD_URL))))
    assert list(found) == [
        "sa-sunday",
        "sa-monday-night",
        "sa-thursday",
        "family-and-friends-groups-tuesday-8-00-pm-et",
        "family-and-friends-groups-saturday-10-00-am-ct",
        "wednesday-call",
    ]
    sunday = found["sa-sunday"]
    assert (sunday.name, sunday.schedule_text) == ("SA Sunday", "Sunday 3:00 PM ET")
    assert sunday.registration_url == SA_REGISTER and sunday.attendance == "online"
    monday = found["sa-monday-night"]  # the page publishes this join link itself
    assert monday.conference_url == "https://us02web.zoom.us/j/81234567890"
    assert monday.registration_url is None  # not borrowed from the Sunday row
    assert found["sa-thursday"].registration_url == "https://sardaa.org/register-sa-thursday/"
    tuesday = found["family-and-friends-groups-tuesday-8-00-pm-et"]
    assert tuesday.name == "Family and Friends Groups – Tuesday 8:00 PM ET"
    assert tuesday.audiences == ("family",) and tuesday.attendance is None
    assert tuesday.registration_url == "https://us06web.zoom.us/meeting/register/tZabc123"
    call = found["wednesday-call"]
    assert call.attendance == "phone" and call.registration_url == "https://sardaa.org/call-registration/"


def test_schedule_as_lists_and_timed_headings() -> None:
    """tests/files/sardaa_list.html as URL: no <main>, list items, a heading that is a time."""
    found = by_key(list(Sardaa().parse(file_page("sardaa_list.html", URL))))
    assert [item.name for item in found.values()] == [
        "SA Sunday Group",
        "SA Tuesday Group",
        "SA Virtual Groups – Fridays 1pm PT",
        "Families for Care – Mondays at 8:00 PM ET",  # its hidden mobile copy is not repeated
    ]
    sunday = found["sa-sunday-group"]
    assert sunday.schedule_text == "Sundays 3:00 PM ET" and sunday.registration_url == SA_REGISTER
    assert found["sa-tuesday-group"].registration_url is None
    family = found["families-for-care-mondays-at-8-00-pm-et"]
    assert family.schedule_text == "Mondays at 8:00 PM ET" and family.audiences == ("family",)
    assert family.attendance == "online"
    assert family.registration_url == "https://sczaction.org/families-for-care-registration/"


def test_a_bold_label_under_a_section_heading_names_the_group() -> None:
    """tests/files/sardaa_bold_labels.html as URL (made up, Elementor widgets): groups are bold labels
    under section headings, alone in their paragraph or leading their own day and time."""
    found = by_key(list(Sardaa().parse(file_page("sardaa_bold_labels.html", URL))))
    assert {key: item.schedule_text for key, item in found.items()} == {
        "families-for-care-tuesday": "Tuesdays at 7:00 PM ET",
        "family-and-friends-west": "Thursdays 5pm PT",
        "sa-call-saturday-morning": "Saturdays at 10:00 AM Central Time",  # alone under its heading
        "sa-thursday-night": "Important: Thursdays at 8:00 PM ET.",  # "Important:" labels, not names
    }
    tuesday, west = found["families-for-care-tuesday"], found["family-and-friends-west"]
    assert tuesday.name == "Families for Care – Tuesday" and west.name == "Family and Friends – West"
    # The section heading still says whom the groups are for and how they meet.
    assert tuesday.audiences == west.audiences == ("family",)
    assert tuesday.attendance == west.attendance == "online"
    # A register link written without a scheme is the site it names, not a path under the page.
    assert tuesday.registration_url == "https://sczaction.org/families-for-care-registration/"
    call = found["sa-call-saturday-morning"]
    assert (call.name, call.attendance, call.registration_url) == (
        "SA Call – Saturday Morning", "phone", CALL_REGISTER)
    assert found["sa-thursday-night"].name == "SA Thursday Night"


def test_page_without_groups_raises_source_changed() -> None:
    """tests/files/sardaa_no_groups.html: only nav, footer and office hours name days and times."""
    with pytest.raises(SourceChanged) as raised:
        Sardaa().parse_all([file_page("sardaa_no_groups.html", URL)])
    assert raised.value.source == "sardaa" and raised.value.url == URL
    assert "sardaa" in str(raised.value) and URL in str(raised.value)


@pytest.mark.parametrize("body", [b"", b"\x00\xff not html", b'{"groups": []}', b"<html></html>"])
def test_garbage_raises_only_source_changed(body: bytes) -> None:
    with pytest.raises(SourceChanged):
        list(Sardaa().parse(Page(URL, 200, {}, body, FETCHED)))


def test_malformed_register_link_is_skipped() -> None:
    html = (
        "<main><h2>SA Group</h2><p>Sundays at 3 PM ET</p>"
        '<p><a href="http://[broken">Register</a> <a href="/register-sa/">Register here</a></p></main>'
    )
    (item,) = Sardaa().parse(Page(OLD_URL, 200, {}, html.encode(), FETCHED))
    assert item.registration_url == "https://sardaa.org/register-sa/"


# --- the live site (skipped by default) --------------------------------------------------------


@pytest.mark.live
def test_live_page_still_parses() -> None:
    """The real page still yields SA and family groups with schedules."""
    import requests

    response = requests.get(URL, timeout=30, headers={"User-Agent": "supportdir tests"})
    response.raise_for_status()
    page = Page(response.url, response.status_code, dict(response.headers), response.content, FETCHED)
    found = list(Sardaa().parse(page))
    assert len(found) >= 4 and all(item.schedule_text for item in found)
    assert {("peers",), ("family",)} <= {item.audiences for item in found}

"""Tests of the SMART Recovery source on the sample snapshot (scrapers/sample/smart/)."""

from datetime import UTC, datetime

import pytest

from schemas.listing import ParsedListing
from schemas.schedule import ScheduleRule
from scrapers.crawl import crawl
from scrapers.replay import ReplayFetcher
from scrapers.sample import load_manifest, sample_page, sample_warc
from scrapers.sources.smart import Smart

BASE = "https://meetings.smartrecovery.org"
FETCHED = datetime(2026, 11, 20, 6, tzinfo=UTC)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """The sample crawled through replay: the sitemap, eight meeting pages, one 404."""
    return crawl(Smart(), ReplayFetcher([sample_warc(tmp_path_factory.mktemp("warc"))]))


@pytest.fixture(scope="module")
def listings(crawled) -> dict[str, ParsedListing]:
    """Every listing, by meeting id."""
    return {item.source_key: item for item in Smart().parse_all(crawled.pages)}


def test_sitemap_gives_only_meeting_pages() -> None:
    links = [link.url for link in Smart().discover(sample_page("smart", "smart_sitemap.xml"))]
    assert len(links) == 9 and all(url.startswith(f"{BASE}/meetings/4") for url in links)
    assert load_manifest("smart")[0].url == f"{BASE}/sitemap.xml"


def test_counts_the_removed_page_and_the_ended_series(crawled, listings) -> None:
    assert len(crawled.pages) == 9
    assert crawled.skipped == [(f"{BASE}/meetings/48299/", "HTTP 404")]
    assert sorted(listings) == ["48213", "48220", "48231", "48240", "48252", "48271", "48280"]
    assert "48263" not in listings  # UNTIL=20250630: ended before the fetch


def test_common_fields(listings) -> None:
    for item in listings.values():
        assert (item.source, item.kind, item.organization) == ("smart", "group", "SMART Recovery")
        assert item.topics == ("substance use", "addiction")
        assert item.source_url == f"{BASE}/meetings/{item.source_key}/" and item.fetched_at == FETCHED
        assert len(item.schedule) == 1 and item.schedule_text is None
        assert item.description.startswith("Program: ")
        assert "Facilitator" not in (item.description or "") and item.phone is None and item.email is None


def test_in_person_meeting(listings) -> None:
    item = listings["48213"]
    assert item.name == "Tuesday Evening SMART Recovery – Nob Hill"
    assert item.schedule == (ScheduleRule(freq="WEEKLY", byday="TU", opens_at="18:30", closes_at="20:00",
                                          timezone="America/Los_Angeles"),)
    assert (item.street, item.city, item.state, item.postal_code) == \
        ("1187 Franklin St", "San Francisco", "CA", "94109")
    assert item.location_name == "First Unitarian Universalist Church"
    assert item.conference_url is None and item.audiences == ()  # "Audiences: Everyone"
    assert item.attendance is None  # no "Online Meeting" card: left to the warehouse (in person)
    assert item.description == "Program: SMART Recovery\nAudiences: Everyone\nLanguages: English"


def test_online_meeting_twice_a_week(listings) -> None:
    item = listings["48220"]
    assert item.schedule[0].byday == "MO,TH" and item.timezone == "America/New_York"
    assert item.conference_url == "https://smartrecovery.zoom.us/j/91234567890?pwd=c21hcnRtb3JuaW5n"
    assert item.address is None and item.location_name is None
    assert item.attendance == "online"


def test_hybrid_meeting_has_place_and_link(listings) -> None:
    item = listings["48231"]
    assert item.street == "716 W Addison St" and item.city == "Chicago"
    assert item.conference_url == "https://smartrecovery.zoom.us/j/93300112233"
    assert item.attendance == "hybrid"


def test_family_and_friends_meeting(listings) -> None:
    item = listings["48240"]
    assert item.name == "SMART Recovery Family & Friends – Sunday"
    assert item.audiences == ("family",)
    assert item.schedule[0].timezone == "America/Denver"


def test_monthly_first_saturday(listings) -> None:
    assert listings["48252"].schedule == (ScheduleRule(freq="MONTHLY", byday="1SA", opens_at="10:00",
                                                       closes_at="12:00", timezone="America/Chicago"),)


def test_registration_link_is_not_a_join_link(listings) -> None:
    item = listings["48271"]
    assert item.conference_url is None
    assert item.registration_url == "https://smartrecovery.zoom.us/meeting/register/tZUkdu2hqj8pHtW9a3Bc"
    assert item.audiences == ("veterans",)
    assert item.attendance == "online"  # stated by the card even though the join link is withheld


def test_every_other_friday_in_spanish(listings) -> None:
    item = listings["48280"]
    assert (item.schedule[0].interval, item.schedule[0].byday) == (2, "FR")
    assert "Languages: Spanish" in item.description and item.city == "Miami"


@pytest.mark.live
def test_live_sitemap_and_a_meeting_still_parse() -> None:
    """The live site still has a sitemap of /meetings/<id>/ pages with AddEvent blocks."""
    from tests.live import live_page

    source = Smart()
    links = source.discover(live_page(source.start_urls()[0]))
    meetings = [link for link in links if "/meetings/" in link.url]
    assert meetings
    page = live_page(meetings[0].url)
    assert page.soup().find("div", class_="addeventatc") is not None
    source.parse(page)


def saved(name: str, url: str):
    """A saved page of tests/files/ as fetched from `url`."""
    from pathlib import Path

    from scrapers.page import Page

    return Page(url, 200, {}, (Path(__file__).parent / "files" / name).read_bytes(), FETCHED)


def test_page_without_addevent_block_is_listed_from_its_prose() -> None:
    # Stands for https://meetings.smartrecovery.org/meetings/9234/: not weekly, so no AddEvent block;
    # the schedule is only in prose, the labels in a details card, the place in the maps link.
    from warehouse.schedules.text import parse_schedule

    [item] = Smart().parse(saved("smart_no_addevent_monthly.html", f"{BASE}/meetings/9234/"))
    assert (item.source, item.source_key, item.kind) == ("smart", "9234", "group")
    assert item.name == "Soquel Family & Friends"
    assert item.schedule == () and item.timezone is None
    assert item.schedule_text == "First and third Monday of the month, 6:00 PM Eastern"
    assert parse_schedule(item.schedule_text) == [ScheduleRule(
        freq="MONTHLY", byday="1MO,3MO", opens_at="18:00", timezone="America/New_York")]
    assert (item.street, item.city, item.state, item.postal_code) == \
        ("4951 Soquel Dr", "Soquel", "CA", "95073")
    assert item.location_name == "Bethany Hall"
    assert item.attendance is None  # no "Online Meeting" card: left to the warehouse (in person)
    assert item.conference_url is None and item.registration_url is None
    assert item.description == ("Program: SMART Recovery Family & Friends\nAudiences: Family & Friends\n"
                                "Languages spoken: English")
    assert item.audiences == ("family",)
    assert "Morgan" not in (item.description or "")  # the convenor (a person) is never read


def test_numbered_addevent_title_gives_the_name_and_iso_times() -> None:
    # Stands for https://meetings.smartrecovery.org/meetings/1067/: AddEvent title
    # "SMART Recovery Meeting: #1067 - Global - West Coast Early Birds", start "2026-07-06 06:30".
    [item] = Smart().parse(saved("smart_numbered_addevent_title.html", f"{BASE}/meetings/1067/"))
    assert (item.source_key, item.name) == ("1067", "West Coast Early Birds")
    assert item.schedule == (ScheduleRule(freq="WEEKLY", byday="MO,TU,WE,TH,FR", opens_at="06:30",
                                          closes_at="07:30", timezone="America/Los_Angeles"),)
    assert item.conference_url == "https://smartrecovery.pathcheck.net/j/4401067"
    assert item.attendance == "online" and item.address is None
    assert item.description == "Program: SMART Recovery\nAudiences: Everyone\nLanguages spoken: English"


def test_pathcheck_join_link_is_the_conference_url() -> None:
    # Stands for https://meetings.smartrecovery.org/meetings/9311/: the card links the site's own help
    # page before the pathcheck join link.
    [item] = Smart().parse(saved("smart_pathcheck_join.html", f"{BASE}/meetings/9311/"))
    assert item.name == "Night Owls Online"
    assert item.conference_url == "https://smartrecovery.pathcheck.net/j/7730931102"
    assert item.registration_url is None and item.attendance == "online"

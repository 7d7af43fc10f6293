"""Tests of the LifeRing source on the sample snapshot (scrapers/sample/lifering/): a sitemap index."""

from datetime import UTC, datetime

import pytest

from schemas.listing import ParsedListing
from schemas.schedule import ScheduleRule
from scrapers.crawl import crawl
from scrapers.replay import ReplayFetcher
from scrapers.sample import sample_page, sample_warc
from scrapers.sources.lifering import LifeRing

BASE = "https://meetings.lifering.org"
FETCHED = datetime(2026, 11, 20, 6, tzinfo=UTC)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """The sample crawled through replay: sitemap index, meetings sitemap, eight meeting pages."""
    return crawl(LifeRing(), ReplayFetcher([sample_warc(tmp_path_factory.mktemp("warc"))]))


@pytest.fixture(scope="module")
def listings(crawled) -> dict[str, ParsedListing]:
    """Every listing, by meeting id."""
    return {item.source_key: item for item in LifeRing().parse_all(crawled.pages)}


def test_sitemap_index_leads_to_the_meetings_sitemap() -> None:
    [child] = LifeRing().discover(sample_page("lifering", "lifering_sitemap_index.xml"))
    assert child.url == f"{BASE}/sitemap-meetings.xml"


def test_counts(crawled, listings) -> None:
    assert len(crawled.pages) == 10 and crawled.skipped == []
    assert sorted(listings) == ["7301", "7310", "7322", "7335", "7341", "7362", "7377"]
    assert "7350" not in listings  # COUNT=10 from September 2024: the series is over


def test_common_fields(listings) -> None:
    for item in listings.values():
        assert (item.source, item.kind) == ("lifering", "group")
        assert item.organization == "LifeRing Secular Recovery"
        assert item.topics == ("substance use", "addiction") and item.fetched_at == FETCHED
        assert item.source_url == f"{BASE}/meetings/{item.source_key}/"


def test_in_person_online_and_hybrid(listings) -> None:
    oakland, online, hybrid = listings["7301"], listings["7310"], listings["7322"]
    assert (oakland.street, oakland.city, oakland.conference_url) == ("1330 Lakeshore Ave", "Oakland", None)
    assert oakland.location_name == "Lake Merritt United Methodist Church"
    assert online.address is None and online.conference_url == "https://us02web.zoom.us/j/85512340987"
    assert hybrid.city == "Seattle" and hybrid.conference_url == "https://us02web.zoom.us/j/86677889900"
    assert (oakland.attendance, online.attendance, hybrid.attendance) == (None, "online", "hybrid")


def test_friends_and_family(listings) -> None:
    item = listings["7335"]
    assert item.name == "LifeRing Friends & Family" and item.audiences == ("family",)


def test_last_thursday_of_the_month(listings) -> None:
    assert listings["7341"].schedule == (ScheduleRule(freq="MONTHLY", byday="-1TH", opens_at="19:00",
                                                      closes_at="20:30", timezone="America/Los_Angeles"),)


def test_daily_is_every_day_of_the_week(listings) -> None:
    assert listings["7362"].schedule[0].byday == "MO,TU,WE,TH,FR,SA,SU"


def test_day_of_month_rule_is_kept_as_text(listings) -> None:
    item = listings["7377"]
    assert item.schedule == () and item.schedule_text == "RRULE:FREQ=MONTHLY;BYMONTHDAY=15"
    assert item.audiences == ("women",) and item.city == "Denver"


def test_mirror_base_rewrites_sitemap_and_meeting_links() -> None:
    source = LifeRing(base_url="http://127.0.0.1:8123")
    [child] = source.discover(sample_page("lifering", "lifering_sitemap_index.xml"))
    assert child.url == "http://127.0.0.1:8123/sitemap-meetings.xml"
    links = source.discover(sample_page("lifering", "lifering_sitemap_meetings.xml"))
    assert links[0].url == "http://127.0.0.1:8123/meetings/7301/"


@pytest.mark.live
def test_live_sitemap_still_lists_meetings() -> None:
    """The live site still has a sitemap (or index) leading to /meetings/<id>/ pages."""
    from tests.live import live_page

    source = LifeRing()
    links = source.discover(live_page(source.start_urls()[0]))
    assert links


def saved(name: str, url: str):
    """A saved page of tests/files/ as fetched from `url`."""
    from pathlib import Path

    from scrapers.page import Page

    return Page(url, 200, {}, (Path(__file__).parent / "files" / name).read_bytes(), FETCHED)


def test_lifering_title_format_and_no_addevent_block() -> None:
    # Stands for https://meetings.lifering.org/meetings/1038/: title and heading
    # "#1038 - Portland, Oregon - Second Saturday Workshop", no AddEvent block (monthly, prose only).
    from warehouse.schedules.text import parse_schedule

    [item] = LifeRing().parse(saved("lifering_no_addevent_title.html", f"{BASE}/meetings/1038/"))
    assert (item.source_key, item.kind, item.name) == ("1038", "group", "Second Saturday Workshop")
    assert item.schedule_text == "Second Saturday of the month, 10:00 AM – 11:30 AM Pacific"
    assert parse_schedule(item.schedule_text) == [ScheduleRule(
        freq="MONTHLY", byday="2SA", opens_at="10:00", closes_at="11:30", timezone="America/Los_Angeles")]
    assert (item.street, item.city, item.state, item.postal_code) == \
        ("4040 NE Tillamook St", "Portland", "OR", "97212")
    assert item.location_name == "Hollywood Library Meeting Room" and item.attendance is None
    assert item.description == \
        "Program: LifeRing Secular Recovery\nAudiences: Everyone\nLanguages spoken: English"


def test_contact_the_convenor_is_online_without_a_link() -> None:
    # Stands for https://meetings.lifering.org/meetings/1102/: the "Online Meeting" card says to
    # contact the convenor and links the contact form, not a meeting.
    [item] = LifeRing().parse(saved("lifering_contact_convenor.html", f"{BASE}/meetings/1102/"))
    assert item.name == "Sunday Evening Check-In"
    assert (item.attendance, item.conference_url, item.registration_url) == ("online", None, None)
    assert item.address is None

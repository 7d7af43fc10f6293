"""The shared meetings platform (SMART Recovery, LifeRing): RRULEs read by dateutil into schedule rules."""

from datetime import UTC, datetime

import pytest

from schemas.errors import SourceChanged
from schemas.schedule import ScheduleRule
from scrapers.page import Page
from scrapers.sources.lifering import LifeRing
from scrapers.sources.smart import Smart

FETCHED = datetime(2026, 11, 20, 6, tzinfo=UTC)
URL = "https://meetings.smartrecovery.org/meetings/1/"


def meeting(rrule: str, start: str = "01/07/2025 06:30 PM", end: str = "01/07/2025 08:00 PM",
            zone: str = "America/Los_Angeles") -> Page:
    """A minimal meeting page with an AddEvent block."""
    html = (f'<h1>Test</h1><div class="addeventatc">Add to Calendar<span class="start">{start}</span>'
            f'<span class="end">{end}</span><span class="timezone">{zone}</span>'
            f'<span class="title">Test meeting</span><span class="recurring">{rrule}</span></div>')
    return Page(URL, 200, {}, html.encode(), FETCHED)


def parsed(page: Page):
    """The listings of a page (a list, possibly empty)."""
    return list(Smart().parse(page))


@pytest.mark.parametrize(("rrule", "freq", "interval", "byday"), [
    ("RRULE:FREQ=WEEKLY;BYDAY=TU", "WEEKLY", 1, "TU"),
    ("RRULE:FREQ=WEEKLY;BYDAY=MO,TH", "WEEKLY", 1, "MO,TH"),
    ("RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", "WEEKLY", 2, "FR"),
    ("RRULE:FREQ=WEEKLY", "WEEKLY", 1, "TU"),  # no BYDAY: the start's weekday (RFC 5545)
    ("FREQ=WEEKLY;BYDAY=SA", "WEEKLY", 1, "SA"),  # without the RRULE: prefix
    ("RRULE:FREQ=DAILY", "WEEKLY", 1, "MO,TU,WE,TH,FR,SA,SU"),
    ("RRULE:FREQ=MONTHLY;BYDAY=1SA", "MONTHLY", 1, "1SA"),
    ("RRULE:FREQ=MONTHLY;BYDAY=2TU,4TU", "MONTHLY", 1, "2TU,4TU"),
    ("RRULE:FREQ=MONTHLY;BYDAY=TH;BYSETPOS=-1", "MONTHLY", 1, "-1TH"),
    ("RRULE:FREQ=WEEKLY;BYDAY=WE;UNTIL=20271231T235959Z", "WEEKLY", 1, "WE"),  # ends later: kept
])
def test_rrules_that_become_rules(rrule: str, freq: str, interval: int, byday: str) -> None:
    [item] = parsed(meeting(rrule))
    assert item.schedule == (ScheduleRule(freq=freq, interval=interval, byday=byday, opens_at="18:30",
                                          closes_at="20:00", timezone="America/Los_Angeles"),)
    assert item.schedule_text is None


@pytest.mark.parametrize("rrule", [
    "RRULE:FREQ=MONTHLY;BYMONTHDAY=15",
    "RRULE:FREQ=YEARLY;BYMONTH=6;BYDAY=1SA",
    "RRULE:FREQ=DAILY;INTERVAL=3",
    "RRULE:FREQ=MONTHLY;BYDAY=MO,TU,WE,TH,FR;BYSETPOS=-1",
    "RRULE:FREQ=WEEKLY;INTERVAL=13;BYDAY=MO",
    "RRULE:FREQ=SOMETIMES",
])
def test_rrules_that_give_no_rule_keep_the_rrule_text(rrule: str) -> None:
    [item] = parsed(meeting(rrule))
    assert item.schedule == () and item.schedule_text == rrule


@pytest.mark.parametrize("rrule", [
    "RRULE:FREQ=WEEKLY;BYDAY=WE;UNTIL=20250630T235959Z",
    "RRULE:FREQ=WEEKLY;BYDAY=WE;UNTIL=20250630",  # a floating UNTIL with a zoned start
    "RRULE:FREQ=WEEKLY;BYDAY=SA;COUNT=10",
])
def test_a_series_ended_before_the_fetch_is_skipped(rrule: str) -> None:
    assert parsed(meeting(rrule)) == []


def test_a_series_is_judged_by_the_fetch_time_not_today() -> None:
    page = meeting("RRULE:FREQ=WEEKLY;BYDAY=WE;UNTIL=20250630T235959Z")
    earlier = Page(page.url, 200, {}, page.body, datetime(2025, 3, 1, tzinfo=UTC))
    [item] = Smart().parse(earlier)
    assert item.schedule[0].byday == "WE"


def test_no_end_no_zone_and_no_start() -> None:
    [item] = parsed(meeting("RRULE:FREQ=WEEKLY;BYDAY=TU", end="", zone=""))
    assert item.schedule == (ScheduleRule(freq="WEEKLY", byday="TU", opens_at="18:30"),)
    assert item.timezone is None
    [bad] = parsed(meeting("RRULE:FREQ=WEEKLY;BYDAY=TU", start="soon"))
    assert bad.schedule == () and bad.schedule_text == "RRULE:FREQ=WEEKLY;BYDAY=TU"


def test_iso_start_and_24_hour_clock() -> None:
    [item] = parsed(meeting("RRULE:FREQ=WEEKLY;BYDAY=TU", start="2025-01-07 18:30", end="2025-01-07 20:00"))
    assert (item.schedule[0].opens_at, item.schedule[0].closes_at) == ("18:30", "20:00")


def test_page_without_addevent_block_raises_source_changed() -> None:
    from pathlib import Path

    body = (Path(__file__).parent / "files" / "smart_changed_layout.html").read_bytes()
    with pytest.raises(SourceChanged, match="AddEvent block") as caught:
        Smart().parse(Page("https://meetings.smartrecovery.org/meetings/48213/", 200, {}, body, FETCHED))
    assert caught.value.source == "smart"


def test_not_a_meeting_url_raises_source_changed() -> None:
    with pytest.raises(SourceChanged, match="/meetings/<id>/"):
        Smart().parse(Page("https://meetings.smartrecovery.org/about/", 200, {}, b"<h1>About</h1>", FETCHED))


def test_sitemap_without_meetings_or_not_xml_raises_source_changed() -> None:
    empty = (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             b"<url><loc>https://meetings.lifering.org/about/</loc></url></urlset>")
    with pytest.raises(SourceChanged, match="no /meetings/<id>/ page"):
        LifeRing().discover(Page("https://meetings.lifering.org/sitemap.xml", 200, {}, empty, FETCHED))
    with pytest.raises(SourceChanged, match="urlset"):
        page = Page("https://meetings.lifering.org/sitemap.xml", 200, {}, b"<html></html>", FETCHED)
        LifeRing().discover(page)


def test_the_two_sites_share_the_base_and_differ_in_identity() -> None:
    smart, lifering = Smart(), LifeRing()
    assert smart.start_urls() == ["https://meetings.smartrecovery.org/sitemap.xml"]
    assert lifering.start_urls() == ["https://meetings.lifering.org/sitemap.xml"]
    assert (smart.organization, lifering.organization) == ("SMART Recovery", "LifeRing Secular Recovery")
    assert smart.topics == lifering.topics == ("substance use", "addiction")


def test_online_card_without_a_link_still_states_online() -> None:
    page = meeting("RRULE:FREQ=WEEKLY;BYDAY=TU")
    body = page.body + (b'<div class="card"><h2>Online Meeting</h2><p>Link sent to members.</p></div>')
    [item] = parsed(Page(URL, 200, {}, body, FETCHED))
    assert (item.attendance, item.conference_url, item.registration_url) == ("online", None, None)


# --- pages in every real shape (tests/files/, written to match the live structure) -----------


def saved(name: str, url: str) -> Page:
    """A saved page of tests/files/ as fetched from `url`."""
    from pathlib import Path

    return Page(url, 200, {}, (Path(__file__).parent / "files" / name).read_bytes(), FETCHED)


@pytest.mark.parametrize("name", [
    "smart_address_state_name.html",  # "Soquel, California 95073, USA": full state name and a country
    "smart_address_zip_first.html",  # "Soquel, 95073 CA": the ZIP before the state
    "smart_address_no_city_comma.html",  # "4951 Soquel Dr Soquel, CA 95073": no comma before the city
])
def test_every_maps_address_shape_gives_the_canonical_place(name: str) -> None:
    # Stands for https://meetings.smartrecovery.org/meetings/9234/
    # (page title "SMART Recovery USA - Meeting #9234 Soquel, California").
    [item] = Smart().parse(saved(name, "https://meetings.smartrecovery.org/meetings/9234/"))
    assert (item.street, item.city, item.state, item.postal_code) == \
        ("4951 Soquel Dr", "Soquel", "CA", "95073")
    assert item.location_name == "Bethany Hall" and item.name == "Soquel Tuesday Evening"
    assert item.attendance is None and item.conference_url is None


def test_commented_out_html_is_never_read() -> None:
    # Stands for https://meetings.smartrecovery.org/meetings/9240/: an old AddEvent block, an old
    # weekly schedule and an old address are left in HTML comments; the live page has no AddEvent block.
    [item] = Smart().parse(saved("smart_commented_out.html", "https://meetings.smartrecovery.org/meetings/9240/"))
    assert item.name == "Aptos Monthly Workshop"
    assert item.schedule == () and item.timezone is None
    assert item.schedule_text == "Last Thursday of the month, 7:00 PM – 8:30 PM Pacific"
    assert (item.street, item.city, item.state, item.postal_code) == \
        ("2555 Mar Vista Dr", "Aptos", "CA", "95003")
    assert item.location_name == "Aptos Grange Hall"


@pytest.mark.parametrize(("title", "number", "place", "name"), [
    ("SMART Recovery USA - Meeting #9234 Soquel, California", "9234", "Soquel, California", None),
    ("#1038 - Portland, Oregon - Second Saturday Workshop",
     "1038", "Portland, Oregon", "Second Saturday Workshop"),
    ("SMART Recovery Meeting: #1067 - Global - West Coast Early Birds",
     "1067", "Global", "West Coast Early Birds"),
    ("Tuesday Evening SMART Recovery – Nob Hill", None, None, "Tuesday Evening SMART Recovery – Nob Hill"),
    ("Group #2 – Downtown", None, None, "Group #2 – Downtown"),  # a number inside a name is the name
])
def test_both_title_formats_give_number_place_and_name(title: str, number, place, name) -> None:
    from scrapers.sources.meetings_platform import title_parts

    assert title_parts(title) == (number, place, name)


def test_a_page_with_no_meeting_at_all_raises_naming_the_url() -> None:
    url = "https://meetings.lifering.org/meetings/1500/"
    body = b"<html><head><title>LifeRing</title></head><body><p>Something went wrong.</p></body></html>"
    with pytest.raises(SourceChanged, match="no meeting") as caught:
        LifeRing().parse(Page(url, 200, {}, body, FETCHED))
    assert caught.value.url == url and url in str(caught.value)


def test_a_sitemap_loc_that_is_no_url_is_skipped_not_raised() -> None:
    # Found by the fuzzer (one flipped byte): "https://[meetings..." is an invalid IPv6 host to urlsplit.
    body = (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            b"<url><loc>https://[meetings.smartrecovery.org/meetings/48213/</loc></url>"
            b"<url><loc>https://meetings.smartrecovery.org/meetings/48220/</loc></url></urlset>")
    page = Page("https://meetings.smartrecovery.org/sitemap.xml", 200, {}, body, FETCHED)
    assert [link.url for link in Smart().discover(page)] == ["https://meetings.smartrecovery.org/meetings/48220/"]


def test_a_span_with_an_empty_class_in_the_addeventatc_block_is_skipped() -> None:
    """class="" names no field: the span is passed over and the meeting still read (not a lost page)."""
    body = meeting("RRULE:FREQ=WEEKLY;BYDAY=TU").body
    empty = b'Add to Calendar<span class="">x</span>'
    page = Page(URL, 200, {}, body.replace(b"Add to Calendar", empty), FETCHED)
    [item] = parsed(page)
    assert item.schedule[0].byday == "TU" and item.name == "Test meeting"

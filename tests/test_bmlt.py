"""Tests of the BMLT source on the sample snapshot (scrapers/sample/bmlt/) and on a local mirror of it.

The sample's URLs: https://aggregator.bmltenabled.org/main_server/api/v1/rootservers lists three
servers; each answers <server>/client_interface/json/?switcher=GetFormats and ?switcher=GetSearchResults.
"""

import json
from datetime import UTC, datetime
from urllib.parse import urlsplit

import pytest

from schemas.errors import SourceChanged
from schemas.listing import ParsedListing
from schemas.schedule import ScheduleRule
from scrapers.crawl import crawl
from scrapers.page import Page
from scrapers.replay import ReplayFetcher
from scrapers.sample import load_manifest, sample_warc
from scrapers.sources.bmlt import Bmlt, in_us
from scrapers.sources.bmlt_servers import ServersFileError
from tests import faults
from tests.faults import FaultServer

NJ = "https://bmlt.gardenstate-na.example/main_server/client_interface/json/?switcher="
MT = "https://na-bigsky.example/bmlt/main_server/client_interface/json/?switcher="
HTML = faults.ok(b"<!DOCTYPE html><html><body><h1>Site under maintenance</h1></body></html>")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """The sample crawled end to end through replay: the list, then two pages per server."""
    return crawl(Bmlt(), ReplayFetcher([sample_warc(tmp_path_factory.mktemp("warc"))]))


@pytest.fixture(scope="module")
def listings(crawled) -> dict[str, ParsedListing]:
    """Every listing of the sample crawl, by source key."""
    parsed = Bmlt().parse_all(crawled.pages)
    by_key = {listing.source_key: listing for listing in parsed}
    assert len(by_key) == len(parsed), "source keys must be unique"
    return by_key


def test_the_crawl_reads_the_list_then_formats_then_meetings_of_each_server(crawled):
    urls = [page.url for page in crawled.pages]
    assert urls[0] == "https://aggregator.bmltenabled.org/main_server/api/v1/rootservers"
    assert len(urls) == 7 and not crawled.lost and not crawled.skipped
    assert urls.index(NJ + "GetFormats") < urls.index(NJ + "GetSearchResults")


def test_count_and_us_only(listings):
    assert sorted(listings) == ["101/2001", "101/2002", "101/2003", "101/2004", "101/2006", "101/2007",
                                "318/501", "318/502", "318/503", "318/504"]
    assert not [key for key in listings if key.startswith("205/")]  # Western Australia's `WA`
    assert "101/2005" not in listings  # published "0"


def test_an_in_person_meeting_field_by_field(listings):
    meeting = listings["101/2001"]
    assert (meeting.name, meeting.kind, meeting.organization) == \
        ("Hope Without Dope", "group", "Narcotics Anonymous")
    assert meeting.source_url == NJ + "GetSearchResults"
    assert meeting.attendance == "in_person"
    assert meeting.location_name == "St. Matthew's Episcopal Church"
    assert (meeting.street, meeting.city, meeting.state, meeting.postal_code, meeting.country) == \
        ("301 Hamilton Ave", "Trenton", "NJ", "08609", "US")
    assert meeting.address == "301 Hamilton Ave\nTrenton, NJ 08609"
    assert (meeting.latitude, meeting.longitude) == (40.2201, -74.7437)
    assert meeting.schedule == (ScheduleRule(freq="WEEKLY", byday="MO", opens_at="19:30", closes_at="21:00",
                                             timezone="America/New_York"),)
    assert meeting.description == ("Coffee from 7 pm.\nFormats: Open, Basic Text, Wheelchair Accessible\n"
                                   "Location notes: Side door, basement")
    assert meeting.topics == ("substance use",) and meeting.audiences == ()
    assert meeting.timezone == "America/New_York" and meeting.fetched_at is not None


def test_virtual_and_hybrid_by_venue_type(listings):
    online, hybrid = listings["101/2002"], listings["101/2003"]
    assert online.attendance == "online" and online.conference_url == "https://zoom.us/j/5550001111"
    assert online.conference_phone == "+1 929 555 0100,,5550001111#"
    assert (online.city, online.state, online.street) == ("Princeton", "NJ", None)  # "New Jersey" -> NJ
    assert online.schedule[0].byday == "SU" and online.schedule[0].timezone is None
    assert hybrid.attendance == "hybrid" and hybrid.audiences == ("women",)
    assert hybrid.description == "Formats: Open, Women, Hybrid"


def test_formats_named_from_the_servers_own_list(listings):
    night = listings["101/2004"]
    assert night.description == "Formats: Closed, Young People, Beginners"
    assert night.audiences == ("young adults", "newcomers")
    assert night.schedule[0].opens_at == "23:00" and night.schedule[0].closes_at == "00:30"
    assert listings["101/2006"].description == "Formats: Open, Zz"  # a key the server does not name
    assert listings["318/502"].audiences == ("men",) and listings["318/503"].audiences == ("LGBTQ+",)
    assert all(listing.meeting_types == () for listing in listings.values())  # not Meeting Guide codes


def test_a_zero_point_is_no_point_and_the_centre_decides(listings):
    shore = listings["101/2006"]
    assert (shore.latitude, shore.longitude) == (None, None) and shore.state == "NJ"


def test_an_older_server_without_venue_type(listings):
    assert listings["318/501"].attendance == "in_person"  # a street
    assert listings["318/502"].attendance == "online"  # a link, no street
    assert listings["318/503"].attendance == "hybrid"  # both
    assert listings["318/504"].attendance == "in_person" and listings["318/504"].latitude is None
    assert listings["318/501"].state == "MT"  # "Montana"
    assert listings["318/501"].description.startswith("Literature available.")
    assert listings["318/503"].schedule == (ScheduleRule(freq="WEEKLY", byday="TH", opens_at="18:00",
                                                         closes_at="19:15"),)


@pytest.mark.parametrize(("point", "expected"), [
    ((40.71, -74.0), True), ((61.2, -149.9), True), ((21.3, -157.8), True), ((18.45, -66.1), True),
    ((-31.95, 115.86), False), ((51.5, -0.12), False), ((43.65, -79.38), False), ((19.43, -99.13), False),
], ids=["new-york", "anchorage", "honolulu", "san-juan", "perth", "london", "toronto", "mexico-city"])
def test_us_by_point(point, expected):
    assert in_us(*point) is expected


def page_of(url: str, data: object, context: dict | None = None) -> Page:
    """A JSON answer of `url`, as the crawl hands it to the parser."""
    return Page(url, 200, {"Content-Type": "application/json"}, json.dumps(data).encode(),
                datetime(2026, 11, 20, tzinfo=UTC), context=context or {})


def test_a_border_server_with_province_codes_lists_no_pointless_meeting():
    server = {"id": "9", "name": "Toronto", "url": "https://bmlt.toronto.example/main_server/",
              "latitude": 43.65, "longitude": -79.38}  # within reach of Niagara's ZIPs
    meetings = [{"id_bigint": "1", "meeting_name": "Queen Street", "weekday_tinyint": "2",
                 "start_time": "19:00:00", "location_province": "ON"},
                {"id_bigint": "2", "meeting_name": "Lewiston", "weekday_tinyint": "2",
                 "start_time": "19:00:00", "location_province": "NY",
                 "latitude": "43.1725", "longitude": "-79.0356"}]
    url = "https://bmlt.toronto.example/main_server/client_interface/json/?switcher=GetSearchResults"
    listed = list(Bmlt().parse(page_of(url, meetings, {"server": server, "formats": {}})))
    assert [listing.source_key for listing in listed] == ["9/2"]


@pytest.mark.parametrize("body", [b"<html>maintenance</html>", b'{"meetings": "soon"}', b'"none"'],
                         ids=["html", "not-an-array", "a-string"])
def test_a_garbage_meetings_page_raises_the_typed_error(body):
    page = Page(NJ + "GetSearchResults", 200, {}, body, datetime(2026, 11, 20, tzinfo=UTC),
                context={"server": {"id": "101", "name": "x", "url": "https://bmlt.gardenstate-na.example/"}})
    with pytest.raises(SourceChanged, match="bmlt:"):
        Bmlt().parse(page)


# --- the unit of failure on a local mirror of the sample ----------------------------------------


def mirror_pages() -> dict[str, tuple[int, dict[str, str], bytes]]:
    """The sample as a mirror serves it: the list at its path, each server at /<host><path>?<query>."""
    pages = {}
    for response in load_manifest("bmlt"):
        parts = urlsplit(response.url)
        path = parts.path if parts.netloc == "aggregator.bmltenabled.org" else f"/{parts.netloc}{parts.path}"
        query = f"?{parts.query}" if parts.query else ""
        pages[path + query] = (200, dict(response.headers), response.body)
    return pages


def on_mirror(make_fetcher, *scripted: tuple[str, faults.Fault]) -> tuple[list, list, FaultServer]:
    """Crawl and parse the mirror with some of its pages answering faults: (listings, lost, mirror)."""
    with FaultServer(pages=mirror_pages()) as mirror:
        for path, fault in scripted:
            mirror.script(path, *[fault] * 5)
        source = Bmlt(mirror.base)
        result = crawl(source, make_fetcher(), parse=True)
        lost = list(result.lost)
        listings = source.parse_all(result.pages, result.parsed, lost)
    return listings, lost, mirror


def mirrored(url: str) -> str:
    """A sample server URL's path on the mirror."""
    parts = urlsplit(url)
    return f"/{parts.netloc}{parts.path}?{parts.query}"


def keys_of(listings: list[ParsedListing], prefix: str = "") -> set[str]:
    """The source keys (those starting with `prefix`)."""
    return {listing.source_key for listing in listings if listing.source_key.startswith(prefix)}


def test_the_mirror_lists_the_sample(make_fetcher, listings):
    found, lost, _ = on_mirror(make_fetcher)
    assert keys_of(found) == set(listings) and lost == []


NOT_AN_ARRAY = faults.ok(b'{"meetings": "soon"}', "application/json")


@pytest.mark.parametrize("fault", [faults.status(500), HTML, NOT_AN_ARRAY],
                         ids=["500", "html", "not-an-array"])
def test_a_server_whose_meetings_page_breaks_is_lost_and_the_others_listed(make_fetcher, fault, listings):
    found, lost, mirror = on_mirror(make_fetcher, (mirrored(MT + "GetSearchResults"), fault))
    assert [url for url, _ in lost] == [mirror.url(mirrored(MT + "GetSearchResults"))]
    assert keys_of(found) == keys_of(listings.values(), "101/")


@pytest.mark.parametrize("fault", [faults.status(500), HTML], ids=["500", "html"])
def test_a_server_whose_formats_page_breaks_loses_its_meetings_page_too(make_fetcher, fault, listings):
    found, lost, mirror = on_mirror(make_fetcher, (mirrored(NJ + "GetFormats"), fault))
    assert [url for url, _ in lost] == [mirror.url(mirrored(NJ + "GetFormats")),
                                        mirror.url(mirrored(NJ + "GetSearchResults"))]
    assert "formats page was lost" in lost[1][1]  # so its last good meetings are kept, not missed
    assert keys_of(found) == keys_of(listings.values(), "318/")


def test_every_server_lost_fails_the_source(make_fetcher):
    with pytest.raises(Exception, match="no listings"):
        on_mirror(make_fetcher, *[(mirrored(base + "GetSearchResults"), faults.status(500))
                                  for base in (NJ, MT)])


def test_a_garbage_list_fails_the_source(make_fetcher):
    with pytest.raises(SourceChanged, match="root server list is not JSON"):
        on_mirror(make_fetcher, ("/main_server/api/v1/rootservers", HTML))


def test_a_servers_file_pins_servers_without_the_aggregator(make_fetcher, tmp_path, listings):
    servers = tmp_path / "servers.toml"
    servers.write_text('aggregator = false\nservers = [\n  { id = "318", name = "Big Sky", '
                       'url = "https://na-bigsky.example/bmlt/main_server/", '
                       'latitude = 46.59, longitude = -112.03 },\n]\n')
    with FaultServer(pages=mirror_pages()) as mirror:
        source = Bmlt(mirror.base, servers_file=servers)
        assert source.start_urls() == [mirror.url(mirrored(MT + "GetFormats"))]
        found = source.parse_all(crawl(source, make_fetcher()).pages)
    assert keys_of(found) == keys_of(listings.values(), "318/")


def test_a_servers_file_adds_to_the_aggregator_and_checks_its_entries(tmp_path, monkeypatch):
    servers = tmp_path / "servers.toml"
    servers.write_text('servers = [{ id = "900", name = "Extra", '
                       'url = "https://bmlt.extra.example/main_server" }]\n')
    monkeypatch.setenv("SUPPORTDIR_BMLT_SERVERS", str(servers))
    assert Bmlt().start_urls() == ["https://aggregator.bmltenabled.org/main_server/api/v1/rootservers",
                                   "https://bmlt.extra.example/main_server/client_interface/json/?switcher=GetFormats"]
    servers.write_text('servers = [{ id = "900", name = "Extra", url = "ftp://x" }]\n')
    with pytest.raises(ServersFileError, match="server 1 \\(Extra\\): url"):
        Bmlt()
    servers.write_text("aggregator = false\n")
    with pytest.raises(ServersFileError, match="nothing to crawl"):
        Bmlt()


def test_a_root_server_found_through_the_aggregator_keeps_the_sources_interval(tmp_path, monkeypatch):
    """No start URL names it, so without the source's own interval it would get the default."""
    from flows.plan import make_plan, source_fetch_config
    from flows.settings import Settings
    from scrapers.archive import WarcArchive
    from scrapers.fetch import HttpFetcher

    monkeypatch.setenv("SUPPORTDIR_BMLT_MIN_INTERVAL", "2.5")
    monkeypatch.setenv("SUPPORTDIR_MEETINGGUIDE_BASE_URL", "http://127.0.0.1:9")  # a mirror of the feeds
    plan = make_plan(["bmlt", "meetingguide"], False, None, None, str(tmp_path / "w.duckdb"),
                     Settings(home=tmp_path, default_interval=1.0))
    found = "https://bmlt.found.example/main_server/client_interface/json/?switcher=GetFormats"
    bmlt = HttpFetcher(source_fetch_config(plan, "bmlt"), WarcArchive(tmp_path, "b"))
    feeds = HttpFetcher(source_fetch_config(plan, "meetingguide"), WarcArchive(tmp_path, "m"))
    assert bmlt.interval(found) == 2.5
    # On the feeds' mirror, politeness is per live host a mirrored URL stands for.
    mirrored = "http://127.0.0.1:9/www.aa-dc.org/wp-admin/admin-ajax.php?action=meetings"
    assert feeds.host_key(mirrored) == "www.aa-dc.org"
    assert feeds.host_key("http://127.0.0.1:9/robots.txt") == "127.0.0.1:9"  # the mirror's own
    assert plan.fetch.intervals["www.aa-dc.org"] == 1.0 and plan.fetch.intervals["127.0.0.1:9"] == 1.0


@pytest.mark.live
def test_live_aggregator_lists_servers_whose_meetings_parse() -> None:
    """The real aggregator still lists root servers; one server's formats and meetings still parse."""
    from tests.live import live_page

    source = Bmlt()
    formats_links = source.discover(live_page(source.start_urls()[0]))
    assert len(formats_links) >= 10  # the July 2026 list had dozens of US servers
    for link in formats_links[:5]:  # the first server that answers both requests
        formats = live_page(link.url)
        formats.context.update(link.context)
        meetings_links = source.discover(formats)
        if not meetings_links:
            continue
        meetings = live_page(meetings_links[0].url)
        meetings.context.update(meetings_links[0].context)
        listings = list(source.parse(meetings))
        assert all(item.name and item.source_key for item in listings)
        return
    pytest.fail("none of the first five root servers answered its formats and meetings")

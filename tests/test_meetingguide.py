"""Tests of the Meeting Guide source: the feeds file, the feeds of the sample snapshot, restricted feeds."""

import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from schemas.errors import FetchFailed, SourceChanged
from schemas.listing import ParsedListing
from schemas.schedule import ScheduleRule
from scrapers.crawl import crawl
from scrapers.page import Page
from scrapers.registry import get_source
from scrapers.replay import ReplayFetcher
from scrapers.sample import load_manifest, sample_page, sample_warc
from scrapers.sources.feeds import DEFAULT_FEEDS, FeedsFileError, load_feeds
from scrapers.sources.meeting_types import TYPES_FILE, audiences_of, type_name, type_names
from scrapers.sources.meetingguide import MeetingGuide, unreadable_counts

FILES = Path(__file__).parent / "files"
SAN_DIEGO = "https://aasandiego.org/wp-admin/admin-ajax.php?action=meetings"
SEATTLE = "https://www.seattleaa.org/wp-admin/admin-ajax.php?action=meetings"  # open, behind a firewall
RESTRICTED = "https://intergroup.example/wp-admin/admin-ajax.php?action=meetings"  # made up: sample only
SHARED_FEEDS = Path(__file__).parents[1].parent / "shared" / "sources" / "meeting-guide-feeds.md"
DHARMA = "https://recoverydharma.org/wp-admin/admin-ajax.php?action=meetings"
FETCHED = datetime(2026, 11, 20, 6, tzinfo=UTC)
LA = "America/Los_Angeles"


def feed_page(body: bytes | str, url: str = SAN_DIEGO, status: int = 200) -> Page:
    """A feed response built inline."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    return Page(url, status, {"Content-Type": "application/json"}, data, FETCHED)


def with_restricted(folder: Path) -> Path:
    """The shipped feeds file and the sample's made-up intergroup that restricts sharing."""
    shipped = DEFAULT_FEEDS.read_text(encoding="utf-8").rstrip().removesuffix("]")
    path = folder / "feeds.toml"
    path.write_text(shipped + f'  {{ name = "restricted-example", url = "{RESTRICTED}", '
                    'organization = "Alcoholics Anonymous" },\n]\n', encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """The shipped feeds (and a restricted one) crawled through replay of the sample snapshot."""
    source = MeetingGuide(feeds_file=with_restricted(tmp_path_factory.mktemp("feeds")))
    return crawl(source, ReplayFetcher([sample_warc(tmp_path_factory.mktemp("warc"))]))


@pytest.fixture(scope="module")
def listings(crawled) -> dict[str, ParsedListing]:
    """Every listing of the crawl, by source key."""
    parsed = MeetingGuide().parse_all(crawled.pages)
    by_key = {listing.source_key: listing for listing in parsed}
    assert len(by_key) == len(parsed), "source keys must be unique"
    return by_key


# --- the feeds file ------------------------------------------------------------------------------


def test_shipped_feeds_and_a_sample_response_for_each() -> None:
    feeds = load_feeds(DEFAULT_FEEDS)
    assert len(feeds) == 45 and {SAN_DIEGO, SEATTLE, DHARMA} <= set(MeetingGuide().start_urls())
    assert set(MeetingGuide().start_urls()) <= {r.url for r in load_manifest("meetingguide")}
    assert MeetingGuide().request_headers() == {DHARMA: {"Accept": "application/json"}}
    assert all(f.region and f.publisher for f in feeds)
    topics = {f.organization: f.topics for f in feeds}
    assert topics == {"Alcoholics Anonymous": ("alcohol use",), "Recovery Dharma": ("addiction",),
                      "Refuge Recovery": ("addiction",)}
    assert [f.name for f in feeds if f.cache_file] == ["pdxaa", "albuquerqueaa", "cflintergroup"]


def test_the_feeds_file_lists_every_open_feed_of_the_shared_list() -> None:
    """Name, URL, organization, publisher and region of every row of meeting-guide-feeds.md."""
    if not SHARED_FEEDS.exists():
        pytest.skip(f"the shared folder is not beside the repo here ({SHARED_FEEDS})")
    rows = [[cell.strip() for cell in line.strip().strip("|").split("|")]
            for line in SHARED_FEEDS.read_text(encoding="utf-8").splitlines()
            if line.startswith("| ") and not line.startswith("| name")]
    listed = {row[0]: (row[4], row[2], row[1], row[3]) for row in rows}
    feeds = {f.name: (f.url, f.organization, f.publisher, f.region) for f in load_feeds(DEFAULT_FEEDS)}
    assert len(listed) >= 45 and feeds == listed


def test_a_new_line_in_a_feeds_file_is_a_crawled_feed(
    tmp_path, httpserver, make_fetcher, monkeypatch
) -> None:
    """No code: one more line, and the crawl fetches it (real HTTP on loopback) with its headers."""
    httpserver.expect_request("/robots.txt").respond_with_data("", status=404)
    meetings = [{"name": "Tuesday Night", "slug": "tuesday-night", "day": 2, "time": "19:00",
                 "formatted_address": "1 Main St, Reno, NV 89501, USA"}]
    httpserver.expect_request("/meetings.json").respond_with_json(meetings)
    url = httpserver.url_for("/meetings.json")
    shipped = DEFAULT_FEEDS.read_text(encoding="utf-8").rstrip().removesuffix("]")
    line = (f'  {{ name = "reno", url = "{url}", organization = "Narcotics Anonymous", '
            'topics = ["substance use"], headers = { X-Api-Key = "demo" } },\n]\n')
    feeds_file = tmp_path / "feeds.toml"
    feeds_file.write_text(shipped + line, encoding="utf-8")
    monkeypatch.setenv("SUPPORTDIR_MEETINGGUIDE_FEEDS", str(feeds_file))
    source = get_source("meetingguide")
    assert source.start_urls()[-1] == url and len(source.start_urls()) == 46

    only_new = MeetingGuide(feeds_file=_one_feed(tmp_path, line))
    fetcher = make_fetcher(config=_with_headers(make_fetcher, only_new))
    [listing] = only_new.parse_all(crawl(only_new, fetcher).pages)
    assert (listing.source_key, listing.organization, listing.topics) == \
        ("reno/tuesday-night", "Narcotics Anonymous", ("substance use",))
    assert listing.city == "Reno" and listing.schedule[0].byday == "TU"
    sent = next(r for r, _ in httpserver.log if r.path == "/meetings.json")
    assert sent.headers["X-Api-Key"] == "demo"


def _one_feed(tmp_path: Path, line: str) -> Path:
    """A feeds file holding only one line."""
    path = tmp_path / "one.toml"
    path.write_text("feeds = [\n" + line, encoding="utf-8")
    return path


def _with_headers(make_fetcher, source: MeetingGuide):
    """The test fetch config with the source's per-URL headers (as the build plan makes it)."""
    from dataclasses import replace

    from schemas.urls import canonical_url

    base = make_fetcher().config
    return replace(base, headers={canonical_url(u): h for u, h in source.request_headers().items()})


@pytest.mark.parametrize(("text", "message"), [
    ("feeds = [ { name = 'a', url = 'https://a.example/x' ", "not valid TOML"),
    ("feeds = [ { name = 'a', url = 'ftp://a.example/x', organization = 'AA' } ]", "url"),
    ("feeds = [ { name = 'Bad Name', url = 'https://a.example/x', organization = 'AA' } ]", "name"),
    ("feeds = [ { name = 'a', url = 'https://a.example/x' } ]", "organization"),
    ("feeds = [ { name = 'a', url = 'https://a.example/x', organization = 'AA', colour = 'r' } ]", "colour"),
    ("feeds = [ { name = 'a', url = 'https://a.example/x', organization = 'AA' },"
     " { name = 'a', url = 'https://b.example/x', organization = 'AA' } ]", "name listed twice: a"),
    ("feeds = [ { name = 'a', url = 'https://a.example/x?b=2&a=1', organization = 'AA' },"
     " { name = 'b', url = 'https://A.example/x?a=1&b=2', organization = 'AA' } ]", "URL listed twice"),
    ("[[feed]]\nname = 'a'", "expected only a `feeds = [...]`"),
])
def test_a_bad_feeds_file_is_one_clear_error(tmp_path, text: str, message: str) -> None:
    path = tmp_path / "feeds.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FeedsFileError, match=r"feeds file .*feeds\.toml") as caught:
        MeetingGuide(feeds_file=path)
    assert message in str(caught.value)


def test_missing_feeds_file_is_a_clear_error(tmp_path) -> None:
    with pytest.raises(FeedsFileError, match="no such file"):
        MeetingGuide(feeds_file=tmp_path / "nope.toml")


# --- the crawl: a restricted feed is skipped and reported, the others go on ---------------------------


def test_restricted_feed_is_reported_not_failed(crawled) -> None:
    urls = [page.url for page in crawled.pages]
    assert {SAN_DIEGO, SEATTLE, DHARMA} <= set(urls) and len(urls) == 46 and RESTRICTED not in urls
    assert crawled.restricted == [(RESTRICTED, "HTTP 401: sharing restricted (HTTP/1.1 401 Unauthorized)")]
    assert crawled.skipped == [] and crawled.lost == []


def test_restricted_needs_a_json_error_answer() -> None:
    source = MeetingGuide()
    assert source.restricted(feed_page('{"error": "no key"}', SEATTLE, 401)) == \
        "HTTP 401: sharing restricted (no key)"
    forbidden = feed_page('{"code": "tsml_feed_restricted"}', SEATTLE, 403)
    assert source.restricted(forbidden).startswith("HTTP 403")
    assert source.restricted(feed_page(b"<html>Unauthorized</html>", SEATTLE, 401)) is None
    assert source.restricted(feed_page('{"error": "gone"}', SEATTLE, 404)) is None
    assert source.restricted(feed_page("[]", SEATTLE, 401)) is None


def test_a_401_that_is_not_a_restriction_fails_the_source() -> None:
    class Html401:
        def __init__(self) -> None:
            self.log: list = []

        def get(self, url: str) -> Page:
            return feed_page(b"<html>Unauthorized</html>", url, 401)

    with pytest.raises(FetchFailed, match="HTTP 401"):
        crawl(MeetingGuide(), Html401())


# --- the big feed (San Diego, 318 meetings) ---------------------------------------------------------


def san_diego(listings) -> list[ParsedListing]:
    """The San Diego feed's listings."""
    return [item for key, item in listings.items() if key.startswith("aasandiego/")]


def test_counts(listings) -> None:
    """318 meetings, 7 inactive (not listed); 12 small-feed entries, 3 skipped."""
    raw = json.loads(sample_page("meetingguide", "meetingguide_aasandiego.json").body)
    assert len(raw) == 318
    assert len(san_diego(listings)) == 311
    assert len(listings) == 311 + 9 + 87  # and the 87 meetings of the 42 other small feeds
    assert Counter(item.attendance for item in san_diego(listings)) == \
        {"in_person": 205, "online": 57, "hybrid": 44, None: 5}


def test_common_fields(listings) -> None:
    for item in san_diego(listings):
        assert (item.source, item.kind) == ("meetingguide", "group")
        assert item.organization == "Alcoholics Anonymous"
        assert item.topics == ("alcohol use",) and item.source_url == SAN_DIEGO
        assert item.website == f"https://aasandiego.org/meetings/{item.source_key.split('/')[1]}/"
        assert item.fetched_at == FETCHED and item.registration_url is None
        assert item.phone is None and item.email is None  # no person's or group's contact is published


def test_inactive_meetings_are_not_listed(listings) -> None:
    for slug in ("mens-stag-2", "friday-night-speaker-2", "professionals-group-6", "as-bill-sees-it-5"):
        assert f"aasandiego/{slug}" not in listings


def test_in_person_meeting_field_by_field(listings) -> None:
    item = listings["aasandiego/womens-step-study"]
    assert item.name == "Women’s Step Study"  # &#8217; decoded
    assert item.schedule == (ScheduleRule(freq="WEEKLY", byday="FR", opens_at="12:00", closes_at="13:30",
                                          timezone=LA),)
    assert item.schedule_text is None
    assert (item.street, item.city, item.state, item.postal_code, item.country) == \
        ("9087 Grand Ave", "San Diego", "CA", "92117", "US")
    assert (item.latitude, item.longitude) == (32.8223047, -117.1892808)
    assert item.location_name == "Santee Lakes Clubhouse" and item.timezone == LA
    assert item.attendance == "in_person" and item.conference_url is None
    assert item.meeting_types == ("C", "W", "ST", "BA", "XB")
    assert item.audiences == ("women",)
    assert item.description == (
        "Birthday meeting last Sunday of the month.\n"
        "Types: Closed, Women, Step Study, Babysitting Available, Wheelchair-Accessible Bathroom"
    )  # group, region, location notes and update time are fields of their own, not lines here
    assert (item.meeting_group, item.region, item.sub_region, item.location_notes, item.source_updated) == \
        ("Women’s Step Study Group", "Clairemont", None, "Upstairs, room 204.", "2024-01-13 03:04:25")


def test_day_list_is_one_rule_with_several_days(listings) -> None:
    assert listings["aasandiego/sunrise-serenity"].schedule[0].byday == "MO,TU,WE,TH,FR"
    assert listings["aasandiego/lunch-bunch"].schedule[0].byday == "MO,WE,FR"


def test_missing_or_empty_end_time_stays_empty(listings) -> None:
    assert listings["aasandiego/happy-hour"].schedule[0].closes_at is None  # key absent
    grapevine = listings["aasandiego/grapevine-discussion"].schedule[0]  # "end_time": ""
    assert (grapevine.opens_at, grapevine.closes_at) == ("12:00", None)
    no_end = sum(1 for item in san_diego(listings) if item.schedule and item.schedule[0].closes_at is None)
    assert no_end == 54  # never invented (57 in the feed: 2 inactive, 1 by appointment)


def test_online_meeting_with_approximate_point(listings) -> None:
    """approximate: yes -> no published point; the area stays as the address."""
    item = listings["aasandiego/grapevine-discussion"]
    assert item.attendance == "online"
    assert item.latitude is None and item.longitude is None
    assert (item.address, item.city, item.state, item.street) == ("Coronado, CA", "Coronado", "CA", None)
    assert item.conference_url.startswith("https://us02web.zoom.us/j/86816399461?pwd=")
    assert item.conference_phone == "+16699006833,,86816399461#"
    assert "Online: Meeting ID: 868 1639 9461 Passcode: 12steps" in item.description
    assert "By phone: Meeting ID: 868 1639 9461 Passcode: 971142" in item.description
    assert item.location_name == "Online"
    assert sum(1 for i in san_diego(listings) if i.latitude is None) == 36  # every approximate point


def test_temporarily_closed_location_keeps_tc_and_its_address(listings) -> None:
    item = listings["aasandiego/nooners"]
    assert item.meeting_types == ("O", "D", "ONL", "TC") and item.attendance == "online"
    assert item.street == "2366 University Ave" and item.latitude == 32.6354988
    assert "Location Temporarily Closed" in item.description
    assert type_name("ONL") is None  # not in the spec's types.json: kept as a code, no name


def test_spanish_meeting(listings) -> None:
    item = listings["aasandiego/grupo-amanecer"]
    assert "S" in item.meeting_types and "Types: Closed, Spanish, Step Study" in item.description
    assert item.schedule[0].byday == "SU"


def test_missing_timezone_and_missing_attendance_are_left_empty(listings) -> None:
    item = listings["aasandiego/steps-to-freedom-2"]
    assert item.timezone is None and item.schedule[0].timezone is None  # the warehouse fills it
    assert item.attendance is None  # no attendance_option: derived later, not guessed here


def test_by_appointment_meeting_has_no_rule(listings) -> None:
    item = listings["aasandiego/twelfth-step-call"]
    assert item.schedule == () and item.schedule_text is None
    assert item.description.startswith("By appointment")


# --- the small feed (Recovery Dharma): the awkward cases ---------------------------------------------


def test_small_feed_keys_and_skips(listings) -> None:
    keys = sorted(k for k in listings if k.startswith("recoverydharma/"))
    assert keys == sorted([
        "recoverydharma/morning-sangha-online", "recoverydharma/recovery-dharma-asheville",
        "recoverydharma/denver-hybrid", "recoverydharma/recovery-dharma-london",
        "recoverydharma/womens-sangha", "recoverydharma/womens-sangha-2",  # the slug repeated
        "recoverydharma/h-0cd938abe35a",  # no slug: a hash of name, day, time and address
        "recoverydharma/recovery-dharma-en-espanol", "recoverydharma/recovery-dharma-minneapolis",
    ])  # skipped: the inactive Portland meeting, the nameless one, the null entry
    assert all(listings[k].organization == "Recovery Dharma" for k in keys)


def test_separate_address_fields_and_string_coordinates(listings) -> None:
    item = listings["recoverydharma/recovery-dharma-asheville"]
    assert (item.street, item.city, item.state, item.postal_code, item.country) == \
        ("46 Wall St", "Asheville", "NC", "28801", "US")
    assert (item.latitude, item.longitude) == (35.5946, -82.554)
    assert (item.region, item.sub_region) == ("North Carolina", "Asheville")
    assert "Region" not in (item.description or "")


def test_string_day_comma_types_and_hybrid_without_end(listings) -> None:
    item = listings["recoverydharma/denver-hybrid"]
    assert item.schedule == (
        ScheduleRule(freq="WEEKLY", byday="TH", opens_at="19:00", timezone="America/Denver"),
    )
    assert item.meeting_types == ("O", "MED", "ONL") and item.attendance == "hybrid"
    assert item.conference_phone == "+17209289299,,83456789012#"


def test_unreadable_time_is_kept_as_text_not_guessed(listings) -> None:
    item = listings["recoverydharma/recovery-dharma-en-espanol"]
    assert item.schedule == ()
    assert item.schedule_text == "Monday, Wednesday 7:00 PM"
    assert item.timezone is None  # "Pacific Time" is not an IANA zone


def test_out_of_range_day_and_null_island(listings) -> None:
    item = listings["recoverydharma/recovery-dharma-minneapolis"]
    assert item.schedule == () and item.schedule_text == "8 18:00"
    assert item.latitude is None  # 0,0 is not a place
    assert item.attendance is None


def test_non_us_address_and_boolean_approximate(listings) -> None:
    london = listings["recoverydharma/recovery-dharma-london"]
    assert (london.country, london.state, london.timezone) == ("GB", None, "Europe/London")
    assert london.address == "173-177 Euston Rd, London NW1 2BJ"
    thursday = listings["recoverydharma/womens-sangha-2"]
    assert thursday.latitude is None  # "approximate": true
    assert listings["recoverydharma/womens-sangha"].audiences == ("women", "LGBTQ+")


def test_weekday_list_online_meeting_with_its_zone(listings) -> None:
    item = listings["recoverydharma/morning-sangha-online"]
    assert item.name == "Recovery Dharma Online – Morning Sangha"
    assert item.schedule == (ScheduleRule(freq="WEEKLY", byday="MO,TU,WE,TH,FR", opens_at="07:00",
                                          closes_at="08:00", timezone="America/New_York"),)


# --- changed feeds, type names ---------------------------------------------------------------------


def test_a_feed_that_is_not_json_raises_source_changed() -> None:
    page = feed_page((FILES / "meetingguide_wp_login.html").read_bytes())
    with pytest.raises(SourceChanged, match="aasandiego is not JSON") as caught:
        list(MeetingGuide().parse(page))
    assert caught.value.url == SAN_DIEGO


def test_a_feed_that_is_not_an_array_raises_source_changed() -> None:
    with pytest.raises(SourceChanged, match="not a JSON array"):
        list(MeetingGuide().parse(feed_page('{"meetings": []}')))


def test_a_page_of_no_feed_raises_source_changed() -> None:
    with pytest.raises(SourceChanged, match="not a URL of the feeds file"):
        list(MeetingGuide().parse(feed_page("[]", "https://elsewhere.example/feed")))


def test_type_names_and_audiences_from_the_spec_copy() -> None:
    assert type_names(("O", "D", "TC", "ONL")) == ["Open", "Discussion", "Location Temporarily Closed"]
    assert type_name("S", "es") == "Español" and type_name("X", "xx") == "Wheelchair Access"
    assert audiences_of(["W", "Y", "G", "L", "O"]) == ["women", "young adults", "LGBTQ+"]
    notice = (TYPES_FILE.parent / "LICENSE-meeting-guide-types.txt").read_text(encoding="utf-8")
    assert "MIT" in notice and "code4recovery/spec" in notice


def test_mirror_base_serves_every_feed_under_its_host() -> None:
    source = MeetingGuide(base_url="http://127.0.0.1:9000")
    mirrored = "http://127.0.0.1:9000/aasandiego.org/wp-admin/admin-ajax.php?action=meetings"
    assert mirrored in source.start_urls()
    assert list(source.parse(feed_page("[]", mirrored))) == []
    # A Google-Sheets-backed feed and a cache file (no query) are mirrored the same way.
    assert "http://127.0.0.1:9000/sheets.code4recovery.org/storage/aasfmarin.json" in source.start_urls()
    assert "http://127.0.0.1:9000/pdxaa.org/wp-content/tsml-cache-e3fc9e909a.json" in source.start_urls()


@pytest.mark.live
def test_live_feeds_answer_a_feed_or_a_restriction() -> None:
    """Each shipped feed still answers a JSON array of meetings, or a restricted 401."""
    from tests.live import live_page

    source = MeetingGuide()
    for url in source.start_urls():
        page = live_page(url)
        if page.status in (401, 403):
            assert source.restricted(page), url
        else:
            assert page.status == 200 and isinstance(page.json(), list), url


@pytest.mark.parametrize("url", ["Ũttps:/aasandiego.org/meetings/x/", "/meetings/x/", "meetings/x/",
                                 "mailto:a@b.org"])
def test_a_link_that_is_not_absolute_http_is_dropped_not_resolved(url) -> None:
    """Found by fuzzing: a mangled url was joined to the feed's own URL into a link nobody published."""
    meeting = {"name": "Tradition Study", "slug": "tradition-study", "day": 2, "time": "19:00",
               "url": url, "conference_url": url, "formatted_address": "San Diego, CA 92101"}
    listing = next(iter(MeetingGuide().parse(feed_page(json.dumps([meeting])))))
    assert listing.website is None and listing.conference_url is None
    meeting["url"] = "https://aasandiego.org/meetings/tradition-study/"
    listing = next(iter(MeetingGuide().parse(feed_page(json.dumps([meeting])))))
    assert listing.website == "https://aasandiego.org/meetings/tradition-study/"


# --- off-spec producers (not the WordPress plugin): read as they mean, count what cannot be read --------

# The saved feed stands for https://example-intergroup.org/meetings.json: an intergroup site that
# writes its own feed (not the 12 Step Meeting List plugin), with the off-spec habits of such feeds.
OFFSPEC = "https://example-intergroup.org/meetings.json"


@pytest.fixture(scope="module")
def offspec_page() -> Page:
    """The saved off-spec feed, as fetched from its URL."""
    return feed_page((FILES / "meetingguide_offspec.json").read_bytes(), OFFSPEC)


@pytest.fixture(scope="module")
def offspec(tmp_path_factory, offspec_page) -> dict[str, ParsedListing]:
    """The off-spec feed's listings by slug, parsed by a source whose feeds file lists it."""
    feeds = tmp_path_factory.mktemp("offspec") / "feeds.toml"
    line = (f'{{ name = "intergroup", url = "{OFFSPEC}", organization = "Alcoholics Anonymous", '
            'topics = ["alcohol use"] }')
    feeds.write_text(f"feeds = [ {line} ]\n", encoding="utf-8")
    listings = MeetingGuide(feeds_file=feeds).parse(offspec_page)
    return {item.source_key.removeprefix("intergroup/"): item for item in listings}


def weekly(byday: str, opens: str | None, closes: str | None) -> ScheduleRule:
    """A weekly rule in the off-spec feed's zone."""
    return ScheduleRule(freq="WEEKLY", byday=byday, opens_at=opens, closes_at=closes, timezone=LA)


@pytest.mark.parametrize(("slug", "rule"), [
    ("friday-night-big-book", weekly("FR", "19:00", "20:30")),  # "Friday"
    ("noon-serenity", weekly("FR", "12:00", "13:00")),  # "friday"
    ("early-risers", weekly("FR", "06:30", "07:30")),  # "Fri"
    ("midweek-steps", weekly("MO,WE,FR", "07:00", "08:00")),  # ["Monday", "wed", "FRI"]
])
def test_weekday_names_are_weekly_rules(offspec, slug: str, rule: ScheduleRule) -> None:
    assert offspec[slug].schedule == (rule,)
    assert offspec[slug].schedule_text is None


@pytest.mark.parametrize(("slug", "rule"), [
    ("friday-discussion", weekly("FR", "18:00", "19:00")),  # "5", "18:00:00"
    ("morning-reflections", weekly("MO,WE", "07:00", "08:00")),  # ["1", "3"], "7:00:00"
])
def test_numeric_string_days_are_weekly_rules(offspec, slug: str, rule: ScheduleRule) -> None:
    assert offspec[slug].schedule == (rule,)
    assert offspec[slug].schedule_text is None


def test_hh_mm_ss_times_are_rule_times_never_prose(offspec) -> None:
    """A 24-hour time is read here: none is left to the prose parser, where "12:00" is ambiguous."""
    noon = offspec["noon-serenity"].schedule[0]  # "12:00:00" - "13:00:00"
    assert (noon.opens_at, noon.closes_at) == ("12:00", "13:00")
    assert offspec["morning-reflections"].schedule[0].opens_at == "07:00"  # "7:00:00"
    readable = [item for item in offspec.values() if item.schedule]
    assert len(readable) == 8 and all(item.schedule_text is None for item in readable)


def test_string_coordinates_are_floats(offspec) -> None:
    item = offspec["friday-night-big-book"]
    assert (item.latitude, item.longitude) == (47.6062, -122.3321)  # "47.6062", " -122.3321 "


def test_empty_strings_are_missing_values(offspec) -> None:
    item = offspec["pine-street-group"]
    assert item.schedule == (ScheduleRule(freq="WEEKLY", byday="TU", opens_at="18:00"),)  # day ["", "2"]
    assert (item.latitude, item.longitude, item.postal_code, item.timezone) == (None, None, None, None)
    assert (item.street, item.city, item.state) == ("200 Pine St", "Seattle", "WA")
    assert item.meeting_types == () and item.attendance is None and item.description is None
    for listing in offspec.values():
        assert "" not in _values(listing.model_dump()), listing.source_key


def _values(value: object) -> list[object]:
    """Every scalar inside a dumped model (dicts, lists and tuples opened)."""
    if isinstance(value, dict):
        return [v for item in value.values() for v in _values(item)]
    if isinstance(value, (list, tuple)):
        return [v for item in value for v in _values(item)]
    return [value]


def test_unreadable_values_are_counted_per_feed_and_the_meeting_listed(offspec, offspec_page) -> None:
    someday, late = offspec["someday-group"], offspec["late-night"]
    assert (someday.schedule, someday.schedule_text) == ((), "Someday 19:00")
    assert someday.latitude is None and someday.longitude is None  # "north": no point
    assert (late.schedule, late.schedule_text) == ((), "Tuesday 25:99")
    assert offspec["wednesday-open"].schedule == (weekly("WE", "19:00", None),)  # end "around 8"
    assert "closed-for-now" not in offspec  # inactive: not listed, so not counted
    assert unreadable_counts(offspec_page) == {"day": 1, "time": 1, "end_time": 2, "latitude": 1}


def test_unreadable_counts_of_the_sample_feeds(crawled) -> None:
    by_url = {page.url: unreadable_counts(page) for page in crawled.pages}
    # Recovery Dharma: day 8, time "7:00 PM" (left to the prose parser), timezone "Pacific Time"
    assert by_url[DHARMA] == {"day": 1, "time": 1, "timezone": 1}
    assert not any(counts for url, counts in by_url.items() if url != DHARMA)  # every other feed reads whole


@pytest.mark.parametrize("latitude", [True, "nan", "4_7.6", "47.6N", 95])
def test_a_coordinate_that_is_not_a_number_on_earth_is_no_point_and_counted(latitude) -> None:
    """float() would take True as 1.0 and "4_7.6" as 47.6: neither is a published latitude."""
    meeting = {"name": "Odd Point", "slug": "odd-point", "day": 2, "time": "19:00",
               "latitude": latitude, "longitude": True if latitude is True else "-117.1"}
    page = feed_page(json.dumps([meeting]))
    [listing] = MeetingGuide().parse(page)
    assert (listing.latitude, listing.longitude) == (None, None)
    assert unreadable_counts(page)["latitude"] == 1


def test_a_sheets_feed_parses_as_a_feed() -> None:
    """A Google-Sheets-backed feed: no plugin fields (attendance_option), a region; an ordinary feed."""
    url = "https://sheets.code4recovery.org/storage/aasfmarin.json"
    [listing] = MeetingGuide().parse(sample_page("meetingguide", "meetingguide_aasfmarin.json"))
    assert listing.source_key == "aasfmarin/language-of-the-heart" and listing.source_url == url
    assert (listing.city, listing.state, listing.attendance) == ("San Francisco", "CA", None)
    assert listing.region == "San Francisco" and listing.schedule[0].byday == "SU"


@pytest.mark.parametrize(("published", "read"), [
    ("2024-01-13 03:04:25", "2024-01-13 03:04:25"), ("2024-01-13T03:04:25Z", "2024-01-13 03:04:25"),
    ("2024-01-13", "2024-01-13 00:00:00"), ("last week", None), (None, None)])
def test_updated_is_a_field_as_the_spec_writes_it(published, read) -> None:
    meeting = {"name": "Noon", "slug": "noon", "day": 1, "time": "12:00", "updated": published}
    page = feed_page(json.dumps([meeting]))
    [listing] = MeetingGuide().parse(page)
    assert listing.source_updated == read
    assert unreadable_counts(page).get("updated", 0) == (1 if published == "last week" else 0)

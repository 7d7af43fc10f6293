"""The unit of failure: one page, one feed or one state page that breaks is lost, not the source."""

import json
from dataclasses import replace
from itertools import pairwise
from urllib.parse import urlsplit

import pytest

from flows.units import unit_outcomes
from schemas.errors import LostTooMany, SourceChanged
from scrapers.crawl import crawl
from scrapers.sample import load_manifest
from scrapers.sources.bmlt import Bmlt
from scrapers.sources.dbsa import Dbsa
from scrapers.sources.meetingguide import MeetingGuide
from scrapers.sources.sardaa import Sardaa
from scrapers.sources.smart import Smart
from tests import faults
from tests.faults import FaultServer, sample_pages

STATE = "/support/chapters-and-support-groups/find-a-support-group/?state="
NEW_LAYOUT = faults.ok(b"<html><body><main><p>Our groups have moved.</p></main></body></html>")
FIREWALL = faults.ok(b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body></body></html>")


def parse_with_losses(source, result):
    """The parse step as a build runs it: (listings, lost pages)."""
    lost = list(result.lost)
    return source.parse_all(result.pages, result.parsed, lost), lost


def test_an_odd_state_page_is_lost_and_every_other_state_is_parsed(make_fetcher):
    with FaultServer(pages=sample_pages("dbsa")) as mirror:
        whole = Dbsa(mirror.base)
        everything = whole.parse_all(crawl(whole, make_fetcher()).pages)
        mirror.script(STATE + "KY", NEW_LAYOUT)
        source = Dbsa(mirror.base)
        listings, lost = parse_with_losses(source, crawl(source, make_fetcher(), parse=True))
    assert [url for url, _ in lost] == [mirror.url(STATE + "KY")]
    assert lost[0][1].startswith("SourceChanged: dbsa:")
    kentucky = {item.source_key for item in everything if item.source_url.endswith("state=KY")}
    assert kentucky  # the sample's Kentucky page has listings: they are the ones missing now
    assert {item.source_key for item in listings} == {item.source_key for item in everything} - kentucky


def test_a_state_page_the_server_fails_is_lost_with_its_status(make_fetcher):
    with FaultServer(pages=sample_pages("dbsa")) as mirror:
        mirror.script(STATE + "OH", *[faults.status(503)] * 5)
        source = Dbsa(mirror.base)
        result = crawl(source, make_fetcher())
    assert [url for url, _ in result.lost] == [mirror.url(STATE + "OH")]
    assert result.lost[0][1].endswith("HTTP 503")
    listings, lost = parse_with_losses(source, result)
    assert lost == result.lost and listings


def test_more_lost_pages_than_the_share_fail_the_source(make_fetcher):
    with FaultServer(pages=sample_pages("dbsa")) as mirror:
        for code in ("AK", "AL", "AR", "AZ", "CA", "CO"):  # 6 of 52 pages: more than 10 %
            mirror.script(STATE + code, NEW_LAYOUT)
        source = Dbsa(mirror.base)
        result = crawl(source, make_fetcher(), parse=True)
    with pytest.raises(LostTooMany, match=r"dbsa: 6 of 52 pages lost \(more than 10%\)"):
        parse_with_losses(source, result)


def test_the_share_is_a_setting(make_fetcher, monkeypatch):
    monkeypatch.setenv("SUPPORTDIR_DBSA_MAX_LOST_SHARE", "0.2")
    with FaultServer(pages=sample_pages("dbsa")) as mirror:
        for code in ("AK", "AL", "AR", "AZ", "CA", "CO"):
            mirror.script(STATE + code, NEW_LAYOUT)
        source = Dbsa(mirror.base)
        listings, lost = parse_with_losses(source, crawl(source, make_fetcher(), parse=True))
    assert len(lost) == 6 and listings


def test_the_one_page_a_source_starts_from_still_fails_it(make_fetcher):
    with FaultServer(pages=sample_pages("sardaa")) as mirror:
        mirror.script("/peer-support-groups/", NEW_LAYOUT)
        source = Sardaa(mirror.base)
        result = crawl(source, make_fetcher(), parse=True)
    with pytest.raises(SourceChanged):
        parse_with_losses(source, result)


def test_an_odd_meeting_page_among_good_ones_is_lost_and_the_others_listed(make_fetcher):
    pages = sample_pages("smart")
    detail = next(path for path in pages if path.startswith("/meetings/") and pages[path][0] == 200)
    with FaultServer(pages=pages) as mirror:
        mirror.script(detail, faults.ok(b"<html><body><h2>Page moved</h2></body></html>"))
        source = Smart(mirror.base)
        listings, lost = parse_with_losses(source, crawl(source, make_fetcher(), parse=True))
    assert [url for url, _ in lost] == [mirror.url(detail)]
    assert "no meeting on the page" in lost[0][1]
    keys = {item.source_key for item in listings}
    assert listings and detail.strip("/").split("/")[-1] not in keys


def big_fetcher(make_fetcher):
    """A fetcher that takes a whole feed (the tests' default body cap is 64 KiB)."""
    return make_fetcher(config=replace(make_fetcher().config, max_bytes=10_000_000))


def feed_mirror_pages() -> dict[str, tuple[int, dict[str, str], bytes]]:
    """The sample's feeds as a mirror serves them: /<host><path>?<query> (see MeetingGuide.feed_url)."""
    pages = {}
    for response in load_manifest("meetingguide"):
        parts = urlsplit(response.url)
        headers = {k: v for k, v in response.headers.items() if k.lower() != "content-length"}
        query = f"?{parts.query}" if parts.query else ""  # a cache file or a sheets feed has none
        pages[f"/{parts.netloc}{parts.path}{query}"] = (response.status, headers, response.body)
    return pages


@pytest.mark.parametrize("fault", [FIREWALL, faults.status(404), faults.ok(b'{"meetings": "soon"}')],
                         ids=["firewall-page", "404", "not-an-array"])
def test_a_broken_feed_among_good_feeds_is_lost_and_the_others_listed(make_fetcher, fault):
    pages = feed_mirror_pages()
    with FaultServer(pages=pages) as mirror:
        source = MeetingGuide(mirror.base)
        whole, _ = parse_with_losses(source, crawl(source, big_fetcher(make_fetcher)))
        broken = next(path for path in pages if path.startswith("/recoverydharma.org/"))
        mirror.script(broken, *[fault] * 5)
        source = MeetingGuide(mirror.base)
        result = crawl(source, big_fetcher(make_fetcher))
        listings, lost = parse_with_losses(source, result)
    assert [url for url, _ in lost] == [mirror.url(broken)]
    assert result.restricted == []  # (a restricted feed is in no shipped feeds file: test_meetingguide)
    assert {item.source_key for item in listings} == \
        {item.source_key for item in whole if not item.source_key.startswith("recoverydharma/")}


def test_every_feed_lost_fails_the_source(make_fetcher):
    pages = feed_mirror_pages()
    with FaultServer(pages=pages) as mirror:
        for path in pages:
            mirror.script(path, *[faults.status(500)] * 5)
        source = MeetingGuide(mirror.base)
        with pytest.raises(Exception, match="HTTP 500"):
            crawl(source, make_fetcher())


def test_a_feed_with_values_it_cannot_read_is_noted_in_the_crawl(tmp_path):
    from scrapers.replay import ReplayFetcher
    from scrapers.sample import sample_warc

    result = crawl(MeetingGuide(), ReplayFetcher([sample_warc(tmp_path)]))
    # The sample's Recovery Dharma feed holds day 8, "7:00 PM" and "Pacific Time".
    assert [note for note in result.notes if "values not read" in note] == [
        "recoverydharma: values not read as fields (kept as text): day 1, time 1, timezone 1"]


@pytest.mark.parametrize("workers", [0, 2])
def test_a_feed_parsed_in_the_crawl_is_noted_where_it_is_parsed(tmp_path, workers):
    """Notes are made beside the parse (in a worker with workers), and are those of an unparsed crawl."""
    from scrapers.replay import ReplayFetcher
    from scrapers.sample import sample_warc

    warc = sample_warc(tmp_path)
    unparsed = crawl(MeetingGuide(), ReplayFetcher([warc]))
    parsed = crawl(MeetingGuide(), ReplayFetcher([warc]), parse=True, parse_workers=workers,
                   in_thread_bytes=0)
    assert parsed.parsed and parsed.parse_error is None
    assert sorted(parsed.notes) == sorted(unparsed.notes)
    assert sum("values not read" in note for note in parsed.notes) == 1


ALBUQUERQUE = "/albuquerqueaa.org/wp-content/tsml-cache-5b6e8714c9.json"  # the hash the feeds file lists
PDX = "/pdxaa.org/wp-content/tsml-cache-e3fc9e909a.json"


def test_a_rotated_cache_file_is_found_again_from_the_meetings_page(make_fetcher):
    """The sample's albuquerqueaa cache file answers 404; its meetings page names the current one."""
    pages = feed_mirror_pages()
    assert pages[ALBUQUERQUE][0] == 404
    with FaultServer(pages=pages) as mirror:
        source = MeetingGuide(mirror.base)
        result = crawl(source, big_fetcher(make_fetcher))
        listings, lost = parse_with_losses(source, result)
    current = mirror.url("/albuquerqueaa.org/wp-content/tsml-cache-9c41d07e2b.json")
    assert lost == [] and result.lost == [] and result.skipped == []
    ours = [item for item in listings if item.source_key.startswith("albuquerqueaa/")]
    assert len(ours) == 2 and {item.source_url for item in ours} == {current}
    page = mirror.url("/albuquerqueaa.org/meetings/")
    assert f"{mirror.url(ALBUQUERQUE)}: HTTP 404, looking for it at {page}" in result.notes
    assert f"albuquerqueaa: cache file gone (its hash rotated): read the current one, {current}" \
        in result.notes


def test_no_cache_file_on_the_meetings_page_falls_back_to_admin_ajax(make_fetcher):
    pages = feed_mirror_pages()
    meetings = json.dumps([{"name": "Rose City Step Study", "slug": "rose-city", "day": 4, "time": "18:00",
                            "formatted_address": "1 SE Main St, Portland, OR 97214, USA"}]).encode()
    html = {"Content-Type": "text/html"}
    pages[PDX] = (404, html, b"<html><body>Not found</body></html>")
    stale = b'<div id="tsml-ui" data-src="/wp-content/tsml-cache-e3fc9e909a.json"></div>'  # the gone one
    pages["/pdxaa.org/meetings/"] = (200, html, b"<html><body>" + stale + b"</body></html>")
    pages["/pdxaa.org/wp-admin/admin-ajax.php?action=meetings"] = (200, {"Content-Type": "application/json"},
                                                                   meetings)
    with FaultServer(pages=pages) as mirror:
        source = MeetingGuide(mirror.base)
        result = crawl(source, big_fetcher(make_fetcher))
        listings, lost = parse_with_losses(source, result)
    ajax = mirror.url("/pdxaa.org/wp-admin/admin-ajax.php?action=meetings")
    [ours] = [item for item in listings if item.source_key.startswith("pdxaa/")]
    assert (ours.source_key, ours.source_url, lost) == ("pdxaa/rose-city", ajax, [])
    page = mirror.url("/pdxaa.org/meetings/")
    assert f"pdxaa: cache file gone and none named on {page}: read {ajax} instead" in result.notes


def test_a_cache_file_not_found_again_is_the_feed_lost(make_fetcher):
    """The meetings page gone too: the feed is lost under its own URL (its last good meetings kept)."""
    pages = feed_mirror_pages()
    pages[PDX] = (404, {"Content-Type": "text/html"}, b"gone")
    with FaultServer(pages=pages) as mirror:
        source = MeetingGuide(mirror.base)
        result = crawl(source, big_fetcher(make_fetcher))
    assert result.lost == [(mirror.url(PDX), f"{mirror.url('/pdxaa.org/meetings/')}: HTTP 404")]


# --- the run report's line per unit (flows/units.py) ---------------------------------------------


def test_each_feed_is_a_unit_of_the_report_and_the_broken_one_says_why(make_fetcher):
    pages = feed_mirror_pages()
    broken = next(path for path in pages if path.startswith("/recoverydharma.org/"))
    with FaultServer(pages=pages) as mirror:
        mirror.script(broken, *[FIREWALL] * 5)
        source = MeetingGuide(mirror.base)
        result = crawl(source, big_fetcher(make_fetcher))
        _, lost = parse_with_losses(source, result)
    units = {unit.unit: unit for unit in unit_outcomes(result, lost)}
    assert list(units) == [feed.name for feed in source.feeds]  # every feed, in the feeds file's order
    dharma = units["recoverydharma"]
    assert (dharma.status, dharma.url) == ("lost", mirror.url(broken))
    assert dharma.reason.startswith("SourceChanged: meetingguide:") and "is not JSON" in dharma.reason
    albuquerque = units["albuquerqueaa"]  # the sample's rotated cache file, found again
    assert albuquerque.status == "recovered"
    page = mirror.url("/albuquerqueaa.org/meetings/")
    assert albuquerque.reason.startswith(f"HTTP 404, looking for it at {page}; "
                                         "cache file gone (its hash rotated): read the current one, ")
    assert {unit.status for name, unit in units.items() if name not in ("recoverydharma", "albuquerqueaa")} \
        == {"ok"}


def test_a_feed_with_unreadable_values_is_ok_with_the_note_as_its_reason(tmp_path):
    from scrapers.replay import ReplayFetcher
    from scrapers.sample import sample_warc

    result = crawl(MeetingGuide(), ReplayFetcher([sample_warc(tmp_path)]))
    [dharma] = [unit for unit in unit_outcomes(result, result.lost) if unit.unit == "recoverydharma"]
    assert (dharma.status, dharma.reason) == \
        ("ok", "values not read as fields (kept as text): day 1, time 1, timezone 1")


def test_each_root_server_is_a_unit_and_one_answering_500_is_lost(make_fetcher):
    from tests.test_bmlt import NJ, mirror_pages, mirrored

    with FaultServer(pages=mirror_pages()) as mirror:
        mirror.script(mirrored(NJ + "GetFormats"), *[faults.status(500)] * 5)
        source = Bmlt(mirror.base)
        result = crawl(source, make_fetcher(), parse=True)
        result.shed_parsed_bodies()  # as the build hands it on: the list's body is gone by then
        _, lost = parse_with_losses(source, result)
    units = {unit.unit: unit for unit in unit_outcomes(result, lost)}
    assert {key: unit.status for key, unit in units.items()} == {"101": "lost", "205": "ok", "318": "ok"}
    assert units["101"].reason.endswith("HTTP 500")
    assert units["101"].url.startswith("https://bmlt.gardenstate-na.example/")  # the server, as listed
    assert units["318"].name and units["318"].reason is None


def test_feeds_on_a_mirror_are_fetched_at_once_per_live_host_with_the_same_result(make_fetcher):
    """Politeness is per live host a mirrored URL stands for; a rotated cache file and a broken feed
    are handled as one page at a time handles them."""
    from scrapers.crawl import Limits

    pages = feed_mirror_pages()  # albuquerqueaa's cache file answers 404 (found again from its page)
    broken = next(path for path in pages if path.startswith("/recoverydharma.org/"))
    with FaultServer(pages=pages, latency=0.05) as mirror:
        mirror.script(broken, *[faults.status(500)] * 5)
        config = replace(big_fetcher(make_fetcher).config, default_interval=0.1,
                         mirrors=frozenset({mirror.base}))
        crawls = {}
        for hosts in (8, 1):
            mirror.requests.clear()
            crawls[hosts] = crawl(MeetingGuide(mirror.base), make_fetcher(config=config),
                                  limits=Limits(hosts=hosts))
            if hosts == 8:
                asked = sorted((r.at, r.path.split("/")[1]) for r in mirror.requests)
    many, one = crawls[8], crawls[1]
    assert [(p.url, p.body) for p in many.pages] == [(p.url, p.body) for p in one.pages]
    assert (many.lost, many.notes, many.units) == (one.lost, one.notes, one.units)
    assert [url for url, _ in many.lost] == [mirror.url(broken)]
    assert any("albuquerqueaa: cache file gone" in note for note in many.notes)
    starts = [at for at, _host in asked]
    assert max(sum(1 for other in starts if start <= other < start + 0.05) for start in starts) > 1  # at once
    for host in {host for _at, host in asked if "." in host}:  # each live host: its interval kept
        mine = [at for at, other in asked if other == host]
        assert all(b - a >= 0.1 - 0.02 for a, b in pairwise(mine)), host

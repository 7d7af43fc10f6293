"""Tests of the DBSA parser on the sample snapshot (scrapers/sample/dbsa/) and tests/files/dbsa_*."""

from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from schemas.errors import SourceChanged
from schemas.listing import ParsedListing
from scrapers.page import Page
from scrapers.sample import load_manifest, sample_page
from scrapers.sources.dbsa import STATE_CODES, Dbsa

FILES = Path(__file__).parent / "files"
FIND = "https://www.dbsalliance.org/support/chapters-and-support-groups/find-a-support-group/"
FETCHED = datetime(2026, 11, 20, 6, tzinfo=UTC)
ONLINE = "https://www.dbsalliance.org/support/dbsa-national-online-cultural-and-identity-focused-support-group-offerings/"


def state_url(code: str) -> str:
    """The URL a state page stands for."""
    return f"{FIND}?state={code}"


def file_page(name: str, url: str) -> Page:
    """A saved test page from tests/files, as fetched from `url`."""
    return Page(url, 200, {"Content-Type": "text/html; charset=UTF-8"}, (FILES / name).read_bytes(), FETCHED)


def inline_page(html: str, url: str) -> Page:
    """A page built inline."""
    return Page(url, 200, {}, html.encode("utf-8"), FETCHED)


# --- the sample snapshot (all 51 state pages), parsed once -------------------------------------


@pytest.fixture(scope="module")
def pages() -> list[Page]:
    """Every sample page, in manifest (= start URL) order."""
    return [sample_page("dbsa", response.path.name) for response in load_manifest("dbsa")]


@pytest.fixture(scope="module")
def listings(pages: list[Page]) -> dict[str, ParsedListing]:
    """The whole sample crawl through parse_all (parse every page, then finalize), by key."""
    parsed = Dbsa().parse_all(pages)
    by_key = {listing.source_key: listing for listing in parsed}
    assert len(by_key) == len(parsed), "source keys must be unique"
    return by_key


def test_start_urls_are_the_51_state_pages_and_the_online_page_of_the_manifest() -> None:
    urls = Dbsa().start_urls()
    assert len(urls) == 52 and len(STATE_CODES) == 51
    assert urls[0] == state_url("AK") and state_url("DC") in urls and state_url("WY") == urls[-2]
    assert urls[-1] == ONLINE
    assert [r.url for r in load_manifest("dbsa")] == urls
    assert Dbsa.min_interval == 1.0


def test_count_and_kinds(listings: dict[str, ParsedListing]) -> None:
    """18 listings on 6 state pages: the regional chapter's three copies become one -> 16; 8 online."""
    assert len(listings) == 24
    assert Counter(item.kind for item in listings.values()) == {"chapter": 12, "group": 12}
    assert sum(key.startswith("online/") for key in listings) == 8


def test_common_fields(listings: dict[str, ParsedListing]) -> None:
    for item in listings.values():
        assert item.source == "dbsa" and item.organization == "DBSA"
        assert item.topics == ("depression", "bipolar")
        assert item.fetched_at == FETCHED and item.content_sha256 and len(item.content_sha256) == 64
        assert item.source_url.startswith(f"{FIND}?state=") or item.source_url == ONLINE
        assert item.conference_url is None and item.phone is None


def test_empty_state_page_yields_nothing_without_error(pages: list[Page]) -> None:
    """https://www.dbsalliance.org/...find-a-support-group/?state=AL: the 'no groups' message."""
    alabama = sample_page("dbsa", "dbsa_state_al.html")
    assert alabama.url == state_url("AL")
    assert list(Dbsa().parse(alabama)) == []
    assert sum(1 for page in pages if not list(Dbsa().parse(page))) == 45


def test_kentucky_page_before_finalize() -> None:
    """?state=KY holds five listings in page order, each serving KY."""
    parsed = list(Dbsa().parse(sample_page("dbsa", "dbsa_state_ky.html")))
    assert [item.name for item in parsed] == [
        "DBSA Greater Cincinnati",
        "DBSA Lexington",
        "DBSA Louisville",
        "DBSA Louisville Young Adults Group",
        "DBSA Louisville Friends & Family Group",
    ]
    assert all(item.service_area == ("KY",) for item in parsed)


def test_regional_chapter_is_one_listing_serving_three_states(
    listings: dict[str, ParsedListing],
) -> None:
    """DBSA Greater Cincinnati is listed under ?state=IN, KY and OH."""
    item = listings["dbsa-greater-cincinnati"]
    assert item.kind == "chapter" and item.parent_key is None
    assert item.service_area == ("IN", "KY", "OH")
    assert item.address == "Greater Cincinnati"
    assert item.city is None and item.state is None  # a region: no invented city or state
    assert item.email == "info@dbsagreatercincinnati.org"
    assert item.website == "https://www.dbsagreatercincinnati.org/"
    assert item.audiences == ("peers", "family")  # "... and their loved ones"
    assert item.description is not None and item.description.count("\n") == 1
    assert not any(key.startswith("dbsa-greater-cincinnati-") for key in listings)


def test_chapter_without_website(listings: dict[str, ParsedListing]) -> None:
    """?state=KY: DBSA Lexington, an email and no Visit Website link."""
    item = listings["dbsa-lexington"]
    assert (item.kind, item.name, item.parent_key) == ("chapter", "DBSA Lexington", None)
    assert (item.city, item.state, item.service_area) == ("Lexington", "KY", ("KY",))
    assert item.email == "dbsalexington@gmail.com" and item.website is None
    assert item.description == (
        "Meets every Monday, 7:00–8:30 p.m. at Central Christian Church, "
        "205 E. Short St., Lexington. Free, confidential and peer-led."
    )
    assert item.schedule_text is None  # chapters keep times in the description only
    assert item.audiences == ("peers",)
    assert item.source_url == state_url("KY")


def test_chapter_with_website(listings: dict[str, ParsedListing]) -> None:
    """?state=KY: DBSA Louisville, with a Visit Website link and an escaped ampersand."""
    item = listings["dbsa-louisville"]
    assert item.website == "https://dbsalouisville.org/"
    assert item.email == "info@dbsalouisville.org"
    assert item.description is not None
    assert "metro area & Southern Indiana" in item.description
    assert "Visit Website" not in item.description and "Email" not in item.description


def test_group_under_a_chapter(listings: dict[str, ParsedListing]) -> None:
    """?state=KY: location "Louisville - DBSA Louisville" makes a group of DBSA Louisville."""
    item = listings["dbsa-louisville-young-adults-group"]
    assert item.kind == "group" and item.parent_key == "dbsa-louisville"
    assert item.parent_key in listings
    assert (item.address, item.city, item.state) == ("Louisville", "Louisville", "KY")
    assert item.schedule_text == "Meets 2nd & 4th Tuesdays, 7-8:30 pm at Norton Commons Library."
    assert item.email == "youngadults@dbsalouisville.org"
    assert item.description is not None and "youngadults@" not in item.description
    assert item.description.startswith("A peer support group for young adults ages 18–30")


def test_family_group_without_email(listings: dict[str, ParsedListing]) -> None:
    """?state=KY: en dash in the location, no email, a <br> in the description."""
    item = listings["dbsa-louisville-friends-family-group"]
    assert item.name == "DBSA Louisville Friends & Family Group"
    assert item.kind == "group" and item.parent_key == "dbsa-louisville"
    assert item.email is None and item.website is None
    assert item.audiences == ("family",)
    assert item.description == (
        "For family members and friends of people living with depression or bipolar disorder.\n"
        "Tues/Thurs 6:30pm at St. Matthews Episcopal Church, 330 N. Hubbards Ln."
    )
    assert item.schedule_text == "Tues/Thurs 6:30pm at St. Matthews Episcopal Church, 330 N. Hubbards Ln."


def test_same_slug_different_chapters_are_kept_apart(listings: dict[str, ParsedListing]) -> None:
    """ "DBSA Columbus" on ?state=IN (Columbus, IN) and ?state=OH: different email and place."""
    indiana, ohio = listings["dbsa-columbus"], listings["dbsa-columbus--oh"]
    assert (indiana.city, indiana.state, indiana.service_area) == ("Columbus", "IN", ("IN",))
    assert indiana.email == "dbsacolumbusin@gmail.com" and indiana.address == "Columbus, IN"
    assert (ohio.city, ohio.state, ohio.service_area) == ("Columbus", "OH", ("OH",))
    assert ohio.email == "dbsacolumbus@gmail.com" and ohio.website == "http://www.dbsacolumbus.org"


def test_group_points_at_its_own_states_chapter(listings: dict[str, ParsedListing]) -> None:
    """?state=OH: the Women's Circle's parent "DBSA Columbus" is the Ohio chapter's new key."""
    item = listings["dbsa-columbus-womens-circle"]
    assert item.name == "DBSA Columbus Women’s Circle"  # &#8217; unescaped
    assert item.parent_key == "dbsa-columbus--oh"
    assert item.schedule_text == "Meets Saturdays 10:00 a.m.–noon via Zoom."
    assert item.audiences == ("peers",)


def test_non_ascii_name_and_region_chapter(listings: dict[str, ParsedListing]) -> None:
    """?state=CA: "Grupo de Apoyo en Español" under DBSA Orange County (a county, not a city)."""
    group = listings["grupo-de-apoyo-en-espanol"]
    assert group.name == "Grupo de Apoyo en Español"
    assert group.parent_key == "dbsa-orange-county" and group.city == "Santa Ana"
    assert group.schedule_text == (
        "Meets Wednesdays at 7 p.m. at the Santa Ana Public Library, 26 Civic Center Plaza."
    )
    chapter = listings["dbsa-orange-county"]
    assert (chapter.kind, chapter.city, chapter.state) == ("chapter", None, None)
    assert chapter.service_area == ("CA",)


def test_entities_and_chapter_schedule_prose(listings: dict[str, ParsedListing]) -> None:
    """?state=CA: &ldquo;...&rdquo; and &amp; unescaped in DBSA San Francisco's description."""
    item = listings["dbsa-san-francisco"]
    assert item.description is not None
    assert item.description.startswith("Peer-run “Depression & Bipolar” support groups since 1992.")
    assert item.kind == "chapter" and item.schedule_text is None


def test_places_that_are_not_one_city(listings: dict[str, ParsedListing]) -> None:
    """?state=TX: "Dallas/Fort Worth" is no single city; DBSA Houston has no description."""
    dallas = listings["dbsa-dallas"]
    assert (dallas.address, dallas.city, dallas.state) == ("Dallas/Fort Worth", None, None)
    houston = listings["dbsa-houston"]
    assert houston.description is None and houston.city == "Houston" and houston.state == "TX"


def test_website_without_email_and_family_welcome(listings: dict[str, ParsedListing]) -> None:
    """?state=NY Buffalo has only a website; ?state=IN Indianapolis welcomes family too."""
    buffalo = listings["dbsa-buffalo"]
    assert buffalo.email is None and buffalo.website == "https://www.dbsabuffalo.org/"
    assert listings["dbsa-indianapolis"].audiences == ("peers", "family")


# --- pages that are not (or no longer) the expected layout --------------------------------------


@pytest.mark.parametrize(
    "name", ["dbsa_changed_layout.html", "dbsa_not_found.html", "dbsa_all_nameless.html"]
)
def test_unexpected_pages_raise_source_changed(name: str) -> None:
    """A redesigned results list, a 404 page, listings without names: SourceChanged, named."""
    url = state_url("KY")
    with pytest.raises(SourceChanged) as raised:
        list(Dbsa().parse(file_page(name, url)))
    assert raised.value.source == "dbsa" and raised.value.url == url
    assert "dbsa" in str(raised.value) and url in str(raised.value)


def test_listing_without_name_is_skipped() -> None:
    """tests/files/dbsa_missing_name.html as ?state=VT: the nameless div is skipped."""
    (item,) = Dbsa().parse(file_page("dbsa_missing_name.html", state_url("VT")))
    assert item.name == "DBSA Burlington" and item.state == "VT"
    assert item.email == "DBSABurlington@Example.org"  # MAILTO: and ?subject= handled
    assert item.description == "Meets Thursdays at 6 p.m."


@pytest.fixture(scope="module")
def tennessee() -> dict[str, ParsedListing]:
    """tests/files/dbsa_state_tn_kinds_links.html as ?state=TN (made up: chapters under a regional
    chapter, website links written without a scheme), by key."""
    page = file_page("dbsa_state_tn_kinds_links.html", state_url("TN"))
    return {listing.source_key: listing for listing in Dbsa().parse(page)}


def test_kind_comes_from_the_listings_own_name_before_its_location(
    tennessee: dict[str, ParsedListing],
) -> None:
    """A chapter whose location line names a parent chapter stays a chapter (under that parent)."""
    kinds = {key: (item.kind, item.parent_key) for key, item in tennessee.items()}
    assert kinds["dbsa-middle-tennessee"] == ("chapter", None)
    # "Chapter" in its own name, a parent in its location: a chapter under the regional chapter.
    assert kinds["dbsa-clarksville-chapter"] == ("chapter", "dbsa-middle-tennessee")
    # "DBSA <its own place>" under another chapter: a chapter, not the parent's group.
    assert kinds["dbsa-cookeville"][0] == "chapter"
    # The parent's name and a focus, or a group word ("Circle"): groups under the parent.
    assert kinds["dbsa-middle-tennessee-veterans"] == ("group", "dbsa-middle-tennessee")
    assert kinds["franklin-parents-circle"] == ("group", "dbsa-middle-tennessee")
    assert len(kinds) == 5
    # Only groups carry a schedule_text of their own (a chapter's prose stays in its description).
    assert tennessee["dbsa-middle-tennessee-veterans"].schedule_text == "Mondays at 7 pm."
    assert tennessee["dbsa-clarksville-chapter"].schedule_text is None


def test_a_link_without_a_scheme_is_a_website_of_its_own(tennessee: dict[str, ParsedListing]) -> None:
    """"www.x.org/groups" and "x.org" are those sites; "/path" and "flyer.html" stay relative links."""
    assert tennessee["dbsa-middle-tennessee"].website == "https://www.dbsamidtn.org/groups"
    assert tennessee["dbsa-clarksville-chapter"].website == "https://dbsaclarksville.org"
    assert tennessee["dbsa-cookeville"].website == (
        "https://www.dbsalliance.org/support/chapters-and-support-groups/chapter-resources/"
    )
    assert tennessee["franklin-parents-circle"].website == f"{FIND}flyer.html"
    assert tennessee["dbsa-middle-tennessee-veterans"].website is None


def test_a_location_naming_the_listing_itself_is_no_parent() -> None:
    html = (
        '<div class="groupInfo"><h3 class="groupInfo__name">DBSA Knoxville</h3>'
        '<div class="groupInfo__location">Knoxville - DBSA Knoxville</div></div>'
    )
    (item,) = Dbsa().parse(inline_page(html, state_url("TN")))
    assert (item.kind, item.parent_key, item.city) == ("chapter", None, "Knoxville")


@pytest.mark.parametrize("body", ["", "\x00\xff not html", '{"groups": []}', "<html></html>"])
def test_garbage_raises_only_source_changed(body: str) -> None:
    with pytest.raises(SourceChanged):
        list(Dbsa().parse(inline_page(body, state_url("KY"))))


def test_malformed_links_are_dropped_not_raised() -> None:
    html = (
        '<div class="groupInfo"><h3 class="groupInfo__name">DBSA Test</h3>'
        '<a href="http://[broken">Visit Website</a><a href="mailto:">Email</a></div>'
    )
    (item,) = Dbsa().parse(inline_page(html, state_url("KY")))
    assert item.website is None and item.email is None and item.description is None


def test_page_url_without_state_raises() -> None:
    page = file_page("dbsa_missing_name.html", FIND)
    with pytest.raises(SourceChanged, match="state"):
        list(Dbsa().parse(page))


def test_empty_result_is_recognised_by_structure_not_one_sentence() -> None:
    """Another 'nothing here' wording still counts; the same words without the form do not."""
    html = sample_page("dbsa", "dbsa_state_vt.html").text
    reworded = html.replace(
        "No support groups were found in Vermont.", "There are currently no chapters listed in Vermont."
    )
    assert reworded != html
    assert list(Dbsa().parse(inline_page(reworded, state_url("VT")))) == []
    no_form = "<html><body><main><p>No support groups were found in Vermont.</p></main></body></html>"
    with pytest.raises(SourceChanged):
        list(Dbsa().parse(inline_page(no_form, state_url("VT"))))
    silent = html.replace("No support groups were found in Vermont.", "Results are loading.")
    with pytest.raises(SourceChanged):
        list(Dbsa().parse(inline_page(silent, state_url("VT"))))


# --- finalize on its own --------------------------------------------------------------------


def chapter(page_state: str, **fields: object) -> ParsedListing:
    """A minimal chapter as parse() reads it from the ?state=<page_state> page."""
    values: dict = {
        "source": "dbsa",
        "source_key": "dbsa-springfield",
        "kind": "chapter",
        "organization": "DBSA",
        "name": "DBSA Springfield",
        "source_url": state_url(page_state),
        "service_area": (page_state,),
        "address": "Springfield",
    }
    values.update(fields)
    return ParsedListing(**values)


def test_finalize_keeps_a_state_only_when_the_location_names_it() -> None:
    copies = [chapter(s, address="Springfield, IL", email="a@x.org", state="IL") for s in ("MO", "IL")]
    (merged,) = Dbsa().finalize(copies)
    assert merged.service_area == ("IL", "MO") and merged.state == "IL"
    plain = [chapter(s, email="a@x.org", city="Springfield", state=s) for s in ("MO", "IL")]
    (merged,) = Dbsa().finalize(plain)
    assert merged.service_area == ("IL", "MO") and merged.state is None
    assert merged.city == "Springfield"


def test_finalize_disambiguates_strangers_sharing_a_slug() -> None:
    first = chapter("IL", email="il@x.org", address="Springfield")
    second = chapter("MA", email="ma@x.org", address="Springfield, MA")
    third = chapter("MO", email="mo@x.org", address="Greene County")
    keys = [item.source_key for item in Dbsa().finalize([first, second, third])]
    assert keys == ["dbsa-springfield", "dbsa-springfield--ma", "dbsa-springfield--mo"]


# --- the live site (skipped by default) --------------------------------------------------------


@pytest.mark.live
def test_live_kentucky_page_still_parses() -> None:
    """The real ?state=KY page still has groupInfo listings with names and locations."""
    import requests

    url = state_url("KY")
    response = requests.get(url, timeout=30, headers={"User-Agent": "supportdir tests"})
    response.raise_for_status()
    page = Page(url, response.status_code, dict(response.headers), response.content, datetime.now(UTC))
    listings = list(Dbsa().parse(page))
    assert listings and all(item.name for item in listings)
    assert any(item.kind == "chapter" for item in listings)
    assert any(item.email or item.website for item in listings)

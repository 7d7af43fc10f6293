"""Tests of the Clubhouse International parser on the sample snapshot (scrapers/sample/clubhouse/)."""

from datetime import UTC, datetime
from string import ascii_uppercase

import pytest

from schemas.errors import SourceChanged
from schemas.listing import ParsedListing
from scrapers.crawl import crawl
from scrapers.page import Page
from scrapers.sample import load_manifest, sample_page
from scrapers.sources.clubhouse import Clubhouse
from tests import faults
from tests.faults import FaultServer, mirror_key, sample_pages

DIRECTORY = "https://clubhouse-intl.org/what-we-do/international-directory/?fl={}"
# The people the sample's Director lines name: never in a listing.
DIRECTORS = ("Marisol Quintanilla-Brandt", "Thaddeus Okonkwo-Lindqvist", "Philippa Marchetti-Osei",
             "Gwendolyn Ashcroft-Nakamura")
DIRECTOR_WORDS = ("Quintanilla", "Okonkwo", "Marchetti", "Ashcroft", "Director")
MOVED = b"<html><body><main><p>Our directory has moved.</p></main></body></html>"
FETCHED = datetime(2026, 11, 20, 6, tzinfo=UTC)


def letter_page(letter: str) -> Page:
    """The sample's page for one starting letter (it stands for DIRECTORY.format(letter))."""
    return sample_page("clubhouse", f"clubhouse_directory_{letter.lower()}.html")


@pytest.fixture(scope="module")
def listings() -> dict[str, ParsedListing]:
    """Every listing of the 26 sample letter pages, by source key (parsed once)."""
    source = Clubhouse()
    parsed = source.parse_all([letter_page(letter) for letter in ascii_uppercase])
    by_key = {item.source_key: item for item in parsed}
    assert len(by_key) == len(parsed), "source keys must be unique"
    return by_key


def test_start_urls_are_the_26_letter_pages() -> None:
    source = Clubhouse()
    assert source.start_urls() == [DIRECTORY.format(letter) for letter in ascii_uppercase]
    assert source.independent_starts
    assert [r.url for r in load_manifest("clubhouse")] == source.start_urls()


def test_count_and_common_fields(listings) -> None:
    assert len(listings) == 14  # 16 entries: two abroad left out
    for item in listings.values():
        assert (item.source, item.kind, item.organization) == \
            ("clubhouse", "program", "Clubhouse International")
        assert item.country == "US" and item.topics == ("mental health",) and item.audiences == ("peers",)
        assert item.source_url.startswith(DIRECTORY.format(""))
        assert item.schedule == () and item.attendance is None and item.description is None


def test_full_entry_with_suite_line_and_hidden_email(listings) -> None:
    """?fl=A: linked name, a Suite line, Director, Phone, Fax, a Cloudflare span email, Website Address."""
    item = listings["aurora-house-clubhouse-60505"]
    assert item.name == "Aurora House Clubhouse" and item.source_url == DIRECTORY.format("A")
    assert item.address == "1200 Prairie Avenue\nSuite 110\nAurora, Illinois, USA 60505"
    assert (item.street, item.city, item.state, item.postal_code) == \
        ("1200 Prairie Avenue, Suite 110", "Aurora", "IL", "60505")
    assert item.phone == "(630) 555-0141"  # the Fax line's number is not it
    assert item.email == "hello@aurorahouse.example.org"
    assert item.website == "https://aurorahouse.example.org/"


def test_entry_without_a_linked_name(listings) -> None:
    """?fl=C: the name is plain text; no email, no website; fax left out."""
    item = listings["cedar-house-05401"]
    assert item.name == "Cedar House"
    assert (item.street, item.city, item.state, item.postal_code) == \
        ("310 Elm Street", "Burlington", "VT", "05401")
    assert item.phone == "(802) 555-0163" and item.email is None and item.website is None


def test_nbsp_and_extra_whitespace(listings) -> None:
    """?fl=E: a name split over lines, &nbsp; around the street, city line and phone; a mailto email."""
    item = listings["evergreen-clubhouse-98501"]
    assert item.name == "Evergreen Clubhouse"
    assert (item.street, item.city, item.state, item.postal_code) == \
        ("2150 Capitol Way South", "Olympia", "WA", "98501")
    assert item.phone == "(360) 555-0108" and item.email == "info@evergreenclubhouse.example.org"


def test_other_email_and_website_forms(listings) -> None:
    assert listings["willow-clubhouse-53703"].email == "willow@willowclubhouse.example.org"  # protected link
    assert listings["riverbend-clubhouse-45402"].email == "contact@riverbendclubhouse.example.org"
    assert listings["juniper-clubhouse-87501"].email == "juniper@juniperclubhouse.example.org"  # plain text
    assert listings["juniper-clubhouse-87501"].state == "NM"  # a state written as its code
    # a bare domain as the Website Address
    assert listings["meadowlark-clubhouse-68508"].website == "https://www.meadowlark.example.org"
    assert listings["beacon-clubhouse-04101"].website == "https://beaconclubhouse.example.org"


def test_floor_line_and_city_only_entries(listings) -> None:
    assert listings["mill-street-clubhouse-28801"].street == "14 Mill Street, Floor 2"
    summit = listings["summit-clubhouse-83702"]
    assert summit.street is None
    assert (summit.city, summit.state, summit.postal_code) == ("Boise", "ID", "83702")
    assert summit.address == "Boise, Idaho, USA 83702"


def test_entries_abroad_are_left_out(listings) -> None:
    names = {item.name for item in listings.values()}
    assert "Avenue Clubhouse" not in names and "Hikari Clubhouse" not in names
    assert not any(item.city in ("Toronto", "Shinjuku-ku") for item in listings.values())
    assert Clubhouse().parse(letter_page("H")) == []  # a letter whose only entry is abroad


def test_directors_are_never_in_a_listing(listings) -> None:
    """The Director lines name people: no field of any listing holds them (or the label)."""
    for letter in ("A", "G", "R"):
        assert "Director:" in letter_page(letter).text  # the sample does carry them
    for item in listings.values():
        text = item.model_dump_json()
        assert not any(word in text for word in DIRECTOR_WORDS), item.source_key


def test_an_empty_letter_yields_nothing_and_a_changed_page_fails() -> None:
    assert Clubhouse().parse(letter_page("D")) == []
    page = Page(DIRECTORY.format("D"), 200, {"Content-Type": "text/html"}, MOVED, FETCHED)
    with pytest.raises(SourceChanged, match="no directory entries"):
        Clubhouse().parse(page)


def test_a_broken_letter_page_is_lost_and_the_others_parse(make_fetcher) -> None:
    broken = mirror_key(DIRECTORY.format("M"))
    with FaultServer(pages=sample_pages("clubhouse")) as mirror:
        mirror.script(broken, faults.ok(MOVED))
        source = Clubhouse(mirror.base)
        result = crawl(source, make_fetcher(), parse=True)
        lost = list(result.lost)
        listings = source.parse_all(result.pages, result.parsed, lost)
    assert [url for url, _ in lost] == [mirror.url(broken)]
    assert lost[0][1].startswith("SourceChanged: clubhouse:")
    keys = {item.source_key for item in listings}
    assert len(keys) == 12  # the two M clubhouses are the ones missing
    assert "meadowlark-clubhouse-68508" not in keys and "aurora-house-clubhouse-60505" in keys


@pytest.mark.live
def test_live_letter_pages_still_parse_without_a_director() -> None:
    """The real directory's letter pages still hold clubhouses; no listing carries a director's name."""
    from tests.live import live_page

    source = Clubhouse()
    listings = [item for url in source.start_urls()[:3] for item in source.parse(live_page(url))]
    assert listings and all(item.kind == "program" and item.name for item in listings)
    assert not any("director" in (item.description or "").lower() for item in listings)

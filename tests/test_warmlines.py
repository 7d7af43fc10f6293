"""Tests of the warmlines parser on NAMI's warmline directory PDF, built here with reportlab.

The PDF stands for https://www.nami.org/wp-content/uploads/2026/03/Warmline-Directory_as-of-March-9-2026.pdf
(benchmarks/warmlines_pdf.py: the real layout, made-up lines and 555-01xx phones).
"""

from datetime import UTC, datetime

import pytest

from benchmarks.warmlines_pdf import NATIONAL_ROWS, STATE_ROWS, Row, build_pdf
from schemas.errors import SourceChanged
from schemas.listing import ParsedListing
from scrapers.crawl import crawl
from scrapers.page import Page
from scrapers.replay import ReplayFetcher
from scrapers.sample import load_manifest, sample_page, sample_warc
from scrapers.sources.warmlines import EVERY_STATE, Warmlines

URL = "https://www.nami.org/wp-content/uploads/2026/03/Warmline-Directory_as-of-March-9-2026.pdf"
FETCHED = datetime(2026, 11, 20, 6, tzinfo=UTC)
PDF_HEADERS = {"Content-Type": "application/pdf"}


def pdf_page(body: bytes, url: str = URL, headers: dict | None = None) -> Page:
    """A fetched response of the directory's URL."""
    return Page(url, 200, headers or PDF_HEADERS, body, FETCHED)


def parse(body: bytes) -> dict[str, ParsedListing]:
    """Every listing of a PDF, by source key (keys must be unique)."""
    parsed = Warmlines().parse_page(pdf_page(body))
    by_key = {listing.source_key: listing for listing in parsed}
    assert len(by_key) == len(parsed), "source keys must be unique"
    return by_key


@pytest.fixture(scope="module")
def listings() -> dict[str, ParsedListing]:
    """The directory in the real layout: a states page, then a "National Support Lines" page."""
    return parse(build_pdf(STATE_ROWS, NATIONAL_ROWS))


def test_counts_and_common_fields(listings) -> None:
    assert len(listings) == 13
    assert sum(key.startswith("national-") for key in listings) == 3
    for item in listings.values():
        assert (item.source, item.kind, item.organization) == ("warmlines", "line", "NAMI")
        assert item.attendance == "phone" and item.topics == ("mental health",)
        assert item.source_url == URL and item.fetched_at == FETCHED and len(item.content_sha256 or "") == 64
        assert item.phone and item.phone.startswith("(") and item.schedule_text
        assert (item.street, item.city, item.state, item.email, item.website) == (None,) * 5


def test_state_line_field_by_field(listings) -> None:
    """Row Alaska | Alaska CareLine Peer Support | (907) 555-0111 | 24/7 | Yes | Text and Chat."""
    item = listings["ak-alaska-careline-peer-support"]
    assert item.name == "Alaska CareLine Peer Support"
    assert item.phone == "(907) 555-0111" and item.schedule_text == "24/7"
    assert item.service_area == ("AK",) and item.audiences == ()
    assert item.description == "Spanish: yes\nChat/Text: Text and Chat"


def test_cells_wrapped_onto_two_lines_are_joined(listings) -> None:
    """California's name and hours each wrap onto a second text line in their cells."""
    item = listings["ca-peer-run-warm-line-of-california-statewide-mental-health-services"]
    assert item.name == "Peer-Run Warm Line of California Statewide Mental Health Services"
    assert item.schedule_text == "Mon-Fri 7am-11pm; Sat-Sun 7:30am-11pm Pacific Time"
    assert item.description == "Spanish: yes\nChat/Text: Chat"


def test_county_line_keeps_its_county_in_the_description(listings) -> None:
    item = listings["az-maricopa-county-peer-warmline"]
    assert item.name == "Maricopa County Peer Warmline" and item.service_area == ("AZ",)
    assert item.description == "Serves Maricopa County residents only\nSpanish: yes"  # no Chat/Text cell


def test_blank_state_cell_repeats_the_state_above_and_missing_cells_say_nothing(listings) -> None:
    """Row (blank) | Los Angeles Warmline (for LA County) | ... | (no Spanish) | (no Chat/Text)."""
    item = listings["ca-los-angeles-warmline"]
    assert item.service_area == ("CA",) and item.phone == "(213) 555-0114"
    assert item.description == "For residents of Los Angeles County"
    assert listings["ky-kentucky-warm-line"].description == "Chat/Text: Text"  # Spanish cell empty


def test_national_lines_serve_every_state_with_their_population(listings) -> None:
    veterans = listings["national-veterans-peer-line"]
    assert veterans.name == "Veterans Peer Line" and veterans.phone == "(800) 555-0120"
    assert veterans.service_area == EVERY_STATE and len(EVERY_STATE) == 51 and "DC" in EVERY_STATE
    assert veterans.audiences == ("veterans",)
    assert veterans.description == ("Peer support from veterans, for veterans and their families.\n"
                                    "Population: Veterans\nSpanish: yes\nChat/Text: Text")
    youth = listings["national-lgbtq-youth-talkline"]
    assert youth.audiences == ("young adults", "teens", "LGBTQ+")
    assert youth.schedule_text == "Mon-Fri 1pm-9pm; Sat 9am-2pm"
    anyone = listings["national-national-peer-warmline"]
    assert anyone.audiences == () and anyone.description.endswith("Population: Anyone\nSpanish: yes")


def test_a_long_directory_goes_on_over_pages_with_its_header_repeated() -> None:
    states = [Row(f"State {n}", f"Warmline number {n}", f"(205) 555-01{n % 100:02d}", "24/7")
              for n in range(60)]
    found = parse(build_pdf(states, NATIONAL_ROWS[:1]))
    assert len(found) == 61
    assert found["state-7-warmline-number-7"].service_area == ()  # not a state name: no USPS code


def test_a_table_going_on_without_its_header_continues_the_one_before() -> None:
    states = [Row("Texas", f"Warmline number {n}", f"(512) 555-01{n:02d}", "24/7") for n in range(60)]
    found = parse(build_pdf(states, NATIONAL_ROWS[:1], repeat_header=False))
    assert len(found) == 61 and found["tx-warmline-number-59"].service_area == ("TX",)
    assert found["national-veterans-peer-line"].audiences == ("veterans",)


def test_same_name_in_one_state_gets_a_unique_key() -> None:
    twice = [STATE_ROWS[0], STATE_ROWS[0]]
    assert sorted(parse(build_pdf(twice, NATIONAL_ROWS)))[:2] == \
        ["al-alabama-peer-warmline", "al-alabama-peer-warmline-2"]


def test_an_html_error_page_is_a_changed_source_naming_the_url() -> None:
    page = pdf_page(b"<!DOCTYPE html><html><title>Page not found</title></html>",
                    headers={"Content-Type": "text/html; charset=UTF-8"})
    with pytest.raises(SourceChanged) as raised:
        Warmlines().parse_page(page)
    assert raised.value.url == URL and URL in str(raised.value)
    assert "not a PDF (text/html; charset=UTF-8)" in str(raised.value)


def test_a_damaged_pdf_or_one_without_the_table_is_a_changed_source() -> None:
    body = build_pdf(STATE_ROWS, NATIONAL_ROWS)
    with pytest.raises(SourceChanged):
        Warmlines().parse_page(pdf_page(body[: len(body) // 3]))
    with pytest.raises(SourceChanged, match=r"no State \| Warmline table"):
        Warmlines().parse_page(pdf_page(build_pdf([], [])))


def test_start_url_is_the_edition_configured(monkeypatch) -> None:
    monkeypatch.delenv("SUPPORTDIR_WARMLINES_URL", raising=False)
    assert Warmlines().start_urls() == [URL] == [load_manifest("warmlines")[0].url]
    newer = "https://www.nami.org/wp-content/uploads/2026/09/Warmline-Directory_as-of-September-1-2026.pdf"
    monkeypatch.setenv("SUPPORTDIR_WARMLINES_URL", newer)
    assert Warmlines().start_urls() == [newer]
    monkeypatch.delenv("SUPPORTDIR_WARMLINES_URL")
    monkeypatch.setenv("SUPPORTDIR_WARMLINES_BASE_URL", "http://127.0.0.1:8000/")
    assert Warmlines().start_urls() == ["http://127.0.0.1:8000" + URL.split("nami.org", 1)[1]]


def test_sample_crawled_through_replay_is_the_directory_built_here(tmp_path, listings) -> None:
    """The shipped sample PDF parses to the same lines as the PDF the tests build."""
    crawled = crawl(Warmlines(), ReplayFetcher([sample_warc(tmp_path)]))
    assert [page.url for page in crawled.pages] == [URL]
    sampled = {item.source_key: item for item in Warmlines().parse_all(crawled.pages)}
    strip = {"fetched_at": None, "content_sha256": None}
    assert {k: v.model_copy(update=strip) for k, v in sampled.items()} == \
        {k: v.model_copy(update=strip) for k, v in listings.items()}
    assert sample_page("warmlines", "warmlines_directory.pdf").body.startswith(b"%PDF-")


@pytest.mark.live
def test_live_pdf_is_still_the_table_the_parser_reads() -> None:
    """The configured edition still answers a PDF whose table gives state and national lines."""
    from tests.live import live_page

    source = Warmlines()
    listings = list(source.parse(live_page(source.start_urls()[0])))
    assert len(listings) >= 20 and all(item.phone for item in listings)
    assert any(tuple(item.service_area) == EVERY_STATE for item in listings)  # the national lines

"""Tests of the Mental Health America parser on the sample snapshot (scrapers/sample/mha/)."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from schemas.errors import SourceChanged
from schemas.listing import ParsedListing
from scrapers.crawl import crawl
from scrapers.page import Page
from scrapers.replay import ReplayFetcher
from scrapers.sample import load_manifest, sample_page, sample_warc
from scrapers.sources.mha import Mha

FILES = Path(__file__).parent / "files"
SITEMAP = "https://mhanational.org/affiliates-sitemap.xml"
AFFILIATE = "https://mhanational.org/affiliates/{}/"
FETCHED = datetime(2026, 11, 20, 6, tzinfo=UTC)


def file_page(name: str, url: str) -> Page:
    """A saved test page from tests/files, as fetched from `url`."""
    return Page(url, 200, {"Content-Type": "text/html; charset=UTF-8"}, (FILES / name).read_bytes(), FETCHED)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """The sample crawled end to end through replay: sitemap, discovered pages, one 404."""
    warc = sample_warc(tmp_path_factory.mktemp("warc"))
    return crawl(Mha(), ReplayFetcher([warc]))


@pytest.fixture(scope="module")
def listings(crawled) -> dict[str, ParsedListing]:
    """Every listing of the sample crawl, by source key."""
    parsed = Mha().parse_all(crawled.pages)
    by_key = {listing.source_key: listing for listing in parsed}
    assert len(by_key) == len(parsed), "source keys must be unique"
    return by_key


def test_start_url_is_the_affiliates_sitemap() -> None:
    assert Mha().start_urls() == [SITEMAP]
    assert load_manifest("mha")[0].url == SITEMAP


def test_sitemap_skips_the_index_page_and_image_locs() -> None:
    """https://mhanational.org/affiliates-sitemap.xml: /affiliates/ first, logos as <image:loc>."""
    links = [link.url for link in Mha().discover(sample_page("mha", "mha_affiliates_sitemap.xml"))]
    assert len(links) == 11
    assert AFFILIATE.format("mental-health-america-of-alabama") == links[0]
    assert "https://mhanational.org/affiliates/" not in links
    assert not any(url.endswith(".png") for url in links)


def test_crawl_skips_the_removed_page_and_counts(crawled, listings) -> None:
    assert len(crawled.pages) == 11  # the sitemap and ten affiliate pages
    assert crawled.skipped == [(AFFILIATE.format("mental-health-america-of-arkansas"), "HTTP 404")]
    assert len(listings) == 10


def test_common_fields(listings) -> None:
    for item in listings.values():
        assert (item.source, item.kind, item.organization) == ("mha", "chapter", "Mental Health America")
        assert item.topics == ("mental health",) and item.audiences == ()
        assert item.source_url == AFFILIATE.format(item.source_key)
        assert item.fetched_at == FETCHED and len(item.content_sha256 or "") == 64
        assert item.schedule == () and item.attendance is None and item.conference_url is None


def test_full_affiliate(listings) -> None:
    """/affiliates/mental-health-america-of-alabama/: address, phone, website, one paragraph."""
    item = listings["mental-health-america-of-alabama"]
    assert item.name == "Mental Health America of Alabama"
    assert item.address == "1000 First Avenue South\nBirmingham, AL 35233"
    assert (item.street, item.city, item.state, item.postal_code, item.country) == \
        ("1000 First Avenue South", "Birmingham", "AL", "35233", "US")
    assert item.phone == "(205) 555-0142" and item.website == "https://www.mha-al.org"
    assert item.email is None
    assert item.description == "MHA of Alabama offers peer support, education and advocacy across the state."


def test_html_entities_are_unescaped(listings) -> None:
    """Names and text with &amp;, &#8217;, &#8211; and &#699; (Hawaiʻi)."""
    ky = listings["mental-health-america-of-northern-kentucky-southwest-ohio"]
    assert ky.name == "Mental Health America of Northern Kentucky & Southwest Ohio"
    assert ky.description == "We’re the region’s mental health advocate – since 1946."
    assert ky.website == "https://www.mhankyswoh.org/"  # the href, not the link text
    assert listings["mental-health-america-hawaii"].name == "Mental Health America of Hawaiʻi"


def test_two_line_street(listings) -> None:
    item = listings["mental-health-america-of-greater-houston"]
    assert item.street == "2211 Norfolk Street, Suite 810"
    assert item.address == "2211 Norfolk Street\nSuite 810\nHouston, TX 77098"
    assert item.description is None


def test_no_phone_and_no_website(listings) -> None:
    assert listings["mental-health-america-of-wisconsin"].phone is None
    assert listings["mental-health-america-of-wisconsin"].website == "https://www.mhawisconsin.org"
    missouri = listings["mental-health-america-of-eastern-missouri"]
    assert missouri.website is None and missouri.phone == "(314) 555-0118"


def test_po_box(listings) -> None:
    item = listings["mental-health-america-of-the-heartland"]
    assert (item.street, item.city, item.state, item.postal_code) == \
        ("P.O. Box 8236", "Kansas City", "KS", "66112")


def test_address_in_the_paragraph_after_its_label_and_an_email(listings) -> None:
    """MHANYS: "Affiliate Address" alone in a paragraph; phone with an extension; Email line."""
    item = listings["mental-health-association-in-new-york-state"]
    assert item.street == "194 Washington Avenue, Suite 415" and item.city == "Albany"
    assert item.phone == "(518) 555-0139 ext. 210"
    assert item.email == "Info@MHANYS.org"
    assert item.description is None  # the address paragraph is not description


def test_two_phones_keep_the_first_and_bare_domain_website(listings) -> None:
    item = listings["mental-health-america-of-indiana"]
    assert item.phone == "317.555.0161"
    assert item.website == "https://www.mhai.net"


def test_zip_plus_four_without_country_line_and_no_address(listings) -> None:
    virginia = listings["mental-health-america-of-virginia"]
    assert (virginia.postal_code, virginia.country) == ("23226-2229", None)
    hawaii = listings["mental-health-america-hawaii"]
    assert hawaii.address is None and hawaii.city is None and hawaii.phone == "(808) 555-0155"
    assert hawaii.description == (
        "Our office is closed to walk-ins; call us for peer support and training schedules."
    )


def test_changed_layout_raises_source_changed() -> None:
    page = file_page("mha_changed_layout.html", AFFILIATE.format("mental-health-america-of-alabama"))
    with pytest.raises(SourceChanged, match=r"div\.the-content") as caught:
        Mha().parse(page)
    assert caught.value.source == "mha" and caught.value.url == page.url


def test_sitemap_that_is_not_a_sitemap_raises_source_changed() -> None:
    page = file_page("mha_sitemap_not_xml.html", SITEMAP)
    with pytest.raises(SourceChanged, match="urlset"):
        Mha().discover(page)


def test_sitemap_without_affiliates_raises_source_changed() -> None:
    body = (b'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            b"<url><loc>https://mhanational.org/affiliates/</loc></url></urlset>")
    with pytest.raises(SourceChanged, match="no /affiliates/<slug>/"):
        Mha().discover(Page(SITEMAP, 200, {}, body, FETCHED))


def test_mirror_base_rewrites_affiliate_links() -> None:
    links = Mha(base_url="http://127.0.0.1:8123").discover(sample_page("mha", "mha_affiliates_sitemap.xml"))
    assert links[0].url == "http://127.0.0.1:8123/affiliates/mental-health-america-of-alabama/"


@pytest.mark.live
def test_live_sitemap_and_first_affiliate_still_parse() -> None:
    """The live site still has the structure the parser expects (about 130 affiliates)."""
    from tests.live import live_page

    source = Mha()
    links = source.discover(live_page(source.start_urls()[0]))
    assert len(links) > 50
    [listing] = source.parse(live_page(links[0].url))
    assert listing.name and (listing.city or listing.phone or listing.website)


def test_a_sitemap_declaring_an_impossible_encoding_raises_source_changed() -> None:
    """Found by fuzzing: lxml refused the parser itself (ValueError) before reading a byte."""
    body = (b'<?xml version="1.0" encoding="ut\x01f-8"?>'
            b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            b"<url><loc>https://mhanational.org/affiliates/a/</loc></url></urlset>")
    with pytest.raises(SourceChanged):
        Mha().discover(Page(SITEMAP, 200, {}, body, FETCHED))

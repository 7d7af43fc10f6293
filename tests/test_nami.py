"""Tests of the NAMI source on the sample snapshot (scrapers/sample/nami/) and on built pages."""

from collections import Counter

import pytest

from schemas.errors import SourceChanged
from schemas.listing import ParsedListing
from schemas.urls import canonical_url
from scrapers.page import Link
from scrapers.sample import load_manifest, sample_page
from scrapers.sources.cfemail import decode_cfemail
from scrapers.sources.nami import Nami
from tests.nami_pages import API_P1, BASE, FETCHED, FILES, ROOT, contact_page, label, make_page, profile

# --- the sample crawl, parsed once -------------------------------------------------------------


@pytest.fixture(scope="module")
def source() -> Nami:
    """The source on its real base URL (ignoring any mirror set in the environment)."""
    return Nami(base_url=BASE)


@pytest.fixture(scope="module")
def links(source: Nami) -> list[Link]:
    """Links discovered on the API page 1 (stands for API_P1)."""
    return source.discover(sample_page("nami", "nami_affiliates_p1.json"))


@pytest.fixture(scope="module")
def listings(source: Nami, links: list[Link]) -> dict[str, ParsedListing]:
    """Every sample profile page parsed with its link's context, by source_key."""
    files = {canonical_url(r.url): r.path.name for r in load_manifest("nami")}
    parsed = [
        listing
        for link in links
        for listing in source.parse_page(
            sample_page("nami", files[canonical_url(link.url)], link.context)
        )
    ]
    by_key = {listing.source_key: listing for listing in parsed}
    assert len(by_key) == len(parsed), "duplicate source keys"
    return by_key


def test_start_url_is_the_manifest_api_url(source: Nami) -> None:
    """The crawl starts at API page 1, exactly as the manifest records it."""
    assert source.start_urls() == [API_P1]
    assert load_manifest("nami")[0].url == API_P1


def test_discovers_every_profile_but_events_and_no_next_page(links: list[Link]) -> None:
    """API_P1 has 14 entries, a short page: 13 profiles (events skipped), no page 2."""
    assert len(links) == 13
    assert not any("/wp-json/" in link.url for link in links)
    assert not any(link.url.endswith("/events/") for link in links)
    manifest_urls = {r.url for r in load_manifest("nami")}
    assert {link.url for link in links} | {API_P1} == manifest_urls  # exactly what gets requested


def test_link_context_keeps_raw_title_and_id(links: list[Link]) -> None:
    """The context of NAMI Queens & Nassau (from API_P1) holds the title as rendered."""
    link = next(link for link in links if link.url == f"{ROOT}/new-york/nami-queens-nassau/")
    assert dict(link.context) == {
        "id": 4503,
        "slug": "nami-queens-nassau",
        "title": "NAMI Queens &amp; Nassau",
        "link": f"{ROOT}/new-york/nami-queens-nassau/",
    }


def test_listing_count_by_kind(listings: dict[str, ParsedListing]) -> None:
    """Thirteen profiles: three state organizations and ten local affiliates."""
    assert len(listings) == 13
    assert Counter(listing.kind for listing in listings.values()) == {
        "organization": 3,
        "chapter": 10,
    }
    assert {k for k, v in listings.items() if v.kind == "organization"} == {
        "alaska",
        "kentucky",
        "new-york",
    }


def test_api_page_holds_no_listings(source: Nami) -> None:
    """API_P1 itself yields no listing."""
    assert list(source.parse(sample_page("nami", "nami_affiliates_p1.json"))) == []


def test_every_listing_is_stamped_and_from_nami(listings: dict[str, ParsedListing]) -> None:
    """Provenance and identity on every listing; topics and audiences left empty."""
    for key, listing in listings.items():
        assert listing.source == "nami" and listing.organization == "NAMI"
        assert listing.source_url == f"{ROOT}/{key}/"
        assert listing.fetched_at == FETCHED and len(listing.content_sha256 or "") == 64
        assert listing.topics == () and listing.audiences == ()


def test_state_organization_alaska(listings: dict[str, ParsedListing]) -> None:
    """ROOT/alaska/: full block, "United States" last line dropped, Cloudflare href email."""
    alaska = listings["alaska"]
    assert (alaska.kind, alaska.parent_key, alaska.name) == ("organization", None, "NAMI Alaska")
    assert alaska.address == "1500 Spenard Road, Suite 204\nAnchorage, AK 99503"
    assert (alaska.city, alaska.state, alaska.postal_code, alaska.country) == (
        "Anchorage",
        "AK",
        "99503",
        "US",
    )
    assert alaska.street is None  # street splitting is the warehouse's job
    assert alaska.email == "info@namialaska.org"
    assert alaska.phone == "(907) 561-0422"
    assert alaska.website == "https://www.namialaska.org"
    assert alaska.service_area == ("AK",)
    assert alaska.attendance is None


def test_affiliate_anchorage_po_box(listings: dict[str, ParsedListing]) -> None:
    """ROOT/alaska/nami-anchorage/: a PO box, no country line, Cloudflare href email."""
    anchorage = listings["alaska/nami-anchorage"]
    assert (anchorage.kind, anchorage.parent_key, anchorage.state) == ("chapter", "alaska", "AK")
    assert anchorage.address == "P.O. Box 241274\nAnchorage, AK 99524"
    assert (anchorage.city, anchorage.postal_code, anchorage.country) == (
        "Anchorage",
        "99524",
        None,
    )
    assert anchorage.phone == "(907) 277-1300"
    assert anchorage.email == "office@namianchorage.org"
    assert anchorage.service_area == ()


def test_kentucky_cfemail_span_and_extension(listings: dict[str, ParsedListing]) -> None:
    """ROOT/kentucky/: the data-cfemail form, a phone with an extension kept as published."""
    kentucky = listings["kentucky"]
    assert kentucky.email == "contact@namiky.org"
    assert kentucky.phone == "1-800-950-6264 ext. 2"
    assert kentucky.country == "US" and kentucky.service_area == ("KY",)


def test_lexington_dotted_phone_and_county_service_area(listings: dict[str, ParsedListing]) -> None:
    """ROOT/kentucky/nami-lexington/: 859.272.7891; a list of counties is not a service area."""
    lexington = listings["kentucky/nami-lexington"]
    assert lexington.phone == "859.272.7891"
    assert lexington.email == "help@namilex.org"  # <span class="__cf_email__"> without a link
    assert lexington.service_area == ()
    assert (lexington.city, lexington.state, lexington.postal_code) == ("Lexington", "KY", "40503")


def test_escaped_titles_are_unescaped(listings: dict[str, ParsedListing]) -> None:
    """Names from API_P1 titles: &#8217; and &amp; unescaped."""
    assert listings["alaska/nami-mat-su"].name == "NAMI Mat-Su Families’ Network"
    assert listings["new-york/nami-queens-nassau"].name == "NAMI Queens & Nassau"


def test_mat_su_mailto_and_plain_phone(listings: dict[str, ParsedListing]) -> None:
    """ROOT/alaska/nami-mat-su/: a mailto: link reading "Email us", a phone without a link."""
    mat_su = listings["alaska/nami-mat-su"]
    assert mat_su.email == "matsu@namialaska.org"
    assert mat_su.phone == "907-376-0942"
    assert mat_su.website is None


def test_new_york_state_usa_line_and_service_areas(listings: dict[str, ParsedListing]) -> None:
    """ROOT/new-york/ ends its address with "USA"; NYC Metro serves two states."""
    new_york = listings["new-york"]
    assert new_york.name == "NAMI New York State"
    assert new_york.address == "150 State Street, Suite 410\nAlbany, NY 12207"
    assert (new_york.state, new_york.country, new_york.email) == ("NY", "US", None)
    assert listings["new-york/nami-nyc-metro"].service_area == ("NY", "NJ")
    assert listings["new-york/nami-queens-nassau"].service_area == ()  # counties, not states


def test_state_from_link_dc_and_puerto_rico(listings: dict[str, ParsedListing]) -> None:
    """ROOT/district-of-columbia/nami-dc/ and ROOT/puerto-rico/nami-puerto-rico/."""
    dc = listings["district-of-columbia/nami-dc"]
    assert (dc.state, dc.parent_key, dc.city) == ("DC", "district-of-columbia", "Washington")
    assert dc.email == "info@namidc.org"  # mailto: with ?subject= stripped
    puerto_rico = listings["puerto-rico/nami-puerto-rico"]
    assert (puerto_rico.state, puerto_rico.parent_key) == ("PR", "puerto-rico")
    assert puerto_rico.address == "Calle Loíza 1853, Suite 2\nSan Juan, PR 00911"
    assert (puerto_rico.postal_code, puerto_rico.country) == ("00911", "US")
    assert puerto_rico.email == "ayuda@namipr.org"  # link and span both encoded
    assert puerto_rico.website is None


def test_only_a_website(listings: dict[str, ParsedListing]) -> None:
    """ROOT/alaska/nami-juneau/ publishes only a website: every other field is None."""
    juneau = listings["alaska/nami-juneau"]
    assert juneau.website == "https://namijuneau.org"
    assert (juneau.address, juneau.city, juneau.postal_code, juneau.country) == (
        None,
        None,
        None,
        None,
    )
    assert (juneau.phone, juneau.email, juneau.attendance) == (None, None, None)
    assert juneau.state == "AK"  # from the link


def test_profile_without_contact_block(listings: dict[str, ParsedListing]) -> None:
    """ROOT/kentucky/nami-louisville/ has no <dl>: still one listing, nothing invented."""
    louisville = listings["kentucky/nami-louisville"]
    assert (louisville.name, louisville.kind, louisville.state) == (
        "NAMI Louisville",
        "chapter",
        "KY",
    )
    fields = (
        "address",
        "city",
        "postal_code",
        "country",
        "phone",
        "email",
        "website",
        "attendance",
    )
    assert all(getattr(louisville, name) is None for name in fields)


def test_virtual_affiliate_is_online(listings: dict[str, ParsedListing]) -> None:
    """ROOT/kentucky/nami-kentucky-virtual/: no address, service area "Statewide – online only"."""
    virtual = listings["kentucky/nami-kentucky-virtual"]
    assert virtual.attendance == "online"
    assert virtual.address is None and virtual.service_area == ()
    assert virtual.email == "virtual@namiky.org"  # plain text
    online = {key for key, listing in listings.items() if listing.attendance == "online"}
    assert online == {"kentucky/nami-kentucky-virtual"}


def test_profile_pages_discover_nothing(source: Nami) -> None:
    """ROOT/alaska/ links no further pages."""
    assert list(source.discover(sample_page("nami", "nami_profile_alaska.html"))) == []


# --- parse helpers on built pages --------------------------------------------------------------


def test_cfemail_decoder_known_value() -> None:
    """Key 0x2e, then "help@namilex.org" XOR 0x2e."""
    assert decode_cfemail("2e464b425e6e404f4347424b5600415c49") == "help@namilex.org"


@pytest.mark.parametrize("bad", ["", "2e", "zz464b", "2e464", "2e4647", "ff0011"])
def test_cfemail_decoder_malformed(bad: str) -> None:
    """Empty, key-only, non-hex, odd length, not an email, invalid UTF-8: no email."""
    assert decode_cfemail(bad) is None


def test_malformed_cfemail_on_page_gives_no_email() -> None:
    """ROOT/kentucky/nami-test/ whose data-cfemail is not hex: still parsed, email None."""
    broken = '<span class="__cf_email__" data-cfemail="zz12">[email&#160;protected]</span>'
    items = (
        f'{label("Email")}<dd><a href="/cdn-cgi/l/email-protection#zz12">{broken}</a></dd>'
        f"{label('Phone')}<dd>(502) 245-5284</dd>"
    )
    listing = profile(contact_page(items))
    assert listing.email is None
    assert listing.phone == "(502) 245-5284"


def test_labels_are_case_insensitive_and_pairs_in_order() -> None:
    """ROOT/kentucky/nami-test/: bare <dt>/<dd> pairs, odd label case, a <dt> without <dd>."""
    items = (
        f"{label('WEBSITE')}"
        f"{label('E-mail:')}<dd>info@nami-test.org</dd>"
        f"{label('Service Area:')}<dd>Kentucky and Indiana</dd>"
    )
    listing = profile(contact_page(items))
    assert listing.website is None  # its <dd> is missing; the next label's value is not taken
    assert listing.email == "info@nami-test.org"
    assert listing.service_area == ("KY", "IN")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Kentucky and Indiana", ("KY", "IN")),
        ("KY; IN / OH", ("KY", "IN", "OH")),
        ("District of Columbia, Maryland & Virginia", ("DC", "MD", "VA")),
        ("Kentucky, Southern Indiana", ()),  # one piece is not a state: ignore it all
        ("Taxes", ()),  # sounds like Texas to us.states.lookup, but is not its name
        ("Statewide", ()),
    ],
)
def test_service_area_only_as_a_list_of_states(text: str, expected: tuple[str, ...]) -> None:
    """ROOT/kentucky/nami-test/: USPS codes only when every piece names a state."""
    items = f"{label('Service Area:')}<dd>{text}</dd>"
    assert profile(contact_page(items)).service_area == expected


def test_address_state_differs_from_link() -> None:
    """ROOT/district-of-columbia/nami-test/ with an office in Maryland: place fields agree."""
    address = "8630 Fenton Street<br>Silver Spring, MD 20910<br>United States"
    items = f"{label('Address:')}<dd>{address}</dd>"
    listing = profile(contact_page(items), path="district-of-columbia/nami-test/")
    assert (listing.city, listing.state, listing.postal_code) == ("Silver Spring", "MD", "20910")
    assert listing.parent_key == "district-of-columbia"


def test_address_without_city_line_keeps_link_state() -> None:
    """ROOT/kentucky/nami-test/ without a `City, ST 12345` line: city/ZIP None, state from link."""
    items = f"{label('Address:')}<dd>PO Box 52<br>Hazard KY</dd>"
    listing = profile(contact_page(items))
    assert listing.address == "PO Box 52\nHazard KY"
    assert (listing.city, listing.postal_code, listing.state) == (None, None, "KY")


def test_name_falls_back_to_h1_and_else_raises() -> None:
    """ROOT/kentucky/nami-test/ without an API title: the <h1> names it; without both, error."""
    assert profile(contact_page("", h1=" NAMI  Test &amp; Co ")).name == "NAMI Test & Co"
    with pytest.raises(SourceChanged, match="no name"):
        profile("<html><body><p>Nothing here</p></body></html>")


def test_in_person_and_online_is_not_online_only() -> None:
    """ROOT/kentucky/nami-test/ serving in person and online is not an online-only listing."""
    items = f"{label('Service Area:')}<dd>Statewide, in-person and online programs</dd>"
    assert profile(contact_page(items)).attendance is None


def test_profile_outside_the_directory_raises() -> None:
    """BASE/about-nami/ is not under /find-your-local-nami/: not a profile this parser knows."""
    page = make_page(f"{BASE}/about-nami/", contact_page(""), title="NAMI")
    with pytest.raises(SourceChanged, match="not an affiliate profile"):
        list(Nami(BASE).parse(page))


def test_windows_1252_profile_with_charset_header() -> None:
    """ROOT/new-mexico/nami-espanola/ saved as windows-1252 bytes, declared in the header."""
    body = (FILES / "nami_profile_cp1252.html").read_bytes()
    url = f"{ROOT}/new-mexico/nami-espanola/"
    page = make_page(url, body, {"Content-Type": "text/html; charset=windows-1252"})
    (listing,) = Nami(BASE).parse(page)
    assert listing.name == "NAMI Española Valley – Río Arriba"
    assert listing.address == "Oficina “Centro” 12\nEspañola, NM 87532"
    assert (listing.city, listing.state, listing.postal_code) == ("Española", "NM", "87532")
    assert listing.phone == "(505) 753-0191"


def test_mislabelled_encoding_does_not_crash() -> None:
    """The same windows-1252 bytes served as UTF-8: still one listing with its phone."""
    body = (FILES / "nami_profile_cp1252.html").read_bytes()
    page = make_page(
        f"{ROOT}/new-mexico/nami-espanola/", body, {"Content-Type": "text/html; charset=utf-8"}
    )
    (listing,) = Nami(BASE).parse(page)
    assert listing.name.startswith("NAMI Espa")
    assert listing.phone == "(505) 753-0191" and listing.postal_code == "87532"


# --- the live site (skipped by default) --------------------------------------------------------


@pytest.mark.live
def test_live_api_page_shape() -> None:
    """The real API_P1 still returns a full array of {id, slug, link, title.rendered}."""
    import requests

    response = requests.get(API_P1, timeout=30, headers={"User-Agent": "supportdir tests"})
    response.raise_for_status()
    data = response.json()
    assert isinstance(data, list) and len(data) == 100
    assert int(response.headers["X-WP-TotalPages"]) >= 2
    for item in data:
        assert {"id", "slug", "link", "title"} <= item.keys()
        assert isinstance(item["title"]["rendered"], str)
    assert any("/find-your-local-nami/" in item["link"] for item in data)


def test_a_website_href_broken_by_a_bad_decode_gives_no_website() -> None:
    """Found by fuzzing: a byte flipped in 'https://' decodes to U+FFFD; no link is guessed from it."""
    from lxml.html import fragment_fromstring

    from scrapers.sources.nami import _parse_website

    page_url = "https://www.nami.org/affiliate/nami-nyc-metro/"
    broken = fragment_fromstring('<dd><a href="https\ufffd//www.naminycmetro.org">site</a></dd>')
    sound = fragment_fromstring('<dd><a href="https://www.naminycmetro.org">site</a></dd>')
    encoded = fragment_fromstring('<dd><a href="https%01//www.naminycmetro.org">site</a></dd>')
    # (the last is how lxml hands over a U+0001 in the href)
    assert _parse_website(broken, page_url) is None and _parse_website(encoded, page_url) is None
    assert _parse_website(sound, page_url) == "https://www.naminycmetro.org"


@pytest.mark.parametrize(
    ("dd", "website"),
    [
        ('<a href="namibg.org">namibg.org</a>', "https://namibg.org"),
        ("NamiBG.org/groups", "https://NamiBG.org/groups"),  # text only: canonical form comes later
        ('<a href="/find-your-local-nami/">Find another</a>', f"{BASE}/find-your-local-nami/"),
        ("see our Facebook page", None),
    ],
)
def test_website_links_and_text_without_a_scheme(dd: str, website: str | None) -> None:
    """A link or text that starts with a domain is that site; a path is on the page's own host."""
    body = contact_page(f"{label('Website:')}<dd>{dd}</dd>", h1="NAMI Bowling Green")
    assert profile(body, "kentucky/nami-bowling-green/").website == website


def test_profile_website_without_a_scheme_is_its_own_site() -> None:
    """tests/files/nami_profile_scheme_less.html as ROOT/kentucky/nami-bowling-green/ (made up):
    href="www.namibg.org/support-groups" is that site, not a path under nami.org."""
    body = (FILES / "nami_profile_scheme_less.html").read_bytes()
    listing = profile(body.decode("utf-8"), "kentucky/nami-bowling-green/")
    assert listing.website == "https://www.namibg.org/support-groups"
    assert listing.name == "NAMI Bowling Green"
    assert listing.address == "1000 State Street\nBowling Green, KY 42101"

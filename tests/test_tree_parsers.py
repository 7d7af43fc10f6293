"""The NAMI profile and DBSA state-page parsers read lxml trees (Page.tree) as they read BeautifulSoup:
comments, scripts and templates left out, <br> and nested blocks as line breaks, Cloudflare's
protected emails, a class among several, NUL bytes and content after a stray </html>."""

from datetime import UTC, datetime

import pytest

from schemas.errors import SourceChanged
from scrapers.page import Page
from scrapers.sources.dbsa import Dbsa
from scrapers.sources.nami import Nami

FETCHED = datetime(2026, 11, 20, 6, tzinfo=UTC)
UTF8 = {"Content-Type": "text/html; charset=UTF-8"}
PROFILE = "https://www.nami.org/find-your-local-nami/kentucky/nami-test/"
STATE_PAGE = "https://www.dbsalliance.org/support/chapters-and-support-groups/find-a-support-group/?state=KY"
CF_HEX = "2e464b425e6e404f4347424b5600415c49"  # help@namilex.org (tests/test_nami.py)


def page(url: str, html: str | bytes, **context: str) -> Page:
    """A UTF-8 page with this markup."""
    body = html.encode("utf-8") if isinstance(html, str) else html
    return Page(url, 200, UTF8, body, FETCHED, context=context)


def profile(items: str, h1: str = "NAMI Test") -> str:
    """A profile page whose contact block holds these <dt>/<dd> items."""
    block = f'<dl class="affiliate-contact-information__content">{items}</dl>'
    return f"<html><body><main><h1>{h1}</h1>{block}</main></body></html>"


def state_page(blocks: str) -> str:
    """A state page: the state form, then these groupInfo blocks."""
    form = '<form><select name="state"><option value="KY">KY</option></select></form>'
    return f"<html><body><main>{form}<div class='results'>{blocks}</div></main></body></html>"


def test_comments_in_the_contact_block_are_not_text() -> None:
    """A comment splits a phone number and precedes an email; neither is read as text."""
    items = ("<dt>Phone:<!-- label --></dt><!-- between --><dd>(502) 555-<!-- split -->0100</dd>"
             "<dt>Email:</dt><dd><!-- old: old@nami.org --> info@namitest.org</dd>")
    (listing,) = Nami().parse(page(PROFILE, profile(items)))
    assert listing.phone == "(502) 555-0100"
    assert listing.email == "info@namitest.org"


def test_an_email_behind_cloudflares_protection_link_is_decoded() -> None:
    """Cloudflare's /cdn-cgi/l/email-protection#<hex> link, with no data-cfemail span."""
    items = f'<dt>Email:</dt><dd><a href="/cdn-cgi/l/email-protection#{CF_HEX}">[email protected]</a></dd>'
    (listing,) = Nami().parse(page(PROFILE, profile(items)))
    assert listing.email == "help@namilex.org"


def test_script_and_template_text_is_no_part_of_the_name() -> None:
    """The <h1> fallback name leaves out a script's and a template's text, as get_text does."""
    h1 = "NAMI <script>var tracked = 1;</script>Test<template><p>Template</p></template> County"
    (listing,) = Nami().parse(page(PROFILE, profile("", h1=h1)))
    assert listing.name == "NAMI Test County"


def test_address_lines_break_at_br_and_nested_blocks() -> None:
    """<br> and nested <div>s in the address <dd> are line breaks; inline tags are not."""
    items = ("<dt>Address:</dt><dd><span>12 Main</span> St<br>Suite 3"
             "<div><div>Louisville, <b>KY</b> 40202</div></div></dd>")
    (listing,) = Nami().parse(page(PROFILE, profile(items)))
    assert listing.address == "12 Main St\nSuite 3\nLouisville, KY 40202"
    assert (listing.city, listing.postal_code) == ("Louisville", "40202")


def test_nul_bytes_in_a_profile_are_dropped_and_the_rest_is_read() -> None:
    """A NUL inside the page (a bad upstream write) costs nothing after it."""
    html = profile("<dt>Phone:</dt><dd>(502) 555-0100</dd>").replace("<main>", "<main>\x00\x00")
    (listing,) = Nami().parse(page(PROFILE, html))
    assert listing.phone == "(502) 555-0100"


def test_a_contact_block_after_a_stray_html_end_tag_is_read() -> None:
    """Markup after </html> lands in a second top-level element, which is still the page (as
    BeautifulSoup reads it)."""
    html = ("<html><body><main><h1>NAMI Test</h1></main></body></html>"
            '<dl class="x affiliate-contact-information__content">'
            "<dt>Phone:</dt><dd>(502) 555-0100</dd></dl>")
    (listing,) = Nami().parse(page(PROFILE, html))
    assert listing.phone == "(502) 555-0100"


def test_a_comment_in_a_listing_is_neither_name_nor_description() -> None:
    block = ('<div class="groupInfo"><h3 class="groupInfo__name">DBSA <!-- was: Metro -->Louisville</h3>'
             '<div class="groupInfo__location">Louisville</div>'
             "<p>Meets <!-- old time: Fridays -->Mondays at 7 pm.</p></div>")
    (listing,) = Dbsa().parse(page(STATE_PAGE, state_page(block)))
    assert listing.name == "DBSA Louisville"
    assert listing.description == "Meets Mondays at 7 pm."


def test_nested_divs_scripts_and_styles_in_a_listing() -> None:
    """Parts found at any depth; each block a description line; script and style text left out."""
    block = ('<div class="prose\tgroupInfo\nmb-8"><div><div><h3 class="groupInfo__name">DBSA Lexington</h3>'
             '</div><div class="groupInfo__location">Lexington</div>'
             "<div><div><p>Free peer support.<script>track('x')</script></p></div>"
             "<style>.p{}</style><div>Second line<br>third line</div></div>"
             '<p><strong>Email:</strong> <a href="mailto:lex@dbsa.example.org">lex@dbsa.example.org</a></p>'
             "</div></div>")
    (listing,) = Dbsa().parse(page(STATE_PAGE, state_page(block)))
    assert listing.name == "DBSA Lexington" and listing.city == "Lexington"
    assert listing.email == "lex@dbsa.example.org"
    assert listing.description == "Free peer support.\nSecond line\nthird line"


def test_a_class_that_only_starts_with_groupinfo_is_not_a_listing() -> None:
    block = '<div class="groupInfoWide"><h3 class="groupInfo__name">DBSA Lexington</h3></div>'
    with pytest.raises(SourceChanged, match="no groupInfo listings"):
        list(Dbsa().parse(page(STATE_PAGE, state_page(block))))


def test_nul_bytes_in_a_state_page_are_dropped_and_every_listing_is_read() -> None:
    blocks = "".join(f'<div class="groupInfo"><h3 class="groupInfo__name">DBSA {city}</h3>\x00</div>'
                     for city in ("Lexington", "Louisville"))
    names = [listing.name for listing in Dbsa().parse(page(STATE_PAGE, state_page(blocks)))]
    assert names == ["DBSA Lexington", "DBSA Louisville"]

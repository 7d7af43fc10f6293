"""Reading Page.tree() as BeautifulSoup reads Page.soup(): the lxml edges the SMART/LifeRing and
clubhouse parsers depend on (comments, <script>/<template>/<rt> text, classes, <noscript>)."""

from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scrapers.page import Page
from scrapers.sources.clubhouse import Clubhouse
from scrapers.sources.meetings_platform import CARD
from scrapers.sources.smart import Smart
from scrapers.sources.text import clean
from scrapers.sources.tree import class_search, classes, get_text, has_class

FETCHED = datetime(2026, 11, 20, 6, tzinfo=UTC)
# Markup pieces that split, hide or add text: comments, script, style, template, ruby, pre, entities.
PIECES = st.sampled_from([
    "<div>", "</div>", "<p>", "</p>", "<h2>", "</h2>", "<b>", "</b>", "<span class='a card'>", "</span>",
    "<br>", "<li>", "<!-- c -->", "<!--", "-->", "<script>s</script>", "<style>p{}</style>",
    "<template>", "</template>", "<ruby>", "<rt>", "</rt>", "<rp>(</rp>", "</ruby>", "<pre>", "</pre>",
    "<textarea>", "</textarea>", "<noscript>", "</noscript>", "<![CDATA[x]]>", "<?php x ?>", "&nbsp;",
    "&amp;", "&lt;", "\n", " ", "\t", "Online", " Meeting", "When", "Program: X", "é", "<title>", "</title>",
])
MARKUP = st.lists(PIECES, max_size=40).map("".join)


def page(html: str, url: str = "https://meetings.smartrecovery.org/meetings/1/") -> Page:
    """A UTF-8 page."""
    return Page(url, 200, {"Content-Type": "text/html; charset=utf-8"}, html.encode(), FETCHED)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MARKUP)
def test_every_element_has_the_text_beautifulsoup_gives_it(markup: str) -> None:
    """Same elements in the same order, each with get_text's strings (whitespace as the callers clean it)."""
    fetched = page(f"<html><body>{markup}</body></html>")
    tags = fetched.soup().find_all(True)
    elements = [e for e in fetched.tree().iter() if isinstance(e.tag, str)]
    assert [t.name for t in tags] == [e.tag for e in elements]
    for tag, element in zip(tags, elements, strict=True):
        assert clean(get_text(element, " ")) == clean(tag.get_text(" "))
        assert [clean(s) for s in get_text(element, "\n").splitlines() if clean(s)] == \
            [clean(s) for s in tag.get_text("\n").splitlines() if clean(s)]
        assert classes(element) == tag.get("class", [])


@pytest.mark.parametrize("html", [
    "<h2>Online Meeting<script>var a;</script></h2>",
    "<h2>Online Meeting<template>soon</template></h2>",
    "<h2><ruby>Online<rt>on</rt></ruby> Meeting</h2>",
])
def test_script_template_and_ruby_text_are_not_heading_text(html: str) -> None:
    """lxml's itertext() would read "var a;" into the heading; BeautifulSoup and `text` do not."""
    heading = page(html).tree().find(".//h2")
    assert " ".join(heading.itertext()) != "Online Meeting"
    assert clean(get_text(heading, " ")) == "Online Meeting"


def test_text_inside_a_script_is_the_scripts_own() -> None:
    script = page("<p>a<script>b</script>c</p>").tree().find(".//script")
    assert get_text(script) == page("<p>a<script>b</script>c</p>").soup().script.get_text() == "b"


def test_a_comment_inside_a_heading_splits_its_text_as_in_beautifulsoup() -> None:
    """"Online<!-- x --> Meeting" is two strings: joined by " " they do not read "Online Meeting"."""
    html = "<h2>Online<!-- x --> Meeting</h2>"
    joined = get_text(page(html).tree().find(".//h2"), " ")
    assert joined == page(html).soup().h2.get_text(" ") == "Online  Meeting"


def test_an_online_card_heading_with_a_script_in_it_is_found() -> None:
    html = ('<h1>Evening Meeting</h1><div class="card"><h2>Online Meeting<script>track()</script></h2>'
            '<a href="https://zoom.us/j/5551234">Join</a></div>')
    [listing] = Smart().parse(page(html))
    assert listing.attendance == "online" and listing.conference_url == "https://zoom.us/j/5551234"


@pytest.mark.parametrize(("attribute", "expected"), [
    ("card x", ["card", "x"]), ("card\u00a0x", ["card", "x"]), ("  card\t", ["card"]), ("", [])])
def test_classes_split_at_any_whitespace_as_beautifulsoup_does(attribute: str, expected: list[str]) -> None:
    html = f'<div class="{attribute}">x</div>'
    element = page(html).tree().find(".//div")
    assert classes(element) == page(html).soup().div["class"] == expected
    assert has_class(element, "card") is ("card" in expected)


def test_a_card_class_is_a_word_of_one_class() -> None:
    """BeautifulSoup's class_=CARD searches each class: "meeting-card" is a card, "cardinal" is not."""
    tree = page('<div class="meeting-card"></div><div class="cardinal"></div>').tree()
    assert [class_search(div, CARD) for div in tree.iter("div")] == [True, False]


LETTER = "https://clubhouse-intl.org/what-we-do/international-directory/?fl=S"
NAV = '<a href="?fl=A">A</a>'


def test_a_clubhouse_entry_reads_through_comments_and_skips_scripts() -> None:
    html = (f'{NAV}<div><a href="https://spring.example.org/">Spring House</a><br>12 Oak St<br>'
            "Spring<!-- old -->field, Illinois, USA 62701<script>x = 1;</script><br>"
            "Phone:&nbsp;(217) 555-0100</div>")
    [listing] = Clubhouse().parse(page(html, LETTER))
    assert (listing.city, listing.street, listing.phone) == ("Springfield", "12 Oak St", "(217) 555-0100")


def test_a_clubhouse_entry_inside_noscript_is_not_read() -> None:
    entry = "<div>Spring House<br>12 Oak St<br>Springfield, Illinois, USA 62701</div>"
    html = f"{NAV}<noscript>{entry}</noscript>"
    assert Clubhouse().parse(page(html, LETTER)) == []


def test_a_misplaced_doctype_no_longer_splits_the_text() -> None:
    """lxml's tree drops a <!DOCTYPE> in the middle of a page; BeautifulSoup kept it as a node (the one
    known difference of the lxml parse: "Spring<!DOCTYPE html>field" read "Springhtmlfield")."""
    html = (f'{NAV}<div><a href="https://spring.example.org/">Spring House</a><br>12 Oak St<br>'
            "Spring<!DOCTYPE html>field, Illinois, USA 62701</div>")
    [listing] = Clubhouse().parse(page(html, LETTER))
    assert listing.city == "Springfield"

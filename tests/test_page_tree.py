"""Page.tree(): the lxml tree the big regular pages are parsed from, decoded as Page.soup() decodes."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from scrapers.page import Page

PROFILE_CP1252 = Path(__file__).parent / "files" / "nami_profile_cp1252.html"


def page(body: bytes, content_type: str | None = None) -> Page:
    """A page with this body and Content-Type header."""
    headers = {"Content-Type": content_type} if content_type else {}
    return Page(url="https://example.org/p", status=200, headers=headers, body=body,
                fetched_at=datetime(2026, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize("header", ["text/html; charset=utf-8", "text/html; charset=iso-8859-1", None])
def test_tree_and_soup_read_the_same_text_whatever_the_header_says(header):
    """A windows-1252 page whose <meta> tells the truth, under a lying, latin-1 or missing header."""
    fetched = page(PROFILE_CP1252.read_bytes(), header)
    assert fetched.tree().findtext(".//h1").strip() == fetched.soup().h1.get_text().strip()
    assert "Española" in fetched.tree().findtext(".//h1")


def test_utf8_under_a_latin1_header_is_read_as_utf8():
    body = "<html><head><meta charset='utf-8'></head><body><h1>Peña – Río</h1></body></html>".encode()
    assert page(body, "text/html; charset=iso-8859-1").tree().findtext(".//h1") == "Peña – Río"


def test_an_xml_declaration_and_control_characters_do_not_stop_the_parse():
    body = b"<?xml version='1.0' encoding='utf-8'?><html><body><h1>A\x00B\x0bC</h1></body></html>"
    assert page(body).tree().findtext(".//h1") == "ABC"


@pytest.mark.parametrize("body", [b"", b"\x00\x01", b"   "], ids=["empty", "controls", "blank"])
def test_an_empty_page_is_an_empty_html_element(body):
    root = page(body).tree()
    assert root.tag == "html"
    assert root.findall(".//h1") == []

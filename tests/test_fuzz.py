"""Property-based fuzzing of every parser: random bytes and mutated saved pages.

Every source in the registry that has a sample snapshot is fuzzed (a new source is fuzzed by
registering it and adding its sample). Properties: discover, parse and parse_all raise nothing
but SourceChanged, and never invent values: every word of a parsed name, email, phone, city or
ZIP is in the page, and every URL is in the page (as written, resolved from an href, or a bare
domain given its scheme).

50 examples per parser and strategy by default; `pytest -m fuzz` runs 1,000 (see conftest.py).
"""

import contextlib
import functools
import html
import json
import re
from datetime import UTC, datetime
from urllib.parse import unquote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from schemas.errors import SourceChanged
from schemas.listing import ParsedListing
from schemas.urls import canonical_url
from scrapers.page import XML_INCOMPATIBLE, Page
from scrapers.registry import SOURCE_CLASSES
from scrapers.sample import load_manifest, sample_sources
from scrapers.sources.cfemail import decode_cfemail
from scrapers.urls import absolute_url

pytestmark = pytest.mark.fuzz
FUZZED = [name for name in SOURCE_CLASSES if name in sample_sources()]
# Fields copied from the page (schedule_text is not checked: a feed may render it from day numbers).
CHECKED_TEXT = ("name", "email", "phone", "city", "postal_code")
CHECKED_URLS = ("website", "registration_url", "conference_url")
ENCODINGS = ("utf-8", "windows-1252", "latin-1", "utf-16", "ascii", None)
WORD = re.compile(r"\w+")
HREF = re.compile(r"""(?:href|src)\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
CF_HEX = re.compile(r"[0-9a-fA-F]{6,}")

SETTINGS = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@functools.cache
def samples(name: str) -> list:
    """A source's saved responses."""
    return load_manifest(name)


# --- mutations of a saved page ---------------------------------------------------------------


def truncate(body: bytes, data: st.DataObject) -> bytes:
    """Cut the body at a random byte."""
    return body[: data.draw(st.integers(0, len(body)))]


def flip_bytes(body: bytes, data: st.DataObject) -> bytes:
    """Replace a few random bytes with random values."""
    raw = bytearray(body)
    for _ in range(data.draw(st.integers(1, 8))):
        if raw:
            raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    return bytes(raw)


def _pick(pattern: str, body: bytes, data: st.DataObject) -> re.Match | None:
    """One random match of a pattern in the body."""
    found = list(re.finditer(pattern.encode(), body))
    return found[data.draw(st.integers(0, len(found) - 1))] if found else None


def delete_tag(body: bytes, data: st.DataObject) -> bytes:
    """Remove one opening or closing tag."""
    match = _pick(r"</?[a-zA-Z][^<>]{0,300}>", body, data)
    return body[: match.start()] + body[match.end():] if match else body


def duplicate_element(body: bytes, data: st.DataObject) -> bytes:
    """Repeat one line (often a whole element) or one JSON object."""
    match = _pick(r"[^\n]*<[a-z][^\n]*\n|\{[^{}]*\}", body, data)
    return body[: match.end()] + match.group() + body[match.end():] if match else body


def remove_attribute(body: bytes, data: st.DataObject) -> bytes:
    """Drop one attribute (class, href, data-cfemail...)."""
    match = _pick(r"""\s[a-zA-Z-]+=("[^"]*"|'[^']*')""", body, data)
    return body[: match.start()] + body[match.end():] if match else body


def swap_encoding(body: bytes, data: st.DataObject) -> bytes:
    """Re-encode the text in another encoding (lossy where it must be)."""
    target = data.draw(st.sampled_from(["windows-1252", "latin-1", "utf-16", "ascii", "utf-8-sig"]))
    return body.decode("utf-8", errors="replace").encode(target, errors="replace")


MUTATIONS = [truncate, flip_bytes, delete_tag, duplicate_element, remove_attribute, swap_encoding]


def page_of(url: str, body: bytes, headers: dict, charset: str | None) -> Page:
    """A Page as the crawl hands it to a parser, with a possibly different declared charset."""
    headers = dict(headers)
    if charset is not None or data_is_textual(headers):
        kind = (headers.get("Content-Type") or "text/html").split(";")[0]
        headers["Content-Type"] = kind + (f"; charset={charset}" if charset else "")
    return Page(url=canonical_url(url), status=200, headers=headers, body=body,
                fetched_at=datetime(2026, 11, 20, tzinfo=UTC))


def data_is_textual(headers: dict) -> bool:
    """True when the saved response had a Content-Type to rewrite."""
    return "Content-Type" in headers


# --- the properties ------------------------------------------------------------------------


def haystack(page: Page) -> tuple[set[str], str]:
    """Every word the page holds (text, attributes, unescaped, unquoted, Cloudflare-decoded), and its text."""
    text = XML_INCOMPATIBLE.sub("", page.text)
    with contextlib.suppress(ValueError):
        # JSON is read as JSON reads bytes (RFC 8259: UTF-8/16/32 by its own bytes), whatever
        # charset the header declares; the words it holds are the page's words too.
        text += " " + json.dumps(page.json(), ensure_ascii=False)
    soup = page.soup()
    attributes = [str(v) for tag in soup.find_all(True) for v in tag.attrs.values() if isinstance(v, str)]
    visible = " ".join([soup.get_text(" "), *attributes])
    decoded = [e for hexed in CF_HEX.findall(text) if (e := decode_cfemail(hexed))]
    everything = " ".join([text, html.unescape(text), unquote(html.unescape(text)), visible, *decoded])
    return {w.casefold() for w in WORD.findall(everything)}, everything


def assert_not_invented(page: Page, listings: list[ParsedListing]) -> None:
    """Every checked value is made of the page's own words; every URL is in the page."""
    words, text = haystack(page)
    hrefs = {html.unescape(h) for h in HREF.findall(text)}
    resolved = set()
    for href in hrefs:
        try:
            resolved.add(absolute_url(page.url, href))
        except ValueError:
            continue
    # A PDF draws glyphs at positions, mostly in compressed streams: its words cannot be listed from
    # its bytes, and a mutated position can interleave two runs of glyphs into new "words". For a
    # PDF (the warmline directory) the invariant left is the one every page has: only typed errors.
    drawn = page.body.startswith(b"%PDF")
    for listing in [] if drawn else listings:
        for field in CHECKED_TEXT:
            value = getattr(listing, field)
            invented = {w.casefold() for w in WORD.findall(value or "")} - words
            assert not invented, (field, value, invented)
        for field in CHECKED_URLS:
            url = getattr(listing, field)
            # A bare domain written as text ("www.mhai.net") may be given its scheme.
            bare = url.split("://", 1)[-1].rstrip("/") if url else ""
            assert url is None or url in text or url in hrefs or url in resolved or bare in text, (field, url)


def run_parser(name: str, page: Page) -> None:
    """discover, parse and parse_all on one page: only SourceChanged may escape."""
    source = SOURCE_CLASSES[name]()
    for call in (lambda: list(source.discover(page)), lambda: source.parse_page(page)):
        try:
            result = call()
        except SourceChanged:
            continue
        if result and isinstance(result[0], ParsedListing):
            assert_not_invented(page, result)
    with contextlib.suppress(SourceChanged):
        assert_not_invented(page, source.parse_all([page]))


@pytest.mark.parametrize("name", FUZZED)
@SETTINGS
@given(data=st.data())
def test_mutated_saved_pages(name: str, data: st.DataObject) -> None:
    saved = samples(name)[data.draw(st.integers(0, len(samples(name)) - 1), label="page number")]
    body = saved.body
    chosen = data.draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3), label="mutations")
    for mutation in chosen:
        body = mutation(body, data)
    charset = data.draw(st.sampled_from(ENCODINGS), label="declared charset")
    run_parser(name, page_of(saved.url, body, saved.headers, charset))


@pytest.mark.parametrize("name", FUZZED)
@SETTINGS
@given(data=st.data())
def test_random_bytes(name: str, data: st.DataObject) -> None:
    saved = samples(name)[data.draw(st.integers(0, len(samples(name)) - 1), label="as if from page")]
    bodies = st.one_of(st.binary(max_size=4000), st.text(max_size=2000).map(str.encode))
    body = data.draw(bodies, label="body")
    charset = data.draw(st.sampled_from(ENCODINGS), label="declared charset")
    run_parser(name, page_of(saved.url, body, saved.headers, charset))


def test_every_registered_source_with_a_sample_is_fuzzed() -> None:
    assert set(FUZZED) == set(SOURCE_CLASSES) & set(sample_sources()) and len(FUZZED) >= 3

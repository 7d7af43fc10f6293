"""NAMI: state organizations and local affiliates, from the WordPress REST API and profile pages.

The API lists every affiliate post (id, slug, link, title); the state is only in
the link (/find-your-local-nami/<state-name>/[<slug>/]), and the contact details
are only on the profile page, in a <dl> of label/value pairs.
"""

import html
import re
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from lxml import etree
from lxml.html import HtmlElement

from schemas.address import place_from_lines, state_code
from schemas.listing import ParsedListing
from schemas.values import Attendance
from scrapers.base import Source
from scrapers.page import Link, Page
from scrapers.sources.cfemail import protected_email
from scrapers.sources.text import link_url, written_url
from scrapers.sources.tree import elements, first_with_class, get_text
from scrapers.urls import absolute_url, host_of

PER_PAGE = 100
PROFILE_ROOT = "/find-your-local-nami/"
NAMI_HOSTS = frozenset({"www.nami.org", "nami.org"})
CONTACT_DL = "affiliate-contact-information__content"
LABEL_ALIASES = {"e-mail": "email", "web site": "website", "telephone": "phone"}
LINE_BREAKS = ("br", "p", "div", "li")
# Text nodes (script text too, as before; not comments) and line-breaking elements, in document order.
_TEXT_AND_BREAKS = etree.XPath(" | ".join(f"descendant::{node}" for node in ("text()", *LINE_BREAKS)),
                               smart_strings=False)
_LINKS = etree.XPath("descendant::a[@href]")
EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
SERVICE_AREA_SPLIT = re.compile(r"\s*(?:[,;/&]|\band\b)\s*", re.IGNORECASE)
ONLINE = re.compile(r"\b(?:virtual|online)\b", re.IGNORECASE)
IN_PERSON = re.compile(r"\bin[- ]person\b", re.IGNORECASE)


def api_path(number: int) -> str:
    """Path of one page of the affiliate REST API."""
    return f"/wp-json/wp/v2/affiliate?per_page={PER_PAGE}&page={number}&_fields=id,slug,link,title"


class Nami(Source):
    """NAMI state organizations and local affiliates (www.nami.org)."""

    name = "nami"
    organization = "NAMI"
    base_url = "https://www.nami.org"
    start_paths = (api_path(1),)
    min_interval = 1.0
    rank = 1  # the alliance's own site
    max_pages = 5_000  # about 9 API pages and 800 profiles
    description = "NAMI state organizations and local affiliates, with their contact details."

    def discover(self, page: Page) -> list[Link]:
        """Profile pages and the next API page, from an API page; nothing from a profile."""
        if not _is_api(page):
            return []
        entries = self._entries(page)
        links = [link for entry in entries if (link := self._profile_link(page, entry))]
        following = self._next_page(page, len(entries))
        return links + ([following] if following else [])

    def parse(self, page: Page) -> Iterator[ParsedListing]:
        """One listing per profile page; API pages hold no listings by themselves."""
        if _is_api(page):
            return
        segments = _profile_segments(page.url)
        if segments is None or len(segments) > 2:
            raise self.changed(page, "not an affiliate profile URL")
        root = page.tree()
        name = _parse_name(page.context.get("title"), root)
        if not name:
            raise self.changed(page, "profile has no name (no API title and no <h1>)")
        yield self._listing(page, segments, name, _contact_items(root))

    def _listing(
        self, page: Page, segments: list[str], name: str, items: Mapping[str, HtmlElement]
    ) -> ParsedListing:
        """The listing of one profile page from its path, name and contact items."""
        service_text = _text(items.get("service area"))
        place = {"state": state_code(segments[0]), **_parse_place(items.get("address"))}
        return ParsedListing(
            source=self.name,
            source_key="/".join(segments),
            kind="organization" if len(segments) == 1 else "chapter",
            organization=self.organization,
            name=name,
            source_url=page.url,
            parent_key=segments[0] if len(segments) == 2 else None,
            service_area=_parse_service_area(service_text),
            phone=_text(items.get("phone")),
            email=_parse_email(items.get("email")),
            website=_parse_website(items.get("website"), page.url),
            attendance=_parse_attendance(name, service_text),
            **place,
        )

    def _entries(self, page: Page) -> list[Mapping[str, Any]]:
        """The API page's entries; anything but an array of objects with a link means a change."""
        try:
            data = page.json()
        except ValueError:
            raise self.changed(page, "affiliate API page is not JSON") from None
        if not isinstance(data, list):
            # WordPress answers a page past the end with {"code": "rest_post_invalid_page_number"}
            code = data.get("code") if isinstance(data, dict) else None
            raise self.changed(page, f"affiliate API page is not a JSON array (code: {code})")
        if not all(isinstance(e, dict) and isinstance(e.get("link"), str) for e in data):
            raise self.changed(page, "affiliate API entry without a link")
        return data

    def _profile_link(self, page: Page, entry: Mapping[str, Any]) -> Link | None:
        """A Link to an entry's profile page, or None for events pages and foreign links."""
        url = self._own_url(page.url, entry["link"])
        segments = _profile_segments(url) if url else None
        # /<state>/events/ entries are calendars with no contact block
        if url is None or segments is None or segments[-1] == "events" or len(segments) > 2:
            return None
        title = entry.get("title")
        rendered = title.get("rendered") if isinstance(title, dict) else None
        context = {"id": entry.get("id"), "slug": entry.get("slug"), "title": rendered}
        return Link(url, {**context, "link": entry["link"]})

    def _own_url(self, page_url: str, link: str) -> str | None:
        """The link on this source's own base (so a mirror works), or None for another site."""
        url = absolute_url(page_url, link)
        host = host_of(url)
        if host in NAMI_HOSTS:
            return self.base + (urlsplit(url).path or "/")
        return url if host == host_of(self.base) else None

    def _next_page(self, page: Page, count: int) -> Link | None:
        """The next API page, only after a full page and never past X-WP-TotalPages."""
        if count < PER_PAGE:
            return None
        number = _page_number(page.url)
        total = _int_or_none(page.header("X-WP-TotalPages"))
        if total is not None and number >= total:
            return None
        return Link(self.url(api_path(number + 1)))


def _is_api(page: Page) -> bool:
    """True for a page of the REST API (rather than a profile page)."""
    return "/wp-json/" in urlsplit(page.url).path


def _page_number(url: str) -> int:
    """The `page` query parameter of an API URL (1 when absent)."""
    values = parse_qs(urlsplit(url).query).get("page", ["1"])
    return _int_or_none(values[0]) or 1


def _int_or_none(value: str | None) -> int | None:
    """An integer from a header or query value, None when absent or not a number."""
    try:
        return int(value.strip()) if value is not None else None
    except ValueError:
        return None


def _profile_segments(url: str) -> list[str] | None:
    """Path segments under /find-your-local-nami/ ([state] or [state, slug]), None if not there."""
    path = urlsplit(url).path
    if PROFILE_ROOT not in path:
        return None
    segments = [s for s in path.split(PROFILE_ROOT, 1)[1].split("/") if s]
    return segments or None


def _parse_name(title: Any, root: HtmlElement) -> str | None:
    """The API title unescaped and whitespace-collapsed, else the page's <h1>."""
    if isinstance(title, str) and title.strip():
        return " ".join(html.unescape(title).split())
    h1 = next(elements(root, "h1"), None)
    if h1 is None:
        return None
    return " ".join(get_text(h1, " ").split()) or None


def _contact_items(root: HtmlElement) -> dict[str, HtmlElement]:
    """The contact block's <dd> values by lower-case label (first value of each label)."""
    block = first_with_class(root, CONTACT_DL, "dl")
    items: dict[str, HtmlElement] = {}
    label = None
    for tag in block.iterdescendants("dt", "dd") if block is not None else []:
        if tag.tag == "dt":
            text = " ".join(get_text(tag, " ").split()).rstrip(":").strip().lower()
            label = LABEL_ALIASES.get(text, text)
        elif label is not None:
            items.setdefault(label, tag)  # a second <dd> of one label is ignored
    return items


def _lines(tag: HtmlElement) -> list[str]:
    """Text lines of an element, split at <br> (and block elements), blanks dropped."""
    lines = [""]
    for node in _TEXT_AND_BREAKS(tag):
        if isinstance(node, str):
            lines[-1] += node
        else:
            lines.append("")
    return [" ".join(line.split()) for line in lines if line.split()]


def _text(tag: HtmlElement | None) -> str | None:
    """An element's text as published, lines joined by spaces; None when empty."""
    if tag is None:
        return None
    return " ".join(_lines(tag)) or None


def _parse_place(tag: HtmlElement | None) -> dict[str, str]:
    """Address as published, country, and city/state/ZIP of a plain `City, ST 12345` line
    (schemas/address.py); the street and any other form are left to the warehouse's split."""
    place = place_from_lines(_lines(tag) if tag is not None else [], fallback=False)
    return {key: value for key, value in place.items() if key != "street"}


def _parse_service_area(text: str | None) -> tuple[str, ...]:
    """USPS codes when the service area is a list of states; () for anything else."""
    pieces = [p for p in SERVICE_AREA_SPLIT.split(text or "") if p.strip()]
    codes = [state_code(piece) for piece in pieces]
    if not codes or None in codes:
        return ()
    return tuple(dict.fromkeys(code for code in codes if code))


def _parse_email(tag: HtmlElement | None) -> str | None:
    """Email from Cloudflare's span or link, a mailto: link, or plain text."""
    if tag is None:
        return None
    if email := protected_email(tag):
        return email
    for anchor in _LINKS(tag):
        href = anchor.get("href").strip()
        if href.lower().startswith("mailto:") and (found := EMAIL.search(href[7:].split("?")[0])):
            return found.group()
    found = EMAIL.search(_text(tag) or "")
    return found.group() if found else None


def _parse_website(tag: HtmlElement | None, page_url: str) -> str | None:
    """The website link's href, or a web address written as text."""
    if tag is None:
        return None
    anchor = next(iter(_LINKS(tag)), None)
    # e.g. "https\ufffd//..." from a bad decode: link_url guesses no link
    return link_url(page_url, anchor.get("href")) if anchor is not None else written_url(_text(tag))


def _parse_attendance(name: str, service_text: str | None) -> Attendance | None:
    """'online' only when the name or service area says virtual/online (and not in person)."""
    for text in (name, service_text or ""):
        if ONLINE.search(text) and not IN_PERSON.search(text):
            return "online"
    return None

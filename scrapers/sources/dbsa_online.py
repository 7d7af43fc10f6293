"""DBSA's national online groups page: one heading per group, prose schedules, "Register Now" buttons.

The groups meet on Zoom and DBSA sends the link only after registration, so a group gets the
registration URL and never a conference URL. They are national: no state, no service area.
"""

import re

from bs4 import Tag

from schemas.listing import ParsedListing
from scrapers.page import Page
from scrapers.sources.audiences import audiences_in, ordered
from scrapers.sources.text import clean, link_url, schedule_text, slug_key

ONLINE_PATH = "/support/dbsa-national-online-cultural-and-identity-focused-support-group-offerings/"
KEY_PREFIX = "online/"
HEADINGS = ["h2", "h3", "h4"]
_ALL_HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"]
_GROUP_WORD = re.compile(r"\b(?:groups?|grupos?|circles?)\b", re.I)
# Sections that are never groups: questions, contacts, appeals (and everything under them).
_NOT_GROUP = re.compile(
    r"\?\s*$|\b(?:faq|frequently asked|questions|contact|about|donat\w*|resources)\b", re.I
)
_REGISTER = re.compile(r"regist|sign[\s_-]?up|inscr[ií]b", re.I)


def is_online_page(page: Page) -> bool:
    """True for the national online groups page."""
    return page.url.split("?", 1)[0].endswith(ONLINE_PATH)


def parse_online(page: Page, source: str, organization: str) -> list[ParsedListing]:
    """Every group section of the page (empty list if none; the caller decides if that is a change)."""
    soup = page.soup()
    root = soup.select_one(".entry-content") or soup.find("main") or soup
    listings, excluded_level = [], None
    for heading in root.find_all(HEADINGS):
        level = int(heading.name[1])
        if excluded_level is not None and level > excluded_level:
            continue  # a question under "Frequently Asked Questions"
        name = clean(heading.get_text(" "))
        excluded_level = level if _NOT_GROUP.search(name) else None
        if excluded_level is None and (listing := _group(page, heading, name, source, organization)):
            listings.append(listing)
    return listings


def _group(page: Page, heading: Tag, name: str, source: str, organization: str) -> ParsedListing | None:
    """The group a heading introduces, or None if its section is not a group."""
    blocks = _section(heading)
    paragraphs = [text for block in blocks if block.name == "p" and (text := clean(block.get_text(" ")))]
    registration = _registration(blocks, page.url)
    if not paragraphs or not (registration or _GROUP_WORD.search(name)):
        return None
    description = "\n".join(paragraphs)
    return ParsedListing(
        source=source,
        source_key=KEY_PREFIX + _key(heading, name),
        kind="group",
        organization=organization,
        name=name,
        source_url=page.url,
        description=description,
        audiences=_audiences(name),
        topics=("depression", "bipolar"),
        attendance="online",
        registration_url=registration,
        schedule_text=schedule_text(description),
    )


def _key(heading: Tag, name: str) -> str:
    """The heading's anchor id ("young-adults") when it has one, else the slug of its text."""
    anchor = str(heading.get("id") or "").strip().lower()
    return anchor if re.fullmatch(r"[a-z0-9][a-z0-9_-]*", anchor) else slug_key(name)


def _section(heading: Tag) -> list[Tag]:
    """The elements after a heading, up to the next heading of any level."""
    blocks = []
    for sibling in heading.find_next_siblings(True):
        if sibling.name in _ALL_HEADINGS:
            break
        blocks.append(sibling)
    return blocks


def _registration(blocks: list[Tag], page_url: str) -> str | None:
    """The first link of the section whose text or URL says register, made absolute."""
    for block in blocks:
        for link in block.find_all("a", href=True):
            url = link_url(page_url, str(link["href"]))
            if url and (_REGISTER.search(link.get_text(" ")) or _REGISTER.search(url)):
                return url
    return None


def _audiences(name: str) -> tuple[str, ...]:
    """Who the group is for, from its heading: peers plus its identity focus; parents are family."""
    tags = audiences_in(name)
    if "parents" in tags:
        return ("family", "parents")  # "Parents of Children and Teens": for the parents
    return ordered(["peers", *tags]) if "family" not in tags else tags

"""S&PAA (formerly SARDAA): Schizophrenia Alliance peer groups, family groups and call groups.

The page's markup is not known well enough for selectors: the parser reads the main content as
headings and the text blocks under them; a group is the smallest heading-led section naming a
weekday and a time, or each list item / table row with its own day and time.
"""

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from bs4 import BeautifulSoup, NavigableString, Tag

from schemas.listing import ParsedListing
from schemas.values import Attendance
from scrapers.base import Source
from scrapers.page import Page
from scrapers.sources.text import (
    clean,
    has_time,
    is_schedule,
    is_schedule_only,
    link_url,
    schedule_sentences,
    slug_key,
    unique_key,
)

_HEADINGS = ["h1", "h2", "h3", "h4", "h5", "h6"]
_ITEM_TAGS = frozenset({"li", "tr"})
_BLOCK_TAGS = frozenset(
    {"p", "div", "dd", "dt", "blockquote", "address", "figcaption", "td", "th", "section"}
)
_ROOTS = ["main", "article", ".entry-content", "#content"]
_DROP = "nav, header, footer, aside, form, script, style, noscript, template, svg, [role=navigation]"
# Headings whose sections list office hours or appeals, never groups.
_NOT_GROUPS = re.compile(
    r"\b(?:contact|office hours|donat\w*|give|giving|newsletter|subscribe|follow us)\b", re.I
)
_CALL = re.compile(r"\b(?:conference calls?|call-in|teleconference|dial-in|by telephone)\b", re.I)
_ONLINE = re.compile(r"\b(?:zoom|virtual|online|video)\b", re.I)
_PHONE = re.compile(r"\b(?:phone|telephone)\b", re.I)
_REGISTER = re.compile(r"regist|sign[\s_-]?up", re.I)
# Only an explicit meeting link is a join link; zoom.us/meeting/register/... is a registration page.
_JOIN_LINK = re.compile(
    r"zoom\.us/(?:j|my|w)/|meet\.google\.com/[a-z]|teams\.microsoft\.com/l/meetup-join", re.I
)
_FAMILY = re.compile(r"\b(?:famil(?:y|ies)|friends|loved ones?|caregivers?|carers?)\b", re.I)
_PEERS = re.compile(r"\bSA\b|schizophrenia alliance|\bpeers?\b|living with", re.I)
# Bold lead words that label a line rather than name a group ("When: Sundays at 3 PM").
_LABEL = re.compile(
    r"^(?:when|where|time|times|days?|schedule|meets?|meeting|note|please note|how|important|location"
    r"|zoom|online|phone|register|registration|cost|fee|free|facilitators?|hosts?|who|what|details|new)$",
    re.I,
)
# The level given to a paragraph that is only a bold label: a heading below h6.
_LABEL_LEVEL = 7


@dataclass(eq=False)
class _Block:
    """Text and links of one paragraph, list item or table row."""

    is_item: bool
    name: str = ""
    parts: list[str] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The block's text, whitespace-normalized."""
        return clean(" ".join(self.parts))

    @property
    def bare(self) -> str:
        """The block's text without its link texts ("Register")."""
        text = self.text
        for label, _ in self.links:
            text = text.replace(label, " ") if label else text
        return clean(text).strip(" –—-|:;,")

    @property
    def plain(self) -> str:
        """The bare text without the item's own name: its day/time details."""
        text = self.bare
        if self.name and text.startswith(self.name):
            text = text[len(self.name) :]
        return text.strip(" –—-|:;,")


@dataclass(eq=False)
class _Section:
    """A heading and the blocks up to the next heading; parent is the enclosing section."""

    heading: str
    level: int
    parent: "_Section | None"
    blocks: list[_Block] = field(default_factory=list)

    def lineage(self) -> Iterator["_Section"]:
        """This section, then each enclosing section."""
        section: _Section | None = self
        while section is not None:
            yield section
            section = section.parent


class _Found(NamedTuple):
    """A group found on the page: its name, its own blocks and the section it sits in."""

    name: str
    section: _Section
    blocks: list[_Block]

    def outer_blocks(self) -> list[_Block]:
        """Blocks of the enclosing sections, nearest first, without other groups' items."""
        return [
            b
            for s in self.section.lineage()
            for b in s.blocks
            if b not in self.blocks and not (b.is_item and is_schedule(b.text))
        ]


class Sardaa(Source):
    """The S&PAA peer support groups page (also served from the old sardaa.org domain)."""

    name = "sardaa"
    organization = "S&PAA (formerly SARDAA)"
    base_url = "https://sczaction.org"
    start_paths = ("/peer-support-groups/",)
    min_interval = 1.0
    rank = 1  # the alliance's own site
    family = "spaa"  # the alliance's name now (Schizophrenia & Psychosis Action Alliance)
    max_pages = 100  # one page
    description = "Schizophrenia & Psychosis Action Alliance peer, family and call-in groups."

    def parse(self, page: Page) -> Iterable[ParsedListing]:
        """Every group on the page; a page with none means the page changed."""
        found = [group for s in _sections(_content_root(page.soup())) for group in _groups(s)]
        listings: dict[tuple[str, str | None], ParsedListing] = {}
        used: set[str] = set()
        for group in found:
            listing = self._parse_group(group, page)
            # The same name and schedule twice is one group shown twice (e.g. a mobile-only copy).
            if (listing.name, listing.schedule_text) not in listings:
                key = unique_key(listing.source_key, used)
                listings[listing.name, listing.schedule_text] = listing.model_copy(update={"source_key": key})
        if not listings:
            raise self.changed(page, "no heading-led section with a weekday and a time")
        return list(listings.values())

    def _parse_group(self, group: _Found, page: Page) -> ParsedListing:
        """One found group as a listing."""
        return ParsedListing(
            source=self.name,
            source_key=slug_key(group.name),
            kind="group",
            organization=self.organization,
            name=group.name,
            source_url=page.url,
            description="\n".join(_description_lines(group.blocks)) or None,
            audiences=_parse_audiences(group),
            topics=("schizophrenia", "psychosis"),
            attendance=_parse_attendance(group),
            registration_url=_parse_registration(group, page.url),
            conference_url=_parse_conference_url(group.blocks, page.url),
            schedule_text=_parse_schedule(group),
        )


def _content_root(soup: BeautifulSoup) -> Tag:
    """The page's main content without navigation, header, footer and scripts."""
    root = next((found for css in _ROOTS if (found := soup.select_one(css))), None)
    root = root or soup.body or soup
    for element in root.select(_DROP):
        element.decompose()
    return root


def _sections(root: Tag) -> list[_Section]:
    """The content as heading-led sections of blocks, in document order; a paragraph that is only a
    bold label ("<p><strong>Families for Care</strong></p>") leads a section below the headings."""
    sections = [_Section("", 0, None)]
    stack = [sections[0]]
    blocks: dict[int, _Block] = {}
    labels: set[int] = set()
    for node in root.descendants:
        heading = _heading(node)
        if heading is not None:
            text, level = heading
            if level == _LABEL_LEVEL:
                labels.add(id(node))
            while len(stack) > 1 and stack[-1].level >= level:
                stack.pop()
            stack.append(_Section(text, level, stack[-1]))
            sections.append(stack[-1])
            blocks = {}
        elif _is_content(node) and not _in_heading(node, labels):
            _add_to_block(node, root, blocks, sections[-1])
    return sections


def _heading(node: object) -> tuple[str, int] | None:
    """(text, level) of a heading with text or of a bold-label paragraph, else None."""
    if not isinstance(node, Tag):
        return None
    if node.name in _HEADINGS:
        text = clean(node.get_text(" "))
        return (text, int(node.name[1])) if text else None
    label = _bold_label(node)
    return (label, _LABEL_LEVEL) if label else None


def _bold_label(tag: Tag) -> str:
    """The text of a paragraph that is only one bold phrase naming something (no link, no day or time)."""
    if tag.name not in ("p", "div") or tag.find("a") is not None:
        return ""
    bold = tag.find(["strong", "b"])
    if bold is None or clean(bold.get_text(" ")) != clean(tag.get_text(" ")):
        return ""
    return _name_or_blank(clean(bold.get_text(" ")).strip(" –—-:|"))


def _in_heading(node: NavigableString | Tag, labels: set[int]) -> bool:
    """True for a node inside a heading or a bold-label paragraph."""
    return any(parent.name in _HEADINGS or id(parent) in labels for parent in node.parents)


def _is_content(node: object) -> bool:
    """True for a link or a plain, non-blank text node (not a comment, script or doctype)."""
    if isinstance(node, Tag):
        return node.name == "a" and bool(node.get("href"))
    return type(node) is NavigableString and bool(node.strip())


def _add_to_block(
    node: NavigableString | Tag, root: Tag, blocks: dict[int, _Block], section: _Section
) -> None:
    """Add a text node or a link to the block (item or paragraph) that holds it."""
    element, is_item = _container(node, root)
    block = blocks.get(id(element))
    if block is None:
        block = blocks[id(element)] = _Block(is_item, name=_own_name(element))
        section.blocks.append(block)
    if isinstance(node, Tag):
        block.links.append((clean(node.get_text(" ")), str(node["href"])))
    else:
        block.parts.append(str(node))


def _container(node: NavigableString | Tag, root: Tag) -> tuple[Tag, bool]:
    """The nearest list item or table row holding a node, else its nearest block element."""
    fallback: Tag | None = None
    for parent in node.parents:
        if parent is root:
            break
        if parent.name in _ITEM_TAGS:
            return parent, True
        if fallback is None and parent.name in _BLOCK_TAGS:
            fallback = parent
    return fallback or root, False


def _own_name(element: Tag) -> str:
    """An item's own name: a table row's first cell or a leading bold phrase, if not a schedule."""
    if element.name == "tr":
        cells = element.find_all(["td", "th"], recursive=False)
        lead = cells[0] if len(cells) > 1 else None
    else:
        lead = element.find(["strong", "b"])
        text = clean(element.get_text(" "))
        if lead is not None and not text.startswith(clean(lead.get_text(" "))):
            lead = None  # bold words inside a sentence are not the item's name
    return _name_or_blank(clean(lead.get_text(" ")).strip(" –—-:|") if lead is not None else "")


def _name_or_blank(name: str) -> str:
    """A bold phrase if it names something: "SA Sunday" names a group; "When", "Sunday" or
    "3:00 PM" labels or states its schedule (blank)."""
    if not name or _LABEL.match(name) or has_time(name) or is_schedule_only(name):
        return ""
    return name


def _groups(section: _Section) -> list[_Found]:
    """The groups of one section: each scheduled item or bold-named block, else the section."""
    if any(_NOT_GROUPS.search(s.heading) for s in section.lineage()):
        return []
    items = [b for b in section.blocks if b.is_item and is_schedule(b.text)]
    # A bold label leading its own day and time names that group, even alone under a heading.
    named = [b for b in section.blocks if b.name and is_schedule(b.text)]
    scheduled = items if len(items) >= 2 else named
    if scheduled:
        return [_Found(_item_name(b, section), section, [b]) for b in scheduled]
    own_text = " ".join([section.heading, *(b.text for b in section.blocks)])
    if section.heading and is_schedule(own_text):
        return [_Found(_section_name(section), section, section.blocks)]
    return []


def _item_name(block: _Block, section: _Section) -> str:
    """An item's own name, else "<heading> – <day/time>"."""
    if block.name:
        return block.name
    when = " ".join(schedule_sentences(block.plain)) or block.plain
    return f"{section.heading} – {when}" if section.heading else when


def _section_name(section: _Section) -> str:
    """The heading; a heading that is only a day and time is prefixed with its parent's."""
    if is_schedule_only(section.heading) and section.parent and section.parent.heading:
        return f"{section.parent.heading} – {section.heading}"
    return section.heading


def _parse_attendance(group: _Found) -> Attendance | None:
    """phone for conference calls, online for Zoom/virtual; the nearest text that says wins."""
    own = " ".join([group.name, *(b.text for b in group.blocks)])
    outer = group.outer_blocks()
    levels = [
        " ".join([s.heading, *(b.text for b in s.blocks if b in outer)]) for s in group.section.lineage()
    ]
    for text in [own, *levels]:
        if _CALL.search(text):
            return "phone"
        if _ONLINE.search(text):
            return "online"
        if _PHONE.search(text):
            return "phone"
    return None


def _parse_audiences(group: _Found) -> tuple[str, ...]:
    """("family",) for Families for Care / Family and Friends groups, else ("peers",)."""
    for heading in [group.name, *(s.heading for s in group.section.lineage())]:
        if _FAMILY.search(heading):
            return ("family",)
        if _PEERS.search(heading):
            return ("peers",)
    return ("peers",)


def _parse_schedule(group: _Found) -> str | None:
    """The day/time sentences of the group, verbatim (a timed heading counts as one)."""
    texts = [b.plain if b.is_item or b.name else b.text for b in group.blocks]
    if group.blocks is group.section.blocks and has_time(group.section.heading):
        texts.insert(0, group.section.heading)  # "Sundays at 3:00 PM ET" used as a heading
    found = [sentence for text in texts for sentence in schedule_sentences(text)]
    return " ".join(found) or None


def _parse_registration(group: _Found, page_url: str) -> str | None:
    """The nearest link whose text or URL says register, made absolute (e.g. call-registration)."""
    for block in [*group.blocks, *group.outer_blocks()]:
        for label, href in block.links:
            url = link_url(page_url, href)
            if url and (_REGISTER.search(label) or _REGISTER.search(href)):
                return url
    return None


def _parse_conference_url(blocks: list[_Block], page_url: str) -> str | None:
    """An explicit join link (zoom.us/j/...) published in the group's own text, else None."""
    for block in blocks:
        for _, href in block.links:
            url = link_url(page_url, href)
            if url and _JOIN_LINK.search(url):
                return url
    return None


def _description_lines(blocks: list[_Block]) -> list[str]:
    """The group's text: items without link labels, paragraphs as published, no bare buttons."""
    return [(b.bare if b.is_item else b.text) for b in blocks if b.bare]

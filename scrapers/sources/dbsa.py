"""DBSA (Depression and Bipolar Support Alliance): chapters and support groups, one page per state."""

import re
from collections.abc import Iterable
from typing import NamedTuple
from urllib.parse import parse_qs, unquote, urlsplit

import us
from lxml import etree
from lxml.html import HtmlElement

from schemas.address import state_code
from schemas.listing import ParsedListing
from schemas.values import Kind
from scrapers.base import Source
from scrapers.page import Page
from scrapers.sources.dbsa_online import ONLINE_PATH, is_online_page, parse_online
from scrapers.sources.text import clean, link_url, schedule_text, slug_key, unique_key
from scrapers.sources.tree import STRING_CONTAINERS, get_text, is_hidden, with_class

STATE_CODES: tuple[str, ...] = tuple(sorted({s.abbr for s in us.states.STATES} | {"DC"}))
_FIND_PATH = "/support/chapters-and-support-groups/find-a-support-group/?state="

# "Louisville - DBSA Louisville": place, then the parent chapter (hyphen, en or em dash).
_PARENT_SEPARATOR = re.compile(r"\s+[-–—]\s+")
_CHAPTER_NAME = re.compile(r"^DBSA\b|\bchapter\b", re.IGNORECASE)
_CHAPTER_WORD = re.compile(r"\s*\bchapter\b", re.IGNORECASE)
# Words by which a listing's own name says it is a group ("Young Adults Group", "Women's Circle").
_GROUP_NAME = re.compile(r"\b(?:groups?|grupos?|circles?|meetings?|class(?:es)?)\b", re.IGNORECASE)
_REGION_WORDS = re.compile(
    r"\b(?:area|region|regional|county|counties|parish|greater|metro|metroplex|northern|southern"
    r"|eastern|western|central|upstate|downstate|statewide|tri-state|online|virtual|nationwide)\b",
    re.IGNORECASE,
)
_PLACE_NAME = re.compile(r"[A-Za-z][A-Za-z.' -]*")
_CITY_STATE = re.compile(r"(?P<city>[^,]+),\s*(?P<state>[A-Za-z. ]+)")
_LABEL_ONLY = re.compile(r"^(?:e-?mail|website|visit (?:our )?website):?$", re.IGNORECASE)
_VISIT_WEBSITE = re.compile(r"\bwebsite\b", re.IGNORECASE)
_NO_RESULTS = re.compile(
    r"\bno\b(?:\s+\w+){0,3}\s+(?:groups?|chapters?|results?|listings?)\b"
    r"|\b(?:groups?|chapters?|results?)\b[^.]{0,40}\bnot (?:be )?found\b",
    re.IGNORECASE,
)
_FAMILY_NAME = re.compile(r"\b(?:famil(?:y|ies)|friends|loved ones?|caregivers?)\b", re.IGNORECASE)
_FAMILY_FOR = re.compile(
    r"\bfor (?:\w+ ){0,3}(?:famil(?:y|ies)|friends|loved ones|caregivers)\b", re.IGNORECASE
)
_PEERS_AND_FAMILY = re.compile(
    r"\band their (?:famil(?:y|ies)|family members|loved ones|supporters)\b"
    r"|\bfamil(?:y|ies) (?:members )?(?:are )?(?:also )?welcome\b",
    re.IGNORECASE,
)
_BLOCK_TAGS = ["p", "div", "li", "ul", "ol", "h2", "h3", "h4", "h5", "h6", "table", "tr"]
_EMAIL_LABEL = re.compile(r"^\s*e-?mail\s*:?\s*$", re.IGNORECASE)
_PARAGRAPH = "\x1e"  # marks a block boundary while flattening a description to text
_STATE_SELECT = etree.XPath('//select[@name="state"]')
_NODES = etree.XPath("descendant::node()", smart_strings=False)
_ALL_NODES = etree.XPath("/descendant::node()", smart_strings=False)


class Dbsa(Source):
    """DBSA's 'find a support group' pages: chapters and the groups nested under them."""

    name = "dbsa"
    organization = "DBSA"
    base_url = "https://www.dbsalliance.org"
    start_paths = (*(_FIND_PATH + code for code in STATE_CODES), ONLINE_PATH)
    min_interval = 1.0
    rank = 1  # the alliance's own site
    max_pages = 500  # 52 pages: one per state and DC, and the online groups
    independent_starts = True  # each state page is its own unit: one odd page never sinks the rest
    description = (
        "Depression and Bipolar Support Alliance chapters and support groups, by state, "
        "and the national online groups."
    )

    def parse(self, page: Page) -> Iterable[ParsedListing]:
        """Every groupInfo listing on a state page (an empty result area yields nothing); online groups."""
        if is_online_page(page):
            return self._parse_online(page)
        root = page.tree()
        divs = with_class(root, "groupInfo")
        if not divs:
            if _is_empty_result(root):
                return []
            raise self.changed(page, "no groupInfo listings and no 'no groups' message")
        state = self._parse_state(page)
        listings = [item for div in divs if (item := self._parse_listing(div, page, state))]
        if not listings:
            raise self.changed(page, "groupInfo listings have no groupInfo__name")
        return listings

    def _parse_online(self, page: Page) -> list[ParsedListing]:
        """The national online groups; a page without any means the page changed."""
        listings = parse_online(page, self.name, self.organization)
        if not listings:
            raise self.changed(page, "no group heading with text and a Register link on the online page")
        return listings

    def _parse_state(self, page: Page) -> str:
        """The state a page lists, from its ?state= query parameter."""
        values = parse_qs(urlsplit(page.url).query).get("state") or [""]
        code = values[0].strip().upper()
        if code not in STATE_CODES:
            raise self.changed(page, f"no valid ?state= code in the page URL ({code or 'none'})")
        return code

    def _parse_listing(self, div: HtmlElement, page: Page, state: str) -> ParsedListing | None:
        """One groupInfo div as a chapter or group; None if it has no name."""
        parts = _Parts.of(div)
        name = _parse_name(parts)
        if not name:
            return None
        place, parent = _split_location(_parse_location(parts), name)
        description = _parse_description(div, parts)
        city, city_state = _parse_city(place, state)
        kind = _parse_kind(name, parent)
        return ParsedListing(
            source=self.name,
            source_key=slug_key(name),
            kind=kind,
            organization=self.organization,
            name=name,
            source_url=page.url,
            parent_key=slug_key(parent) if parent else None,
            description=description,
            audiences=_parse_audiences(name, description),
            topics=("depression", "bipolar"),
            address=place,
            city=city,
            state=city_state,
            service_area=(state,),
            email=_parse_email(parts.links),
            website=_parse_website(parts.links, page.url),
            schedule_text=schedule_text(description) if kind == "group" else None,
        )

    def finalize(self, listings: list[ParsedListing]) -> list[ParsedListing]:
        """One listing per chapter or group across state pages; same-slug strangers kept apart."""
        clusters: dict[str, list[list[ParsedListing]]] = {}
        for listing in listings:
            same_key = clusters.setdefault(listing.source_key, [])
            match = next((c for c in same_key if _same_listing(c[0], listing)), None)
            if match is None:
                same_key.append([listing])
            else:
                match.append(listing)
        combined: list[ParsedListing] = []
        renamed: dict[tuple[str, str], str] = {}
        used: set[str] = set(clusters)
        for key, same_key in clusters.items():
            for index, cluster in enumerate(same_key):
                merged = _merge(cluster)
                if index:
                    merged = merged.model_copy(update={"source_key": _new_key(merged, used)})
                for served in merged.service_area:
                    renamed[(key, served)] = merged.source_key
                combined.append(merged)
        return [_repoint_parent(listing, renamed) for listing in combined]


class _Parts(NamedTuple):
    """The elements of one groupInfo div a listing is read from, found in one walk over it."""

    names: list[HtmlElement]
    locations: list[HtmlElement]
    headings: list[HtmlElement]
    links: list[HtmlElement]
    labels: list[HtmlElement]

    @classmethod
    def of(cls, div: HtmlElement) -> "_Parts":
        """Walk the div once (several searches per listing were most of the parse time)."""
        parts = cls([], [], [], [], [])
        for tag in div.iterdescendants(etree.Element):
            classes = tag.get("class", "").split()
            if "groupInfo__name" in classes:
                parts.names.append(tag)
            if "groupInfo__location" in classes:
                parts.locations.append(tag)
            if tag.tag in ("h2", "h3", "h4"):
                parts.headings.append(tag)
            elif tag.tag == "a" and tag.get("href") is not None:
                parts.links.append(tag)
            elif tag.tag in ("strong", "b", "span"):
                parts.labels.append(tag)
        return parts


def _parse_name(parts: _Parts) -> str:
    """The listing's name: groupInfo__name, else the div's first heading."""
    element = (parts.names or parts.headings or [None])[0]
    return clean(get_text(element, " ")) if element is not None else ""


def _parse_location(parts: _Parts) -> str:
    """The free-text location line ("Lexington", "Northern Kentucky", "Louisville - DBSA ...")."""
    return clean(get_text(parts.locations[0], " ")) if parts.locations else ""


def _split_location(location: str, name: str) -> tuple[str | None, str | None]:
    """(place, parent chapter name) of a location line; the parent only if it names a chapter other
    than the listing itself."""
    parts = _PARENT_SEPARATOR.split(location, maxsplit=1)
    if len(parts) == 2 and _CHAPTER_NAME.search(parts[1]):
        return parts[0] or None, (parts[1] if slug_key(parts[1]) != slug_key(name) else None)
    return location or None, None


def _parse_kind(name: str, parent: str | None) -> Kind:
    """chapter or group from the listing's own name first; the location line's parent decides only
    for a name that says neither ("DBSA Bowling Green" under "DBSA Louisville" is a chapter of its
    own place, "DBSA Louisville Young Adults" under it is the parent's name and a focus: a group)."""
    if _GROUP_NAME.search(name):
        return "group"
    if _CHAPTER_WORD.search(name) or parent is None:
        return "chapter"
    own, above = (_CHAPTER_WORD.sub("", text).casefold() for text in (name, parent))
    return "chapter" if _CHAPTER_NAME.match(name) and not own.startswith(above) else "group"


def _parse_city(place: str | None, page_state: str) -> tuple[str | None, str | None]:
    """(city, state) when the place is one plain place name; a region gets neither."""
    if not place:
        return None, None
    stated = _stated_state(place)
    if stated:
        city = place.rsplit(",", 1)[0].strip()
        return (city if _is_plain_place(city, stated) else None), stated
    if _is_plain_place(place, page_state):
        return place, page_state
    return None, None


def _is_plain_place(place: str, page_state: str) -> bool:
    """True for one place name ("Lexington"); False for regions and lists of places."""
    if not _PLACE_NAME.fullmatch(place) or len(place.split()) > 4 or _REGION_WORDS.search(place):
        return False
    state = us.states.lookup(page_state)
    return place.casefold() != (state.name.casefold() if state else "")


def _stated_state(place: str | None) -> str | None:
    """The state a location line names after a comma ("Columbus, IN"), else None."""
    match = _CITY_STATE.fullmatch(place or "")
    if not match:
        return None
    code = state_code(match["state"].strip().rstrip("."), sound_alike=True)
    return code if code in STATE_CODES else None


def _parse_email(links: list[HtmlElement]) -> str | None:
    """The first mailto address in the listing."""
    for link in links:
        href = link.get("href").strip()
        if href.lower().startswith("mailto:"):
            address = unquote(href[7:]).split("?")[0].strip()
            if "@" in address:
                return address
    return None


def _parse_website(links: list[HtmlElement], page_url: str) -> str | None:
    """The 'Visit Website' link, made absolute."""
    for link in links:
        if _VISIT_WEBSITE.search(get_text(link, " ")):
            return link_url(page_url, link.get("href"))
    return None


def _parse_description(div: HtmlElement, parts: _Parts) -> str | None:
    """The listing's prose without name, location, Email and Visit Website lines; one paragraph a line."""
    pieces: list[str] = []
    _collect_text(div, _not_description(parts), pieces, is_hidden(div))
    lines = [clean(line) for line in "".join(pieces).split(_PARAGRAPH)]
    kept = [line for line in lines if line and not _LABEL_ONLY.match(line)]
    return "\n".join(kept) or None


def _collect_text(tag: HtmlElement, skipped: set[HtmlElement], pieces: list[str], hidden: bool) -> None:
    """The text under a tag (as get_text() reads it: no comments, no script, style or template text),
    a paragraph mark at <br> and around blocks; the text after a skipped element is kept."""
    if tag.text and not hidden:
        pieces.append(tag.text)
    for child in tag:
        if not isinstance(child.tag, str) or child in skipped:
            pass  # a comment, or an element left out (its tail is still the tag's text)
        elif child.tag == "br":
            pieces.append(_PARAGRAPH)
        else:
            block = child.tag in _BLOCK_TAGS
            pieces.extend([_PARAGRAPH] if block else [])
            _collect_text(child, skipped, pieces, hidden or child.tag in STRING_CONTAINERS)
            pieces.extend([_PARAGRAPH] if block else [])
        if child.tail and not hidden:
            pieces.append(child.tail)


def _not_description(parts: _Parts) -> set[HtmlElement]:
    """Elements left out of the description: name, location, the 'Email:' label and its mailto
    link, and the 'Visit Website' link (so the page's tree is never changed)."""
    skipped = set(parts.names + parts.locations)
    for label in parts.labels:
        if _EMAIL_LABEL.match(get_text(label)):
            skipped.add(label)
            link = next(label.itersiblings("a"), None)
            if link is not None and link.get("href", "").lower().startswith("mailto:"):
                skipped.add(link)
    for link in parts.links:
        if _VISIT_WEBSITE.search(get_text(link, " ")):
            skipped.add(link)
    return skipped


def _parse_audiences(name: str, description: str | None) -> tuple[str, ...]:
    """("family",) for family groups, ("peers", "family") when both are invited, else ("peers",)."""
    text = description or ""
    both = _PEERS_AND_FAMILY.search(text) is not None
    if _FAMILY_NAME.search(name) or _FAMILY_FOR.search(text):
        return ("peers", "family") if both else ("family",)
    return ("peers", "family") if both else ("peers",)


def _is_empty_result(root: HtmlElement) -> bool:
    """True if the page has the state search form and a 'no groups' message after it (within the
    form's <main>, else the page; every text counts, comments and scripts too)."""
    select = next(iter(_STATE_SELECT(root)), None)
    if select is None:
        return False
    form = next(select.iterancestors("form"), select)
    scope = next(form.iterancestors("main"), None)
    nodes = _NODES(scope) if scope is not None else _ALL_NODES(root)
    after = nodes[nodes.index(form):]
    texts = [node if isinstance(node, str) else node.text or "" for node in after
             if isinstance(node, str) or node.tag is etree.Comment]
    return _NO_RESULTS.search(clean(" ".join(texts))[:1000]) is not None


def _same_listing(first: ParsedListing, other: ParsedListing) -> bool:
    """True if two same-slug listings are one chapter: same name, and a shared email/website or place."""
    if first.name.casefold() != other.name.casefold():
        return False
    for a, b in ((first.email, other.email), (first.website, other.website)):
        if a and b and a.casefold() == b.casefold():
            return True
    emails_differ = bool(first.email and other.email)
    return not emails_differ and (first.address or "").casefold() == (other.address or "").casefold()


def _merge(cluster: list[ParsedListing]) -> ParsedListing:
    """One listing from its copies on several state pages, serving every one of those states."""
    first = cluster[0]
    served = tuple(sorted({state for listing in cluster for state in listing.service_area}))
    if len(served) == 1:
        return first
    # A chapter listed under several states: the page state says where it serves, not where it
    # is. Keep a state only if the location line itself names it ("Columbus, IN"); a city or
    # region alone ("Greater Cincinnati") gets None rather than the first page's state.
    return first.model_copy(update={"service_area": served, "state": _stated_state(first.address)})


def _new_key(listing: ParsedListing, used: set[str]) -> str:
    """A distinct key for a second listing sharing a slug: key--<state>, numbered if needed."""
    return unique_key(f"{listing.source_key}--{listing.service_area[0].lower()}", used)


def _repoint_parent(listing: ParsedListing, renamed: dict[tuple[str, str], str]) -> ParsedListing:
    """Point a group at its parent's final key (the same-slug chapter of its own state)."""
    if not listing.parent_key or not listing.service_area:
        return listing
    key = renamed.get((listing.parent_key, listing.service_area[0]), listing.parent_key)
    return listing if key == listing.parent_key else listing.model_copy(update={"parent_key": key})

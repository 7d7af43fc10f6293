"""Clubhouse International: the US clubhouses of its international directory, one page per letter.

https://clubhouse-intl.org/what-we-do/international-directory/?fl=A ... ?fl=Z is server-rendered.
Each clubhouse is a nested div of <br>-separated lines: an optional (usually linked) name, street
lines, "City, State, USA <zip>", then labelled lines "Director:", "Phone:", "Fax:", "Email:"
(Cloudflare-protected) and "Website Address:". Entries abroad carry their own country and are left
out. The director is a person: the line is never read into the listing. Fax is left out too.
A letter page is big and regular: it is read from its lxml tree (one parse, no BeautifulSoup tree),
line by line as BeautifulSoup would give the text (comments and script, style, noscript left out).
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from string import ascii_uppercase

import phonenumbers
from lxml.html import HtmlElement

from schemas.address import country_code, state_code
from schemas.listing import ParsedListing
from scrapers.base import Source
from scrapers.page import Page
from scrapers.sources.cfemail import EMAIL, PROTECTED_LINK, decode_cfemail
from scrapers.sources.text import clean, link_url, slug_key, unique_key, written_url

DIRECTORY_PATH = "/what-we-do/international-directory/?fl="
LABEL = re.compile(r"^(?P<label>director|phone|telephone|fax|e-?mail|website(?: address)?|web site)\s*:\s*",
                   re.I)
# The last part of the city line: "USA 10036", "Canada M5V 2T6", "Japan 160-0022", "USA".
COUNTRY_PART = re.compile(r"^(?P<country>[A-Za-z][A-Za-z .]*?)\.?(?:\s+(?P<zip>[A-Za-z0-9][A-Za-z0-9 -]*))?$")
ZIP = re.compile(r"^\d{5}(?:-\d{4})?$")
STREET_LIKE = re.compile(r"^(?:\d|p\.?\s*o\.?\s*box\b)", re.I)
SKIPPED_TAGS = frozenset({"script", "style", "noscript"})


@dataclass
class Line:
    """One <br>-separated line of an entry: its text, and the tags (links, cf spans) on it."""

    text: str = ""
    tags: list[HtmlElement] = field(default_factory=list)

    def hrefs(self) -> list[str]:
        """The link targets on the line."""
        return [tag.get("href") for tag in self.tags if tag.tag == "a" and tag.get("href")]


@dataclass
class CityLine:
    """The "City, State, Country <zip>" line of an entry."""

    index: int
    city: str
    state: str
    country: str | None
    postal_code: str | None


class Clubhouse(Source):
    """Clubhouse International's directory: US clubhouses (day programs) by starting letter."""

    name = "clubhouse"
    organization = "Clubhouse International"
    base_url = "https://clubhouse-intl.org"
    start_paths = tuple(DIRECTORY_PATH + letter for letter in ascii_uppercase)
    min_interval = 1.0
    rank = 1  # the network's own directory of its member clubhouses (as NAMI's of its affiliates)
    max_pages = 100  # 26 letter pages
    independent_starts = True  # each letter page is its own unit
    description = "Clubhouse International's accredited and member clubhouses in the US (day programs)."

    def parse(self, page: Page) -> Iterable[ParsedListing]:
        """Every US clubhouse on a letter page (a letter without clubhouses yields nothing)."""
        root = page.tree()
        entries = _entries(root)
        if not entries and not _is_directory(root):
            raise self.changed(page, "no directory entries and no letter navigation")
        used: set[str] = set()
        return [item for lines in entries if (item := self._listing(page, lines, used)) is not None]

    def notes(self, page: Page) -> list[str]:
        """Entries of a page with a US address but no name (left out)."""
        unnamed = sum(1 for lines in _entries(page.tree())
                      if (city := _city_line(lines)) and _is_us(city) and _name_line(lines, city) is None)
        return [f"{page.url}: {unnamed} US entr{'y' if unnamed == 1 else 'ies'} without a name left out"] \
            if unnamed else []

    def _listing(self, page: Page, lines: list[Line], used: set[str]) -> ParsedListing | None:
        """The program of one entry; None for an entry abroad or without a name."""
        city = _city_line(lines)
        if city is None or not _is_us(city):
            return None
        name_line = _name_line(lines, city)
        if name_line is None:
            return None
        labelled = _labelled(lines)
        streets = [line.text for line in lines[1:city.index]]
        state = state_code(city.state) or city.state
        return ParsedListing(
            source=self.name,
            source_key=unique_key(f"{slug_key(name_line.text)}-{city.postal_code or slug_key(city.city)}",
                                  used),
            kind="program",
            organization=self.organization,
            name=name_line.text,
            source_url=page.url,
            topics=("mental health",),
            audiences=("peers",),
            address="\n".join([*streets, lines[city.index].text]),  # as published
            street=", ".join(streets) or None,
            city=city.city,
            state=state,
            postal_code=city.postal_code,
            country="US",
            phone=_parse_phone(labelled.get("phone")),
            email=_parse_email(labelled.get("email")),
            website=_parse_website(labelled.get("website"), name_line, page.url),
        )


def _is_directory(root: HtmlElement) -> bool:
    """True for a directory page: it links the other letters (?fl=...)."""
    return any("fl=" in a.get("href") for a in root.iter("a") if a.get("href") is not None)


def _entries(root: HtmlElement) -> list[list[Line]]:
    """The lines of each innermost div that has a "City, State, Country" line."""
    entries = []
    for div in root.iter("div"):
        if _holds(div, "div") or not _holds(div, "br"):
            continue
        lines = _lines(div)
        if _city_line(lines) is not None:
            entries.append(lines)
    return entries


def _holds(element: HtmlElement, tag: str) -> bool:
    """True when an element of this tag is inside the element."""
    return next(element.iterdescendants(tag), None) is not None


def _lines(div: HtmlElement) -> list[Line]:
    """A div's non-blank lines, split at <br> and block tags (text unescaped, spaces collapsed)."""
    if any(parent.tag in SKIPPED_TAGS for parent in div.iterancestors()):
        return []  # a div inside <noscript> is no entry
    lines = [Line()]
    _read_lines(div, lines)
    for line in lines:
        line.text = clean(line.text)
    return [line for line in lines if line.text or line.tags]


def _read_lines(element: HtmlElement, lines: list[Line]) -> None:
    """Add an element's text to the lines, in document order: a new line at each <br>, <p> and <li>."""
    lines[-1].text += element.text or ""
    for child in element:
        if isinstance(child.tag, str) and child.tag not in SKIPPED_TAGS:  # not a comment, nor a script
            if child.tag in ("br", "p", "li"):
                lines.append(Line())
            if child.tag == "a" or child.get("data-cfemail") is not None:
                lines[-1].tags.append(child)
            _read_lines(child, lines)
        lines[-1].text += child.tail or ""


def _city_line(lines: list[Line]) -> CityLine | None:
    """The last line "City, State, Country[ zip]" before the labelled lines; None if there is none."""
    found = None
    for index, line in enumerate(lines):
        if LABEL.match(line.text):
            break
        parts = [part.strip() for part in line.text.split(",")]
        if len(parts) < 3 or not all(parts):
            continue
        match = COUNTRY_PART.fullmatch(parts[-1])
        if match is None or (country_code(match["country"]) is None and not _foreign(match)):
            continue
        found = CityLine(index, ", ".join(parts[:-2]), parts[-2], country_code(match["country"]),
                         match["zip"].strip() if match["zip"] else None)
    return found


def _foreign(match: re.Match[str]) -> bool:
    """True when the last part reads as another country and a postal code ("Canada M5V 2T6")."""
    return bool(match["zip"]) and any(ch.isdigit() for ch in match["zip"]) and len(match["country"]) > 3


def _is_us(city: CityLine) -> bool:
    """True for an entry in the United States (a ZIP, if any, of five digits)."""
    return city.country == "US" and (city.postal_code is None or ZIP.fullmatch(city.postal_code) is not None)


def _name_line(lines: list[Line], city: CityLine) -> Line | None:
    """The entry's name: its first line, when that is a linked name or text that is not a street."""
    first = lines[0]
    if city.index == 0 or LABEL.match(first.text) or not first.text:
        return None
    if first.hrefs() or not STREET_LIKE.match(first.text):
        return first
    return None


def _labelled(lines: list[Line]) -> dict[str, Line]:
    """The labelled lines by key (phone, email, website; director and fax are read as such and ignored)."""
    found: dict[str, Line] = {}
    for line in lines:
        if match := LABEL.match(line.text):
            label = match["label"].lower()
            key = "phone" if "phone" in label else "email" if "mail" in label else \
                "website" if "web" in label else label  # "director" and "fax" stay unused
            found.setdefault(key, Line(line.text[match.end():].strip(), line.tags))
    return found


def _parse_phone(line: Line | None) -> str | None:
    """The first phone number on the Phone line, as published."""
    if line is None or not line.text:
        return None
    for match in phonenumbers.PhoneNumberMatcher(line.text, "US"):
        return match.raw_string
    return None


def _parse_email(line: Line | None) -> str | None:
    """The Email line's address: Cloudflare-protected, a mailto: link, or text."""
    if line is None:
        return None
    for tag in line.tags:
        hidden = tag.get("data-cfemail") if tag.get("data-cfemail") is not None else \
            tag.get("href", "").partition(PROTECTED_LINK + "#")[2]
        if hidden and (email := decode_cfemail(hidden)):
            return email
    for href in line.hrefs():
        if href.lower().startswith("mailto:") and (found := EMAIL.search(href[7:].split("?")[0])):
            return found.group()
    found = EMAIL.search(line.text)
    return found.group() if found else None


def _parse_website(line: Line | None, name_line: Line, page_url: str) -> str | None:
    """The Website Address line's link or bare domain, else the name's link."""
    if line is not None:
        for href in line.hrefs():
            if url := link_url(page_url, href):
                return url
        if url := written_url(line.text):
            return url
    for href in name_line.hrefs():
        if url := link_url(page_url, href):
            return url
    return None

"""Mental Health America: affiliates, from the Yoast sitemap and each affiliate's page.

The sitemap's first <loc> is the index page /affiliates/ (skipped: only /affiliates/<slug>/
pages are affiliates). Each page has the name in <h1> and, in div.the-content, an "Affiliate
Address" paragraph (street lines / City, ST ZIP / United States) and "Phone:" / "Website:" lines;
any of them may be missing.
"""

import re
from collections.abc import Iterable
from urllib.parse import unquote, urlsplit

import phonenumbers
from bs4 import NavigableString, Tag

from schemas.address import place_from_lines
from schemas.listing import ParsedListing
from scrapers.base import Source
from scrapers.page import Link, Page
from scrapers.sources.sitemap import NotASitemap, read_sitemap
from scrapers.sources.text import clean, link_url, written_url
from scrapers.urls import host_of

SITEMAP_PATH = "/affiliates-sitemap.xml"
AFFILIATE_PATH = re.compile(r"/affiliates/(?P<slug>[^/]+)/?$")  # searched: a mirror may prefix the path
MHA_HOSTS = frozenset({"mhanational.org", "www.mhanational.org"})
LABEL = re.compile(
    r"^\s*(?P<label>affiliate address|address|phone|telephone|website|web site|e-?mail)\s*:?\s*$", re.I
)
EMAIL = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
BLOCKS = ["p", "div", "h2", "h3", "h4", "h5", "h6", "li"]


class Mha(Source):
    """Mental Health America affiliates (mhanational.org)."""

    name = "mha"
    organization = "Mental Health America"
    base_url = "https://mhanational.org"
    start_paths = (SITEMAP_PATH,)
    min_interval = 1.0
    rank = 1  # the alliance's own site
    max_pages = 1_000  # the sitemap and about 130 affiliate pages
    description = "Mental Health America state and local affiliates, with their contact details."

    def discover(self, page: Page) -> list[Link]:
        """Every /affiliates/<slug>/ page of the sitemap (on this source's base, so a mirror works)."""
        if not _is_sitemap(page):
            return []
        try:
            sitemap = read_sitemap(page)
        except NotASitemap as exc:
            raise self.changed(page, str(exc)) from None
        links = [Link(url) for loc, _ in sitemap.pages if (url := self._affiliate_url(loc))]
        if not links:
            raise self.changed(page, "the sitemap lists no /affiliates/<slug>/ page")
        return links

    def parse(self, page: Page) -> Iterable[ParsedListing]:
        """One chapter per affiliate page; the sitemap holds no listings by itself."""
        if _is_sitemap(page):
            return []
        match = AFFILIATE_PATH.search(urlsplit(page.url).path)
        if match is None:
            raise self.changed(page, "not an /affiliates/<slug>/ URL")
        soup = page.soup()
        heading, content = soup.find("h1"), soup.select_one("div.the-content")
        if heading is None or content is None or not clean(heading.get_text(" ")):
            raise self.changed(page, "affiliate page without <h1> or div.the-content")
        return [self._listing(page, unquote(match["slug"]), clean(heading.get_text(" ")), content)]

    def _listing(self, page: Page, slug: str, name: str, content: Tag) -> ParsedListing:
        """The chapter of one affiliate page."""
        labelled = _labelled(content)
        return ParsedListing(
            source=self.name,
            source_key=slug,
            kind="chapter",
            organization=self.organization,
            name=name,
            source_url=page.url,
            description="\n".join(_description(content)) or None,
            topics=("mental health",),
            phone=_parse_phone(labelled.get("phone")),
            email=_parse_email(labelled.get("email")),
            website=_parse_website(labelled.get("website"), page.url),
            **place_from_lines(_address_lines(labelled.get("address"))),
        )

    def _affiliate_url(self, loc: str) -> str | None:
        """An affiliate page URL on this source's base; None for the index page and other sites."""
        parts = urlsplit(loc)
        if host_of(loc) not in MHA_HOSTS | {host_of(self.base)} or not AFFILIATE_PATH.fullmatch(parts.path):
            return None
        return self.base + parts.path


def _is_sitemap(page: Page) -> bool:
    """True for the sitemap (rather than an affiliate page)."""
    return urlsplit(page.url).path.endswith(".xml")


def _labelled(content: Tag) -> dict[str, list[str | Tag]]:
    """What follows each label ("Phone:", "Affiliate Address"...) in its block: text and links."""
    found: dict[str, list[str | Tag]] = {}
    for label in content.find_all(["strong", "b", "h2", "h3", "h4", "h5", "h6"]):
        match = LABEL.match(label.get_text(" "))
        if match is None:
            continue
        key = _key(match["label"])
        values = _after(label)
        if not any(isinstance(v, Tag) or clean(v) for v in values) and key == "address":
            block = label.find_parent(BLOCKS) or label
            following = block.find_next_sibling(BLOCKS)  # the address in the next paragraph
            values = _lines(following) if following is not None else []
        found.setdefault(key, values)
    return found


def _key(label: str) -> str:
    """A label's key: address, phone, website or email."""
    label = label.lower()
    if "address" in label:
        return "address"
    if "phone" in label:
        return "phone"
    return "email" if "mail" in label else "website"


def _after(label: Tag) -> list[str | Tag]:
    """The text lines (split at <br>) and links after a label, up to the end of its block."""
    values: list[str | Tag] = [""]
    for node in label.next_siblings:
        if isinstance(node, Tag) and node.name == "br":
            values.append("")
        elif isinstance(node, Tag) and node.name == "a":
            values.append(node)
        elif isinstance(node, Tag):
            values[-1] = f"{values[-1]} {node.get_text(' ')}"
        elif isinstance(node, NavigableString):
            values[-1] = f"{values[-1]} {node}"
    return [v if isinstance(v, Tag) else clean(v) for v in values]


def _lines(block: Tag) -> list[str | Tag]:
    """A block's text lines, split at <br>."""
    lines = [""]
    for node in block.descendants:
        if isinstance(node, Tag) and node.name == "br":
            lines.append("")
        elif isinstance(node, NavigableString):
            lines[-1] += str(node)
    return [clean(line) for line in lines]


def _texts(values: list[str | Tag] | None) -> list[str]:
    """The non-blank text lines among label values (link texts included)."""
    return [t for v in values or [] if (t := clean(v.get_text(" ") if isinstance(v, Tag) else v))]


def _address_lines(values: list[str | Tag] | None) -> list[str]:
    """The address lines as published."""
    return _texts(values)


def _parse_phone(values: list[str | Tag] | None) -> str | None:
    """The first phone number in the Phone line, as published (phonenumbers finds it)."""
    text = " ".join(_texts(values))
    for match in phonenumbers.PhoneNumberMatcher(text, "US"):
        return match.raw_string
    return text or None


def _parse_email(values: list[str | Tag] | None) -> str | None:
    """The email of an Email line (mailto link or text)."""
    found = EMAIL.search(" ".join(_texts(values)))
    return found.group() if found else None


def _parse_website(values: list[str | Tag] | None, page_url: str) -> str | None:
    """The Website line's link, or a bare domain written as text ("www.mhai.net")."""
    for value in values or []:
        if isinstance(value, Tag) and value.get("href"):
            return link_url(page_url, str(value["href"]))
    return written_url(" ".join(_texts(values)))


def _description(content: Tag) -> list[str]:
    """The content's paragraphs that are not the address, phone, website or email lines."""
    lines = []
    for block in content.find_all(["p", "li"]):
        text = clean(block.get_text(" "))
        label = block.find(["strong", "b"])
        if not text or (label is not None and LABEL.match(label.get_text(" "))):
            continue
        previous = block.find_previous_sibling(BLOCKS)
        lead = previous.find(["strong", "b"]) if previous is not None else None
        if lead is not None and clean(previous.get_text(" ")) == clean(lead.get_text(" ")) and \
                LABEL.match(lead.get_text(" ")):
            continue  # the paragraph right after a lone "Affiliate Address" label is the address
        lines.append(text)
    return lines

"""A fetched page as parsers see it: URL, status, headers, body bytes and provenance."""

import hashlib
import json
import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import lxml.etree
import lxml.html
from bs4 import BeautifulSoup, MarkupResemblesLocatorWarning
from bs4.dammit import UnicodeDammit

from schemas.fetch_log import FetchLog

# A page whose whole text looks like a URL or a file name is still a page to parse.
warnings.filterwarnings("ignore", category=MarkupResemblesLocatorWarning)
XML_INCOMPATIBLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
WHATWG_ALIASES = {"iso-8859-1": "windows-1252", "latin1": "windows-1252", "latin-1": "windows-1252",
                  "us-ascii": "windows-1252", "ascii": "windows-1252"}


def _decodes(body: bytes, encoding: str) -> bool:
    """True if the body decodes strictly with the encoding (an unknown encoding does not)."""
    try:
        body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _utf8_parser() -> lxml.html.HTMLParser:
    """An HTML parser reading UTF-8 bytes whatever the page's <meta> says (already decoded)."""
    return lxml.html.HTMLParser(encoding="utf-8")


@dataclass(frozen=True)
class Link:
    """A URL to fetch next, with what the page that linked it already told us."""

    url: str
    context: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Page:
    """One HTTP response (live or replayed) with where it is archived."""

    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes
    fetched_at: datetime
    final_url: str | None = None
    context: Mapping[str, Any] = field(default_factory=dict)
    warc_file: str | None = None
    warc_offset: int | None = None
    not_modified: bool = False

    @property
    def sha256(self) -> str:
        """SHA-256 of the body, hex."""
        return hashlib.sha256(self.body).hexdigest()

    def header(self, name: str) -> str | None:
        """A response header, matched case-insensitively."""
        wanted = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == wanted), None)

    @property
    def charset(self) -> str | None:
        """Charset declared in the Content-Type header, if any."""
        content_type = self.header("content-type") or ""
        for part in content_type.split(";")[1:]:
            key, _, value = part.strip().partition("=")
            if key.lower() == "charset" and value:
                return value.strip("\"' ")
        return None

    @property
    def encoding(self) -> str | None:
        """The body's encoding, trusting the bytes over a wrong header.

        Valid UTF-8 with non-ASCII bytes is UTF-8 whatever the header says (text in another
        encoding is almost never valid UTF-8); else the header's charset if the body decodes
        with it; else None, so BeautifulSoup reads a <meta charset> or detects. As the WHATWG
        Encoding standard does, ISO-8859-1 and ASCII labels mean windows-1252.
        """
        if self.body.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
            return None  # a byte order mark decides
        if not self.body.isascii() and _decodes(self.body, "utf-8"):
            return "utf-8"
        declared = WHATWG_ALIASES.get((self.charset or "").lower(), self.charset)
        return declared if declared and _decodes(self.body, declared) else None

    @property
    def text(self) -> str:
        """Body decoded: the encoding above, then detection, never an exception."""
        known = [self.encoding] if self.encoding else []
        dammit = UnicodeDammit(self.body, known_definite_encodings=known)
        if dammit.unicode_markup is not None:
            return dammit.unicode_markup
        return self.body.decode("utf-8", errors="replace")

    def soup(self) -> BeautifulSoup:
        """Parsed HTML (lxml), decoded with the encoding above (else <meta charset> or detection)."""
        try:
            return BeautifulSoup(self.body, "lxml", from_encoding=self.encoding)
        except ValueError:
            # lxml refuses text with NUL or other C0 control characters; drop them and parse again.
            return BeautifulSoup(XML_INCOMPATIBLE.sub("", self.text), "lxml")

    def tree(self) -> lxml.html.HtmlElement:
        """Parsed HTML as an lxml tree (BeautifulSoup's own backend), decoded as `soup` decodes it.

        For the big regular pages whose parsers read lxml directly: one parse, no second tree.
        An empty or unreadable page is an empty <html> element, so a parser finds nothing in it.
        """
        known = [self.encoding] if self.encoding else []
        text = UnicodeDammit(self.body, known_definite_encodings=known, is_html=True).unicode_markup
        if text is None:
            text = self.body.decode("utf-8", errors="replace")
        # Parsed as UTF-8 bytes: lxml refuses a str that carries an XML encoding declaration.
        data = XML_INCOMPATIBLE.sub("", text).encode("utf-8", errors="replace")
        try:
            return lxml.html.document_fromstring(data, parser=_utf8_parser())
        except (ValueError, lxml.etree.ParserError):
            return lxml.html.Element("html")

    def json(self) -> Any:
        """Body parsed as JSON (UTF-8/16/32 detected)."""
        return json.loads(self.body)

    def log_entry(self, url: str | None = None) -> FetchLog:
        """The fetch log entry of this page (fetched or replayed), under the URL asked for."""
        return FetchLog(
            url=url or self.url, status=self.status, fetched_at=self.fetched_at,
            sha256=self.sha256, size=len(self.body), warc_file=self.warc_file,
            warc_offset=self.warc_offset, etag=self.header("etag"),
            last_modified=self.header("last-modified"), not_modified=self.not_modified,
        )

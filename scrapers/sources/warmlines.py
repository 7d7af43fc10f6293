"""NAMI's warmline directory: peer-run, non-crisis phone lines, one PDF per edition.

The PDF (DESIGN.md, "NAMI warmline directory") holds ruled tables read with pdfplumber: State |
Warmline | Phone | Hours | Spanish | Chat/Text, then "National Support Lines" (Population | Line |
Phone | Hours | Spanish | Chat/Text). Columns are found by their header labels, a table that goes
on to the next page without its header continues the last one, and a blank State cell repeats
the state above. A line's name is the bold text of its cell; the regular text after it (a county
it serves, what a national line offers) goes to the description. Each edition has its own file
name, so the URL is configurable: SUPPORTDIR_WARMLINES_URL, or the base URL and START_PATH.
"""

import io
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import pdfplumber
import phonenumbers
import us
from pdfplumber.page import Page as PdfPage
from pdfplumber.table import Table

from schemas.address import state_code
from schemas.listing import ParsedListing
from scrapers.base import Source
from scrapers.page import Page
from scrapers.sources.audiences import audiences_in, ordered
from scrapers.sources.text import clean, slug_key, unique_key

START_PATH = "/wp-content/uploads/2026/03/Warmline-Directory_as-of-March-9-2026.pdf"
URL_ENV = "SUPPORTDIR_WARMLINES_URL"
# Header labels (lowercased, spaces removed) to the field each column holds.
COLUMNS = {"state": "first", "population": "first", "warmline": "line", "line": "line", "phone": "phone",
           "hours": "hours", "spanish": "spanish", "chat/text": "chat", "chat": "chat", "text": "chat"}
# A national line serves every state (and DC): service_area holds USPS codes, so "US" is spelled out.
EVERY_STATE = tuple(sorted(s.abbr for s in [*us.states.STATES, us.states.DC]))
YOUTH = re.compile(r"\byouth\b", re.I)  # "youth" is not in the shared vocabulary: teens and young adults
NOT_STATED = {"", "-", "–", "n/a", "none"}


@dataclass(frozen=True)
class Line:
    """One row of a table: which table, and each column's text (the line cell split in name and note)."""

    national: bool
    first: str
    name: str
    note: str
    phone: str
    hours: str
    spanish: str
    chat: str


class Warmlines(Source):
    """NAMI's directory of state and national peer-run warmlines (nami.org, a PDF)."""

    name = "warmlines"
    organization = "NAMI"
    base_url = "https://www.nami.org"
    start_paths = (START_PATH,)
    min_interval = 1.0
    rank = 2  # a directory NAMI compiles of lines others run: not the operators' own listing
    max_pages = 5  # one PDF
    slow_pages = True  # its table takes pdfplumber seconds: parsed by a worker, beside the other crawls
    description = "Peer-run, non-crisis warmlines by state, and national support lines, from NAMI's PDF."

    def start_urls(self) -> list[str]:
        """The configured edition's URL (SUPPORTDIR_WARMLINES_URL), else the base URL and START_PATH."""
        configured = os.environ.get(URL_ENV, "").strip()
        return [configured] if configured else super().start_urls()

    def parse(self, page: Page) -> Iterable[ParsedListing]:
        """One line listing per table row of the PDF."""
        if not page.body.lstrip()[:1024].startswith(b"%PDF-"):
            kind = page.header("content-type") or "no Content-Type"
            raise self.changed(page, f"not a PDF ({kind}); the directory may have a new URL")
        try:
            rows = list(_read_rows(page.body))
        except _NoHeader as exc:
            raise self.changed(page, str(exc)) from None
        except Exception as exc:  # pdfminer raises many kinds of error on a damaged file
            raise self.changed(page, f"unreadable PDF ({type(exc).__name__}: {exc})") from None
        if not rows:
            raise self.changed(page, "no State | Warmline table in the PDF")
        used: set[str] = set()
        return [self._listing(page, row, state, used) for row, state in _with_states(rows)]

    def _listing(self, page: Page, row: Line, state: str, used: set[str]) -> ParsedListing:
        """The listing of one row; `state` is the row's state (carried down) or "" on national rows."""
        code = state_code(state)
        region = "national" if row.national else (code or state).lower()
        return ParsedListing(
            source=self.name,
            source_key=unique_key(slug_key(f"{region} {row.name}"), used),
            kind="line",
            organization=self.organization,
            name=row.name,
            source_url=page.url,
            description=_description(row),
            audiences=_parse_audiences(row.first) if row.national else (),
            topics=("mental health",),
            service_area=EVERY_STATE if row.national else ((code,) if code else ()),
            phone=_parse_phone(row.phone),
            attendance="phone",
            schedule_text=row.hours or None,
        )


class _NoHeader(ValueError):
    """A table whose columns cannot be named (no header row, and no table before it to continue)."""


def _read_rows(body: bytes) -> Iterator[Line]:
    """Every data row of every table, in page order."""
    header: dict[int, str] | None = None
    national = False
    with pdfplumber.open(io.BytesIO(body)) as pdf:
        for pdf_page in pdf.pages:
            for table in pdf_page.find_tables():
                texts = table.extract()
                found = _header(texts[0]) if texts else None
                if found is not None:
                    header, national, texts = found[0], found[1], texts[1:]
                elif header is None or len(texts[0]) != len(table.rows[0].cells):
                    raise _NoHeader("a table without a State/Population | Warmline | Phone header")
                offset = len(table.rows) - len(texts)
                for index, cells in enumerate(texts):
                    line = _line(pdf_page, table, offset + index, cells, header, national)
                    if line is not None:
                        yield line


def _header(cells: list[str | None]) -> tuple[dict[int, str], bool] | None:
    """The column fields of a header row and whether it is the national table; None if not a header."""
    labels = {i: COLUMNS.get(re.sub(r"\s+", "", (c or "").lower())) for i, c in enumerate(cells)}
    fields = {i: field for i, field in labels.items() if field}
    if not {"first", "line", "phone"} <= set(fields.values()):
        return None
    return fields, clean(cells[0]).lower() == "population"


def _line(pdf_page: PdfPage, table: Table, index: int, cells: list[str | None],
          header: dict[int, str], national: bool) -> Line | None:
    """One data row, or None for a row without a line name (a blank or spacer row)."""
    text = {field: _joined(cells[i] if i < len(cells) else None) for i, field in header.items()}
    column = next(i for i, field in header.items() if field == "line")
    bbox = table.rows[index].cells[column] if column < len(table.rows[index].cells) else None
    name, note = _name_and_note(pdf_page, bbox, cells[column] if column < len(cells) else None)
    if not name:
        return None
    return Line(national, text.get("first", ""), name, note, text.get("phone", ""),
                text.get("hours", ""), text.get("spanish", ""), text.get("chat", ""))


def _name_and_note(pdf_page: PdfPage, bbox: tuple | None, cell: str | None) -> tuple[str, str]:
    """A line cell's bold text (the name) and the rest (its note); without bold, the first text line."""
    if bbox is not None:
        crop = pdf_page.crop(bbox)
        bold = _joined(crop.filter(lambda o: _is_char(o) and _bold(o)).extract_text())
        rest = _joined(crop.filter(lambda o: _is_char(o) and not _bold(o)).extract_text())
        if bold:
            return bold, rest
    first, _, rest = (cell or "").strip().partition("\n")
    return clean(first), _joined(rest)


def _is_char(obj: dict) -> bool:
    """True for a character object of the page."""
    return obj.get("object_type") == "char"


def _bold(obj: dict) -> bool:
    """True for a character set in a bold face (Helvetica-Bold, Arial-BoldMT, ...)."""
    return "bold" in str(obj.get("fontname", "")).lower()


def _joined(text: str | None) -> str:
    """A cell's wrapped text lines joined: a line ending in a hyphen joins the next without a space."""
    lines = [clean(line) for line in (text or "").splitlines() if clean(line)]
    joined = ""
    for line in lines:
        joined += line if not joined or joined.endswith("-") else " " + line
    return joined


def _with_states(rows: list[Line]) -> Iterator[tuple[Line, str]]:
    """Each row with its state: a blank State cell repeats the one above (national rows have none)."""
    state = ""
    for row in rows:
        if not row.national:
            state = row.first or state
        yield row, "" if row.national else state


def _parse_phone(text: str) -> str | None:
    """The cell's first phone number as published (phonenumbers finds it); else the cell's text."""
    for match in phonenumbers.PhoneNumberMatcher(text, "US"):
        return match.raw_string
    return text or None


def _parse_audiences(population: str) -> tuple[str, ...]:
    """Audience tags of a national line's Population ("LGBTQ+ Youth" -> LGBTQ+, teens, young adults)."""
    tags = list(audiences_in(population))
    if YOUTH.search(population):
        tags += ["teens", "young adults"]
    return ordered(tags)


def _description(row: Line) -> str | None:
    """The line's note, its population, Spanish and chat/text cells, and a phone cell with more in it."""
    parts = [row.note]
    if row.national and row.first:
        parts.append(f"Population: {row.first}")
    if row.phone and _parse_phone(row.phone) != row.phone:
        parts.append(f"Phone: {row.phone}")
    for label, cell in (("Spanish", row.spanish), ("Chat/Text", row.chat)):
        if cell.lower() not in NOT_STATED:
            parts.append(f"{label}: {cell.lower() if cell.lower() in {'yes', 'no'} else cell}")
    return "\n".join(part for part in parts if part) or None

"""A made-up NAMI warmline directory PDF in the real layout, built with reportlab (tests and the sample).

The layout follows DESIGN.md ("NAMI warmline directory"): a title with the edition's date, a
ruled table State | Warmline | Phone | Hours | Spanish | Chat/Text (header repeated on each page),
then a "National Support Lines" page with Population | Line | Phone | Hours | Spanish | Chat/Text.
A line's name is bold in its cell; a note (a county it serves) or a description follows in
regular type. Every phone is in the fictional 555-01xx range.

Write the offline sample (scrapers/sample/warmlines/warmlines_directory.pdf) with
`python -m benchmarks.warmlines_pdf`.
"""

import io
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

SAMPLE_PDF = Path(__file__).resolve().parent.parent / "scrapers/sample/warmlines/warmlines_directory.pdf"
STATE_HEADER = ("State", "Warmline", "Phone", "Hours", "Spanish", "Chat/Text")
NATIONAL_HEADER = ("Population", "Line", "Phone", "Hours", "Spanish", "Chat/Text")
WIDTHS = [1.2 * inch, 3.0 * inch, 1.4 * inch, 2.0 * inch, 0.8 * inch, 1.6 * inch]


@dataclass(frozen=True)
class Row:
    """One table row: the first column (state or population), the line's bold name and its note."""

    first: str
    name: str
    phone: str
    hours: str
    spanish: str = ""
    chat: str = ""
    note: str = ""


STATE_ROWS = [
    Row("Alabama", "Alabama Peer Warmline", "(205) 555-0110", "Mon-Fri 8am-8pm", "No", "Text"),
    Row("Alaska", "Alaska CareLine Peer Support", "(907) 555-0111", "24/7", "Yes", "Text and Chat"),
    Row("Arizona", "Maricopa County Peer Warmline", "(602) 555-0112", "Daily 4pm-10pm", "Yes", "",
        note="Serves Maricopa County residents only"),
    Row("California", "Peer-Run Warm Line of California Statewide Mental Health Services",
        "(855) 555-0113", "Mon-Fri 7am-11pm; Sat-Sun 7:30am-11pm Pacific Time", "Yes", "Chat"),
    Row("", "Los Angeles Warmline", "(213) 555-0114", "Daily 5pm-10pm", "", "",
        note="For residents of Los Angeles County"),
    Row("Colorado", "Colorado Peer Line", "(303) 555-0115", "Daily 8am-11pm", "No", "No"),
    Row("Kentucky", "Kentucky Warm Line", "(859) 555-0116", "Mon-Fri 10am-4pm", "", "Text"),
    Row("New York", "New York Peer Support Line", "(518) 555-0117", "Daily 12pm-8pm", "Yes", "No"),
    Row("Oregon", "Oregon Peer Warmline", "(503) 555-0118", "Mon-Fri 9am-9pm", "No", "Chat"),
    Row("Texas", "Texas Peer Warmline", "(512) 555-0119", "24/7", "Yes", "Text"),
]
NATIONAL_ROWS = [
    Row("Veterans", "Veterans Peer Line", "(800) 555-0120", "24/7", "Yes", "Text",
        note="Peer support from veterans, for veterans and their families."),
    Row("LGBTQ+ Youth", "LGBTQ+ Youth Talkline", "(800) 555-0121", "Mon-Fri 1pm-9pm; Sat 9am-2pm", "No",
        "Chat", note="Confidential peer support for LGBTQ+ young people up to age 25."),
    Row("Anyone", "National Peer Warmline", "(800) 555-0122", "Daily 9am-midnight Eastern", "Yes", "",
        note="Call for a non-crisis conversation with a trained peer."),
]


def build_pdf(states: list[Row], nationals: list[Row], edition: str = "March 9, 2026",
              repeat_header: bool = True) -> bytes:
    """The directory as PDF bytes (uncompressed and invariant, so its text is in the file as written);
    without `repeat_header`, a table that goes on to the next page does so without its header row."""
    styles = getSampleStyleSheet()
    body = styles["BodyText"]
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(buffer, pagesize=landscape(letter), invariant=1, pageCompression=0,
                            title="Warmline Directory", leftMargin=0.5 * inch, rightMargin=0.5 * inch)
    story = [Paragraph("Warmline Directory", styles["Title"]),
             Paragraph(f"As of {escape(edition)}", body), Spacer(1, 12),
             _table(STATE_HEADER, states, body, repeat_header), PageBreak(),
             Paragraph("National Support Lines", styles["Heading1"]), Spacer(1, 12),
             _table(NATIONAL_HEADER, nationals, body, repeat_header)]
    doc.build(story)
    return buffer.getvalue()


def _table(header: tuple[str, ...], rows: list[Row], style, repeat_header: bool = True) -> Table:
    """A ruled table (header repeated on every page unless told not to), cells wrapped as paragraphs."""
    data = [[Paragraph(f"<b>{label}</b>", style) for label in header]]
    for row in rows:
        line = f"<b>{escape(row.name)}</b>" + (f"<br/>{escape(row.note)}" if row.note else "")
        cells = [row.first, None, row.phone, row.hours, row.spanish, row.chat]
        data.append([Paragraph(line, style) if cell is None else Paragraph(escape(cell), style)
                     for cell in cells])
    table = Table(data, colWidths=WIDTHS, repeatRows=1 if repeat_header else 0)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black),
                               ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey)]))
    return table


def main() -> None:
    """Write the offline sample's PDF."""
    SAMPLE_PDF.write_bytes(build_pdf(STATE_ROWS, NATIONAL_ROWS))
    print(f"wrote {SAMPLE_PDF} ({SAMPLE_PDF.stat().st_size} bytes)")


if __name__ == "__main__":
    main()

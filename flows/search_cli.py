"""`supportdir search` and `supportdir site`: find groups and chapters, or write the search page."""

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Annotated, Literal

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table

from schemas.search import DEFAULT_RADIUS_MILES, Found, Query, Result
from warehouse.publish.attend import CRISIS_LINE

Many = list[str] | None
DataOption = Annotated[
    Path | None, typer.Option("--data", help="Export folder to search (default: exports/).")
]
FromWarehouse = Annotated[
    Path | None, typer.Option("--warehouse", help="Search this DuckDB warehouse's current listings instead.")
]
SEARCH_EXAMPLES = (
    'Examples: supportdir search --near 40502 --radius 25 | '
    'supportdir search --near "38.04,-84.50" --radius 50 --attendance online --topic bipolar | '
    'supportdir search --near "lexington ky" --day tue --after 17:00 --before 21:00 | '
    'supportdir search --state KY --kind group --day tue --after 17:00 --format json')
NEAR_HELP = ('A ZIP code (or ZIP+4), "City, ST" (comma and case optional, or the state\'s name) '
             'or "lat,lon". A city name found in several states is refused (exit 2) '
             'with one line naming them.')
TZ_HELP = ("IANA time zone --day/--after/--before are read in (default: the --near place's zone, "
           "else each meeting's own).")
CSV_COLUMNS = (
    "name", "kind", "organization", "attendance", "remote", "distance_miles", "next_meeting_at", "when",
    "how_to_attend", "contact", "city", "state", "postal_code", "phone", "email", "website",
    "registration_url", "conference_url", "topics", "audiences", "listing_id", "source", "source_url",
    "last_seen")

ABOUT_CHARACTERS = 120  # of a description in the table


OPTION_OF = {"kinds": "--kind", "attendance": "--attendance", "statuses": "--status",
             "radius_miles": "--radius", "near": "--near", "limit": "--limit"}


def _when(moment: datetime | None) -> str:
    """"Tue Dec 1, 6:30 PM EST"; "" when unknown."""
    if moment is None:
        return ""
    return f"{moment:%a %b} {moment.day}, {moment:%I:%M %p %Z}".replace(" 0", " ")


def _distance(result: Result) -> str:
    """Miles (or "in Louisville") for nearby listings, the way to attend for remote ones."""
    if result.remote:
        return "phone" if result.attendance == "phone" else "online"
    return result.distance_text


def _next_meeting(result: Result) -> str:
    """"Tue Dec 1, 6:30 PM PST · 9:30 PM your time" (the second part when the clocks differ)."""
    said = _when(result.next_meeting_at)
    yours = result.next_meeting_your_time
    if said and yours is not None:
        day = "" if yours.date() == result.next_meeting_at.date() else f"{yours:%a} "
        said += f" · {day}{yours:%I:%M %p}".replace(" 0", " ") + " your time"
    return said


def nothing_near(found: Found, radius: float) -> str:
    """"No group within 25 miles of Honolulu, HI; the nearest is 2,300 miles away. ..." or ""."""
    if found.place is None or found.nearby or found.nearest_miles is None:
        return ""
    nearest = f"; the nearest is {found.nearest_miles:,.0f} miles away"
    return f"No group within {radius:g} miles of {found.place}{nearest}. These meet online or by phone:"


def _about(result: Result) -> str:
    """The description's start, dimmed (the JSON output has it whole)."""
    from rich.markup import escape

    from warehouse.publish.attend import short_text
    return f"[dim]{escape(short_text(result.description, ABOUT_CHARACTERS))}[/]" if result.description else ""


def print_table(console: Console, found: Found, radius: float = DEFAULT_RADIUS_MILES) -> None:
    """The 988 line once, then a readable table of the results."""
    console.print(f"[bold]{CRISIS_LINE}[/]", highlight=False)
    if said := nothing_near(found, radius):
        console.print(said, highlight=False, soft_wrap=True)
    shown = len(found.results)
    more = f" (showing {shown}; use --limit)" if shown < found.total else ""
    table = Table("name", "where", "next meeting", "how to attend · contact",
                  title=f"{found.total} found{more}", title_justify="left", show_lines=True)
    for column in table.columns:
        column.overflow = "fold"  # links must stay whole and readable
    for result in found.results:
        place = ", ".join(filter(None, [result.city, result.state]))
        about = f"{result.kind} · {result.organization}"
        name = "\n".join(filter(None, [f"[bold]{result.name}[/]", about, place, _about(result)]))
        when = "\n".join(filter(None, [_next_meeting(result), result.when]))
        table.add_row(name, _distance(result), when, f"{result.how_to_attend}\n{result.contact}")
    console.print(table)


def print_json(found: Found) -> None:
    """The results as one JSON object (total, the 988 line, results)."""
    payload = {"total": found.total, "crisis_line": CRISIS_LINE, "place": found.place,
               "nearest_miles": found.nearest_miles,
               "results": [r.model_dump(mode="json") for r in found.results]}
    print(json.dumps(payload, indent=2, ensure_ascii=False))


def print_csv(found: Found) -> None:
    """The results as CSV (lists joined by ';')."""
    from warehouse import csv_safe
    writer = csv_safe.writer(sys.stdout)  # no cell can start a spreadsheet formula
    writer.writerow(CSV_COLUMNS)
    for result in found.results:
        row = result.model_dump(mode="json")
        writer.writerow([";".join(row[c]) if isinstance(row[c], list) else ("" if row[c] is None else row[c])
                         for c in CSV_COLUMNS])


def build_query(near: str | None, radius: float | None, kind: Many, organization: Many, topic: Many,
                audience: Many, attendance: Many, day: Many, after: str | None, before: str | None,
                state: Many, status: Many, text: str | None, limit: int, tz: str | None = None) -> Query:
    """The Query of the command's options; SearchInvalid for a bad value."""
    from warehouse.search.query import (
        SearchInvalid,
        check_choices,
        clock_minutes,
        day_codes,
        place,
        time_zone,
    )

    if radius is not None and radius < 0:
        raise SearchInvalid(f"--radius {radius:g}: a radius must be 0 miles or more")
    check_choices(kind or [], attendance or [], status or [])
    for option, value in (("--after", after), ("--before", before)):
        if value:
            clock_minutes(value, option)
    where = place(near) if near else None
    zone = time_zone(tz) if tz else where.timezone if where else None
    try:
        return Query(
            near=(where.lat, where.lon) if where else None, place=where.label if where else None,
            timezone=zone,
            radius_miles=DEFAULT_RADIUS_MILES if radius is None else radius,
            kinds=tuple(k.lower() for k in kind or []), organizations=tuple(organization or []),
            topics=tuple(topic or []), audiences=tuple(audience or []),
            attendance=tuple(a.lower().replace("-", "_") for a in attendance or []),
            days=day_codes(day or []), after=after, before=before,
            states=tuple(s.upper() for s in state or []),
            statuses=tuple(s.lower() for s in status or ["active"]), text=text, limit=limit or None)
    except ValidationError as exc:
        error = exc.errors()[0]
        option = OPTION_OF.get(str(error["loc"][0]), str(error["loc"][0]))
        raise SearchInvalid(f"{option} {error.get('input')!r}: {error['msg']}") from None


def search_command(
    near: Annotated[str | None, typer.Option("--near", help=NEAR_HELP)] = None,
    radius: Annotated[float | None, typer.Option("--radius", help="Miles around --near (25).")] = None,
    kind: Annotated[Many, typer.Option(
        "--kind", help="organization, chapter, group, program (day program) or line (warmline); repeatable."
    )] = None,
    organization: Annotated[Many, typer.Option("--organization", help="Alliance or source, e.g. NAMI, dbsa.")]
    = None,
    topic: Annotated[Many, typer.Option("--topic", help="e.g. bipolar (repeatable: all).")] = None,
    audience: Annotated[Many, typer.Option("--audience", help="e.g. family (repeatable: all).")] = None,
    attendance: Annotated[Many, typer.Option(
        "--attendance", help="in_person, online, hybrid, phone, unknown (repeatable: any).")] = None,
    day: Annotated[Many, typer.Option("--day", help="mon..sun: meets on that day (repeatable: any).")] = None,
    after: Annotated[str | None, typer.Option("--after", help="Starts at or after HH:MM (see --tz).")] = None,
    before: Annotated[str | None, typer.Option("--before", help="Starts before HH:MM (see --tz).")] = None,
    tz: Annotated[str | None, typer.Option("--tz", help=TZ_HELP)] = None,
    state: Annotated[Many, typer.Option("--state", help="Two-letter state code (repeatable: any).")] = None,
    status: Annotated[Many, typer.Option("--status", help="active (default), inactive, unverified.")] = None,
    text: Annotated[str | None, typer.Option("--text", help="Words in the name or description.")] = None,
    limit: Annotated[int, typer.Option("--limit", min=0, help="At most this many results (0: all).")] = 50,
    output: Annotated[Literal["table", "json", "csv"], typer.Option(
        "--format", help="table (default, with the 988 line), json or csv.")] = "table",
    data: DataOption = None,
    warehouse: FromWarehouse = None,
) -> None:
    """Find groups and chapters near a ZIP code or a point, by topic, audience, attendance, day and time."""
    from flows.cli import fail, out_console
    from warehouse.search.query import SearchInvalid, find, load_index

    try:
        query = build_query(near, radius, kind, organization, topic, audience, attendance, day, after,
                            before, state, status, text, limit, tz)
        found = find(query, load_index(data, warehouse))
    except SearchInvalid as exc:
        raise fail(str(exc)) from None
    {"json": lambda: print_json(found), "csv": lambda: print_csv(found),
     "table": lambda: print_table(out_console, found, query.radius_miles)}[output]()


def site_command(
    out: Annotated[Path, typer.Option("--out", help="Folder index.html is published to.")] = Path("site"),
    data: DataOption = None,
    warehouse: FromWarehouse = None,
) -> None:
    """Write one self-contained, accessible search page (index.html, no network needed)."""
    from flows.cli import EXIT_DEGRADED, fail, out_console
    from schemas.errors import PageInvalid, PublishFailed, PublishTargetInvalid
    from warehouse.search.query import SearchInvalid
    from warehouse.search.site import write_site

    try:
        path = write_site(Path(out), data, warehouse)
    except (SearchInvalid, PublishTargetInvalid) as exc:
        raise fail(str(exc)) from None
    except (PageInvalid, PublishFailed) as exc:
        raise fail(f"nothing published: {exc}", EXIT_DEGRADED) from None
    out_console.print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB)", highlight=False)

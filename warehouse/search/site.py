"""`supportdir site`: one self-contained search page (index.html) over the directory.

The page carries everything it needs: its CSS and JavaScript inline, the active listings as JSON,
and an offline ZIP table (warehouse/search/places.py). Next meetings are precomputed when the page
is written (every meeting in the next WINDOW_WEEKS weeks, as UTC instants with their zone), and
the page shows the first one still ahead of the reader's clock; the schedule in words is always
shown, so a page older than the window still says when a group meets.
"""

import json
import re
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from schemas.errors import PageInvalid
from warehouse.publish.atomic import check_target, publish
from warehouse.publish.attend import CRISIS_LINE, Record, how_to_attend, schedule_text
from warehouse.schedules.occurrences import occurrences
from warehouse.search.cards import page_card
from warehouse.search.index import WEEKDAY_BITS
from warehouse.search.places import MAX_RADIUS_MILES, place_tables
from warehouse.search.query import load_index

WINDOW_WEEKS = 10
TEMPLATE_PACKAGE = "warehouse.search.assets"
PAGE = "index.html"
# Inside a script element the HTML parser reacts to `<!--`, `<script` and `</script`: with `<` and `>`
# escaped (and `&`, U+2028, U+2029, as JSON embedders do) the data cannot end or change that state.
SCRIPT_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                             "\u2028": "\\u2028", "\u2029": "\\u2029"})


def _upcoming(record: Record, now: datetime) -> list[list]:
    """Every meeting in the window as [epoch seconds, IANA zone], soonest first."""
    until = now + timedelta(weeks=WINDOW_WEEKS)
    found = []
    for rule in record.get("schedule") or []:
        try:
            starts = occurrences(rule, now, count=WINDOW_WEEKS * 7)
        except ValueError:
            continue
        found += [[int(s.timestamp()), rule["timezone"]] for s in starts if s <= until]
    return sorted(found)


def _days(record: Record) -> int:
    """Weekday bits of the days a listing meets (Monday = 1 ... Sunday = 64)."""
    bits = 0
    for rule in record.get("schedule") or []:
        for part in rule["byday"].split(","):
            bits |= WEEKDAY_BITS.get(part.lstrip("+-0123456789"), 0)
    return bits


def page_listing(record: Record, now: datetime) -> dict[str, Any]:
    """The fields the page shows and filters on, compactly."""
    compact = {
        "id": record["listing_id"], "name": record["name"], "kind": record["kind"],
        "org": record["organization"], "att": record["attendance"], "city": record.get("city"),
        "state": record.get("state"), "lat": record.get("latitude"), "lon": record.get("longitude"),
        "geo": record.get("geo_precision"), "topics": record.get("topics") or [],
        "aud": record.get("audiences") or [], "days": _days(record), "when": schedule_text(record),
        "how": how_to_attend(record), "phone": record.get("phone"), "email": record.get("email"),
        "web": record.get("website"), "reg": record.get("registration_url"),
        "join": record.get("conference_url"), "src": record["source_url"], "seen": record["last_seen"][:10],
        "next": _upcoming(record, now),
    }
    return {key: value for key, value in compact.items() if value not in (None, [], "")}


def page_data(records: list[Record], now: datetime) -> dict[str, Any]:
    """Everything the page embeds: listings, filter choices, places, the 988 line, when it was built."""
    active = [r for r in records if r["status"] == "active"]
    by_id = {r["listing_id"]: r for r in records}
    listings = [page_listing(r, now) | page_card(r, by_id)
                for r in sorted(active, key=lambda r: r["name"].lower())]
    return {
        "built": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "windowWeeks": WINDOW_WEEKS, "crisis": CRISIS_LINE,
        "maxRadius": MAX_RADIUS_MILES, "listings": listings,
        "topics": sorted({t for r in active for t in r.get("topics") or []}),
        "audiences": sorted({a for r in active for a in r.get("audiences") or []}),
        **place_tables(),
    }


def embed(data: dict[str, Any]) -> str:
    """The data as JSON that cannot end or change the state of the script element it sits in."""
    return json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":")).translate(SCRIPT_SAFE)


def _asset(name: str) -> str:
    """One file of the page's template."""
    return resources.files(TEMPLATE_PACKAGE).joinpath(name).read_text(encoding="utf-8")


def render(data: dict[str, Any]) -> str:
    """The page: the template with its CSS, JavaScript, data and 988 line put in, in one pass.

    Only the template is scanned for placeholders, so text in the data (a name holding
    `{{crisis}}` or `/*DATA*/`) is never replaced.
    """
    values = {"/*STYLE*/": _asset("site.css"), "/*SCRIPT*/": _asset("site.js"), "/*DATA*/": embed(data),
              "{{crisis}}": CRISIS_LINE.split(". ")[0] + "."}
    pattern = re.compile("|".join(re.escape(key) for key in values))
    return pattern.sub(lambda found: values[found[0]], _asset("index.html"))


def check_page(path: Path, data: dict[str, Any]) -> None:
    """PageInvalid unless the page, parsed as a browser parses it, has its scripts whole and all its data."""
    scripts = LexborHTMLParser(path.read_text(encoding="utf-8")).css("script")
    kinds = [(script.attributes.get("type"), script.attributes.get("id")) for script in scripts]
    if kinds != [("application/json", "data"), (None, None)] or scripts[1].text() != _asset("site.js"):
        raise PageInvalid(f"{path.name} as written: its scripts are not intact "
                          f"({len(scripts)} script elements)")
    try:
        found = json.loads(scripts[0].text())
    except ValueError as exc:
        raise PageInvalid(f"{path.name} as written: its embedded data is not valid JSON ({exc})") from None
    meant = len(data["listings"])
    if len(found.get("listings", [])) != meant or found != json.loads(json.dumps(data)):
        raise PageInvalid(f"{path.name} as written holds {len(found.get('listings', []))} listings, "
                          f"not the {meant} meant (or their data differs)")


def write_site(out: Path, data_dir: Path | None = None, warehouse: Path | None = None,
               now: datetime | None = None) -> Path:
    """Publish out/index.html from an export folder (default exports/) or a warehouse; return its path.

    The page is written into a new version of the folder, checked, and swapped in whole
    (warehouse/publish/atomic.py), so a reader sees the old page or the new one, never part of one.
    """
    out = check_target(out, marker=PAGE)
    index = load_index(data_dir, warehouse)
    data = page_data(index.records, now or datetime.now(UTC))

    def write(folder: Path) -> None:
        try:
            page = render(data)
        except ValueError as exc:  # a NaN or infinite number, which JSON.parse would refuse
            raise PageInvalid(f"the page's data cannot be embedded: {exc}") from None
        (folder / PAGE).write_text(page, encoding="utf-8")

    publish(out, "site", write, check=lambda folder: check_page(folder / PAGE, data), marker=PAGE)
    return out / PAGE

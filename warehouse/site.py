"""`supportdir site`: one self-contained search page (index.html) over the directory.

The page carries everything it needs: its CSS and JavaScript inline, the active listings as JSON,
and an offline ZIP table (warehouse/site_places.py). Next meetings are precomputed when the page
is written (every meeting in the next WINDOW_WEEKS weeks, as UTC instants with their zone), and
the page shows the first one still ahead of the reader's clock; the schedule in words is always
shown, so a page older than the window still says when a group meets.
"""

import json
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from warehouse.attend import CRISIS_LINE, Record, how_to_attend, schedule_text
from warehouse.occurrences import occurrences
from warehouse.search import load_index
from warehouse.search_index import WEEKDAY_BITS
from warehouse.site_places import MAX_RADIUS_MILES, place_tables

WINDOW_WEEKS = 10
TEMPLATE_PACKAGE = "warehouse.site_assets"


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
    listings = [page_listing(r, now) for r in sorted(active, key=lambda r: r["name"].lower())]
    points = [(r["latitude"], r["longitude"]) for r in active if r.get("latitude") is not None]
    return {
        "built": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "windowWeeks": WINDOW_WEEKS, "crisis": CRISIS_LINE,
        "maxRadius": MAX_RADIUS_MILES, "listings": listings,
        "topics": sorted({t for r in active for t in r.get("topics") or []}),
        "audiences": sorted({a for r in active for a in r.get("audiences") or []}),
        **place_tables(points),
    }


def render(data: dict[str, Any]) -> str:
    """The page: the template with its CSS, JavaScript and data inlined."""
    assets = resources.files(TEMPLATE_PACKAGE)
    page = assets.joinpath("index.html").read_text(encoding="utf-8")
    embedded = json.dumps(data, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")
    return (page.replace("/*STYLE*/", assets.joinpath("site.css").read_text(encoding="utf-8"))
                .replace("/*SCRIPT*/", assets.joinpath("site.js").read_text(encoding="utf-8"))
                .replace("/*DATA*/", embedded)
                .replace("{{crisis}}", CRISIS_LINE.split(". ")[0] + "."))


def write_site(out: Path, data_dir: Path | None = None, warehouse: Path | None = None,
               now: datetime | None = None) -> Path:
    """Write out/index.html from an export folder (default exports/) or a warehouse; return its path."""
    index = load_index(data_dir, warehouse)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "index.html"
    path.write_text(render(page_data(index.records, now or datetime.now(UTC))), encoding="utf-8")
    return path

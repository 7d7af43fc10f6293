"""CPU per calendar event: the export's VEVENT writer against icalendar's own Event.to_ical, alternating.

    python -m benchmarks.calendar_events WAREHOUSE [--repeat 20] [--rounds 5]

Reads the groups of a built warehouse (a copy of it: the build's file stays untouched), checks
that both writers give the same bytes for every rule, then times each writer over all rules,
`--repeat` times per round, alternating which goes first. Prints one JSON object: microseconds
of CPU per event for each round, the best of each and their ratio. Run it from another checkout
(PYTHONPATH=that/checkout) to time that checkout's writer on the same warehouse. A warehouse it
cannot read, or one with no group schedule, is one line on stderr and exit 1.
"""

import argparse
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
from icalendar import Event, vRecur

from schemas.errors import SupportDirError
from warehouse import db
from warehouse.publish import ical, records
from warehouse.schedules.occurrences import occurrences, rrule_text

NOW = datetime(2026, 12, 4, 3, 0, tzinfo=UTC)
Rule = tuple[dict, int, dict]


def icalendar_event(record: dict, position: int, rule: dict, now: datetime = NOW) -> bytes | None:
    """The same event built as an icalendar Event and serialized by icalendar itself."""
    found = occurrences(rule, now)
    if not found:
        return None
    event = Event()
    event.add("uid", f"{record['listing_id']}-{position}@{ical.UID_DOMAIN}")
    event.add("dtstamp", now.astimezone(UTC))
    event.add("summary", record["name"])
    event.add("dtstart", found[0])
    if rule.get("closes_at"):
        hour, minute = (int(part) for part in rule["closes_at"].split(":"))
        end = found[0].replace(hour=hour, minute=minute)
        event.add("dtend", end if end > found[0] else end + timedelta(days=1))
    else:
        event.add("duration", ical.DEFAULT_LENGTH)
    event.add("rrule", vRecur.from_ical(rrule_text(rule)))
    event.add("description", ical._description(record, rule, bool(rule.get("closes_at"))))
    event.add("url", record.get("website") or record.get("registration_url") or record["source_url"])
    event.add("location", ical._where(record))
    event.add("categories", [*(record.get("topics") or []), *(record.get("audiences") or [])]
              or ["support group"])
    event.add("status", "CANCELLED" if record["status"] == "inactive" else "CONFIRMED")
    return event.to_ical()


def export_event(record: dict, position: int, rule: dict) -> bytes | None:
    """The event as the export writes it."""
    made = ical._event(record, position, rule, NOW)
    return made.data if made else None


def group_rules(warehouse: Path) -> list[Rule]:
    """Every schedule rule of every group in a copy of the warehouse."""
    if not warehouse.exists():
        raise FileNotFoundError(f"no warehouse at {warehouse}")
    db.check_file(warehouse)
    with tempfile.TemporaryDirectory() as folder:
        copy = Path(folder) / "warehouse.duckdb"
        shutil.copy(warehouse, copy)
        with db.connect(copy) as con:
            records.prepare(con)
            found = records.load(con)
    return [(record, position, rule) for record in found if record["kind"] == "group"
            for position, rule in enumerate(record.get("schedule") or [])]


def cpu_per_event(writer: Callable[[dict, int, dict], bytes | None], rules: list[Rule], repeat: int) -> float:
    """Microseconds of CPU per rule written."""
    start = time.process_time()
    for _ in range(repeat):
        for record, position, rule in rules:
            writer(record, position, rule)
    return (time.process_time() - start) / (repeat * len(rules)) * 1e6


def main() -> None:
    """Parse the arguments, check the writers agree, time them and print the JSON."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    try:
        rules = group_rules(args.warehouse)
    except (OSError, SupportDirError) as error:
        sys.exit(f"calendar_events: {error}")
    except duckdb.Error as error:  # a DuckDB file that no build wrote
        sys.exit(f"calendar_events: {args.warehouse} is not a built warehouse ({str(error).splitlines()[0]})")
    if not rules:
        sys.exit(f"calendar_events: no group in {args.warehouse} has a schedule rule to write")
    differ = sum(export_event(*rule) != icalendar_event(*rule) for rule in rules)
    writers = {"export": export_event, "icalendar": icalendar_event}
    figures: dict[str, list[float]] = {name: [] for name in writers}
    for round_ in range(args.rounds):
        for name in (list(writers) if round_ % 2 == 0 else list(reversed(writers))):
            figures[name].append(round(cpu_per_event(writers[name], rules, args.repeat), 1))
    best = {name: min(values) for name, values in figures.items()}
    print(json.dumps({"rules": len(rules), "events_differ": differ, "us_per_event": figures,
                      "best_us": best, "ratio": round(best["icalendar"] / best["export"], 2)}))


if __name__ == "__main__":
    main()

"""The groups' meetings as iCalendar (RFC 5545): groups.ics, and ics/<listing_id>.ics per group.

One recurring VEVENT per schedule rule, with the rule as RRULE, DTSTART the next meeting in the
rule's own zone (TZID, with a VTIMEZONE so calendar apps place it right across daylight saving),
a UID that stays the same from export to export, the listing's page as URL and a DESCRIPTION
saying how to attend or register, how to reach the group, where the listing came from, and the
988 line. A rule with no zone or start time, or one repeating every 2 or more weeks or months
with no known first date, has no honest DTSTART: it is left out and counted.
"""

from collections import Counter
from collections.abc import Container
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path

from icalendar import Calendar, Event, Parameters, Timezone, vRecur
from icalendar.parser import Contentline

from warehouse.publish.attend import CRISIS_LINE, Record, contact_text, how_to_attend, place_text, rule_text
from warehouse.schedules.occurrences import occurrences, rrule_text

PRODID = "-//supportdir//Peer-support directory//EN"
UID_DOMAIN = "supportdir"
# Meetings with no published end time are shown as one hour long (and the description says so).
DEFAULT_LENGTH = timedelta(hours=1)
TIMEZONE_YEARS = 5
CHECKED_GROUP_FILES = 25
END = b"END:VCALENDAR\r\n"


@lru_cache(maxsize=1)
def _fixed_head() -> bytes:
    """BEGIN:VCALENDAR and the identity properties every calendar shares, serialized once."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    return calendar.to_ical().removesuffix(END)  # the name and the components go before the END line


def _head(name: str) -> bytes:
    """The start of a calendar named `name` (X-WR-CALNAME typed and folded as icalendar does)."""
    value = Calendar.types_factory.for_property("X-WR-CALNAME")(name)
    line = Contentline.from_parts("X-WR-CALNAME", Parameters(), value).to_ical()
    return _fixed_head() + line + b"\r\n"


def _description(record: Record, rule: dict, has_end: bool) -> str:
    """How to attend, when, how to contact, where the listing comes from, and the 988 line."""
    lines = [record.get("description") or "", f"When: {rule_text(rule)}."]
    if not has_end:
        lines.append("The end time is not published; the calendar shows one hour.")
    lines += [f"How to attend: {how_to_attend(record)}", f"Contact: {contact_text(record)}.",
              f"Listed by {record['source']} at {record['source_url']} "
              f"(last seen {record['last_seen'][:10]}).",
              CRISIS_LINE]
    return "\n".join(line for line in lines if line)


def _where(record: Record) -> str:
    """The LOCATION of a group's events: its place, "Online" or "By phone"."""
    place = place_text(record)
    where = {"online": "Online", "phone": "By phone", "hybrid": f"{place} and online"}
    return where.get(record["attendance"]) or place or "See the listing"


def _event(record: Record, position: int, rule: dict, now: datetime) -> Event | None:
    """The VEVENT of one rule, or None when the rule has no honest first date."""
    found = occurrences(rule, now)
    if not found:
        return None
    start = found[0]
    event = Event()
    event.add("uid", f"{record['listing_id']}-{position}@{UID_DOMAIN}")
    event.add("dtstamp", now.astimezone(UTC))
    event.add("summary", record["name"])
    event.add("dtstart", start)
    if rule.get("closes_at"):
        hour, minute = (int(part) for part in rule["closes_at"].split(":"))
        end = start.replace(hour=hour, minute=minute)
        event.add("dtend", end if end > start else end + timedelta(days=1))
    else:
        event.add("duration", DEFAULT_LENGTH)
    event.add("rrule", vRecur.from_ical(rrule_text(rule)))
    event.add("description", _description(record, rule, bool(rule.get("closes_at"))))
    event.add("url", record.get("website") or record.get("registration_url") or record["source_url"])
    event.add("location", _where(record))
    labels = [*(record.get("topics") or []), *(record.get("audiences") or [])]
    event.add("categories", labels or ["support group"])
    event.add("status", "CANCELLED" if record["status"] == "inactive" else "CONFIRMED")
    return event


class Zones:
    """The VTIMEZONE of each TZID, made once per export (covering the years the events need)."""

    def __init__(self, now: datetime):
        self.first, self.last = date(now.year - 1, 1, 1), date(now.year + TIMEZONE_YEARS, 1, 1)
        self.blocks: dict[str, bytes] = {}

    def block(self, tzid: str) -> bytes:
        """The serialized VTIMEZONE of one zone."""
        if tzid not in self.blocks:
            zone = Timezone.from_tzid(tzid, first_date=self.first, last_date=self.last)
            self.blocks[tzid] = zone.to_ical()
        return self.blocks[tzid]


def _assemble(name: str, zones: list[bytes], events: list[bytes]) -> bytes:
    """A VCALENDAR of already serialized VTIMEZONEs and VEVENTs (each serialized only once)."""
    return _head(name) + b"".join(zones) + b"".join(events) + END


def _tzid(event: Event) -> str:
    """The TZID of an event's DTSTART."""
    return str(event["DTSTART"].params["TZID"])


def write_calendars(records: list[Record], folder: Path,
                    now: datetime) -> tuple[dict[str, int], dict[str, int], list[str]]:
    """Write groups.ics and ics/<listing_id>.ics.

    Returns events per file, rules left out by reason, and what is wrong with any event (checked
    on every event as it is made; `calendars_problems` then parses a sample of the files back).
    """
    (folder / "ics").mkdir(parents=True, exist_ok=True)
    zones = Zones(now)
    counts: dict[str, int] = {}
    left_out: Counter[str] = Counter()
    every_event: list[bytes] = []
    problems: list[str] = []
    uids: set[str] = set()
    for record in (r for r in records if r["kind"] == "group"):
        events = []
        for position, rule in enumerate(record.get("schedule") or []):
            event = _event(record, position, rule, now)
            if event is None:
                left_out["no_first_date"] += 1
            else:
                events.append(event)
        if not events:
            continue
        blobs = [event.to_ical() for event in events]
        own_zones = [zones.block(tzid) for tzid in sorted({_tzid(event) for event in events})]
        name = f"ics/{record['listing_id']}.ics"
        for event in events:
            problems += event_problems(event, zones.blocks, name, uids)
        (folder / name).write_bytes(_assemble(record["name"], own_zones, blobs))
        every_event += blobs
        counts[name] = len(events)
    all_zones = [zones.blocks[tzid] for tzid in sorted(zones.blocks)]
    (folder / "groups.ics").write_bytes(_assemble("Peer-support groups", all_zones, every_event))
    return {"groups.ics": sum(counts.values()), **counts}, dict(left_out), problems


def calendars_problems(folder: Path, files: dict[str, int], sample: int = CHECKED_GROUP_FILES) -> list[str]:
    """Parse back the first `sample` group files; count the events of groups.ics.

    Every event was checked as it was made, and groups.ics and the group files are made of the
    same serialized events and zones: parsing a sample shows they read back. Parsing all of them
    (a national export has tens of thousands of events) took a sixth of the export's time and
    the most memory of any step.
    """
    problems = []
    for name in sorted(name for name in files if name != "groups.ics")[:sample]:
        problems += calendar_problems(folder / name)
    in_groups = (folder / "groups.ics").read_bytes().count(b"\r\nBEGIN:VEVENT\r\n")
    in_files = sum(events for name, events in files.items() if name != "groups.ics")
    if in_groups != in_files:
        problems.append(f"groups.ics has {in_groups} events, the group files {in_files}")
    return problems


def event_problems(event: Event, zones: Container[str], name: str, uids: set[str]) -> list[str]:
    """What is wrong with one event: a missing property, a zone without VTIMEZONE, a UID seen before."""
    uid = str(event.get("UID", "?"))
    missing = [key for key in ("UID", "DTSTART", "DTSTAMP", "RRULE", "SUMMARY") if key not in event]
    if missing:
        return [f"{name} {uid}: missing {', '.join(missing)}"]
    problems = []
    tzid = event["DTSTART"].params.get("TZID")
    if tzid not in zones:
        problems.append(f"{name} {uid}: DTSTART zone {tzid!r} has no VTIMEZONE")
    if uid in uids:
        problems.append(f"{name}: duplicate UID {uid}")
    uids.add(uid)
    return problems


def calendar_problems(path: Path) -> list[str]:
    """Parse a calendar file back; what is wrong with it: not iCalendar, no events, a bad event."""
    try:
        calendar = Calendar.from_ical(path.read_bytes())
    except ValueError as exc:
        return [f"{path.name}: not iCalendar: {exc}"]
    zones = {str(tz["TZID"]) for tz in calendar.walk("VTIMEZONE")}
    events = calendar.walk("VEVENT")
    uids: set[str] = set()
    problems = [problem for event in events for problem in event_problems(event, zones, path.name, uids)]
    return problems if events else [f"{path.name}: no events"]

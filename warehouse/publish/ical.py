"""The groups' meetings as iCalendar (RFC 5545): groups.ics, and ics/<listing_id>.ics per group.

One recurring VEVENT per schedule rule, with the rule as RRULE, DTSTART the next meeting in the
rule's own zone (TZID, with a VTIMEZONE so calendar apps place it right across daylight saving),
a UID that stays the same from export to export, the listing's page as URL and a DESCRIPTION
saying how to attend or register, how to reach the group, where the listing came from, and the
988 line. A rule with no zone or start time, or one repeating every 2 or more weeks or months
with no known first date, has no honest DTSTART: it is left out and counted.

An export reuses the file of every group whose inputs did not change since the previous export
(hard-linked, or copied across devices): `.calendars.json` beside the files records each group's
input hash. A reused file keeps the DTSTAMP and DTSTART it was serialized with (RFC 5545: with
METHOD, DTSTAMP is when that calendar object was made; an RRULE's DTSTART may lie in the past),
so an unchanged group's file is the same bytes from export to export.
"""

import hashlib
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Container
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import duckdb
import icalendar
from icalendar import Calendar, Event, Parameters, Timezone, vCategory, vDDDTypes, vRecur, vText, vUri
from icalendar.parser_tools import to_unicode

from schemas.code_digest import files_digest
from schemas.pool import process_pool
from warehouse.publish import attend, ical_lines, records
from warehouse.publish.attend import CRISIS_LINE, Record, contact_text, how_to_attend, place_text, rule_text
from warehouse.publish.ical_lines import fold
from warehouse.schedules import occurrences as occurrences_module
from warehouse.schedules.occurrences import occurrences, rrule_text

PRODID = "-//supportdir//Peer-support directory//EN"
UID_DOMAIN = "supportdir"
# Meetings with no published end time are shown as one hour long (and the description says so).
DEFAULT_LENGTH = timedelta(hours=1)
TIMEZONE_YEARS = 5
CHECKED_GROUP_FILES = 25
END = b"END:VCALENDAR\r\n"
FIRST_EVENT = b"\r\nBEGIN:VEVENT\r\n"
BEGIN_EVENT, END_EVENT = b"BEGIN:VEVENT\r\n", b"\r\nEND:VEVENT\r\n"
MANIFEST = ".calendars.json"
# Record fields no calendar reads that change from crawl to crawl or export to export; last_seen
# is read as its date only (tests/test_exports.py checks that none of them changes a file).
NOT_READ = ("fetched_at", "first_seen", "next_meeting_at")


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
    return _fixed_head() + _line("X-WR-CALNAME", value) + b"\r\n"


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


def _line(name: str, value: Any) -> bytes:
    """One property as a folded content line, the text `Contentline.from_parts` writes for it.

    A value with no parameters is written as NAME:VALUE directly (from_parts builds an empty
    Parameters for it each time), and a value's parameters are written once per distinct set.
    """
    params = getattr(value, "params", None)
    written = _parameters_text(tuple(params.items())) if params else ""
    if written:
        return fold(f"{name};{written}:{to_unicode(value.to_ical())}")
    return fold(f"{name}:{to_unicode(value.to_ical())}")


@lru_cache(maxsize=1024)
def _parameters_text(items: tuple[tuple[str, Any], ...]) -> str:
    """Parameters as from_parts writes them (sorted), once per distinct set (a DTSTART's TZID)."""
    return to_unicode(Parameters(dict(items)).to_ical(sorted=True))


@lru_cache(maxsize=4)
def _stamp_line(now: datetime) -> bytes:
    """DTSTAMP, the export's time in UTC, written once for every event."""
    return _line("DTSTAMP", vDDDTypes(now.astimezone(UTC)))


@lru_cache(maxsize=4096)
def _recurrence_line(rule: str) -> bytes:
    """An RRULE line written once per distinct rule, for the events that repeat by it."""
    return _line("RRULE", vRecur.from_ical(rule))


@lru_cache(maxsize=8)
def _fixed_line(name: str, text: str) -> bytes:
    """A TEXT property with one of a few values (STATUS), written once per value."""
    return _line(name, vText(text))


@lru_cache(maxsize=8192)
def _moment_line(name: str, moment: datetime, zone: str) -> tuple[bytes, str | None]:
    """A DTSTART or DTEND line and its TZID (None for a time in UTC, written with Z), written once
    per time in a zone. `zone` is part of the key: aware datetimes in two zones are equal at one instant."""
    value = vDDDTypes(moment)
    tzid = value.params.get("TZID")
    return _line(name, value), None if tzid is None else str(tzid)


@lru_cache(maxsize=4096)
def _categories_line(labels: tuple[str, ...]) -> bytes:
    """CATEGORIES written once per distinct list of topics and audiences."""
    return _line("CATEGORIES", vCategory(list(labels)))


@lru_cache(maxsize=1)
def _default_length_line() -> bytes:
    """The DURATION of a meeting with no published end, written once."""
    return _line("DURATION", vDDDTypes(DEFAULT_LENGTH))


@dataclass(frozen=True)
class MadeEvent:
    """One serialized VEVENT, with the UID and DTSTART zone its checks need."""

    uid: str
    tzid: str | None  # None: a UTC time, which needs no VTIMEZONE
    data: bytes


def _event(record: Record, position: int, rule: dict, now: datetime) -> MadeEvent | None:
    """The VEVENT of one rule, or None when the rule has no honest first date.

    Each value is typed by icalendar and each content line written as icalendar's
    `Contentline.from_parts` writes it (`_line`), in the order `Event.to_ical` writes them (its
    canonical order, then by name): the same bytes, without building an Event.
    tests/test_ical_lines.py holds these bytes to `Event.to_ical`'s.
    """
    found = occurrences(rule, now)
    if not found:
        return None
    start = found[0]
    dtstart, tzid = _moment_line("DTSTART", start, str(start.tzinfo))
    if rule.get("closes_at"):
        hour, minute = (int(part) for part in rule["closes_at"].split(":"))
        end = start.replace(hour=hour, minute=minute)
        end = end if end > start else end + timedelta(days=1)
        length = _moment_line("DTEND", end, str(end.tzinfo))[0]
    else:
        length = _default_length_line()
    uid = f"{record['listing_id']}-{position}@{UID_DOMAIN}"
    labels = (*(record.get("topics") or []), *(record.get("audiences") or []))
    url = record.get("website") or record.get("registration_url") or record["source_url"]
    lines = [
        _line("SUMMARY", vText(record["name"])), dtstart, length, _stamp_line(now),
        _line("UID", vText(uid)), _recurrence_line(rrule_text(rule)),
        _categories_line(labels or ("support group",)),
        _line("DESCRIPTION", vText(_description(record, rule, bool(rule.get("closes_at"))))),
        _line("LOCATION", vText(_where(record))),
        _fixed_line("STATUS", "CANCELLED" if record["status"] == "inactive" else "CONFIRMED"),
        _line("URL", vUri(url))]
    return MadeEvent(uid, tzid, BEGIN_EVENT + b"\r\n".join(lines) + END_EVENT)


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

    def known_block(self, tzid: str) -> bytes:
        """The VTIMEZONE of a rule's zone, or nothing if it names no zone (its rule makes no event)."""
        try:
            return self.block(tzid)
        except ValueError:  # an unknown TZID
            return b""


def _assemble(name: str, zones: list[bytes], events: list[bytes]) -> bytes:
    """A VCALENDAR of already serialized VTIMEZONEs and VEVENTs (each serialized only once)."""
    return _head(name) + b"".join(zones) + b"".join(events) + END


@lru_cache(maxsize=1)
def _code_version() -> str:
    """The serializer's code: its modules' source and icalendar's version (a change re-serializes all)."""
    modules = (sys.modules[__name__], ical_lines, attend, occurrences_module)
    return files_digest([Path(module.__file__) for module in modules], icalendar.__version__.encode())


def inputs_hash(record: Record, zones: Zones) -> str:
    """A hash of everything a group's file is made of but the export time: the code, the record, its zones."""
    inputs = {key: value for key, value in record.items() if key not in NOT_READ}
    inputs["last_seen"] = (record.get("last_seen") or "")[:10]
    tzids = sorted({rule.get("timezone") or "" for rule in record.get("schedule") or []})
    digest = hashlib.sha256(_code_version().encode())
    # repr of the sorted items: text, numbers, None, lists and the rules' dicts, written one way
    # only (a third of json.dumps's time with sorted keys).
    digest.update(repr(sorted(inputs.items())).encode())
    for tzid in filter(None, tzids):
        digest.update(tzid.encode() + b"\0" + zones.known_block(tzid))
    return digest.hexdigest()


@dataclass
class GroupFile:
    """One group's calendar file as the manifest records it."""

    inputs: str
    sha256: str = ""
    events: int = 0
    left_out: int = 0
    zones: list[str] = field(default_factory=list)


def read_manifest(folder: Path | None) -> dict[str, GroupFile]:
    """The group files of an earlier export by listing id; nothing when there is none or it is unreadable."""
    if folder is None:
        return {}
    try:
        groups = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))["groups"]
        return {listing_id: GroupFile(**entry) for listing_id, entry in groups.items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def _reuse(previous: Path | None, folder: Path, name: str, entry: GroupFile) -> bytes | None:
    """An unchanged group's earlier file linked (or copied) into `folder`: its bytes (empty for a group
    with no events), or None when there is no earlier export or its file is not as recorded."""
    if previous is None:
        return None
    if not entry.events:
        return b""
    try:
        data = (previous / name).read_bytes()
        if hashlib.sha256(data).hexdigest() != entry.sha256:
            return None
        try:
            os.link(previous / name, folder / name)
        except OSError:  # another device, or links not allowed: the same bytes, copied
            (folder / name).write_bytes(data)
    except OSError:
        return None
    return data


def _events_of(data: bytes) -> bytes:
    """The serialized VEVENTs of a group file (they follow its VTIMEZONEs and end before END:VCALENDAR)."""
    return data[data.index(FIRST_EVENT) + 2:-len(END)]


@dataclass
class Calendars:
    """What write_calendars wrote: events per file, rules left out, problems, and the group files reused."""

    files: dict[str, int]
    left_out: dict[str, int]
    problems: list[str]
    reused: int = 0


def write_calendars(records: list[Record], folder: Path, now: datetime,
                    previous: Path | None = None) -> Calendars:
    """Write groups.ics, ics/<listing_id>.ics and the manifest; reuse `previous`'s files of unchanged groups.

    Every event made is checked as it is made (`calendars_problems` then parses a sample of the
    files back); a reused file is the bytes the previous export wrote and checked (its hash is
    compared with the manifest's).
    """
    # What a dead worker left goes first, at once: no file is written through a link it made to a
    # published file, and no one checks 90,000 names one by one for leftovers.
    shutil.rmtree(folder / "ics", ignore_errors=True)
    (folder / "ics").mkdir(parents=True)
    zones = Zones(now)
    earlier = read_manifest(previous) if previous is not None else {}
    written = Calendars({}, {}, [])
    manifest: dict[str, GroupFile] = {}
    every_event: list[bytes] = []
    uids: set[str] = set()
    for record in (r for r in records if r["kind"] == "group"):
        name = f"ics/{record['listing_id']}.ics"
        entry = GroupFile(inputs_hash(record, zones))
        before = earlier.get(record["listing_id"])
        data = _reuse(previous, folder, name, before) if before and before.inputs == entry.inputs else None
        if data is not None:
            entry, blobs = before, ([_events_of(data)] if data else [])
            written.reused += bool(data)
        else:
            blobs = _serialize(record, now, zones, folder / name, entry, uids, written.problems)
        manifest[record["listing_id"]] = entry
        if entry.events:
            every_event += blobs
            written.files[name] = entry.events
    all_zones = [zones.block(tzid) for tzid in sorted(_used_zones(manifest))]
    (folder / "groups.ics").write_bytes(_assemble("Peer-support groups", all_zones, every_event))
    _write_manifest(folder, manifest)
    left_out = sum(entry.left_out for entry in manifest.values())
    written.left_out = {"no_first_date": left_out} if left_out else {}
    written.files = {"groups.ics": sum(written.files.values()), **written.files}
    return written


def _serialize(record: Record, now: datetime, zones: Zones, path: Path, entry: GroupFile,
               uids: set[str], problems: list[str]) -> list[bytes]:
    """Make, check and write one group's events (no file if none), filling in `entry`; the events' bytes."""
    events = []
    for position, rule in enumerate(record.get("schedule") or []):
        event = _event(record, position, rule, now)
        if event is None:
            entry.left_out += 1
        else:
            events.append(event)
    if not events:
        return []
    entry.zones = sorted({event.tzid for event in events if event.tzid})
    entry.events = len(events)
    own_zones = {tzid: zones.block(tzid) for tzid in entry.zones}
    for event in events:
        problems += _uid_and_zone_problems(event.uid, event.tzid, own_zones, f"ics/{path.name}", uids)
    blobs = [event.data for event in events]
    data = _assemble(record["name"], list(own_zones.values()), blobs)
    path.write_bytes(data)
    entry.sha256 = hashlib.sha256(data).hexdigest()
    return blobs


class Apart:
    """write_calendars in a worker process while the export writes its other files (a big export), else here.

    The worker is spawned (schemas.pool) as soon as the export table is made, and loads the groups'
    records itself from a DuckDB file of their own (records.save_groups), while this process loads
    them for the other writers. If it dies, the calendars are written here when collected (over any
    file it left). Leaving the block waits for the worker and removes that file.
    """

    def __init__(self, apart: bool):
        self.apart = apart
        self.pool: ProcessPoolExecutor | None = None
        self.sent: Future | None = None
        self.side: Path | None = None

    def __enter__(self) -> "Apart":
        return self

    def start(self, con: duckdb.DuckDBPyConnection, folder: Path, now: datetime,
              previous: Path | None) -> "Apart":
        """Begin writing the calendars (in the worker, if apart) from the export table of `con`."""
        self.args = (folder, now, previous)
        if self.apart:
            self.side = Path(tempfile.mkdtemp(prefix="supportdir-calendars-"))
            groups = records.save_groups(con, self.side / "groups.duckdb")
            self.pool = process_pool(1)
            self.sent = self.pool.submit(write_calendars_from, groups, *self.args)
        return self

    def result(self, found: list[Record]) -> Calendars:
        """The calendars written: the worker's answer, or written here from the export's records."""
        if self.sent is not None:
            try:
                return self.sent.result()
            except BrokenProcessPool:
                pass
        return write_calendars(found, *self.args)  # it writes the groups' calendars only

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)
        if self.side is not None:
            shutil.rmtree(self.side, ignore_errors=True)


def write_calendars_from(groups: Path, folder: Path, now: datetime, previous: Path | None) -> Calendars:
    """write_calendars of the groups' records saved in `groups` (records.save_groups): a worker's task."""
    return write_calendars(records.load_groups(groups), folder, now, previous)


def _used_zones(manifest: dict[str, GroupFile]) -> set[str]:
    """The zones of every event written."""
    return {tzid for entry in manifest.values() if entry.events for tzid in entry.zones}


def _write_manifest(folder: Path, manifest: dict[str, GroupFile]) -> None:
    """`.calendars.json`: each group's input hash and file, read by the next export to reuse files."""
    groups = {listing_id: entry.__dict__ for listing_id, entry in manifest.items()}
    (folder / MANIFEST).write_text(json.dumps({"groups": groups}, separators=(",", ":")), encoding="utf-8")


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
    """What is wrong with an event read back: a property missing, a zone with no VTIMEZONE, a UID twice."""
    uid = str(event.get("UID", "?"))
    missing = [key for key in ("UID", "DTSTART", "DTSTAMP", "RRULE", "SUMMARY") if key not in event]
    if missing:
        return [f"{name} {uid}: missing {', '.join(missing)}"]
    return _uid_and_zone_problems(uid, event["DTSTART"].params.get("TZID"), zones, name, uids)


def _uid_and_zone_problems(uid: str, tzid: str | None, zones: Container[str], name: str,
                           uids: set[str]) -> list[str]:
    """A DTSTART zone without VTIMEZONE (a UTC time has none), a UID seen before (then kept in `uids`)."""
    problems = []
    if tzid is not None and tzid not in zones:
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

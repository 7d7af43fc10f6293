"""The weekly groups as a Meeting Guide JSON feed (meetings.json), the format meeting apps read.

One entry per group and weekday: a group meeting on Tuesdays and Thursdays is two entries with
their own slugs (`...-tu`, `...-th`), so every app gets a plain `day` number (0 = Sunday).
What the format cannot express is left out and counted: monthly rules, rules every 2 or more
weeks, and groups with no rule, no start time or no time zone. Coordinates are given for published or
geocoded points, and for ZIP or city centres flagged `approximate: "yes"`; never for a state's.
A join link or dial-in is given only where the source publishes it.
"""

import json
from collections import Counter
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from typing import Any

from warehouse.publish.attend import Record, how_to_attend, listing_slug, place_text

DAY_NUMBERS = {"SU": 0, "MO": 1, "TU": 2, "WE": 3, "TH": 4, "FR": 5, "SA": 6}
APPROXIMATE = ("zip", "city")
EXACT = ("source", "rooftop")
ATTENDANCE_OPTION = {"in_person": "in_person", "online": "online", "hybrid": "hybrid", "phone": "online"}


def _expressible(rule: Mapping) -> str | None:
    """Why a rule cannot be a Meeting Guide entry, or None when it can."""
    if rule["freq"] != "WEEKLY":
        return "monthly"
    if int(rule.get("interval") or 1) > 1:
        return "every_n_weeks"
    if not rule.get("opens_at"):
        return "no_start_time"
    if not rule.get("timezone"):
        return "no_timezone"  # a time with no zone (no place, none stated) would mislead an app
    return None


def _entity(record: Record, parents: dict[str, Record]) -> dict[str, str]:
    """The body behind the meeting (its chapter, else its alliance), with its contact points."""
    parent = parents.get(record.get("parent") or "")
    fields = {"entity": parent["name"] if parent else record["organization"]}
    if parent:
        for key in ("email", "phone", "website"):
            if parent.get(key):
                fields[f"entity_{'url' if key == 'website' else key}"] = parent[key]
    return fields


def _place(record: Record) -> dict[str, Any]:
    """Address fields, formatted_address and coordinates (approximate ones flagged)."""
    fields: dict[str, Any] = {}
    for key, source in (("location", "location_name"), ("address", "street"), ("city", "city"),
                        ("state", "state"), ("postal_code", "postal_code"), ("country", "country")):
        if record.get(source):
            fields[key] = record[source]
    if place_text(record):
        fields["formatted_address"] = ", ".join(filter(None, [record.get("street"), record.get("city"),
                                                              " ".join(filter(None, [record.get("state"),
                                                                                     record.get("postal_code")])),
                                                              record.get("country")]))
    precision = record.get("geo_precision")
    if record.get("latitude") is not None and precision in EXACT + APPROXIMATE:
        fields.update(latitude=record["latitude"], longitude=record["longitude"])
        fields["approximate"] = "yes" if precision in APPROXIMATE else "no"
    return fields


def _sentences(*parts: str | None) -> str:
    """Texts joined as sentences (a full stop added where one is missing)."""
    texts = [p.strip() for p in parts if p and p.strip()]
    return " ".join(t if t[-1] in ".!?" else f"{t}." for t in texts)


def _entry(record: Record, rule: Mapping, day: str, parents: dict[str, Record], several: bool) -> dict:
    """One meeting of the feed: one group on one weekday."""
    slug = listing_slug(record) + (f"-{day.lower()}" if several else "")
    entry: dict[str, Any] = {
        "name": record["name"], "slug": slug, "day": DAY_NUMBERS[day], "time": rule["opens_at"],
        "end_time": rule.get("closes_at") or "", "timezone": rule.get("timezone") or record.get("timezone"),
        # Codes the spec does not define (some feeds invent their own) stay in the flat export only.
        "types": [code for code in record.get("meeting_types") or [] if code in type_codes()],
        "notes": _sentences(record.get("description"), how_to_attend(record)),
        "updated": record["last_seen"].replace("T", " ").rstrip("Z"),
        "url": record.get("website") or record["source_url"],
        "attendance_option": "inactive" if record["status"] == "inactive"
        else ATTENDANCE_OPTION.get(record["attendance"], "in_person"),
        **_place(record), **_entity(record, parents),
    }
    if record.get("conference_url"):
        entry["conference_url"] = record["conference_url"]
    if record.get("conference_phone"):
        entry["conference_phone"] = record["conference_phone"]
    if record.get("registration_url") and not record.get("conference_url"):
        entry["conference_url_notes"] = f"Register at {record['registration_url']} for the join details."
    return {key: value for key, value in entry.items() if value is not None}


def build_feed(records: list[Record]) -> tuple[list[dict], dict[str, int]]:
    """The feed's entries, and how many groups were left out, by reason."""
    parents = {r["listing_id"]: r for r in records if r["kind"] != "group"}
    entries: list[dict] = []
    left_out: Counter[str] = Counter()
    for record in (r for r in records if r["kind"] == "group"):
        rules = record.get("schedule") or []
        usable = [rule for rule in rules if _expressible(rule) is None]
        if not usable:
            left_out[_expressible(rules[0]) if rules else "no_schedule"] += 1
            continue
        days = [day for rule in usable for day in rule["byday"].split(",")]
        for rule in usable:
            for day in rule["byday"].split(","):
                entries.append(_entry(record, rule, day, parents, several=len(days) > 1))
    return entries, dict(sorted(left_out.items()))


def feed_schema() -> dict[str, Any]:
    """The JSON schema of meetings.json (schemas/meeting_guide.schema.json)."""
    return json.loads(resources.files("schemas").joinpath("meeting_guide.schema.json").read_text("utf-8"))


@lru_cache(maxsize=1)
def type_codes() -> frozenset[str]:
    """Meeting Guide type codes (code4recovery spec, types.json, MIT)."""
    text = resources.files("schemas").joinpath("standards/meeting-guide/types.json").read_text("utf-8")
    return frozenset(json.loads(text))


def feed_problems(entries: list[dict]) -> list[str]:
    """What is wrong with a feed: schema errors, duplicate slugs, unknown type codes."""
    from jsonschema import Draft202012Validator, FormatChecker

    validator = Draft202012Validator(feed_schema(), format_checker=FormatChecker())
    problems = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(entries)]
    slugs = Counter(entry.get("slug") for entry in entries)
    problems += [f"duplicate slug {slug}" for slug, n in slugs.items() if n > 1]
    codes = type_codes()
    problems += [f"unknown type {code} in {e.get('slug')}" for e in entries for code in e.get("types", [])
                 if code not in codes]
    return problems

"""The weekly groups as a Meeting Guide JSON feed (meetings.json), the format meeting apps read.

One entry per group and weekday: a group meeting on Tuesdays and Thursdays is two entries with
their own slugs (`...-tu`, `...-th`), so every app gets a plain `day` number (0 = Sunday).
What the format cannot express is left out and counted: monthly rules, rules every 2 or more
weeks, and groups with no rule, no start time or no time zone. So is what the clients would show
wrongly (warehouse/publish/feed_rules.py has their rules): a group neither online (a join link on a
known host, a dial-in) nor meeting at a street it gives would be shown as Inactive, so it is left
out by reason (registration_only, no_join_details, unknown_conference_host, no_specific_address,
location_temporarily_closed, inactive). `approximate` says whether the address is a street; an
online group without a city or state is placed at the city its time zone is named after. Coordinates
are given only for a street with an exact point. A join link or dial-in is given only where the
source publishes it. The source feed's `group`, `region`, `sub_region`, `location_notes` and
`updated` are carried as those fields.
"""

import json
from collections import Counter
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from typing import Any

from schemas.json_checks import schema_problems
from warehouse.publish.attend import Record, how_to_attend, listing_slug
from warehouse.publish.feed_rules import IN_PERSON_TYPES, conference_host_known, dialable, rule_problems

DAY_NUMBERS = {"SU": 0, "MO": 1, "TU": 2, "WE": 3, "TH": 4, "FR": 5, "SA": 6}
EXACT = ("source", "rooftop")
MEETS_THERE = ("in_person", "hybrid", "unknown")  # attendance read as "at the street it gives"
ONLINE = ("online", "hybrid", "phone")
ZONE_REGION = "Online"  # the region of an online group placed by its time zone alone (as the spec allows)


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


def _in_person(record: Record) -> bool:
    """The group meets at a street address it gives, not closed for now (`TC`): shown in person."""
    return (bool(record.get("street")) and record.get("attendance") in MEETS_THERE
            and "TC" not in (record.get("meeting_types") or []))


def _join(record: Record) -> dict[str, str]:
    """The join link and dial-in the client can use (a link on a host it does not know is only in notes)."""
    found = {}
    if conference_host_known(record.get("conference_url")):
        found["conference_url"] = record["conference_url"]
    if dialable(record.get("conference_phone")):
        found["conference_phone"] = record["conference_phone"]
    return found if record.get("attendance") in ONLINE else {}


def _left_out(record: Record, place: dict[str, Any] | None) -> str | None:
    """Why a group cannot be a meeting the client shows as it is, or None when it can.

    The client shows a meeting as online only with a join link or dial-in, and as in person only
    at a specific address; anything else it shows as Inactive. A group that gives only a
    registration page is left out: the spec's `conference_url` launches the meeting itself, and the
    client drops `conference_url_notes` without one (the other exports keep the registration step).
    """
    if record["status"] == "inactive":
        return "inactive"
    if _in_person(record) or _join(record):
        return "no_place" if place is None else None
    if record.get("attendance") in ONLINE:
        if record.get("registration_url"):
            return "registration_only"
        if record.get("conference_url"):
            return "unknown_conference_host"
        return "no_join_details"
    if "TC" in (record.get("meeting_types") or []):
        return "location_temporarily_closed"
    return "no_specific_address"


def _place(record: Record) -> dict[str, Any] | None:
    """Address fields, formatted_address, `approximate` (no street: "yes") and exact coordinates.

    Only a group meeting at its street gets the street, its place name and its point (a ZIP or
    city centre is left out: the client's directions go to the point over the address). Any other
    group gets its city, state and ZIP, else the place its time zone is named after; None if none.
    """
    specific = _in_person(record)
    fields = {key: record[source] for key, source in
              (("location", "location_name"), ("address", "street"), ("city", "city"), ("state", "state"),
               ("postal_code", "postal_code"), ("country", "country"))
              if record.get(source) and (specific or key not in ("location", "address"))}
    if not specific and not ({"city", "state", "postal_code"} & fields.keys()):
        zone_place = place_of_zone(record.get("timezone") or "")
        if zone_place is None:
            return None
        fields = {**zone_place, "region": ZONE_REGION}
    state_zip = " ".join(filter(None, [fields.get("state"), fields.get("postal_code")]))
    parts = [fields.get("address"), fields.get("city"), state_zip, fields.get("country")]
    fields["formatted_address"] = ", ".join(filter(None, parts))
    fields["approximate"] = "no" if specific else "yes"
    if specific and record.get("latitude") is not None and record.get("geo_precision") in EXACT:
        fields.update(latitude=record["latitude"], longitude=record["longitude"])
    return fields


@lru_cache(maxsize=64)
def place_of_zone(zone: str) -> dict[str, str] | None:
    """The US city an IANA zone is named after ("America/Chicago" -> Chicago, IL), or None.

    The spec asks an online meeting for an approximate place that implies its time zone: the
    zone's own city does, and the meeting says `approximate: "yes"`.
    """
    import zipcodes

    city = zone.rsplit("/", 1)[-1].replace("_", " ")
    states = Counter(z["state"] for z in zipcodes.filter_by(city=city) if z.get("timezone") == zone)
    if not states:
        return None
    return {"city": city, "state": states.most_common(1)[0][0], "country": "US"}


def _sentences(*parts: str | None) -> str:
    """Texts joined as sentences (a full stop added where one is missing)."""
    texts = [p.strip() for p in parts if p and p.strip()]
    return " ".join(t if t[-1] in ".!?" else f"{t}." for t in texts)


def _updated(record: Record) -> str:
    """When the source last updated the meeting (as its feed says), else when we last saw it (UTC)."""
    return record.get("source_updated") or record["last_seen"].replace("T", " ").rstrip("Z")[:19]


def _entry(record: Record, rule: Mapping, day: str, parents: dict[str, Record], place: dict[str, Any],
           several: bool) -> dict:
    """One meeting of the feed: one group on one weekday."""
    slug = listing_slug(record) + (f"-{day.lower()}" if several else "")
    join = _join(record)
    in_person = place["approximate"] == "no"
    attendance = "hybrid" if join and in_person else "online" if join else "in_person"
    types = [code for code in record.get("meeting_types") or [] if code in type_codes()]
    entry: dict[str, Any] = {
        "name": record["name"], "slug": slug, "day": DAY_NUMBERS[day], "time": rule["opens_at"],
        "end_time": rule.get("closes_at"), "timezone": rule.get("timezone") or record.get("timezone"),
        # Codes the spec does not define (some feeds invent their own) stay in the flat export only;
        # in-person ones (wheelchair access...) only where the client shows the meeting in person.
        "types": [code for code in types if in_person or code not in IN_PERSON_TYPES],
        "notes": _sentences(record.get("description"), how_to_attend(record)),
        "updated": _updated(record),
        "url": record.get("website") or record["source_url"],
        "attendance_option": attendance,
        "group": record.get("meeting_group"), "location_notes": record.get("location_notes"),
        **place, **join, **_entity(record, parents),
        "region": record.get("region") or place.get("region"), "sub_region": record.get("sub_region"),
    }
    return {key: value for key, value in entry.items() if value is not None and value != ""}


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
        place = _place(record)
        reason = _left_out(record, place)
        if reason or place is None:
            left_out[reason or "no_place"] += 1
            continue
        days = [day for rule in usable for day in rule["byday"].split(",")]
        for rule in usable:
            for day in rule["byday"].split(","):
                entries.append(_entry(record, rule, day, parents, place, several=len(days) > 1))
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
    """What is wrong with a feed: schema errors, then each broken client rule ("rule: slug: what")."""
    problems = schema_problems(entries, feed_schema(), formats=True)
    return problems + [f"{rule}: {slug}: {what}" for rule, slug, what in rule_problems(entries, type_codes())]

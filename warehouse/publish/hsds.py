"""The directory as Open Referral HSDS 3.0 tables (rows as dicts, one list per table).

The mapping: each alliance (the listing's `organization`) is a top-level organization; state
bodies and chapters are organizations under their parent (`parent_organization_id`); groups, day
programs and warmlines are services of their chapter (else of their alliance), offered at
locations (service_at_location): a physical location where the group or program has a place, a
`virtual` one when a group meets online or by phone. A warmline has no location: its phone row is
how to reach it and its schedule rows are its hours. Day programs and warmlines carry a `kind`
attribute (taxonomy "supportdir service kinds") so they can be told from groups.
Schedule rules are schedule rows; topics, audiences and Meeting Guide types are attributes
pointing at taxonomy terms; every listing-based record has a `metadata` row saying where it came
from and when it was last seen. Ids are UUIDs derived from the listing id and the table, so they
stay the same from one export to the next.
"""

import uuid
from collections import Counter
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from schemas.stable_id import Namespace
from warehouse.publish.attend import Record, contact_text, how_to_attend, place_text, rule_text
from warehouse.schedules.occurrences import occurrences

HSDS_NAMESPACE = uuid.UUID("0b7d3b0c-4f7e-5c55-9d6e-2f1d6c2c9a35")
HSDS_IDS = Namespace(HSDS_NAMESPACE)
TABLES = ("organization", "service", "location", "address", "phone", "contact", "schedule",
          "service_at_location", "taxonomy", "taxonomy_term", "attribute", "metadata")
TAXONOMIES = {
    "topic": ("supportdir topics", "What a group or chapter is about (e.g. depression, bipolar)."),
    "audience": ("supportdir audiences", "Who a group or chapter is for (e.g. peers, family)."),
    "kind": ("supportdir service kinds",
             "What kind of service a listing is, where it is not a group: program (a day program people "
             "attend, e.g. a clubhouse or a peer or drop-in center), line (a peer-run warmline, not a crisis "
             "line)."),
    "meeting_type": ("Meeting Guide meeting types",
                     "Meeting type codes of the Meeting Guide format (code4recovery spec, types.json)."),
}
MEETING_GUIDE_TYPES_URI = "https://github.com/code4recovery/spec"
PRECISE = ("source", "rooftop")
SERVICE_KINDS = ("group", "program", "line")  # listings that are services; the others are organizations

Tables = dict[str, list[dict]]


def hsds_id(table: str, *parts: str) -> str:
    """A stable UUID for one row of one table."""
    return HSDS_IDS.id_for(":".join((table, *parts)))


@lru_cache(maxsize=4096)
def shared_id(table: str, *parts: str) -> str:
    """`hsds_id` of a row many rows point at (an alliance, a taxonomy term), derived once."""
    return hsds_id(table, *parts)


def build_tables(records: list[Record], now: datetime, run_id: str) -> Tables:
    """Every HSDS table the directory uses, from the export records."""
    tables: Tables = {name: [] for name in TABLES}
    by_id = {r["listing_id"]: r for r in records}
    members: dict[str, list[Record]] = {}
    for record in records:
        members.setdefault(record["organization"], []).append(record)
    for alliance in sorted(members):
        _alliance(tables, alliance, members[alliance], run_id)
    for record in records:
        owner = _owner_id(record, by_id)
        if record["kind"] in SERVICE_KINDS:
            _service(tables, record, owner, now, run_id)
        else:
            _organization(tables, record, owner, run_id)
    _taxonomies(tables)
    return tables


def _owner_id(record: Record, by_id: dict[str, Record]) -> str:
    """The HSDS organization above a listing: its parent chapter or body, else its alliance."""
    parent = by_id.get(record.get("parent") or "")
    if parent is not None and parent["kind"] not in SERVICE_KINDS:
        return hsds_id("organization", parent["listing_id"])
    return shared_id("organization", "alliance", record["organization"])


def _alliance(tables: Tables, name: str, members: list[Record], run_id: str) -> None:
    """The national alliance as the top organization, derived from its listings' `organization`."""
    org_id = hsds_id("organization", "alliance", name)
    sources = ", ".join(sorted({m["source"] for m in members}))
    tables["organization"].append({
        "id": org_id, "name": name,
        "description": f"{name}, the national alliance whose public listings (source: {sources}) "
                       "this directory collects.",
    })
    seen = max(m["last_seen"] for m in members)
    tables["metadata"].append(_metadata(org_id, "organization", seen, "derived", "name", name,
                                        f"supportdir {run_id} (organization of {len(members)} listings)"))


def _organization(tables: Tables, record: Record, parent_id: str, run_id: str) -> None:
    """A state body or chapter: organization, its office location, phone, contact, attributes."""
    org_id = hsds_id("organization", record["listing_id"])
    tables["organization"].append({
        "id": org_id, "name": record["name"], "parent_organization_id": parent_id,
        "description": record.get("description") or
        f"{record['kind'].capitalize()} of {record['organization']}. Contact: {contact_text(record)}.",
        "email": record.get("email"), "website": record.get("website"),
    })
    _location(tables, record, org_id, "place", service_id=None)
    _phone(tables, record, record.get("phone"), organization_id=org_id)
    _contact(tables, record, organization_id=org_id)
    _attributes(tables, record, org_id, "organization")
    tables["metadata"].append(_provenance(record, org_id, "organization", run_id))


def _service(tables: Tables, record: Record, org_id: str, now: datetime, run_id: str) -> None:
    """A group, day program or warmline: service, its locations (physical and/or virtual; none for a
    warmline), schedules (a warmline's hours), phones, attributes."""
    service_id = hsds_id("service", record["listing_id"])
    tables["service"].append({
        "id": service_id, "organization_id": org_id, "name": record["name"],
        "description": record.get("description"), "email": record.get("email"),
        "url": record.get("website") or record.get("registration_url") or record["source_url"],
        "status": "inactive" if record["status"] == "inactive" else "active",
        "application_process": how_to_attend(record),
        "last_modified": record["last_seen"],
    })
    places = []
    if record["kind"] != "line":  # a warmline has no place: its phone row is how to reach it
        if record["attendance"] not in ("online", "phone"):
            places.append(_location(tables, record, org_id, "place", service_id))
        if record["attendance"] in ("online", "hybrid", "phone"):
            places.append(_virtual_location(tables, record, org_id, service_id))
    first = next((p for p in places if p), None)
    for position, rule in enumerate(record.get("schedule") or []):
        if unscheduled(rule) is None:
            tables["schedule"].append(_schedule(record, rule, position, service_id, first, now))
    _phone(tables, record, record.get("phone"), service_id=service_id)
    _contact(tables, record, service_id=service_id)
    _attributes(tables, record, service_id, "service")
    tables["metadata"].append(_provenance(record, service_id, "service", run_id))


def _location(tables: Tables, record: Record, org_id: str, role: str, service_id: str | None) -> str | None:
    """The physical or postal place of a listing (with its address when complete); None if no place."""
    if not (record.get("city") or record.get("street") or record.get("latitude") is not None):
        return None
    location_id = hsds_id("location", record["listing_id"], role)
    postal = (record.get("street") or "").upper().replace(".", "").startswith(("PO BOX", "P O BOX"))
    kind = "postal" if postal else "physical"
    precise = record.get("geo_precision") in PRECISE
    tables["location"].append({
        "id": location_id, "location_type": kind, "organization_id": org_id,
        "name": record.get("location_name") or place_text(record) or None,
        "description": None if precise or record.get("latitude") is None else
        f"Approximate point: the centre of the listing's {record['geo_precision']}.",
        "latitude": record.get("latitude"), "longitude": record.get("longitude"),
    })
    if all(record.get(k) for k in ("street", "city", "state", "postal_code")):
        tables["address"].append({
            "id": hsds_id("address", record["listing_id"], role), "location_id": location_id,
            "address_1": record["street"], "city": record["city"], "state_province": record["state"],
            "postal_code": record["postal_code"], "country": record.get("country") or "US",
            "address_type": kind,
        })
    if service_id:
        _service_at(tables, record, service_id, location_id, role)
    return location_id


def _virtual_location(tables: Tables, record: Record, org_id: str, service_id: str) -> str:
    """Where an online or phone group meets: a virtual location (its join link only if published)."""
    location_id = hsds_id("location", record["listing_id"], "virtual")
    by_phone = record["attendance"] == "phone"
    tables["location"].append({
        "id": location_id, "location_type": "virtual", "organization_id": org_id,
        "url": record.get("conference_url"),
        "name": "By phone (conference call)" if by_phone else "Online",
        "description": how_to_attend(record),
    })
    sal_id = _service_at(tables, record, service_id, location_id, "virtual")
    _phone(tables, record, record.get("conference_phone"), location_id=location_id,
           service_at_location_id=sal_id, description="Conference line of the group")
    return location_id


def _service_at(tables: Tables, record: Record, service_id: str, location_id: str, role: str) -> str:
    """The link between a group and one of its locations."""
    sal_id = hsds_id("service_at_location", record["listing_id"], role)
    tables["service_at_location"].append({"id": sal_id, "service_id": service_id, "location_id": location_id})
    return sal_id


def unscheduled(rule: dict) -> str | None:
    """Why a rule is no HSDS schedule row (its times could not carry a UTC offset), or None.

    A rule with no zone would be read as UTC; one repeating every 2 or more weeks or months has no
    first date (as in the feed and the calendars), so which weeks it meets is unknown.
    """
    if not rule.get("timezone"):
        return "no_timezone"
    if int(rule.get("interval") or 1) > 1:
        return "no_first_date"
    return None


def schedules_left_out(records: list[Record]) -> dict[str, int]:
    """The schedule rules of services left out of the HSDS schedule table, by reason."""
    reasons = Counter(unscheduled(rule) for record in records if record["kind"] in SERVICE_KINDS
                      for rule in record.get("schedule") or [])
    return {reason: count for reason, count in reasons.items() if reason}


def _schedule(record: Record, rule: dict, position: int, service_id: str, location_id: str | None,
              now: datetime) -> dict:
    """One schedule row: the RFC 5545 rule, times with the UTC offset of the next meeting.

    The offset is the zone's (ZoneInfo) at the next meeting, or now when the rule has no start time.
    """
    upcoming = occurrences(rule, now, dtstart=None)
    moment = upcoming[0] if upcoming else now.astimezone(ZoneInfo(rule["timezone"]))
    offset = moment.utcoffset() or timedelta()
    hours = offset.total_seconds() / 3600
    total = int(offset.total_seconds() // 60)
    suffix = f"{'-' if total < 0 else '+'}{abs(total) // 60:02d}:{abs(total) % 60:02d}"

    def clock(value: str | None) -> str | None:
        return f"{value}:00{suffix}" if value else None

    return {
        "id": hsds_id("schedule", record["listing_id"], str(position)), "service_id": service_id,
        "location_id": location_id, "freq": rule["freq"], "interval": rule["interval"],
        "byday": rule["byday"], "opens_at": clock(rule.get("opens_at")),
        "closes_at": clock(rule.get("closes_at")),
        "timezone": int(hours) if hours.is_integer() else hours,
        "description": rule_text(rule), "attending_type": record["attendance"],
        "schedule_link": record.get("registration_url") or record["source_url"],
        "notes": f"Times are local to {rule['timezone']} (IANA); the UTC offset shown is the one "
                 f"of the next meeting.",
    }


def _phone(tables: Tables, record: Record, number: str | None, description: str | None = None,
           **links: str | None) -> None:
    """A published phone number attached to an organization, service or location."""
    if not number:
        return
    owner = next(value for value in links.values() if value)
    extension = record.get("phone_extension") if number == record.get("phone") else None
    tables["phone"].append({
        "id": hsds_id("phone", owner, number), **links, "number": number,
        "extension": int(extension) if extension and extension.isdigit() else None,
        "type": "voice", "description": description,
    })


def _contact(tables: Tables, record: Record, **links: str | None) -> None:
    """The listing's public contact point (an email the organization publishes)."""
    if record.get("email"):
        owner = next(value for value in links.values() if value)
        tables["contact"].append({"id": hsds_id("contact", owner), **links,
                                  "title": f"Public contact of {record['name']}", "email": record["email"]})


def _attributes(tables: Tables, record: Record, link_id: str, entity: str) -> None:
    """Topics, audiences and Meeting Guide types as attributes pointing at taxonomy terms."""
    for link_type, values in (("topic", record.get("topics")), ("audience", record.get("audiences")),
                              ("meeting_type", record.get("meeting_types")),
                              ("kind", [record["kind"]] if record["kind"] in ("program", "line") else [])):
        for value in values or []:
            term_id = shared_id("taxonomy_term", link_type, value)
            tables["attribute"].append({"id": hsds_id("attribute", link_id, term_id), "link_id": link_id,
                                        "taxonomy_term_id": term_id, "link_type": link_type,
                                        "link_entity": entity, "value": value})


def _taxonomies(tables: Tables) -> None:
    """One taxonomy per kind of attribute and one term per value used."""
    used = sorted({(a["link_type"], a["value"]) for a in tables["attribute"]})
    for link_type, (name, description) in TAXONOMIES.items():
        if not any(kind == link_type for kind, _ in used):
            continue
        taxonomy_id = hsds_id("taxonomy", link_type)
        tables["taxonomy"].append({"id": taxonomy_id, "name": name, "description": description,
                                   "uri": MEETING_GUIDE_TYPES_URI if link_type == "meeting_type" else None})
        for _, value in (u for u in used if u[0] == link_type):
            tables["taxonomy_term"].append({
                "id": hsds_id("taxonomy_term", link_type, value), "code": f"{link_type}:{value}",
                "name": value, "description": f"{name}: {value}", "taxonomy": name,
                "taxonomy_id": taxonomy_id})


def _provenance(record: Record, resource_id: str, resource_type: str, run_id: str) -> dict:
    """Where a record came from (its page) and when it was last seen there."""
    action = "verified" if record["last_seen"] != record["first_seen"] else "created"
    return _metadata(resource_id, resource_type, record["last_seen"], action, "source_url",
                     record["source_url"], f"supportdir {run_id} (source {record['source']}, "
                     f"key {record['source_key']}, fetched {record['fetched_at']})")


def _metadata(resource_id: str, resource_type: str, seen: str, action: str, field: str, value: str,
              by: str) -> dict:
    """A metadata row; a re-verified value is its own previous value."""
    return {"id": hsds_id("metadata", resource_id, field), "resource_id": resource_id,
            "resource_type": resource_type, "last_action_date": seen[:10], "last_action_type": action,
            "field_name": field, "previous_value": value, "replacement_value": value, "updated_by": by}


def used_tables(tables: Tables) -> Iterable[str]:
    """The tables with rows, in HSDS order."""
    return [name for name in TABLES if tables[name]]

"""A listing in words: how to attend, how to contact, where and when it meets (for every export).

A record is one row of the JSON export (warehouse/publish/sql/export_json.sql) plus the extras of
warehouse/publish/sql/export_extras.sql: plain dicts, lists and strings.
"""

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

Record = dict[str, Any]

CRISIS_LINE = ("If you or someone you know is in crisis, call or text 988 (Suicide & Crisis Lifeline, US). "
               "This directory lists peer-support groups; it is not a crisis service.")
DAY_NAMES = {"MO": "Monday", "TU": "Tuesday", "WE": "Wednesday", "TH": "Thursday", "FR": "Friday",
             "SA": "Saturday", "SU": "Sunday"}
ORDINALS = {"1": "1st", "2": "2nd", "3": "3rd", "4": "4th", "5": "5th", "-1": "last", "-2": "2nd-to-last"}
BYDAY_PART = re.compile(r"^(?P<ordinal>[+-]?\d)?(?P<day>[A-Z]{2})$")


def slugify(text: str) -> str:
    """ASCII words, hyphenated ("Families for Care – Monday" -> "families-for-care-monday")."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "listing"


def listing_slug(record: Mapping) -> str:
    """A unique, stable slug: the name's slug and the start of the listing id."""
    return f"{slugify(record['name'])}-{record['listing_id'][:8]}"


def clock_text(hhmm: str | None) -> str:
    """"19:30" -> "7:30 PM"; "" when unknown."""
    if not hhmm:
        return ""
    hour, minute = (int(part) for part in hhmm.split(":"))
    suffix = "AM" if hour < 12 else "PM"
    return f"{(hour % 12) or 12}:{minute:02d} {suffix}"


def _days_text(byday: str) -> str:
    """"TU,TH" -> "Tuesdays and Thursdays"; "2WE,4WE" -> "2nd and 4th Wednesday of the month"."""
    parts = [BYDAY_PART.match(part) for part in byday.split(",")]
    if any(p is None for p in parts):
        return byday
    if all(p["ordinal"] is None for p in parts):
        return _join([f"{DAY_NAMES[p['day']]}s" for p in parts])
    days = {p["day"] for p in parts}
    ordinals = _join([ORDINALS.get((p["ordinal"] or "1").lstrip("+"), p["ordinal"] or "") for p in parts])
    if len(days) == 1:
        return f"{ordinals} {DAY_NAMES[days.pop()]} of the month"
    each = [f"{ORDINALS.get((p['ordinal'] or '1').lstrip('+'), '')} {DAY_NAMES[p['day']]}" for p in parts]
    return _join(each) + " of the month"


def _join(words: list[str]) -> str:
    """"a", "a and b", "a, b and c"."""
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def rule_text(rule: Mapping, with_zone: bool = True) -> str:
    """One schedule rule in words: "Tuesdays and Thursdays, 6:30 PM–8:00 PM (America/New_York)"."""
    when = _days_text(rule["byday"])
    if rule.get("freq") == "WEEKLY" and int(rule.get("interval") or 1) > 1:
        when = f"every {rule['interval']} weeks on {when}"
    elif rule.get("freq") == "MONTHLY" and int(rule.get("interval") or 1) > 1:
        when = f"{when}, every {rule['interval']} months"
    hours = clock_text(rule.get("opens_at"))
    if hours and rule.get("closes_at"):
        hours = f"{hours}–{clock_text(rule['closes_at'])}"
    zone = f" ({rule['timezone']})" if rule.get("timezone") and with_zone else ""
    return f"{when}, {hours}{zone}" if hours else f"{when}{zone}"


def schedule_text(record: Mapping, with_zone: bool = True) -> str:
    """Every rule of a listing in words, else the schedule as published, else ""."""
    rules = record.get("schedule") or []
    if rules:
        return "; ".join(rule_text(rule, with_zone) for rule in rules)
    return record.get("schedule_text") or ""


def place_text(record: Mapping) -> str:
    """The meeting place or office in one line: place name, street, "City, ST ZIP"."""
    city_line = " ".join(filter(None, [", ".join(filter(None, [record.get("city"), record.get("state")])),
                                       record.get("postal_code")]))
    return ", ".join(filter(None, [record.get("location_name"), record.get("street"), city_line]))


def how_to_attend(record: Mapping) -> str:
    """How a person joins: in person where, online or by phone how (never a withheld link)."""
    attendance = record.get("attendance") or "unknown"
    if record.get("kind") == "line":
        return _how_to_reach_line(record)
    ways = []
    if attendance in ("in_person", "hybrid"):
        ways.append(f"In person at {place_text(record) or 'the place the group gives'}.")
    if attendance in ("online", "hybrid"):
        if record.get("conference_url"):
            ways.append(f"Online: join at {record['conference_url']}.")
        elif record.get("registration_url"):
            ways.append(f"Online: register at {record['registration_url']} to get the join link.")
        else:
            ways.append("Online: ask the group for the join link.")
    if attendance == "phone" or (attendance == "hybrid" and record.get("conference_phone")):
        if record.get("conference_phone"):
            ways.append(f"By phone: call {record['conference_phone']}.")
        elif record.get("registration_url"):
            ways.append(f"By phone: register at {record['registration_url']} to get the dial-in number.")
        else:
            ways.append("By phone: ask the group for the dial-in number.")
    if not ways:
        where = place_text(record)
        at = f" (listed at {where})" if where else ""
        kind = record.get("kind") or "group"
        if kind == "group":
            ways.append(f"Ask the group how to attend{at}.")
        elif kind == "program":
            ways.append(f"Contact the program to arrange a visit{at}.")
        else:
            ways.append(f"Contact the {kind} for its groups and meetings{at}.")
    return " ".join(ways)


def _how_to_reach_line(record: Mapping) -> str:
    """How a person reaches a warmline: its own number (a line has no place and no dial-in)."""
    if record.get("phone"):
        return f"Call {record['phone']} during the line's hours."
    if record.get("website"):
        return f"See {record['website']} for how to reach the line."
    return f"See {record['source_url']} for how to reach the line."


def contact_text(record: Mapping, separator: str = "; ") -> str:
    """The organization contact points of a listing: phone, email, website (what is published)."""
    parts = []
    if record.get("phone"):
        parts.append(f"phone {record['phone']}")
    if record.get("email"):
        parts.append(f"email {record['email']}")
    if record.get("website"):
        parts.append(f"website {record['website']}")
    return separator.join(parts) if parts else f"see {record['source_url']}"


CONTACT_FIELDS = ("phone", "email", "website")
PARENT_WORD = {"chapter": "its chapter", "organization": "its organization"}
MAX_PARENT_STEPS = 5  # a group, its chapter, the state body, the national one: never more in practice


def has_contact(record: Mapping) -> bool:
    """Whether a listing publishes a phone, an email or a website of its own."""
    return any(record.get(field) for field in CONTACT_FIELDS)


def contact_parent(record: Mapping, by_id: Mapping[str, Mapping]) -> Mapping | None:
    """For a listing with no contact of its own: the nearest chapter or organization above it that has one.

    Parents no longer listed (inactive) are passed over; a loop in the parent links ends the walk.
    """
    if has_contact(record):
        return None
    seen = {record.get("listing_id")}
    current = record
    for _ in range(MAX_PARENT_STEPS):
        parent = by_id.get(current.get("parent") or "")
        if parent is None or parent["listing_id"] in seen:
            return None
        if parent.get("status") != "inactive" and has_contact(parent):
            return parent
        seen.add(parent["listing_id"])
        current = parent
    return None


def parent_label(parent: Mapping) -> str:
    """"DBSA Louisville (its chapter)": whose contact a listing without its own is given."""
    return f"{parent['name']} ({PARENT_WORD.get(parent.get('kind') or '', 'its parent')})"


def contact_or_parent_text(record: Mapping, parent: Mapping | None, separator: str = "; ") -> str:
    """The listing's own contact points, else its parent's labelled as theirs, else its source page.

    "Contact DBSA Louisville (its chapter): email info@dbsalouisville.org, website https://…"
    """
    if parent is None:
        return contact_text(record, separator)
    return f"Contact {parent_label(parent)}: {contact_text(parent, ', ')}"


def short_text(text: str | None, limit: int = 200) -> str:
    """Text cut at the last word before `limit` characters, with "…" when cut; "" for none."""
    text = " ".join((text or "").split())
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0] if " " in text[:limit] else text[:limit]
    return cut.rstrip(" ,;:.–-") + "…"

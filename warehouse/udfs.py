"""Python functions registered in DuckDB so normalization stays in SQL but uses the right libraries."""

import contextlib
import re
import uuid
from datetime import datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

import duckdb
import phonenumbers
from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

from schemas import address as schemas_address
from schemas.address import place_from_lines
from schemas.errors import UnreadableValue
from schemas.stable_id import Namespace
from schemas.urls import bare_domain_url, canonical_url, is_http_url
from warehouse.html_text import html_to_text
from warehouse.reference import zone_at
from warehouse.schedules.occurrences import as_rule, next_occurrence
from warehouse.schedules.text import parse_schedule
from warehouse.udf_registry import Problems, register_functions
from warehouse.venue import PLACE_TYPE, stated_place

# Fixed namespace: listing ids are uuid5(namespace, "source:source_key") forever.
LISTING_NAMESPACE = uuid.UUID("6f1c1c2e-5d0e-4f8a-9a57-3d1b1f0c7a11")
LISTING_IDS = Namespace(LISTING_NAMESPACE)
ADDRESS_PARTS = ("street", "city", "state", "postal_code")
PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9_%+-]+(?:\.[A-Za-z0-9_%+-]+)*@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
ADDRESS_TYPE = "STRUCT(street VARCHAR, city VARCHAR, state VARCHAR, postal_code VARCHAR)"
# Schedule phrases repeat across a national directory ("2nd and 4th Tuesdays, 7 pm"): parse each once.
CACHED_PHRASES = 65536
RULES_TYPE = ('STRUCT(freq VARCHAR, "interval" INTEGER, byday VARCHAR, opens_at VARCHAR, '
              "closes_at VARCHAR, timezone VARCHAR)[]")


def listing_uuid(source: str, source_key: str) -> str:
    """Stable listing id from source and source key (never from row order or time)."""
    return LISTING_IDS.id_for(f"{source}:{source_key}")


def clean_text(value: str | None) -> str | None:
    """The text of an HTML fragment, no tag, control or format character left; blank -> NULL."""
    return html_to_text(value)


def e164(value: str | None) -> str | None:
    """A US (or international, with +) phone number in E.164; NULL when not a valid number."""
    if not value:
        return None
    try:
        number = phonenumbers.parse(value, "US")
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_extension(value: str | None) -> str | None:
    """The extension of a phone number as published (`ext. 2` -> `2`)."""
    if not value:
        return None
    try:
        return phonenumbers.parse(value, "US").extension or None
    except phonenumbers.NumberParseException:
        return None


def clean_email(value: str | None) -> str | None:
    """A syntactically valid email, lowercased; NULL otherwise (no DNS lookups)."""
    if not value:
        return None
    candidate = re.sub(r"^mailto:", "", value.strip(), flags=re.I).split("?")[0].strip()
    if _plainly_valid(candidate):
        return candidate.lower()
    try:
        checked = validate_email(candidate, check_deliverability=False)
    except EmailNotValidError:
        return None
    return checked.normalized.lower()


def _plainly_valid(email: str) -> bool:
    """A fast yes for the common case (ASCII dot-atoms, a public-looking domain) that validate_email
    would accept unchanged; anything else gets the full check (a third of normalization's time)."""
    if len(email) > 254 or not PLAIN_EMAIL.fullmatch(email):
        return False
    local, _, domain = email.rpartition("@")
    if "--" in domain:  # "ab--" labels are reserved (RFC 5890 R-LDH) unless Punycode: the full check decides
        return False
    return len(local) <= 64 and domain.rsplit(".", 1)[-1].lower() not in SPECIAL_USE_DOMAIN_NAMES


def clean_url(value: str | None) -> str | None:
    """An http(s) URL in canonical form as published (query order kept, no user name); else NULL.

    A non-http(s) URL is dropped (NULL); one that cannot be read at all (a port that is not a
    number from 0 to 65535, an unclosed IPv6 bracket) raises UnreadableValue: NULL, and counted.
    """
    if not value:
        return None
    raw = bare_domain_url(value) or value.strip()  # a bare domain as published ("www.example.org")
    try:
        url = canonical_url(raw, sort_query=False, keep_userinfo=False)
    except ValueError as error:  # ":99999", ":abc", ":-1", "http://[::1"
        raise UnreadableValue(f"not a readable URL: {error}") from None
    return url if is_http_url(raw) else None


def state_code(value: str | None) -> str | None:
    """A USPS state/territory code from a code or a name (by sound too); NULL when it is neither."""
    return schemas_address.state_code(value, sound_alike=True)


def zip5(value: str | None) -> str | None:
    """The five-digit ZIP of a ZIP or ZIP+4; NULL otherwise."""
    match = re.match(r"^\s*(\d{5})(?:-\d{4})?\s*$", value or "")
    return match.group(1) if match else None


def split_us_address(value: str | None) -> dict | None:
    """Street, city, state and ZIP of a published US address, lines joined by newlines."""
    if not value or not value.strip():
        return None
    place = place_from_lines(value.splitlines())
    return {key: clean_text(place[key].strip(" ,")) if place.get(key) else None for key in ADDRESS_PARTS}


def schedule_rules(text: str | None, timezone: str | None) -> list[dict]:
    """The rules a schedule_text states, as structs; [] when it does not say enough.

    A zone that is not an IANA zone name is no zone (the zone the text names, else none).
    """
    return [dict(rule) for rule in _rules_of(text, _known_zone(timezone))]


@lru_cache(maxsize=1024)
def _known_zone(name: str | None) -> str | None:
    """The zone name if zoneinfo knows it, else None."""
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ValueError, KeyError, OSError):  # not a normalized path, not found, a folder of zones
        return None
    return name


@lru_cache(maxsize=CACHED_PHRASES)
def _rules_of(text: str | None, timezone: str | None) -> tuple[dict, ...]:
    """`schedule_rules`, once per distinct phrase and zone."""
    return tuple(rule.model_dump() for rule in parse_schedule(text, timezone))


def next_meeting_at(rules: list[dict] | None, now: datetime | None) -> str | None:
    """The next start after `now` over a listing's rules, ISO 8601 with its UTC offset; else NULL.

    A rule that is not valid is skipped here (the data check checks/schedules_valid reports it),
    so one bad row cannot stop an export.
    """
    if not rules or now is None:
        return None
    valid = []
    for rule in rules:
        with contextlib.suppress(ValueError):
            valid.append(as_rule(rule))
    found = next_occurrence(valid, now)
    return found.isoformat() if found else None


# Every function normalization calls from SQL: name -> (function, parameter types, return type).
FUNCTIONS = {
    "listing_uuid": (listing_uuid, ["VARCHAR", "VARCHAR"], "VARCHAR"),
    "clean_text": (clean_text, ["VARCHAR"], "VARCHAR"),
    "e164": (e164, ["VARCHAR"], "VARCHAR"),
    "phone_extension": (phone_extension, ["VARCHAR"], "VARCHAR"),
    "clean_email": (clean_email, ["VARCHAR"], "VARCHAR"),
    "clean_url": (clean_url, ["VARCHAR"], "VARCHAR"),
    "state_code": (state_code, ["VARCHAR"], "VARCHAR"),
    "zip5": (zip5, ["VARCHAR"], "VARCHAR"),
    "split_us_address": (split_us_address, ["VARCHAR"], ADDRESS_TYPE),
    "stated_place": (stated_place, ["VARCHAR"], PLACE_TYPE),
    "schedule_rules": (schedule_rules, ["VARCHAR", "VARCHAR"], RULES_TYPE),
    "next_meeting_at": (next_meeting_at, [RULES_TYPE, "TIMESTAMPTZ"], "VARCHAR"),
    "zone_at": (zone_at, ["DOUBLE", "DOUBLE"], "VARCHAR"),
}


def register(con: duckdb.DuckDBPyConnection, problems: Problems | None = None) -> Problems:
    """Register every normalization function on a connection (idempotent); a value one cannot read
    becomes NULL and is counted in `problems` (returned)."""
    return register_functions(con, FUNCTIONS, problems)

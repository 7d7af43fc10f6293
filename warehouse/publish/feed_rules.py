"""What the Meeting Guide clients accept: one named rule each, checked on meetings.json before publishing.

The rules are read from the code4recovery spec (README, "Field Definitions" and "Common Questions")
and from how its web client, tsml-ui, loads a feed (src/helpers/load-meeting-data.ts):
- a meeting with no `formatted_address` and none of `address`, `city`, `state`, `postal_code`,
  `country` is dropped ("no address information"); online meetings give an approximate place;
- `approximate: "yes"` makes a meeting not in person, whatever its attendance; absent, the client
  guesses from the number of commas in the address, so it is always given;
- a meeting is online only with a `conference_url` on a known videoconference host or a
  `conference_phone` of 10 or more dialable characters; in person only with a specific address and
  no `TC` type; neither is shown as Inactive (`attendance_option` is not read);
- `conference_url_notes` / `conference_phone_notes` are dropped without their link / number;
- `day` 0-6, `time` and `end_time` `HH:MM` 24-hour, `timezone` a zone the client knows, `updated`
  `YYYY-MM-DD HH:MM:SS`, `url` absolute http(s), `types` spec codes (in-person-only types are
  removed from meetings not in person), coordinates used only for a specific place (directions
  go to the point over the address); plain text, no HTML.
"""

import re
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Entry = Mapping[str, Any]
ADDRESS_FIELDS = ("address", "city", "state", "postal_code", "country")
# Hosts tsml-ui names as conference providers (its default settings); a link elsewhere is dropped.
CONFERENCE_HOSTS = ("bluejeans.com", "discord.gg", "freeconference.com", "freeconferencecall.com",
                    "goto.com", "gotomeet.me", "gotomeeting.com", "horizon.meta.com", "maps.secondlife.com",
                    "meet.google.com", "meet.jit.si", "meetings.dialpad.com", "signal.group", "skype.com",
                    "slurl.com", "teams.live.com", "teams.microsoft.com", "vrchat.com", "webex.com",
                    "zoho.com", "zoom.us")
# Types tsml-ui removes from a meeting that is not in person (its default settings).
IN_PERSON_TYPES = frozenset({"BA", "BRK", "CAN", "CF", "AL-AN", "AL", "FF", "OUT", "SM", "X", "XB"})
HHMM = re.compile(r"([01]\d|2[0-3]):[0-5]\d")
HTML_TAG = re.compile(r"</?[a-zA-Z][^>]*>")  # "< script>" is text in HTML, as the export writes it
PLAIN_TEXT_FIELDS = ("name", "notes", "location", "location_notes", "group", "region", "sub_region")


def conference_host_known(url: str | None) -> bool:
    """Whether the client shows a join link (its host ends with a known provider's domain)."""
    parts = (url or "").split("/")
    return len(parts) > 2 and parts[2].endswith(CONFERENCE_HOSTS)


def dialable(phone: str | None) -> bool:
    """Whether the client keeps a dial-in: 10 or more of its digits, `,`, `+` and `#`."""
    return len(re.sub(r"[^\d,+#]", "", phone or "")) >= 10


def shown_online(entry: Entry) -> bool:
    """The client shows the meeting as online (a join link it knows, or a dial-in)."""
    return conference_host_known(entry.get("conference_url")) or dialable(entry.get("conference_phone"))


def shown_in_person(entry: Entry) -> bool:
    """The client shows the meeting as in person (a specific address, location not closed)."""
    return entry.get("approximate") == "no" and "TC" not in (entry.get("types") or [])


def _address_information(entry: Entry) -> str | None:
    """An address, or the client drops the meeting ("no address information")."""
    if str(entry.get("formatted_address") or "").strip():
        return None
    if any(str(entry.get(key) or "").strip() for key in ADDRESS_FIELDS):
        return None
    return "no formatted_address, address, city, state, postal_code or country"


def _approximate_given(entry: Entry) -> str | None:
    """`approximate` is "yes" or "no" (absent, the client counts commas in the address)."""
    return None if entry.get("approximate") in ("yes", "no") else f"approximate {entry.get('approximate')!r}"


def _approximate_is_the_address(entry: Entry) -> str | None:
    """`approximate: "no"` exactly when a street address is given (a specific place)."""
    if entry.get("approximate") == "no" and not str(entry.get("address") or "").strip():
        return "approximate no without a street address"
    if entry.get("approximate") == "yes" and str(entry.get("address") or "").strip():
        return f"approximate yes with a street address ({entry['address']})"
    return None


def _shown_active(entry: Entry) -> str | None:
    """Online or in person in the client's eyes, else it shows the meeting as Inactive."""
    if shown_online(entry) or shown_in_person(entry):
        return None
    return f"shown as Inactive (attendance_option {entry.get('attendance_option')})"


def _attendance_agrees(entry: Entry) -> str | None:
    """`attendance_option` says what the client shows (online, in person, both)."""
    online, in_person = shown_online(entry), shown_in_person(entry)
    shown = {(True, True): "hybrid", (True, False): "online", (False, True): "in_person"}.get(
        (online, in_person))
    stated = entry.get("attendance_option")
    return None if stated == shown else f"attendance_option {stated} but shown as {shown or 'inactive'}"


def _conference_url_known(entry: Entry) -> str | None:
    """A `conference_url` on a host the client knows (others are dropped as "unknown conference_url")."""
    url = entry.get("conference_url")
    return None if url is None or conference_host_known(url) else f"unknown conference_url host ({url})"


def _conference_phone_dialable(entry: Entry) -> str | None:
    """A `conference_phone` with 10 or more dialable characters (others are dropped)."""
    phone = entry.get("conference_phone")
    return None if phone is None or dialable(phone) else f"invalid conference_phone {phone}"


def _notes_with_their_link(entry: Entry) -> str | None:
    """Conference notes only beside their link or number (alone, the client drops them)."""
    if entry.get("conference_url_notes") and not entry.get("conference_url"):
        return "conference_url_notes without a conference_url"
    if entry.get("conference_phone_notes") and not entry.get("conference_phone"):
        return "conference_phone_notes without a conference_phone"
    return None


def _day_and_time(entry: Entry) -> str | None:
    """`day` an integer 0-6 (0 = Sunday) and `time` HH:MM, 24-hour (a weekly meeting)."""
    day, time = entry.get("day"), entry.get("time")
    if isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6:
        return f"day {day!r}"
    return None if isinstance(time, str) and HHMM.fullmatch(time) else f"time {time!r}"


def _end_time(entry: Entry) -> str | None:
    """`end_time` HH:MM when given; omitted, never empty."""
    if "end_time" not in entry:
        return None
    end = entry["end_time"]
    return None if isinstance(end, str) and HHMM.fullmatch(end) else f"end_time {end!r}"


def _timezone_known(entry: Entry) -> str | None:
    """An IANA `timezone` (the client drops a timed meeting without one, or with one it cannot read)."""
    zone = entry.get("timezone")
    try:
        ZoneInfo(str(zone))
    except (ZoneInfoNotFoundError, ValueError):
        return f"timezone {zone!r}"
    return None if zone else "no timezone"


def _updated_format(entry: Entry) -> str | None:
    """`updated` as `YYYY-MM-DD HH:MM:SS` (UTC) when given."""
    updated = entry.get("updated")
    if updated is None:
        return None
    try:
        datetime.strptime(str(updated), "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return f"updated {updated!r}"
    return None


def _url_absolute(entry: Entry) -> str | None:
    """`url` an absolute http(s) link when given (the client drops others)."""
    url = entry.get("url")
    return None if url is None or str(url).startswith(("http://", "https://")) else f"url {url!r}"


def _types_in_spec(entry: Entry, codes: frozenset[str]) -> str | None:
    """Every type a spec code (the client ignores others)."""
    unknown = [code for code in entry.get("types") or [] if code not in codes]
    return f"unknown types {', '.join(map(str, unknown))}" if unknown else None


def _in_person_types(entry: Entry) -> str | None:
    """In-person-only types (wheelchair access, babysitting, ...) only on meetings shown in person."""
    if shown_in_person(entry):
        return None
    found = sorted(IN_PERSON_TYPES.intersection(entry.get("types") or []))
    return f"in-person types {', '.join(found)} on a meeting not in person" if found else None


def _coordinates_for_a_place(entry: Entry) -> str | None:
    """Coordinates only for a specific place (directions go to the point, not the address)."""
    has_point = entry.get("latitude") is not None or entry.get("longitude") is not None
    return "coordinates for an approximate place" if has_point and entry.get("approximate") != "no" else None


def _plain_text(entry: Entry) -> str | None:
    """No HTML in the text fields (the apps show plain text)."""
    marked = [key for key in PLAIN_TEXT_FIELDS if HTML_TAG.search(str(entry.get(key) or ""))]
    return f"HTML in {', '.join(marked)}" if marked else None


RULES: dict[str, Callable[[Entry], str | None]] = {
    "address_information": _address_information,
    "approximate_given": _approximate_given,
    "approximate_is_the_address": _approximate_is_the_address,
    "shown_active": _shown_active,
    "attendance_agrees": _attendance_agrees,
    "conference_url_known": _conference_url_known,
    "conference_phone_dialable": _conference_phone_dialable,
    "notes_with_their_link": _notes_with_their_link,
    "day_and_time": _day_and_time,
    "end_time_format": _end_time,
    "timezone_known": _timezone_known,
    "updated_format": _updated_format,
    "url_absolute": _url_absolute,
    "in_person_types": _in_person_types,
    "coordinates_for_a_place": _coordinates_for_a_place,
    "plain_text": _plain_text,
}
FEED_RULES = ("slug_unique", "types_in_spec", *RULES)


def rule_problems(entries: list[Entry], codes: frozenset[str]) -> list[tuple[str, str, str]]:
    """(rule, slug, what is wrong) for every meeting that breaks a rule, in feed order."""
    problems: list[tuple[str, str, str]] = []
    slugs = Counter(str(entry.get("slug")) for entry in entries)
    for entry in entries:
        slug = str(entry.get("slug"))
        if slugs[slug] > 1:
            problems.append(("slug_unique", slug, f"slug used {slugs[slug]} times"))
        found = {"types_in_spec": _types_in_spec(entry, codes)}
        found |= {name: rule(entry) for name, rule in RULES.items()}
        problems += [(name, slug, what) for name, what in found.items() if what]
    return problems


def rule_counts(entries: list[Entry], codes: frozenset[str]) -> dict[str, int]:
    """How many meetings break each rule (every rule named, 0 when none does)."""
    counts = Counter(name for name, _slug, _what in rule_problems(entries, codes))
    return {name: counts[name] for name in FEED_RULES}

"""US postal addresses as published, split into street, city, state and ZIP: a regex fast path for the
plain "City, ST 12345" line, usaddress for anything else. The parsers and the warehouse both use it."""

import re

import us
import usaddress

COUNTRY_WORDS = {"united states": "US", "united states of america": "US", "usa": "US", "us": "US",
                 "canada": "CA", "mexico": "MX", "méxico": "MX", "united kingdom": "GB", "uk": "GB"}
CITY_LINE = re.compile(
    r"(?P<city>[^,\d][^,]*?),\s*(?P<state>[A-Za-z]{2})\.?(?:\s+(?P<zip>\d{5}(?:-\d{4})?))?"
)
STATE_ZIP = re.compile(r"(?P<state>[A-Za-z]{2})\.?(?:\s+(?P<zip>\d{5}(?:-\d{4})?))?")
STREET_LABELS = (
    "AddressNumber", "StreetNamePreDirectional", "StreetNamePreModifier", "StreetNamePreType",
    "StreetName", "StreetNamePostType", "StreetNamePostDirectional", "OccupancyType",
    "OccupancyIdentifier", "SubaddressType", "SubaddressIdentifier", "BuildingName",
    "USPSBoxType", "USPSBoxID", "USPSBoxGroupType", "USPSBoxGroupID",
)


def state_code(text: str | None, *, sound_alike: bool = False) -> str | None:
    """The USPS code of a state/territory code or name, else None; a name spelled by sound
    ("Kentuky") only when `sound_alike` (a value to normalize, not a line to recognize)."""
    words = " ".join((text or "").replace("-", " ").split())
    state = us.states.lookup(words) if words else None
    if state and (sound_alike or words.lower() in {state.name.lower(), state.abbr.lower()}):
        return state.abbr
    return None


def country_code(text: str | None) -> str | None:
    """ISO code of a country line ("United States", "USA"), else None."""
    return COUNTRY_WORDS.get((text or "").strip().strip(".").lower().replace(".", ""))


def place_from_lines(lines: list[str], *, fallback: bool = True) -> dict[str, str]:
    """Address, street, city, state, ZIP and country of address lines (the parts found, as published);
    usaddress reads the lines that hold no plain city line unless `fallback` is False."""
    lines = [" ".join(line.split()) for line in lines if line.split()]
    place: dict[str, str] = {}
    if lines and (country := country_code(lines[-1])):
        lines.pop()
        place["country"] = country
    if not lines:
        return place
    place["address"] = "\n".join(lines)
    parts = _city_line_parts(lines)
    if parts is None and fallback:
        parts = _tagged_parts(", ".join(lines), place.get("country"))
    return {**place, **(parts or {})}


def _city_line_parts(lines: list[str]) -> dict[str, str] | None:
    """The fast path: street above the one line "City, ST[ 12345]" of a known state; None if none."""
    matches = [(i, m) for i, line in enumerate(lines) if (m := CITY_LINE.fullmatch(line))]
    if len(matches) != 1 or not (code := state_code(matches[0][1]["state"])):
        return None
    index, match = matches[0]
    parts = {"street": ", ".join(lines[:index]), "city": match["city"].strip(), "state": code,
             "postal_code": match["zip"]}
    return {key: value for key, value in parts.items() if value}


def _tagged_parts(text: str, country: str | None) -> dict[str, str]:
    """Street, city, state and ZIP as usaddress tags them: the parts it found in a US (or unstated) country's
    address, none when it cannot decide or the address is abroad."""
    if country not in (None, "US"):
        return {}
    try:
        tags, _kind = usaddress.tag(text)
    except usaddress.RepeatedLabelError:
        tags = {}
    parts = {"street": " ".join(tags[label] for label in STREET_LABELS if label in tags),
             "city": tags.get("PlaceName"), "state": tags.get("StateName"),
             "postal_code": tags.get("ZipCode")}
    return {key: value for key, value in parts.items() if value}


def place_from_one_line(text: str | None) -> dict[str, str]:
    """The same from one line ("123 Main St, Suite 4, San Diego, CA 92101, USA")."""
    parts = [part.strip() for part in (text or "").split(",") if part.strip()]
    if not parts:
        return {}
    for index in range(len(parts) - 1, 0, -1):
        match = STATE_ZIP.fullmatch(parts[index])
        if match and state_code(match["state"]):
            # "..., City, ST 12345[, Country]": the lines before the city are the street.
            street, city_line = ", ".join(parts[: index - 1]), f"{parts[index - 1]}, {parts[index]}"
            return place_from_lines([line for line in (street, city_line, *parts[index + 1 :]) if line])
    country = country_code(parts[-1])
    rest = ", ".join(parts[:-1] if country else parts)
    place = {"country": country} if country else {}
    return {**place, "address": rest, **_tagged_parts(rest, country)} if rest else place

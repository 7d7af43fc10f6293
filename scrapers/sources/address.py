"""US postal addresses as published: lines or one comma-separated line into street, city, state, ZIP."""

import re

import us

COUNTRY_WORDS = {"united states": "US", "united states of america": "US", "usa": "US", "us": "US",
                 "canada": "CA", "mexico": "MX", "méxico": "MX", "united kingdom": "GB", "uk": "GB"}
CITY_LINE = re.compile(
    r"(?P<city>[^,\d][^,]*?),\s*(?P<state>[A-Za-z]{2})\.?(?:\s+(?P<zip>\d{5}(?:-\d{4})?))?"
)
STATE_ZIP = re.compile(r"(?P<state>[A-Za-z]{2})\.?(?:\s+(?P<zip>\d{5}(?:-\d{4})?))?")


def state_code(text: str | None) -> str | None:
    """The USPS code of an exact state/territory code or name, else None (no sound-alike matching)."""
    words = " ".join((text or "").replace("-", " ").split())
    state = us.states.lookup(words) if words else None
    if state and words.lower() in {state.name.lower(), state.abbr.lower()}:
        return state.abbr
    return None


def country_code(text: str | None) -> str | None:
    """ISO code of a country line ("United States", "USA"), else None."""
    return COUNTRY_WORDS.get((text or "").strip().strip(".").lower().replace(".", ""))


def place_from_lines(lines: list[str]) -> dict[str, str]:
    """Address, street, city, state, ZIP and country of address lines ending "City, ST 12345"."""
    lines = [" ".join(line.split()) for line in lines if line.split()]
    place: dict[str, str] = {}
    if lines and (country := country_code(lines[-1])):
        lines.pop()
        place["country"] = country
    if not lines:
        return place
    place["address"] = "\n".join(lines)
    matches = [(i, m) for i, line in enumerate(lines) if (m := CITY_LINE.fullmatch(line))]
    if len(matches) == 1 and (code := state_code(matches[0][1]["state"])):
        index, match = matches[0]
        place.update(city=match["city"].strip(), state=code)
        if match["zip"]:
            place["postal_code"] = match["zip"]
        if index:
            place["street"] = ", ".join(lines[:index])
    return place


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
    place = place_from_lines(parts[-1:]) if country_code(parts[-1]) else {}
    rest = parts[:-1] if place else parts
    return {**place, "address": ", ".join(rest)} if rest else place

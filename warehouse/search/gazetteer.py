"""Where a searcher is: what people type in the place box or `--near`, read offline (zipcodes package).

Accepted: a ZIP or ZIP+4 ("40502-1234"), "City, ST" with or without the comma and in any case
("lexington ky"), a full state name ("Lexington, Kentucky"), and "lat,lon". A bare city name
found in several states is ambiguous and names its choices. Points are in hundredths of a degree
(about 1 km, a ZIP centre's honest precision), the same the page embeds, so the command and the
page measure from one point; a city's point is the mean of its ZIP centres, rounded half up.
The page (warehouse/search/assets/site.js, `locate`) follows the same rules on the same tables.
"""

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import us
import zipcodes

from schemas.errors import SupportDirError

LAT_LON = re.compile(r"^\s*(-?\d{1,2}(?:\.\d+)?)\s*,\s*(-?\d{1,3}(?:\.\d+)?)\s*$")
ZIP = re.compile(r"^(\d{5})(?:-\d{4})?$")
# People write "St. Louis", "Ft Wayne", "Mt Vernon"; the ZIP table spells them out.
SPELLED_OUT = (("st ", "saint "), ("ft ", "fort "), ("mt ", "mount "))


class PlaceInvalid(SupportDirError):
    """Text that names no place we know; `choices` holds the "City, ST" names when it is ambiguous."""

    def __init__(self, message: str, choices: tuple[str, ...] = ()):
        super().__init__(message)
        self.choices = choices


@dataclass(frozen=True)
class Place:
    """A point (degrees), what to call it, and its IANA time zone (None for a bare "lat,lon" far out)."""

    lat: float
    lon: float
    label: str
    timezone: str | None


@dataclass(frozen=True)
class Gazetteer:
    """ZIP codes and cities with their points (hundredths of a degree) and time zones."""

    zip_codes: list[str]  # sorted
    zip_points: np.ndarray  # (n, 2) int, hundredths of a degree
    zip_city: np.ndarray  # index into cities
    cities: list[tuple[str, str]]  # (name, state), sorted by state then name
    city_points: np.ndarray  # (m, 2) int, hundredths
    city_zone: list[str]  # "" when unknown (military post offices)
    by_name: dict[str, list[int]]  # normalized name -> city indexes
    zip_row: dict[str, int]


def normalized(name: str) -> str:
    """A place name as compared: lowercase, no dots, single spaces, St/Ft/Mt spelled out."""
    text = " ".join(name.lower().replace(".", " ").split())
    for short, full in SPELLED_OUT:
        if text.startswith(short):
            text = full + text[len(short):]
    return text


def state_names() -> dict[str, str]:
    """Lowercase state name or code -> USPS code (the states, DC and the territories)."""
    names = {}
    for state in [*us.states.STATES_AND_TERRITORIES, us.states.DC]:
        names[state.abbr.lower()] = state.abbr
        names[state.name.lower()] = state.abbr
    return names


def _round_mean(total: np.ndarray, count: np.ndarray) -> np.ndarray:
    """The mean of integers rounded half up (the page computes the same with Math.floor)."""
    return (2 * total + count) // (2 * count)


def _zone_name(row: dict) -> str:
    """A ZIP row's IANA zone, or "" (military ZIPs have none; one row has a town's name)."""
    zone = row.get("timezone") or ""
    return zone if "/" in zone else ""


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    """Every ZIP code with a point and a known zone, and the cities they name."""
    rows = sorted((z for z in zipcodes.list_all() if z.get("lat") and z.get("long")),
                  key=lambda z: z["zip_code"])
    cities = sorted({(z["city"], z["state"]) for z in rows}, key=lambda c: (c[1], c[0].lower()))
    city_of = {city: i for i, city in enumerate(cities)}
    points = np.array([(round(float(z["lat"]) * 100), round(float(z["long"]) * 100)) for z in rows],
                      dtype=np.int64)
    zip_city = np.array([city_of[(z["city"], z["state"])] for z in rows], dtype=np.int64)
    sums = np.zeros((len(cities), 2), dtype=np.int64)
    np.add.at(sums, zip_city, points)
    counts = np.bincount(zip_city, minlength=len(cities))
    city_points = _round_mean(sums, counts[:, None])
    zone_votes: dict[int, Counter] = defaultdict(Counter)
    for z, city in zip(rows, zip_city.tolist(), strict=True):
        zone_votes[city][_zone_name(z)] += 1
    city_zone = [min(zone_votes[i].items(), key=lambda kv: (not kv[0], -kv[1], kv[0]))[0]
                 for i in range(len(cities))]
    by_name: dict[str, list[int]] = defaultdict(list)
    for i, (name, _state) in enumerate(cities):
        by_name[normalized(name)].append(i)
    codes = [z["zip_code"] for z in rows]
    return Gazetteer(codes, points, zip_city, cities, city_points, city_zone, dict(by_name),
                     {code: i for i, code in enumerate(codes)})


def _city_place(table: Gazetteer, index: int) -> Place:
    """A city as a Place at its centre."""
    lat, lon = table.city_points[index].tolist()
    name, state = table.cities[index]
    return Place(lat / 100, lon / 100, f"{name}, {state}", table.city_zone[index] or None)


def nearest_zone(lat: float, lon: float) -> str | None:
    """The zone of the nearest city centre, within 150 miles (a point at sea far out has none)."""
    from warehouse.search.distance import miles_from
    table = gazetteer()
    found = miles_from(np.radians(lat), np.radians(lon), np.radians(table.city_points[:, 0] / 100),
                       np.radians(table.city_points[:, 1] / 100))
    best = int(np.argmin(found))
    return (table.city_zone[best] or None) if found[best] <= 150 else None


def _cities_named(table: Gazetteer, words: str) -> list[int]:
    """Indexes of the cities with this (normalized) name."""
    return table.by_name.get(words, [])


def _city_in_state(table: Gazetteer, city: str, state_text: str) -> list[int] | None:
    """Cities named `city` in the state `state_text` names (None when it names no state)."""
    state = state_names().get(normalized(state_text))
    if state is None:
        return None
    return [i for i in _cities_named(table, normalized(city)) if table.cities[i][1] == state]


def _split_state(text: str) -> tuple[str, str] | None:
    """"lexington ky" -> ("lexington", "ky"); "salem new hampshire" -> ("salem", "new hampshire")."""
    words = text.split()
    names = state_names()
    for size in (3, 2, 1):
        if len(words) > size and " ".join(words[-size:]) in names:
            return " ".join(words[:-size]), " ".join(words[-size:])
    return None


def locate(text: str) -> Place:
    """The Place a person typed; PlaceInvalid (with choices when ambiguous) otherwise."""
    value = text.strip()
    if match := LAT_LON.match(value):
        lat, lon = float(match[1]), float(match[2])
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise PlaceInvalid(f"{text!r}: latitude must be within ±90 and longitude within ±180")
        return Place(lat, lon, f"{lat:g},{lon:g}", nearest_zone(lat, lon))
    table = gazetteer()
    if match := ZIP.match(value):
        row = table.zip_row.get(match[1])
        if row is None:
            raise PlaceInvalid(f"{text!r}: unknown ZIP code")
        city = _city_place(table, int(table.zip_city[row]))
        lat, lon = table.zip_points[row].tolist()
        return Place(lat / 100, lon / 100, f"{city.label} ({match[1]})", city.timezone)
    if re.fullmatch(r"[\d-]+", value):
        raise PlaceInvalid(f"{text!r} is neither a five-digit ZIP code, a city nor \"lat,lon\"")
    found = _read_city(table, value)
    if not found:
        raise PlaceInvalid(f"{text!r}: no US city or ZIP code of that name (try \"City, ST\" or a ZIP code)")
    if len(found) > 1:
        choices = tuple(_city_place(table, i).label for i in found)
        raise PlaceInvalid(f"{text!r} is a city in {len(found)} states: {'; '.join(choices)}; "
                           f"add the state (e.g. \"{choices[0]}\")", choices)
    return _city_place(table, found[0])


def _read_city(table: Gazetteer, value: str) -> list[int]:
    """The cities "City, ST", "City ST", "City State" or a bare "City" may mean."""
    if "," in value:
        city, _, state = value.rpartition(",")
        return _city_in_state(table, city, state) or []
    if found := _cities_named(table, normalized(value)):
        return found
    if split := _split_state(normalized(value)):
        return _city_in_state(table, *split) or []
    return []

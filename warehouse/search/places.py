"""The page's offline place lookup: the gazetteer (warehouse/search/gazetteer.py), packed small.

Every ZIP code and city is embedded, so the page reads a place as `supportdir search --near`
does (a city far from every listing still has a point, to say how far the nearest is):
- validZips: a bitset of the ZIP codes (12.5 KB), which also gives their order;
- zips: per ZIP in that order 6 bytes, base64: latitude and longitude in hundredths of a degree
  (int16) and the index of its city (uint16);
- cities: per state, its city names joined by "|" (the city index runs through them in order); the
  page takes a city's point as the mean of its ZIP points rounded half up, as the gazetteer does;
- cityZones: per city one byte, the index of its time zone in `zones`.
"""

import base64
from typing import Any

import numpy as np

from warehouse.search.gazetteer import gazetteer, state_names

MAX_RADIUS_MILES = 100


def _b64(array: np.ndarray) -> str:
    """An array's bytes as base64 text."""
    return base64.b64encode(array.tobytes()).decode("ascii")


def place_tables() -> dict[str, Any]:
    """The packed ZIP and city tables, their time zones and the state names."""
    table = gazetteer()
    packed = np.zeros(len(table.zip_codes), dtype=[("lat", "<i2"), ("lon", "<i2"), ("city", "<u2")])
    packed["lat"], packed["lon"] = table.zip_points[:, 0], table.zip_points[:, 1]
    packed["city"] = table.zip_city
    valid = np.zeros(100_000, dtype=bool)
    valid[[int(c) for c in table.zip_codes]] = True
    states: dict[str, list[str]] = {}
    for name, state in table.cities:
        states.setdefault(state, []).append(name)
    zones = sorted(set(table.city_zone))
    zone_index = {zone: i for i, zone in enumerate(zones)}
    return {"validZips": _b64(np.packbits(valid, bitorder="little")), "zips": _b64(packed),
            "cities": [[state, "|".join(names)] for state, names in states.items()],
            "zones": zones, "cityZones": _b64(np.array([zone_index[z] for z in table.city_zone], dtype="u1")),
            "stateNames": state_names()}

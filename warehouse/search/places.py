"""The page's offline place lookup: ZIP code and city centres near the listings, packed small.

Only ZIP codes within MAX_RADIUS_MILES of a listing with a place are embedded (a ZIP farther
away than the largest radius the page offers would find only the online and phone groups, which
the page shows for any valid ZIP). Each is 8 bytes, base64: the difference from the previous ZIP
(uint16), latitude and longitude in hundredths of a degree (int16, about 1 km) and the index of its
city (uint16) in a list of "City, ST" names; the page takes a city's centre as the mean of its
ZIP centres. A bitset of every valid ZIP (12.5 KB) tells an unknown ZIP from one far from all.
"""

import base64
from typing import Any

import numpy as np

from warehouse.search.distance import miles_from
from warehouse.search.index import zip_points

MAX_RADIUS_MILES = 100
CELL_DEGREES = 0.1  # listings are grouped into cells this size before measuring (enough at 100 miles)


def _near_any(lat: np.ndarray, lon: np.ndarray, points: list[tuple[float, float]]) -> np.ndarray:
    """Which of the (lat, lon) arrays lie within MAX_RADIUS_MILES (+ a cell) of any point."""
    near = np.zeros(len(lat), dtype=bool)
    cells = {(round(a / CELL_DEGREES) * CELL_DEGREES, round(b / CELL_DEGREES) * CELL_DEGREES)
             for a, b in points}
    rlat, rlon = np.radians(lat), np.radians(lon)
    reach = MAX_RADIUS_MILES + 10
    for clat, clon in cells:
        near |= miles_from(np.radians(clat), np.radians(clon), rlat, rlon) <= reach
    return near


def place_tables(points: list[tuple[float, float]]) -> dict[str, Any]:
    """The packed ZIP table, the city names it points into, and the bitset of valid ZIP codes."""
    table = zip_points()
    codes = sorted(table)
    lat = np.array([table[c][0] for c in codes])
    lon = np.array([table[c][1] for c in codes])
    keep = _near_any(lat, lon, points) if points else np.zeros(len(codes), dtype=bool)
    kept = [c for c, k in zip(codes, keep.tolist(), strict=True) if k]
    cities: dict[str, int] = {}
    packed = np.zeros(len(kept), dtype=[("delta", "<u2"), ("lat", "<i2"), ("lon", "<i2"), ("city", "<u2")])
    previous = 0
    for row, code in enumerate(kept):
        zlat, zlon, city, state = table[code]
        packed[row] = (int(code) - previous, round(zlat * 100), round(zlon * 100),
                       cities.setdefault(f"{city}, {state}", len(cities)))
        previous = int(code)
    valid = np.zeros(100_000, dtype=bool)
    valid[[int(c) for c in codes]] = True
    return {"zips": base64.b64encode(packed.tobytes()).decode("ascii"), "zipCount": len(kept),
            "cities": list(cities), "validZips": base64.b64encode(np.packbits(valid, bitorder="little")
                                                                   .tobytes()).decode("ascii")}

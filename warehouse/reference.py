"""Reference data: ZIP code centres and zones (zipcodes), the zone of a point (timezonefinder)."""

from functools import cache, lru_cache

import duckdb
import pyarrow as pa
import zipcodes
from timezonefinder import TimezoneFinder

from schemas.errors import UnreadableValue

# Distinct points looked up once: listings share ZIP and city centres, and a venue's point.
CACHED_POINTS = 1 << 17


def zip_rows() -> pa.Table:
    """Every ZIP code the zipcodes package knows that has coordinates, as an Arrow table."""
    rows = [z for z in zipcodes.list_all() if z.get("lat") and z.get("long")]
    return pa.table(
        {
            "postal_code": [z["zip_code"] for z in rows],
            "city": [z["city"] for z in rows],
            "state": [z["state"] for z in rows],
            "latitude": [float(z["lat"]) for z in rows],
            "longitude": [float(z["long"]) for z in rows],
            "timezone": [z.get("timezone") or None for z in rows],
        }
    )


def ensure_zip_geo(con: duckdb.DuckDBPyConnection) -> int:
    """Load zip_geo once (it is empty after the migration); return its row count."""
    count = con.execute("SELECT count(*) FROM zip_geo").fetchall()[0][0]
    if count == 0:
        con.register("zip_source", zip_rows())
        con.execute("INSERT INTO zip_geo SELECT * FROM zip_source")
        con.unregister("zip_source")
        count = con.execute("SELECT count(*) FROM zip_geo").fetchall()[0][0]
    return count


@cache
def _finder() -> TimezoneFinder:
    """The offline zone polygons, loaded once per process (about a second)."""
    return TimezoneFinder()


@lru_cache(maxsize=CACHED_POINTS)
def zone_at(latitude: float | None, longitude: float | None) -> str | None:
    """The IANA zone of a point on land (split states: Paducah, KY is Chicago's); None at sea or unknown.

    At sea timezonefinder answers a nautical zone (Etc/GMT+5), which says nothing of a US place.
    """
    if latitude is None or longitude is None:
        return None
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):  # NaN too
        raise UnreadableValue(f"not a point on Earth: {latitude}, {longitude}")
    zone = _finder().timezone_at(lat=latitude, lng=longitude)
    return None if not zone or zone.startswith("Etc/") else zone

"""Reference data loaded into the warehouse: ZIP code centres and time zones (zipcodes package)."""

import duckdb
import pyarrow as pa
import zipcodes


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

"""The in-memory search index: the export records as numpy arrays, built once, queried many times.

Filters become boolean masks over all listings at once (one mask per topic, audience, kind...,
made when first asked for), distances a vectorized haversine over the points, and day/time
filters masks over every schedule rule, so a query over 100,000 listings takes milliseconds.
"""

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import zipcodes

from warehouse.publish.attend import Record
from warehouse.search.distance import miles_from

RULE_FIELDS = ("freq", "interval", "byday", "opens_at", "closes_at", "timezone")
WEEKDAY_BITS = {day: 1 << i for i, day in enumerate(("MO", "TU", "WE", "TH", "FR", "SA", "SU"))}


@dataclass
class Index:
    """Records and their searchable columns as arrays (row i of each array is records[i])."""

    records: list[Record]
    lat: np.ndarray  # radians, nan when no point
    lon: np.ndarray
    columns: dict[str, np.ndarray]  # kind, attendance, state, status, organization, source (lowercase)
    sets: dict[str, list[frozenset[str]]]  # topics, audiences (lowercase)
    text: list[str]  # name and description, lowercase
    rule_listing: np.ndarray  # listing row of each schedule rule
    rule_days: np.ndarray  # weekday bits of each rule (ordinals ignored: a monthly 2TU meets on a Tuesday)
    rule_opens: np.ndarray  # minutes after midnight, local; -1 when unknown
    rule_zone: np.ndarray  # index into zones of each rule's IANA zone
    zones: list[str]  # the distinct zones of the rules
    schedule_key: np.ndarray  # per listing: which distinct rule set it has (-1: none)
    schedules: list[tuple[tuple, ...]]  # the distinct rule sets (many groups share one)
    name_rank: np.ndarray  # per listing: its place in alphabetical order (the last tie-break)
    _masks: dict[tuple[str, str], np.ndarray] = field(default_factory=dict)
    _values: dict[str, set[str]] = field(default_factory=dict)
    _next: dict[object, np.ndarray] = field(default_factory=dict)  # minute -> next start per rule set
    _by_id: dict[str, Record] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.records)

    def values(self, name: str) -> set[str]:
        """The distinct values of a column or set column (lowercase); cached."""
        if name not in self._values:
            if name in self.sets:
                self._values[name] = set().union(*self.sets[name]) if self.sets[name] else set()
            else:
                self._values[name] = {v for v in set(self.columns[name].tolist()) if v}
        return self._values[name]

    def mask(self, name: str, value: str) -> np.ndarray:
        """Rows whose column equals (or set column holds) a lowercase value; cached."""
        key = (name, value)
        if key not in self._masks:
            if name in self.sets:
                self._masks[key] = np.fromiter((value in s for s in self.sets[name]), bool, len(self))
            else:
                self._masks[key] = self.columns[name] == value
        return self._masks[key]

    def by_id(self) -> dict[str, Record]:
        """The records by listing_id (to find a listing's parent); built when first asked for."""
        if not self._by_id and self.records:
            self._by_id = {record["listing_id"]: record for record in self.records}
        return self._by_id


def build_index(records: list[Record]) -> Index:
    """Arrays over the records (as the JSON export or records.load gives them)."""
    lat = np.radians(np.array([r.get("latitude") if r.get("latitude") is not None else np.nan
                               for r in records], dtype=float))
    lon = np.radians(np.array([r.get("longitude") if r.get("longitude") is not None else np.nan
                               for r in records], dtype=float))
    columns = {name: np.array([(r.get(name) or "").lower() for r in records], dtype=object)
               for name in ("kind", "attendance", "state", "status", "organization", "source")}
    sets = {name: [frozenset(v.lower() for v in r.get(name) or []) for r in records]
            for name in ("topics", "audiences")}
    text = [f"{r.get('name') or ''} {r.get('description') or ''}".lower() for r in records]
    rule_listing, rule_days, rule_opens, rule_zone = [], [], [], []
    zones: dict[str, int] = {}
    keys: dict[tuple, int] = {}
    schedule_key = np.full(len(records), -1, dtype=np.int64)
    for row, record in enumerate(records):
        rules = tuple(tuple(rule.get(k) for k in RULE_FIELDS) for rule in record.get("schedule") or [])
        if rules:
            schedule_key[row] = keys.setdefault(rules, len(keys))
        for rule in record.get("schedule") or []:
            rule_listing.append(row)
            days = {part.lstrip("+-0123456789") for part in rule["byday"].split(",")}
            rule_days.append(sum(WEEKDAY_BITS.get(day, 0) for day in days))
            opens = rule.get("opens_at")
            rule_opens.append(int(opens[:2]) * 60 + int(opens[3:5]) if opens else -1)
            rule_zone.append(zones.setdefault(rule.get("timezone") or "UTC", len(zones)))
    name_rank = np.empty(len(records), dtype=np.int64)
    name_rank[np.argsort(np.array([(r.get("name") or "").lower() for r in records], dtype=object),
                         kind="stable")] = np.arange(len(records))
    return Index(records, lat, lon, columns, sets, text, np.array(rule_listing, dtype=np.int64),
                 np.array(rule_days, dtype=np.int64), np.array(rule_opens, dtype=np.int64),
                 np.array(rule_zone, dtype=np.int64), list(zones), schedule_key, list(keys), name_rank)


def within(index: Index, rows: np.ndarray, lat: float, lon: float,
           miles: float) -> tuple[np.ndarray, np.ndarray]:
    """The rows within `miles` of a point, and their great-circle distances.

    A latitude band (one degree of latitude is about 69 miles everywhere) cuts the candidates
    first; the haversine distance is then computed for those alone.
    """
    lat1, lon1 = np.radians(lat), np.radians(lon)
    band = np.radians(miles / 69.0 + 0.01)
    rows = rows[np.abs(index.lat[rows] - lat1) <= band]
    found = miles_from(lat1, lon1, index.lat[rows], index.lon[rows])
    keep = found <= miles
    return rows[keep], found[keep]


def read_exports(folder: Path) -> list[Record]:
    """The records of an export folder (listings.jsonl)."""
    path = Path(folder) / "listings.jsonl"
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


@lru_cache(maxsize=1)
def zip_points() -> dict[str, tuple[float, float, str, str]]:
    """ZIP code -> (latitude, longitude, city, state), offline from the zipcodes package."""
    return {z["zip_code"]: (float(z["lat"]), float(z["long"]), z["city"], z["state"])
            for z in zipcodes.list_all() if z.get("lat") and z.get("long")}

"""Search the directory: near a ZIP or a point, by kind, topic, audience, attendance, day and time.

    index = load_index(Path("exports"))          # once: the export's listings as arrays
    found = find(Query(near=point("40502")), index)   # each query: milliseconds
    search(query) -> list[Result]                 # the results alone, exports/ loaded once (for benchmarks)

Nearby listings (in person, hybrid, or unknown with a place) are ranked by distance, then by
their next meeting; online and phone groups, which anyone can join, follow them (marked remote,
ranked by next meeting) when the attendance filter allows them. A hybrid group beyond the
radius is still reachable online and is listed with the remote ones.
"""

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import numpy as np
import us

from schemas.errors import SupportDirError
from schemas.search import DAYS, Found, Query, Result
from schemas.values import ATTENDANCE, KINDS, STATUS
from warehouse.publish.attend import Record, contact_text, how_to_attend, schedule_text
from warehouse.schedules.occurrences import next_occurrence
from warehouse.search.cards import result_contact
from warehouse.search.distance import miles_from
from warehouse.search.gazetteer import Place, PlaceInvalid, locate
from warehouse.search.index import (
    RULE_FIELDS,
    WEEKDAY_BITS,
    Index,
    build_index,
    read_exports,
    within,
)

CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
NEVER = np.inf


class SearchInvalid(SupportDirError):
    """A search asked for something that cannot be answered (bad ZIP, radius, filter value)."""


class PlaceAmbiguous(SearchInvalid):
    """A bare city name found in several states; `choices` are their "City, ST" names."""

    def __init__(self, message: str, choices: tuple[str, ...]):
        super().__init__(message)
        self.choices = choices


def place(text: str) -> Place:
    """What `--near` names (warehouse/search/gazetteer.py); SearchInvalid or PlaceAmbiguous otherwise."""
    try:
        return locate(text)
    except PlaceInvalid as exc:
        if exc.choices:
            raise PlaceAmbiguous(f"--near {exc}", exc.choices) from None
        raise SearchInvalid(f"--near {exc}") from None


def point(text: str) -> tuple[float, float]:
    """A ZIP code, a city or "lat,lon" as (latitude, longitude), offline."""
    found = place(text)
    return found.lat, found.lon


def time_zone(name: str) -> str:
    """An IANA zone name as given to --tz; SearchInvalid for an unknown one."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SearchInvalid(f"--tz {name!r} is not an IANA time zone (e.g. America/New_York)") from None
    return name


def clock_minutes(text: str, option: str) -> int:
    """"17:00" -> 1020; SearchInvalid for anything else."""
    match = CLOCK.match(text.strip())
    if not match:
        raise SearchInvalid(f"{option} {text!r} is not a time like 17:00")
    return int(match[1]) * 60 + int(match[2])


def day_codes(names: Sequence[str]) -> tuple[str, ...]:
    """"tue" -> "TU"; SearchInvalid for an unknown day."""
    codes = []
    for name in names:
        key = name.strip().lower()[:3]
        if key not in DAYS:
            raise SearchInvalid(f"--day {name!r}: use one of {', '.join(DAYS)}")
        codes.append(DAYS[key])
    return tuple(codes)


def _check_values(option: str, asked: Sequence[str], known: set[str]) -> None:
    """An unknown filter value is an error that lists the values there are."""
    for value in asked:
        if value.lower() not in known:
            raise SearchInvalid(f"{option} {value!r} is unknown; known: {', '.join(sorted(known)) or 'none'}")


def check_choices(kinds: Sequence[str], attendance: Sequence[str], statuses: Sequence[str]) -> None:
    """Kinds, ways of attending and statuses must be ones the directory knows."""
    _check_values("--kind", kinds, set(KINDS))
    _check_values("--attendance", [a.replace("-", "_") for a in attendance], set(ATTENDANCE))
    _check_values("--status", statuses, set(STATUS))


def check_query(query: Query, index: Index) -> None:
    """Refuse values no listing could match (typos), naming the ones there are."""
    if query.topics:
        _check_values("--topic", query.topics, index.values("topics"))
    if query.audiences:
        _check_values("--audience", query.audiences, index.values("audiences"))
    if query.organizations:
        orgs = index.values("organization") | index.values("source")
        _check_values("--organization", query.organizations, orgs)
    check_choices(query.kinds, query.attendance, query.statuses)
    for state in query.states:
        if us.states.lookup(state) is None or len(state) != 2:
            raise SearchInvalid(f"--state {state!r} is not a two-letter USPS state code")


def _any(index: Index, name: str, values: Sequence[str]) -> np.ndarray:
    """Rows matching any of the values of one column (all rows when no values are given)."""
    if not values:
        return np.ones(len(index), dtype=bool)
    return np.logical_or.reduce([index.mask(name, value.lower()) for value in values])


def _offset_minutes(zone: str, now: datetime) -> int:
    """A zone's UTC offset at `now`, in minutes."""
    return int(now.astimezone(ZoneInfo(zone)).utcoffset().total_seconds() // 60)


def _rotate_days(bits: np.ndarray, shift: np.ndarray) -> np.ndarray:
    """Weekday bits moved `shift` days later (Monday + 1 = Tuesday, Sunday + 1 = Monday)."""
    k = shift % 7
    return ((bits << k) | (bits >> (7 - k))) & 127


def rule_times(index: Index, zone: str | None, now: datetime) -> tuple[np.ndarray, np.ndarray]:
    """Each rule's weekday bits and start minute read in `zone` (their own zone when None).

    Offsets are taken at `now`: "tonight" is asked about this week, not across a DST change.
    """
    if zone is None:
        return index.rule_days, index.rule_opens
    here = _offset_minutes(zone, now)
    shift = np.array([here - _offset_minutes(z, now) for z in index.zones], dtype=np.int64)
    moved = index.rule_opens + shift[index.rule_zone] if len(index.zones) else index.rule_opens
    known = index.rule_opens >= 0
    days = np.where(known, _rotate_days(index.rule_days, moved // 1440), index.rule_days)
    return days, np.where(known, moved % 1440, -1)


def _schedule_mask(index: Index, query: Query, now: datetime) -> np.ndarray:
    """Rows with a rule meeting on one of the days and starting within the time window (searcher's zone)."""
    days, opens = rule_times(index, query.timezone, now)
    ok = np.ones(len(index.rule_listing), dtype=bool)
    if query.days:
        ok &= (days & sum(WEEKDAY_BITS[d] for d in query.days)) != 0
    if query.after:
        ok &= opens >= clock_minutes(query.after, "--after")
    if query.before:
        ok &= (opens >= 0) & (opens < clock_minutes(query.before, "--before"))
    rows = np.zeros(len(index), dtype=bool)
    rows[index.rule_listing[ok]] = True
    return rows


def matching(index: Index, query: Query, now: datetime | None = None) -> np.ndarray:
    """Rows passing every filter but distance."""
    mask = _any(index, "status", query.statuses) & _any(index, "kind", query.kinds)
    mask &= _any(index, "attendance", query.attendance) & _any(index, "state", query.states)
    if query.organizations:
        mask &= _any(index, "organization", query.organizations) | _any(index, "source", query.organizations)
    for value in query.topics:
        mask &= index.mask("topics", value.lower())
    for value in query.audiences:
        mask &= index.mask("audiences", value.lower())
    if query.days or query.after or query.before:
        mask &= _schedule_mask(index, query, now or query.now or datetime.now(UTC))
    if query.text:
        words = query.text.lower().split()
        mask &= np.fromiter((all(w in t for w in words) for t in index.text), bool, len(index))
    return mask


@lru_cache(maxsize=65536)
def _next_of(rules: tuple[tuple, ...], minute: datetime) -> datetime | None:
    """The next meeting of a set of rules after a minute (cached: many groups share a rule set)."""
    try:
        return next_occurrence([dict(zip(RULE_FIELDS, rule, strict=True)) for rule in rules], minute)
    except ValueError:
        return None


def next_meeting(record: Record, now: datetime) -> datetime | None:
    """When a listing meets next after `now`, from its rules."""
    rules = tuple(tuple(rule.get(k) for k in RULE_FIELDS) for rule in record.get("schedule") or [])
    return _next_of(rules, now.replace(second=0, microsecond=0)) if rules else None


def _next_times(index: Index, rows: np.ndarray, now: datetime) -> np.ndarray:
    """Seconds since the epoch of each row's next meeting (inf when none), once per rule set and minute."""
    minute = now.replace(second=0, microsecond=0)
    if minute not in index._next:
        index._next.clear()
        index._next[minute] = np.full(len(index.schedules) + 1, np.nan)
        index._next[minute][-1] = NEVER  # a key of -1 reads the last slot: no rule, never
    lookup = index._next[minute]
    keys = index.schedule_key[rows]
    missing = keys[np.isnan(lookup[keys])]
    for key in np.unique(missing).tolist():
        found = _next_of(index.schedules[key], minute)
        lookup[key] = found.timestamp() if found else NEVER
    return lookup[keys]


def _order(index: Index, rows: np.ndarray, miles: np.ndarray | None, now: datetime,
           keep: int | None) -> list[int]:
    """Rows by distance (when given), then next meeting, then name; only the first `keep` are sorted."""
    nexts = _next_times(index, rows, now)
    if miles is not None:
        return rows[np.lexsort((index.name_rank[rows], nexts, miles))][:keep].tolist()
    # One integer key (minute of the next meeting, then alphabetical rank) lets a partial sort pick the
    # first `keep` of many remote groups without sorting them all.
    minutes = np.full(len(rows), 2**40, dtype=np.int64)
    known = np.isfinite(nexts)
    minutes[known] = (nexts[known] // 60).astype(np.int64)
    key = minutes * (len(index) + 1) + index.name_rank[rows]
    if keep is not None and len(rows) > keep:
        first = np.argpartition(key, keep - 1)[:keep]
        rows, key = rows[first], key[first]
    return rows[np.argsort(key, kind="stable")].tolist()


def find(query: Query, index: Index) -> Found:
    """Every listing matching the query, nearest and soonest first (at most `limit` returned)."""
    check_query(query, index)
    now = query.now or datetime.now(UTC)
    mask = matching(index, query, now)
    remote = index.mask("attendance", "online") | index.mask("attendance", "phone")
    if query.near is None:
        rows = np.flatnonzero(mask)
        return _found(index, _order(index, rows, None, now, query.limit), len(rows), {}, remote, now, query)
    near, miles = within(index, np.flatnonzero(mask & ~remote), *query.near, query.radius_miles)
    hybrid = np.flatnonzero(mask & index.mask("attendance", "hybrid"))
    far = np.union1d(np.flatnonzero(mask & remote), np.setdiff1d(hybrid, near, assume_unique=True))
    ordered = _order(index, near, miles, now, query.limit)
    if query.limit is None or len(ordered) < query.limit:
        left = None if query.limit is None else query.limit - len(ordered)
        ordered += _order(index, far, None, now, left)
    distance = dict(zip(near.tolist(), miles.tolist(), strict=True))
    found = _found(index, ordered, len(near) + len(far), distance, np.isin(np.arange(len(index)), far), now,
                   query)
    nearest = None if len(near) else nearest_miles(index, np.flatnonzero(mask & ~remote), *query.near)
    return found.model_copy(update={"nearby": len(near), "nearest_miles": nearest})


def nearest_miles(index: Index, rows: np.ndarray, lat: float, lon: float) -> float | None:
    """How far the nearest of the rows with a point is (whole miles); None when none has one."""
    rows = rows[~np.isnan(index.lat[rows])]
    if not len(rows):
        return None
    found = miles_from(np.radians(lat), np.radians(lon), index.lat[rows], index.lon[rows])
    return float(whole_miles(float(found.min())))


def whole_miles(miles: float) -> int:
    """Miles rounded half up (as the page's Math.round)."""
    return int(np.floor(miles + 0.5))


def _found(index: Index, rows: list[int], total: int, distance: dict[int, float], remote: np.ndarray,
           now: datetime, query: Query) -> Found:
    """The results of the rows to show."""
    results = [_with_place(_result(index.records[i], bool(remote[i]), distance.get(i), now),
                           distance.get(i), query) for i in rows]
    return Found(total=total, place=query.place,
                 results=[_with_contact(result, index) for result in results])


def _result(record: Record, remote: bool, miles: float | None, now: datetime) -> Result:
    """A listing as a search result."""
    computed = {"remote", "distance_miles", "next_meeting_at", "when", "how_to_attend", "contact"}
    fields = {k: record.get(k) for k in Result.model_fields if k in record and k not in computed}
    return Result(**fields, remote=remote, distance_miles=None if miles is None else round(miles, 1),
                  next_meeting_at=next_meeting(record, now), when=schedule_text(record, with_zone=False),
                  how_to_attend=how_to_attend(record), contact=contact_text(record, "\n"))


def _with_place(result: Result, miles: float | None, query: Query) -> Result:
    """A result with its distance in words and its next meeting on the searcher's clock."""
    return result.model_copy(update={
        "distance_text": distance_text(result.geo_precision, miles, result.city, result.state),
        "next_meeting_your_time": your_time(result.next_meeting_at, query.timezone)})


def distance_text(precision: str, miles: float | None, city: str | None, state: str | None) -> str:
    """"3.2 miles away"; one placed at a ZIP or city centre says "in Louisville" (site.js: distanceText)."""
    if miles is None:
        return ""
    if precision == "state" or (precision in ("zip", "city") and not city):
        return f"in {state}" if state else ""
    if precision in ("zip", "city"):
        return f"in {city}" if miles < 2 else f"in {city}, about {whole_miles(miles):,} miles away"
    return f"{miles:.1f} miles away"


def your_time(moment: datetime | None, zone: str | None) -> datetime | None:
    """The moment in the searcher's zone when that zone's clock reads differently; else None."""
    if moment is None or zone is None:
        return None
    here = moment.astimezone(ZoneInfo(zone))
    return here if here.utcoffset() != moment.utcoffset() else None


def _with_contact(result: Result, index: Index) -> Result:
    """The result with its contact, or its parent's when it has none (warehouse/search/cards.py)."""
    return result.model_copy(update=result_contact(index.by_id()[result.listing_id], index.by_id()))


def load_index(data: Path | None = None, warehouse: Path | None = None) -> Index:
    """The index of an export folder (default exports/), or of a warehouse's current listings."""
    if warehouse is not None:
        from warehouse import db
        from warehouse.publish import records
        if not Path(warehouse).exists():
            raise SearchInvalid(f"no warehouse at {warehouse}; run `supportdir build --offline` first")
        con = db.connect(warehouse, read_only=True)
        try:
            records.prepare(con)
            return build_index(records.load(con))
        finally:
            con.close()
    folder = Path(data or "exports")
    if not (folder / "listings.jsonl").exists():
        raise SearchInvalid(f"no export in {folder}; run `supportdir build --offline --out {folder}` first")
    return build_index(read_exports(folder))


_LOADED: dict[tuple[str, float], Index] = {}


def search(query: Query, index: Index | None = None, data: Path | None = None) -> list[Result]:
    """The results of a query (at most `limit`), nearest and soonest first.

    Without an index, the export in `data` (default exports/) is loaded once and kept while its
    listings file is unchanged, so repeated calls cost only the query.
    """
    if index is None:
        listings = (Path(data or "exports") / "listings.jsonl").resolve()
        key = (str(listings), listings.stat().st_mtime if listings.exists() else 0.0)
        if key not in _LOADED:
            _LOADED.clear()
            _LOADED[key] = load_index(listings.parent)
        index = _LOADED[key]
    return find(query, index).results

"""How fast `supportdir search` answers a ZIP + radius query over a large directory (in-process).

    .venv/bin/python benchmarks/search_speed.py [--listings 100000] [--queries 200]

Synthesizes listings at random US ZIP centres (a fifth online or by phone, most with a weekly or
monthly rule from a pool of shared rules, as real directories have), builds the search index once,
then times `warehouse.search.query.find` for random ZIP codes with a 25-mile radius and prints the
index build time and the p50 / p95 / max query times. Not a test: it prints figures.
"""

import argparse
import random
import statistics
import time
from datetime import UTC, datetime

from schemas.search import Query
from warehouse.search.index import build_index, zip_points
from warehouse.search.query import find, point

ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Los_Angeles")
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def synthetic(count: int, seed: int = 5) -> list[dict]:
    """`count` listings spread over US ZIP centres."""
    rng = random.Random(seed)
    zips = list(zip_points().items())
    rules = [{"freq": "WEEKLY", "interval": 1, "byday": day, "opens_at": f"{h:02d}:{m:02d}",
              "closes_at": None, "timezone": zone}
             for day in DAYS for h in (10, 12, 18, 19, 20) for m in (0, 30) for zone in ZONES]
    rules += [{**r, "freq": "MONTHLY", "byday": f"2{r['byday']}"} for r in rules[::7]]
    records = []
    for n in range(count):
        code, (lat, lon, city, state) = rng.choice(zips)
        ways = ("in_person", "online", "phone", "hybrid", "unknown")
        attendance = rng.choices(ways, (60, 15, 5, 10, 10))[0]
        records.append({
            "listing_id": f"bench-{n}", "name": f"Group {n}",
            "kind": rng.choice(("group", "group", "chapter")),
            "organization": rng.choice(("NAMI", "DBSA", "S&PAA")), "source": rng.choice(("nami", "dbsa")),
            "attendance": attendance, "city": city, "state": state, "postal_code": code,
            "latitude": None if attendance in ("online", "phone") else lat,
            "longitude": None if attendance in ("online", "phone") else lon, "geo_precision": "zip",
            "status": "active", "topics": rng.sample(["depression", "bipolar", "anxiety", "psychosis"], 2),
            "audiences": [rng.choice(["peers", "family"])], "description": "A peer support group.",
            "schedule": [rng.choice(rules)] if rng.random() < 0.8 else [],
            "source_url": "https://x.example/",
            "last_seen": "2026-11-20T06:00:00Z"})
    return records


def main() -> None:
    """Build the index, run the queries, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=200)
    args = parser.parse_args()
    records = synthetic(args.listings)
    started = time.perf_counter()
    index = build_index(records)
    built = time.perf_counter() - started
    rng = random.Random(7)
    codes = rng.sample(sorted(zip_points()), args.queries)
    now = datetime.now(UTC)
    find(Query(near=point(codes[0]), now=now), index)  # warm the per-value masks and the rule cache
    times, sizes = [], []
    for code in codes:
        started = time.perf_counter()
        found = find(Query(near=point(code), radius_miles=25, now=now), index)
        times.append((time.perf_counter() - started) * 1000)
        sizes.append(found.total)
    times.sort()
    print(f"listings {len(index)}, index built in {built:.2f} s")
    print(f"{len(times)} ZIP + 25 mi queries: p50 {statistics.median(times):.1f} ms, "
          f"p95 {times[int(len(times) * 0.95) - 1]:.1f} ms, max {times[-1]:.1f} ms; "
          f"matches per query: median {statistics.median(sizes):.0f}")


if __name__ == "__main__":
    main()

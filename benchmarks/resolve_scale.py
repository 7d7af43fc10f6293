"""How long resolving takes for many synthetic meetings (blocking, judging and clustering, no DuckDB).

    .venv/bin/python benchmarks/resolve_scale.py 20000 --per-zip 40

Names are three words drawn from common meeting-name words, so many pairs share a block and
look alike: the judged-pair count, not the record count, drives the time.
"""

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from warehouse.identity.clustering import resolve
from warehouse.identity.matching import Record

WORDS = ("serenity", "hope", "recovery", "step", "study", "big", "book", "early", "birds", "keep", "simple",
         "came", "believe", "courage", "change", "living", "sober", "new", "freedom", "daily", "reflections",
         "happy", "destiny")
DAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
TIMES = ("07:00", "12:00", "19:00", "20:00")


def synthetic(count: int, per_zip: int, seed: int = 1) -> list[Record]:
    """`count` meetings spread over count/per_zip ZIP codes."""
    rng = random.Random(seed)
    zips = [f"{rng.randint(100, 999)}{rng.randint(0, 99):02d}" for _ in range(max(count // per_zip, 1))]
    records = []
    for i in range(count):
        zip_code = rng.choice(zips)
        records.append(Record(
            listing_id=f"{i:07d}", source="meetingguide", kind="group", name=" ".join(rng.sample(WORDS, 3)),
            city=f"city-{zip_code[:3]}", state="TX", postal_code=zip_code,
            slots=(f"WEEKLY/1/{rng.choice(DAYS)}@{rng.choice(TIMES)}",)))
    return records


def main() -> None:
    """Print records, judged pairs, entities and seconds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, nargs="?", default=20000, help="how many meetings")
    parser.add_argument("--per-zip", type=int, default=40, help="meetings per ZIP code on average")
    args = parser.parse_args()
    records = synthetic(args.count, args.per_zip)
    start = time.perf_counter()
    result = resolve(records)
    seconds = time.perf_counter() - start
    print(f"{len(records)} records, {len(result.pairs)} pairs judged, "
          f"{len(set(result.entity_of.values()))} entities, {seconds:.1f} s")


if __name__ == "__main__":
    main()

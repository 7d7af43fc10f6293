"""Parse speed of sources on their synthetic pages: ms per HTML page of Source.parse (and notes).

Wall and CPU time both: on a shared machine the CPU time is the figure to compare.

No crawl and no network: the scale benchmark's generator writes the pages, the registered source
parses each one as the parse step would. One JSON line per source, the best of --repeat runs;
--profile prints a pyinstrument profile of one run (the `bench` extra).

    python benchmarks/parse_speed.py smart lifering clubhouse --count 1000 --repeat 3

Run it from another checkout (PYTHONPATH=that/checkout python benchmarks/parse_speed.py ...) to
time that checkout's parsers on the same pages.
"""

import argparse
import json
import random
import time
from datetime import UTC, datetime

from benchmarks.scale import GENERATORS
from scrapers.page import Page
from scrapers.registry import get_source


def html_pages(name: str, count: int, seed: int) -> list[Page]:
    """The generator's HTML pages for a source, at its live base URL (sitemaps and feeds left out)."""
    source = get_source(name)
    generated = GENERATORS[name](count, random.Random(seed))
    fetched_at = datetime(2026, 11, 20, tzinfo=UTC)
    return [Page(url=source.base + key, status=status, headers=headers, body=body, fetched_at=fetched_at)
            for key, (status, headers, body) in generated.pages.items()
            if "html" in headers.get("Content-Type", "")]


def parse_every(name: str, pages: list[Page]) -> int:
    """Parse (and read the notes of) every page; the number of listings."""
    source = get_source(name)
    listings = 0
    for page in pages:
        listings += len(list(source.parse(page)))
        source.notes(page)
    return listings


def timed(name: str, pages: list[Page], repeat: int) -> dict:
    """The best of `repeat` runs over the pages (wall and CPU), in ms per page."""
    wall, cpu, listings = float("inf"), float("inf"), 0
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        listings = parse_every(name, pages)
        wall = min(wall, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - started_cpu)
    per_page = 1000 / max(len(pages), 1)
    return {"source": name, "pages": len(pages), "listings": listings, "wall_s": round(wall, 3),
            "cpu_s": round(cpu, 3), "wall_ms_per_page": round(wall * per_page, 3),
            "cpu_ms_per_page": round(cpu * per_page, 3),
            "cpu_ms_per_listing": round(1000 * cpu / max(listings, 1), 4)}


def main() -> None:
    """Time each named source (and profile it if asked)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sources", nargs="+", choices=sorted(GENERATORS))
    parser.add_argument("--count", type=int, default=1000, help="listings to generate per source")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--profile", action="store_true", help="print a pyinstrument profile of one run")
    args = parser.parse_args()
    for name in args.sources:
        pages = html_pages(name, args.count, args.seed)
        print(json.dumps(timed(name, pages, args.repeat)))
        if args.profile:
            from pyinstrument import Profiler  # the `bench` extra

            with Profiler() as profiler:
                parse_every(name, pages)
            print(profiler.output_text(color=False, show_all=False))


if __name__ == "__main__":
    main()

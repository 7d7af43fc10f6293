"""How fast the NAMI profile and DBSA state-page parsers read their pages (parse only, in-process).

    .venv/bin/python -m benchmarks.parse_speed [--listings 5000] [--repeat 3]

Generates the scale benchmark's synthetic pages (benchmarks/synth_nami.py, synth_dbsa.py), gives each
NAMI profile the context its API entry gives it in a crawl, and times `Source.parse` over every
profile and state page (the best of `--repeat` runs, wall and CPU: on a shared machine the CPU time
is the steadier figure). Prints ms per page and listings per second for each source. Not a test:
it prints figures.
"""

import argparse
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime

from benchmarks import synth_dbsa, synth_nami
from benchmarks.synth import Pages
from scrapers.base import Source
from scrapers.page import Page
from scrapers.sources.dbsa import Dbsa
from scrapers.sources.nami import Nami

FETCHED = datetime(2026, 11, 20, tzinfo=UTC)


def page_at(pages: Pages, base: str, key: str, context: dict | None = None) -> Page:
    """The synthetic response at a mirror key as a fetched page."""
    status, headers, body = pages[key]
    return Page(url=base + key, status=status, headers=headers, body=body, fetched_at=FETCHED,
                context=context or {})


def nami_profiles(count: int) -> list[Page]:
    """Every synthetic profile page, with the API entry's context a crawl would give it."""
    pages, source = synth_nami.generate(count, random.Random(1)), Nami()
    api_pages = [page_at(pages, source.base, key) for key in pages if "/wp-json/" in key]
    links = [link for api in api_pages for link in source.discover(api)]
    return [page_at(pages, source.base, link.url.removeprefix(source.base), link.context)
            for link in links if "/wp-json/" not in link.url]


def dbsa_state_pages(count: int) -> list[Page]:
    """The synthetic state pages (the online groups page left out: it is not an lxml parse)."""
    pages, source = synth_dbsa.generate(count, random.Random(1)), Dbsa()
    return [page_at(pages, source.base, key) for key in pages if "state=" in key]


def timed(source: Source, pages: list[Page], repeat: int) -> tuple[float, float, int]:
    """Best wall and CPU seconds of parsing every page, and how many listings they gave."""
    wall = cpu = float("inf")
    listings = 0
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        listings = sum(len(list(source.parse(page))) for page in pages)
        wall = min(wall, time.perf_counter() - started)
        cpu = min(cpu, time.process_time() - started_cpu)
    return wall, cpu, listings


def report(name: str, make: Callable[[int], list[Page]], source: Source, count: int, repeat: int) -> None:
    """Print one source's figures."""
    pages = make(count)
    wall, cpu, listings = timed(source, pages, repeat)
    figures = (f"{what} {seconds:.3f} s, {1000 * seconds / len(pages):.3f} ms/page, "
               f"{listings / seconds:,.0f} listings/s" for what, seconds in (("wall", wall), ("cpu", cpu)))
    print(f"{name}: {len(pages)} pages, {listings} listings; " + "; ".join(figures))


def main() -> None:
    """Generate the pages and print each parser's figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listings", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    report("nami profiles", nami_profiles, Nami(), args.listings, args.repeat)
    report("dbsa state pages", dbsa_state_pages, Dbsa(), args.listings, args.repeat)


if __name__ == "__main__":
    main()

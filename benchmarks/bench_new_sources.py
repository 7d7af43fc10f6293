"""How fast the new parsers are: a Meeting Guide feed of N meetings, and platform meeting pages.

Run: .venv/bin/python benchmarks/bench_new_sources.py [meetings]
Prints figures; asserts nothing (a benchmark, not a test).
"""

import json
import sys
import time
from dataclasses import replace

from scrapers.sample import load_manifest, sample_page
from scrapers.sources.meetingguide import MeetingGuide
from scrapers.sources.mha import Mha
from scrapers.sources.smart import Smart


def big_feed(size: int) -> bytes:
    """The sample San Diego feed repeated to `size` meetings, each with its own slug."""
    meetings = json.loads(sample_page("meetingguide", "meetingguide_aasandiego.json").body)
    out = []
    for number in range(size):
        meeting = dict(meetings[number % len(meetings)])
        meeting["slug"] = f"{meeting['slug']}-{number}"
        out.append(meeting)
    return json.dumps(out).encode("utf-8")


def timed(label: str, count: int, call) -> None:
    """Run once, print seconds and items per second."""
    start = time.perf_counter()
    result = call()
    seconds = time.perf_counter() - start
    print(f"{label}: {count} in {seconds:.3f} s ({count / seconds:,.0f}/s), {len(result)} listings")


def main(size: int) -> None:
    """Parse a big feed, then every SMART and MHA sample page 50 times."""
    source = MeetingGuide()
    page = replace(sample_page("meetingguide", "meetingguide_aasandiego.json"), body=big_feed(size))
    print(f"feed of {size} meetings: {len(page.body) / 1e6:.1f} MB of JSON")
    timed("meetingguide parse", size, lambda: list(source.parse(page)))
    for name, cls in (("smart", Smart), ("mha", Mha)):
        pages = [sample_page(name, r.path.name) for r in load_manifest(name) if r.status == 200
                 and not r.path.name.endswith(".xml")] * 50
        timed(f"{name} page parse", len(pages), lambda cls=cls, pages=pages: [
            item for p in pages for item in cls().parse(p)])


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)

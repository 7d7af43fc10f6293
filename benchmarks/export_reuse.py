"""Export timing on a built warehouse: a first export, then a second with nothing changed (calendars reused).

    python -m benchmarks.export_reuse WAREHOUSE --work DIR [--profile]

Copies the warehouse into DIR (the build's own file stays untouched), exports twice to DIR/exports
and prints one JSON object: each export's wall seconds, the seconds it waits for the calendars and
the group files reused. With --profile, each export's pyinstrument profile is written beside
(first.html, second.html).
"""

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

import duckdb

from warehouse.publish import export, ical


def timed_calendars() -> dict[str, float]:
    """Wrap the calendars' collection to add up the seconds the export waits for them, and the files reused.

    A big export's calendars are written by a worker beside the other writers: this is the wait
    for them after those; a small export's are written here, and this is their whole writing time.
    """
    spent = {"calendars_s": 0.0, "reused": 0}
    original = ical.Apart.result

    def wrapper(self, found):
        start = time.perf_counter()
        written = original(self, found)
        spent["calendars_s"] += time.perf_counter() - start
        spent["reused"] += written.reused
        return written

    ical.Apart.result = wrapper
    return spent


def one_export(con: duckdb.DuckDBPyConnection, out: Path, run_id: str, profile: Path | None) -> dict:
    """Export once; its wall seconds and the calendars' share."""
    spent = timed_calendars()
    profiler = None
    if profile is not None:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    start = time.perf_counter()
    export.export_directory(con, out, run_id, [])
    wall = time.perf_counter() - start
    if profiler is not None:
        profiler.stop()
        profile.write_text(profiler.output_html(), encoding="utf-8")
    return {"wall_s": round(wall, 2), "calendars_s": round(spent["calendars_s"], 2),
            "reused": spent["reused"]}


def main() -> int:
    """Two exports of one warehouse; the figures as JSON on stdout."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("--work", type=Path, required=True)
    parser.add_argument("--profile", action="store_true", help="Write a pyinstrument profile of each export.")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    copy = args.work / "warehouse.duckdb"
    shutil.copyfile(args.warehouse, copy)
    shutil.rmtree(args.work / ".exports.builds", ignore_errors=True)
    (args.work / "exports").unlink(missing_ok=True)
    original = ical.Apart.result
    con = duckdb.connect(str(copy))
    result = {}
    for run in ("first", "second"):
        result[run] = one_export(con, args.work / "exports", f"bench-{run}",
                                 args.work / f"{run}.html" if args.profile else None)
        ical.Apart.result = original
    result["listings"] = con.execute("SELECT count(*) FROM listings").fetchone()[0]
    json.dump(result, sys.stdout, indent=2)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())

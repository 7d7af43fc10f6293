"""Scale benchmark: a synthetic mirror of every source on 127.0.0.1, then crawl, recrawl, replay, search.

    python -m benchmarks.scale --listings 100000 --latency 0.002 --interval 0.005 > result.json

Prints one JSON object (the shape of issue 6) on stdout; parameters and notes go to stderr.
Each source is served by its own threaded server (its own host, so sources are crawled in
parallel as on the real sites), with `--latency` seconds of delay per request. A source of many
hosts (Meeting Guide feeds, BMLT root servers) is served as its mirror (<base>/<host><path>, see
Source.mirrored): one server, whose requests are counted per live host they stand for, so the
politeness bound is the slowest live host's. `--mix national` (the default) is issue 13's mix of
every source; `--mix issue6` gives the earlier figures' pages (same seed, same order).
The JSON's `sources` gives, per source, listings generated and built, its fetch time, and its
bounds by live host and serial (one request at a time over all its hosts).
"""

import argparse
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from itertools import pairwise
from pathlib import Path

import duckdb

from benchmarks import (
    synth_bmlt,
    synth_clubhouse,
    synth_dbsa,
    synth_meetingguide,
    synth_meetings_platform,
    synth_mha,
    synth_nami,
    synth_sardaa,
    synth_warmlines,
)
from benchmarks.synth import Pages, key_of
from tests.faults import FaultServer

# One generator per source, by source name; a new source plugs in here.
GENERATORS = {
    "nami": synth_nami.generate, "dbsa": synth_dbsa.generate, "sardaa": synth_sardaa.generate,
    "mha": synth_mha.generate, "bmlt": synth_bmlt.generate, "meetingguide": synth_meetingguide.generate,
    "smart": synth_meetings_platform.generate_smart, "lifering": synth_meetings_platform.generate_lifering,
    "clubhouse": synth_clubhouse.generate, "warmlines": synth_warmlines.generate,
}
# The national mix (issue 13): 2 % NAMI/DBSA/MHA/S&PAA, 30 % BMLT, 55 % Meeting Guide feeds (45 feeds on
# 44 hosts), 5 % SMART/LifeRing (about 1,250 : 157 as on the live sites), the rest clubhouses and warmlines.
NATIONAL_MIX = ("nami=0.008,dbsa=0.008,mha=0.003,sardaa=0.001,bmlt=0.30,meetingguide=0.55,smart=0.044,"
                "lifering=0.006,clubhouse=0.075,warmlines=0.005")
# Issue 6's mix (the figures before the national mix): same seed, same pages, same order.
ISSUE6_MIX = "nami=0.3,dbsa=0.69,sardaa=0.01"
MIXES = {"national": NATIONAL_MIX, "issue6": ISSUE6_MIX}
DEFAULT_MIX = "national"


def log(message: str) -> None:
    """A progress or note line on stderr."""
    print(message, file=sys.stderr, flush=True)


def parse_mix(text: str, total: int) -> dict[str, int]:
    """A mix's name (national, issue6) or `nami=0.3,dbsa=0.69,sardaa=0.01` -> listings per source
    (at least one each), in the order written (the order the generators draw from the seed)."""
    text = MIXES.get(text, text)
    try:
        shares = {name.strip(): float(share) for name, share in (part.split("=") for part in text.split(","))}
    except ValueError:
        names = ", ".join(MIXES)
        raise SystemExit(f"--mix {text!r}: expected a mix name ({names}) or source=share,...") from None
    if unknown := sorted(set(shares) - set(GENERATORS)):
        raise SystemExit(f"--mix: no generator for {', '.join(unknown)} (known: {', '.join(GENERATORS)})")
    return {name: max(1, round(total * share)) for name, share in shares.items()}


def generate(counts: dict[str, int], seed: int) -> dict[str, Pages]:
    """Each source's synthetic pages (drawn from one seeded generator in the mix's order), logged."""
    rng = random.Random(seed)
    generated: dict[str, Pages] = {name: GENERATORS[name](count, rng) for name, count in counts.items()}
    for name, pages in generated.items():
        size = sum(len(body) for _s, _h, body in pages.values())
        hosts = len(set(pages.hosts.values())) or 1
        log(f"  {name}: {len(pages)} pages on {hosts} host(s), {size / 1e6:.1f} MB, "
            f"{pages.listings} listings, {pages.duplicates} deliberate duplicates")
    return generated


def mirror_env(work: Path, servers: dict[str, FaultServer], interval: float) -> dict[str, str]:
    """The environment of a build over the mirror: its home in `work`, each source on its server."""
    env = {**os.environ, "SUPPORTDIR_HOME": str(work / "data"), "SUPPORTDIR_ALLOW_PRIVATE": "true",
           "SUPPORTDIR_FETCH_RETRIES": "2", "SUPPORTDIR_SOURCE_RETRIES": "0",
           **{f"SUPPORTDIR_{n.upper()}_BASE_URL": s.base for n, s in servers.items()},
           **{f"SUPPORTDIR_{n.upper()}_MIN_INTERVAL": str(interval) for n in servers}}
    env.pop("PREFECT_API_URL", None)
    return env


# The CLI with its own peak resident memory written to stderr at exit (RUSAGE_SELF: this process only;
# RUSAGE_CHILDREN is no help for the check workers: a child forked from a big process counts the
# parent's pages until it execs).
CLI = ("import atexit, resource, sys; atexit.register(lambda: sys.stderr.write("
       "'PEAK_RSS_KB=%d\\n' % resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)); "
       "from flows.cli import main; main()")


def run_build(env: dict[str, str], *args: str) -> tuple[float, float, dict]:
    """`supportdir build ARGS --json` for the mirrored sources; return wall seconds, peak RSS MiB, summary."""
    sources = [item for name in GENERATORS if f"SUPPORTDIR_{name.upper()}_BASE_URL" in env
               for item in ("--source", name)]  # the others would go to the live web
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CLI, "build", "--json", *sources, *args], env=env,
                          capture_output=True, text=True)
    wall = time.perf_counter() - started
    if done.returncode not in (0, 1):
        raise SystemExit(f"build failed ({done.returncode}): {done.stderr[-2000:]}")
    peak = re.search(r"PEAK_RSS_KB=(\d+)", done.stderr)
    if "{" not in done.stdout:
        raise SystemExit(f"build printed no summary ({done.returncode}): {done.stderr[-2000:]}")
    start = done.stdout.find("\n{\n") + 1 if not done.stdout.startswith("{") else 0
    if start:  # something printed before the summary: show it, then read the summary after it
        log(f"  (build printed before its summary: {done.stdout[:start][:500]!r})")
    return wall, int(peak.group(1)) / 1024 if peak else float("nan"), json.loads(done.stdout[start:])


def host_requests(servers: dict[str, FaultServer], generated: dict[str, Pages]) -> dict[str, Counter]:
    """Per source, requests per live host its pages stand for (a many-host source's mirror serves
    each host as /<host><path>; two sources of one live host, NAMI and its warmline PDF, share it)."""
    return {name: Counter(generated[name].real_host(key_of(server.url(r.path))) or f"{name} mirror"
                          for r in server.requests) for name, server in servers.items()}


def bound(servers: dict[str, FaultServer], generated: dict[str, Pages], interval: float,
          latency: float) -> float:
    """The politeness bound: per live host, requests x max(interval, latency); the largest host."""
    per_host: Counter = sum(host_requests(servers, generated).values(), Counter())
    return max(per_host.values()) * max(interval, latency)


def median_gap(server: FaultServer) -> float | None:
    """The median time between two page requests arriving at a server (robots.txt aside): the
    politeness interval when its hosts are fetched one at a time, near zero when several are at once."""
    arrivals = sorted(r.at for r in server.requests if r.path != "/robots.txt")
    return round(statistics.median(b - a for a, b in pairwise(arrivals)), 4) if len(arrivals) > 1 else None


def per_source(servers: dict[str, FaultServer], generated: dict[str, Pages], summary: dict, args) -> dict:
    """Per source: listings generated and built, its crawl's time, and its bounds: by live host (what a
    crawl fetching its hosts in parallel could reach) and serial (one request at a time, all hosts)."""
    step = max(args.interval, args.latency)
    outcomes = {s["source"]: s for s in summary["sources"]}
    result = {}
    for name, hosts in host_requests(servers, generated).items():
        outcome = outcomes.get(name, {})
        live = [host for host in hosts if not host.endswith(" mirror")]  # a hostless mirror's robots.txt
        result[name] = {"generated": generated[name].listings, "built": outcome.get("listings"),
                        "status": outcome.get("status"), "pages": outcome.get("pages"), "hosts": len(live),
                        "requests": sum(hosts.values()), "fetch_s": outcome.get("fetch_s"),
                        "parse_s": outcome.get("parse_s"), "median_gap_s": median_gap(servers[name]),
                        "host_bound_s": round(max(hosts.values(), default=0) * step, 2),
                        "serial_bound_s": round(sum(hosts.values()) * step, 2)}
    return result


def fetch_stats(warehouse: Path, run_id: str) -> tuple[int, int]:
    """Pages fetched (robots.txt aside) and how many were answered 304, from the run's fetch table."""
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(
            "SELECT count(*), count(*) FILTER (WHERE not_modified) FROM fetches "
            "WHERE run_id = ? AND url NOT LIKE '%/robots.txt' AND status IS NOT NULL", [run_id]).fetchall()[0]
    finally:
        con.close()


def work_seconds(summary: dict) -> float:
    """The build's own work: slowest source's fetch+parse, staging, normalizing, exporting."""
    timings = summary["timings"]
    collect = max(((s.get("fetch_s") or 0) + (s.get("parse_s") or 0)) for s in summary["sources"])
    return collect + sum(timings.get(k, 0) for k in ("stage_s", "normalize_s", "export_s"))


def crawl_and_recrawl(env: dict, servers: dict, generated: dict, args,
                      work: Path) -> tuple[dict, dict, dict, dict]:
    """The first crawl and the unchanged recrawl, with their politeness bounds; per-source figures."""
    log("crawl ...")
    wall, _rss, first = run_build(env, "--out", str(work / "exports"))
    crawl_bound = bound(servers, generated, args.interval, args.latency)
    startup = wall - first["timings"]["flow_s"]
    crawl = {"wall_s": round(wall, 2), "startup_s": round(startup, 2), "bound_s": round(crawl_bound, 2),
             "ratio": round((wall - startup) / crawl_bound, 3)}
    sources = per_source(servers, generated, first, args)
    log(f"  {crawl} status={first['status']} timings={first['timings']}")
    for name, figures in sources.items():
        log(f"  {name}: {figures}")
    for server in servers.values():
        server.requests.clear()
    log("recrawl ...")
    wall, _rss, second = run_build(env, "--out", str(work / "exports"))
    pages = [r for s in servers.values() for r in s.requests if r.path != "/robots.txt"]
    conditional = sum(1 for r in pages if "If-None-Match" in r.headers or "If-Modified-Since" in r.headers)
    fetched, not_modified = fetch_stats(work / "data" / "warehouse.duckdb", second["run_id"])
    recrawl = {"requests": sum(len(s.requests) for s in servers.values()),
               "conditional_share": round(conditional / max(len(pages), 1), 4),
               "not_modified_share": round(not_modified / max(fetched, 1), 4),
               "pages_reparsed": sum(s.get("pages_parsed", 0) for s in second["sources"]),
               "wall_s": round(wall, 2),
               "bound_s": round(bound(servers, generated, args.interval, args.latency), 2)}
    log(f"  {recrawl} timings={second['timings']}")
    return crawl, recrawl, first, sources


def replay(env: dict, work: Path, run_id: str, runner: str = "thread") -> tuple[dict, dict]:
    """A build from the crawl's WARC files alone, into a fresh warehouse."""
    log("replay ...")
    files = sorted((work / "data" / "warc").glob(f"{run_id}-*.warc.gz"))
    args = [item for path in files for item in ("--replay", str(path))]
    wall, rss, summary = run_build(env, *args, "--out", str(work / "replay-exports"),
                                   "--warehouse", str(work / "replay.duckdb"), "--task-runner", runner)
    listings = sum(s["listings"] for s in summary["sources"])
    result = {"wall_s": round(wall, 2), "peak_rss_mb": round(rss, 1),
              "listings_per_s": round(listings / wall, 1)}
    exported = {name: rows for name, rows in summary["exports"].items() if not name.startswith("ics/")}
    log(f"  {result} listings={listings} exported={exported} (+ one .ics per group) "
        f"timings={summary['timings']}")
    return result, summary


def stages(summary: dict, wall: float) -> dict:
    """Stage timings of a build, and the share of its wall time that is not stage work."""
    timings = summary["timings"]
    return {"fetch_s": timings.get("fetch_s"), "parse_s": timings.get("parse_s"),
            "load_s": timings.get("stage_s"), "normalize_s": timings.get("normalize_s"),
            "resolve_s": timings.get("resolve_s"), "export_s": timings.get("export_s"),
            "prefect_overhead_share": round(max(wall - work_seconds(summary), 0) / wall, 3)}


def search(env: dict, work: Path, queries: int = 100) -> dict:
    """p50/p95 of in-process searches (ZIP + radius) over the crawl's export, and one CLI run."""
    from datetime import UTC, datetime

    from schemas.search import Query
    from warehouse.search.query import find, load_index, point

    exports = work / "exports"
    started = time.perf_counter()
    index = load_index(data=exports)
    log(f"search: index of {len(index)} listings loaded in {time.perf_counter() - started:.2f} s")
    rng = random.Random(6)
    zips = [row["postal_code"] for row in map(json.loads, (exports / "listings.jsonl").open())
            if row.get("postal_code")][:5000]
    now = datetime.now(UTC)
    times = []
    for _ in range(queries):
        query = Query(near=point(rng.choice(zips)), radius_miles=rng.choice([5, 10, 25, 50]), now=now)
        started = time.perf_counter()
        find(query, index)
        times.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", "from flows.cli import main; main()", "search",
                           "--near", zips[0], "--radius", "25", "--data", str(exports)],
                          env=env, capture_output=True, text=True)
    cli = time.perf_counter() - started
    if done.returncode != 0:
        log(f"search CLI exited {done.returncode}: {done.stderr[-300:]}")
    times.sort()
    p95 = times[int(0.95 * len(times)) - 1]
    return {"p50_ms": round(statistics.median(times), 2), "p95_ms": round(p95, 2),
            "cli_wall_s": round(cli, 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--listings", type=int, default=10_000, help="Listings in the synthetic mirror.")
    parser.add_argument("--mix", default=DEFAULT_MIX,
                        help=f"A mix by name ({', '.join(MIXES)}; default {DEFAULT_MIX}) or shares per "
                             f"source (`{ISSUE6_MIX}` is issue6). Sources: {', '.join(GENERATORS)}.")
    parser.add_argument("--latency", type=float, default=0.002, help="Server delay per request (s).")
    parser.add_argument("--interval", type=float, default=0.005, help="Politeness interval per host (s).")
    parser.add_argument("--work", type=Path, default=None, help="Working folder (default: a temp folder).")
    parser.add_argument("--seed", type=int, default=6, help="Seed of the synthetic data.")
    parser.add_argument("--task-runner", default="thread", choices=["thread", "dask"],
                        help="Task runner of the replay build (the crawls always use threads).")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="supportdir-scale-"))
    counts = parse_mix(args.mix, args.listings)
    log(f"mix {args.mix}: listings per source: {counts}; latency {args.latency} s, "
        f"interval {args.interval} s; work {work}")
    generated = generate(counts, args.seed)
    servers = {name: FaultServer(pages=pages, latency=args.latency).__enter__()
               for name, pages in generated.items()}
    env = mirror_env(work, servers, args.interval)
    try:
        crawl, recrawl, first, sources = crawl_and_recrawl(env, servers, generated, args, work)
        replayed, replay_summary = replay(env, work, first["run_id"], args.task_runner)
    finally:
        for server in servers.values():
            server.__exit__(None, None, None)
    result = {"listings": args.listings, "mix": args.mix, "crawl": crawl, "recrawl": recrawl,
              "replay": replayed, "search": search(env, work),
              "stages": stages(replay_summary, replayed["wall_s"]), "sources": sources}
    log("stages are those of the replay build (no politeness waits); resolve_s is part of normalize_s; "
        "prefect_overhead_share = (wall - stage work) / wall, start-up included")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()


"""The project's replay build against a plain hand-written parse of the same WARC files (issue 15).

    python -m benchmarks.compare_parse --listings 100000 --rounds 3 > result.json
    python -m benchmarks.compare_parse --work DIR --reuse-run RUN_ID --rounds 2 > result.json

With `--reuse-run`, the rounds replay the WARC files an earlier run left in DIR (its crawl is not
repeated; each source's address comes from its WARC index).

Serves the synthetic NAMI and DBSA pages (30 % NAMI profiles, 70 % DBSA blocks) on loopback servers,
crawls them once with `supportdir build` to get the WARC files, then alternates, each in a fresh
process: (a) `supportdir build --replay` of those files into a fresh warehouse and export folder
(collect, normalize, resolve, every export), (b) benchmarks/plain_parse.py (warcio, BeautifulSoup
with lxml, phonenumbers, one CSV; it never imports the project). Checks that the plain CSV and the
build's listings.csv agree on name, phone, email and website, listing by listing. Prints one JSON
object on stdout; parameters and progress go to stderr. Peak RSS is each process's own
(RUSAGE_SELF of the build's CLI process; os.wait4's rusage of the plain parse, which has no children).
CPU seconds are each run's, its waited-for children included (RUSAGE_CHILDREN before and after): on a
loaded machine wall time stretches with the load, CPU time much less, so `cpu_ratio` is the steadier.
"""

import argparse
import csv
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

from benchmarks.scale import generate, log, mirror_env, parse_mix, replay, run_build
from tests.faults import FaultServer
from warehouse.publish.atomic import builds_dir

MIX = "nami=0.3,dbsa=0.7"
PLAIN = Path(__file__).with_name("plain_parse.py")
FIELDS = ("name", "phone", "email", "website")
DBSA_STATE = "/find-a-support-group/"


def crawl(listings: int, seed: int, work: Path) -> tuple[dict[str, str], str, int, dict]:
    """Generate and serve the pages, crawl them once (no politeness wait); the replay's environment,
    the run id, listings generated, and the seconds generating and crawling (a whole build) took."""
    started = time.perf_counter()
    generated = generate(parse_mix(MIX, listings), seed)
    generate_s = time.perf_counter() - started
    servers = {name: FaultServer(pages=pages).__enter__() for name, pages in generated.items()}
    try:
        env = mirror_env(work, servers, interval=0.0)
        env["SUPPORTDIR_NAMI_MAX_PAGES"] = str(len(generated["nami"]) + 10)  # 5,000 by default
        log("crawl ...")
        crawl_s, _rss, summary = run_build(env, "--out", str(work / "crawl-exports"))
    finally:
        for server in servers.values():
            server.__exit__(None, None, None)
    built = {s["source"]: (s["status"], s["listings"]) for s in summary["sources"]}
    log(f"  crawled: {built}")
    seconds = {"generate_s": round(generate_s, 1), "crawl_build_s": round(crawl_s, 1)}
    return env, summary["run_id"], sum(p.listings for p in generated.values()), seconds


def reused_env(work: Path, run_id: str) -> dict[str, str]:
    """The replay's environment for the WARC files of an earlier crawl in `work`: each source's
    address as its CDXJ index recorded it (the loopback servers are gone; the replay needs only the URLs)."""
    indexes = sorted((work / "data" / "warc").glob(f"{run_id}-*.warc.gz.cdxj"))
    if not indexes:
        raise SystemExit(f"no WARC index of run {run_id} in {work / 'data' / 'warc'}")
    env = mirror_env(work, {}, interval=0.0)
    for index in indexes:
        source = index.name.removeprefix(f"{run_id}-").split("-")[0]
        with index.open(encoding="utf-8") as lines:
            first = json.loads(next(lines).split(" ", 2)[2])
        parts = urlsplit(first["url"])
        env[f"SUPPORTDIR_{source.upper()}_BASE_URL"] = f"{parts.scheme}://{parts.netloc}"
        env[f"SUPPORTDIR_{source.upper()}_MIN_INTERVAL"] = "0.0"
    env["SUPPORTDIR_NAMI_MAX_PAGES"] = str(10 ** 7)  # as many as the crawl fetched
    return env


def run_plain(files: list[Path], out: Path) -> tuple[float, float]:
    """The plain parse in its own process; wall seconds and its peak RSS (MiB)."""
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, str(PLAIN), "--out", str(out), *map(str, files)],
                               stderr=subprocess.PIPE)
    _stderr = process.stderr.read()  # before waiting, so a full pipe never blocks it
    _pid, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"plain parse failed: {_stderr.decode()[-2000:]}")
    return wall, usage.ru_maxrss / 1024


def children_cpu() -> float:
    """CPU seconds (user + system) of this process's finished children so far; the difference over one
    run is that run's, its own children included (a loaded machine stretches wall time, not this)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def clear(work: Path) -> None:
    """Nothing left of the last round: its warehouse and its export (a link to a folder of builds),
    so no round can reuse an earlier one's work."""
    out = work / "replay-exports"
    shutil.rmtree(builds_dir(out), ignore_errors=True)
    if out.is_symlink():
        out.unlink()
    elif out.exists():
        shutil.rmtree(out)
    for stale in work.glob("replay.duckdb*"):
        stale.unlink()


def rounds(env: dict[str, str], work: Path, run_id: str, count: int) -> dict:
    """`count` rounds of the replay build and the plain parse, one after the other."""
    files = sorted((work / "data" / "warc").glob(f"{run_id}-*.warc.gz"))
    project, plain, project_rss, plain_rss, stage_timings = [], [], [], [], []
    cpu: dict[str, list[float]] = {"project": [], "plain": []}
    for number in range(1, count + 1):
        clear(work)
        log(f"round {number}: project ...")
        before = children_cpu()
        result, summary = replay(env, work, run_id)
        cpu["project"].append(round(children_cpu() - before, 1))
        project.append(result["wall_s"])
        project_rss.append(result["peak_rss_mb"])
        stage_timings.append(summary["timings"])
        log(f"round {number}: plain ...")
        before = children_cpu()
        wall, rss = run_plain(files, work / "plain.csv")
        cpu["plain"].append(round(children_cpu() - before, 1))
        plain.append(round(wall, 2))
        plain_rss.append(round(rss, 1))
        log(f"  project {project[-1]} s ({cpu['project'][-1]} CPU-s), plain {plain[-1]} s "
            f"({cpu['plain'][-1]} CPU-s)")
    return {"project_wall_s": project, "plain_wall_s": plain,
            "project_median_s": statistics.median(project), "plain_median_s": statistics.median(plain),
            "ratio": round(statistics.median(project) / statistics.median(plain), 3),
            "project_cpu_s": cpu["project"], "plain_cpu_s": cpu["plain"],
            "cpu_ratio": round(statistics.median(cpu["project"]) / statistics.median(cpu["plain"]), 3),
            "project_peak_rss_mb": max(project_rss), "plain_peak_rss_mb": max(plain_rss),
            "project_timings": stage_timings[-1]}


def normal(row: dict) -> tuple[str, ...]:
    """The compared fields after simple normalization (case, spaces, phone digits, trailing slash)."""
    phone = "".join(ch for ch in row["phone"] if ch.isdigit()).removeprefix("1")
    return (" ".join(row["name"].split()).casefold(), phone, row["email"].strip().casefold(),
            row["website"].strip().casefold().rstrip("/"))


def key(row: dict, url: str) -> tuple[str, str]:
    """What identifies a listing in both files: a NAMI profile's URL, a DBSA listing's name."""
    path = urlsplit(url).path
    return (path.rstrip("/"), "") if "/find-your-local-nami/" in path else ("dbsa", normal(row)[0])


def agreement(listings_csv: Path, plain_csv: Path) -> dict:
    """Listing by listing, whether the build's NAMI and DBSA rows and the plain rows agree."""
    with listings_csv.open(encoding="utf-8") as handle:
        project = {key(r, r["source_url"]): normal(r) for r in csv.DictReader(handle)
                   if r["source"] in ("nami", "dbsa")}
    with plain_csv.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    plain = {key(r, r["url"]): normal(r) for r in rows}
    both = project.keys() & plain.keys()
    differ = sorted(k for k in both if project[k] != plain[k])
    result = {"project_rows": len(project), "plain_rows": len(rows), "matched": len(both),
              "agree": len(both) - len(differ), "only_project": len(project.keys() - plain.keys()),
              "only_plain": len(plain.keys() - project.keys()),
              "examples": [{"key": k, "project": project[k], "plain": plain[k]} for k in differ[:5]]}
    log(f"agreement: {result['agree']:,} of {max(len(project), len(rows)):,} agree on {', '.join(FIELDS)} "
        f"({result['only_project']} only in the build, {result['only_plain']} only in the plain CSV, "
        f"{len(differ)} differ)")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--listings", type=int, default=100_000, help="NAMI profiles + DBSA blocks.")
    parser.add_argument("--rounds", type=int, default=3, help="Runs of each, alternating.")
    parser.add_argument("--work", type=Path, default=None, help="Working folder (default: a temp folder).")
    parser.add_argument("--seed", type=int, default=6, help="Seed of the synthetic data.")
    parser.add_argument("--reuse-run", metavar="RUN_ID",
                        help="Replay this earlier crawl's WARC files in --work instead of crawling again.")
    args = parser.parse_args()
    if args.reuse_run and not args.work:
        parser.error("--reuse-run needs --work, the folder of that run")
    work = args.work or Path(tempfile.mkdtemp(prefix="supportdir-compare-"))
    if args.reuse_run:
        log(f"the WARC files of run {args.reuse_run}, {args.rounds} round(s); work {work}")
        env, run_id, generated = reused_env(work, args.reuse_run), args.reuse_run, None
        warc = {"reused_run": run_id}
    else:
        log(f"mix {MIX} of {args.listings} listings, {args.rounds} round(s), seed {args.seed}; work {work}")
        env, run_id, generated, warc = crawl(args.listings, args.seed, work)
    timed = rounds(env, work, run_id, args.rounds)
    agreed = agreement(work / "replay-exports" / "listings.csv", work / "plain.csv")
    print(json.dumps({"listings": generated or agreed["plain_rows"], "rounds": args.rounds, "warc": warc,
                      **timed, "agreement": agreed}, indent=2))


if __name__ == "__main__":
    main()

"""Whole builds against a faulty mirror, killed builds, and two builds at once (real processes)."""

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app
from scrapers.registry import SOURCE_CLASSES
from tests import faults
from tests.faults import FaultServer, sample_pages
from warehouse import db

# The sources whose mirror is one server on one host each (a source with several hosts, like a
# list of feeds, needs its own mirror); live builds here name them, so no other source is tried.
SOURCES = tuple(name for name in ("nami", "dbsa", "sardaa") if name in SOURCE_CLASSES)
ONLY = tuple(arg for name in SOURCES for arg in ("--source", name))
TRIALS = 10


@pytest.fixture(scope="module")
def harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def env(tmp_path: Path, monkeypatch) -> dict[str, str]:
    """Data in the test's temp folder; quick politeness; the sources' own hosts may be loopback."""
    values = {
        "SUPPORTDIR_HOME": str(tmp_path / "data"),
        "SUPPORTDIR_ALLOW_PRIVATE": "true",
        "SUPPORTDIR_DEFAULT_INTERVAL": "0",
        "SUPPORTDIR_FETCH_RETRIES": "2",
        "SUPPORTDIR_BACKOFF_FACTOR": "0.01",
        "SUPPORTDIR_SOURCE_RETRIES": "0",
        **{f"SUPPORTDIR_{name.upper()}_MIN_INTERVAL": "0" for name in SOURCES},
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def cli(*args: str) -> tuple[int, str, str]:
    """Run `supportdir ARGS` in-process; return exit code, stdout and stderr."""
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def export_is_complete(out: Path) -> dict[str, int]:
    """Assert `out` points at a whole build: datapackage row counts match the files; return them."""
    assert out.is_symlink() and out.resolve().is_dir()
    package = json.loads((out / "datapackage.json").read_text("utf-8"))
    counts = {}
    for resource in package["resources"]:
        paths = resource["path"] if isinstance(resource["path"], list) else [resource["path"]]
        for path in paths:
            counts[path] = rows_in(out / path)
        assert sum(counts[path] for path in paths) == resource.get("rows", resource.get("entries")), paths
    return counts


def steady(counts: dict[str, int]) -> dict[str, int]:
    """Every file's rows but the run's own change report (all new on a first build, none after)."""
    return {path: rows for path, rows in counts.items() if path != "changes.jsonl"}


def rows_in(path: Path) -> int:
    """Rows of one exported file, read the way its format is read."""
    import csv

    import pyarrow.parquet as pq

    if path.suffix == ".csv":
        with path.open(newline="", encoding="utf-8") as handle:
            return sum(1 for _ in csv.DictReader(handle))
    if path.suffix == ".jsonl":
        return len(path.read_text("utf-8").splitlines())
    if path.suffix == ".parquet":
        return pq.read_metadata(path).num_rows
    if path.suffix == ".geojson":
        return len(json.loads(path.read_text("utf-8"))["features"])
    if path.suffix == ".json":
        return len(json.loads(path.read_text("utf-8")))
    if path.suffix == ".ics":
        return path.read_text("utf-8").count("BEGIN:VEVENT")
    raise AssertionError(f"no row count for {path}")


@pytest.fixture
def mirrors(env, monkeypatch):
    """One fault server per source (its own host), serving the sample; base URLs pointed at them."""
    servers = {}
    for name in SOURCES:
        servers[name] = FaultServer(pages=sample_pages(name)).__enter__()
        monkeypatch.setenv(f"SUPPORTDIR_{name.upper()}_BASE_URL", servers[name].base)
    yield servers
    faults.stop_all(servers.values())


def test_a_faulty_mirror_degrades_sources_with_reasons_and_keeps_their_data(harness, mirrors, tmp_path):
    out = tmp_path / "exports"
    code, stdout, stderr = cli("build", *ONLY, "--out", str(out), "--json")
    assert code == 0, stderr
    timings = json.loads(stdout)["timings"]  # entity resolution is timed on its own, inside normalizing
    assert 0 < timings["resolve_s"] <= timings["normalize_s"] and timings["export_s"] > 0
    before = {r["source_key"]: r for r in map(json.loads, (out / "listings.jsonl").read_text().splitlines())}

    ky = "/support/chapters-and-support-groups/find-a-support-group/?state=KY"
    mirrors["dbsa"].script(ky, faults.gzip_bomb(50_000_000))                # one state page: lost
    mirrors["nami"].script("/robots.txt", faults.status(503))                # whole host disallowed
    sardaa_page = "/peer-support-groups/"
    mirrors["sardaa"].script(sardaa_page, faults.status(502), faults.status(503),
                             faults.ok(sample_pages("sardaa")[sardaa_page][2]))  # burst, then fine
    code, stdout, stderr = cli("build", *ONLY, "--out", str(out), "--json")
    assert code == 1
    summary = json.loads(stdout)
    outcome = {s["source"]: s for s in summary["sources"]}
    assert summary["status"] == "degraded"
    assert outcome["sardaa"]["status"] == "ok" and outcome["sardaa"]["listings"] > 0
    # One state page is one unit: lost with its reason, the other states loaded, the source degraded.
    assert outcome["dbsa"]["status"] == "degraded" and outcome["dbsa"]["reason"] is None
    assert len(outcome["dbsa"]["lost"]) == 1
    assert "state=KY" in outcome["dbsa"]["lost"][0] and "exceeds" in outcome["dbsa"]["lost"][0]
    assert outcome["nami"]["status"] == "failed" and "NothingFetched" in outcome["nami"]["reason"]
    assert "robots.txt answered HTTP 503" in outcome["nami"]["reason"]

    # The export is whole; the failed source's listings, and the lost page's, are exactly as before.
    export_is_complete(out)
    after = {r["source_key"]: r for r in map(json.loads, (out / "listings.jsonl").read_text().splitlines())}
    kentucky = [key for key, row in before.items() if row["source_url"].endswith("state=KY")]
    assert kentucky
    for key, row in before.items():
        if row["source"] == "nami" or key in kentucky:
            assert after[key] == row
    assert summary["changes"].get("missing", 0) == 0  # the lost page's listings are not missed

    code, stdout, _ = cli("runs", "--limit", "1")
    assert code == 0
    flat = " ".join(stdout.split())
    assert "degraded" in flat and "NothingFetched" in flat
    assert "dbsa: lost (its last good listings kept):" in flat and "state=KY" in flat


def test_a_detail_page_redirected_to_a_private_host_is_skipped(harness, mirrors, tmp_path):
    with FaultServer() as internal:
        internal.script("/admin", faults.ok(b"internal"))
        profile = "/find-your-local-nami/alaska/nami-juneau/"
        mirrors["nami"].script(profile, faults.redirect(internal.url("/admin")))
        mirrors["sardaa"].script("/peer-support-groups/", faults.redirect("javascript:alert(1)"))
        code, stdout, _ = cli("build", *ONLY, "--out", str(tmp_path / "exports"), "--json")
        assert internal.requests == []
    summary = json.loads(stdout)
    outcome = {s["source"]: s for s in summary["sources"]}
    assert code == 1
    assert outcome["nami"]["status"] == "ok" and outcome["nami"]["skipped"] == 1
    assert "private or loopback" in outcome["nami"]["errors"][0] and profile in outcome["nami"]["errors"][0]
    assert outcome["sardaa"]["status"] == "failed" and "not an http(s) URL" in outcome["sardaa"]["reason"]


def test_every_request_of_a_crawl_stays_on_the_mirror(harness, mirrors, tmp_path):
    """Pointability: with base URLs on loopback, no source asks any other host for anything."""
    code, stdout, stderr = cli("build", *ONLY, "--out", str(tmp_path / "exports"), "--json")
    assert code == 0, stderr
    run_id = json.loads(stdout)["run_id"]
    con = duckdb.connect(str(tmp_path / "data" / "warehouse.duckdb"), read_only=True)
    urls = con.execute("SELECT source, url FROM fetches WHERE run_id = ?", [run_id]).fetchall()
    con.close()
    for name in SOURCES:
        mine = [url for source, url in urls if source == name]
        assert mine and all(url.startswith(mirrors[name].base + "/") for url in mine), name
        assert len(mirrors[name].requests) == len(mine)


def test_an_interrupted_run_is_marked_failed_by_the_next_build(harness, env, tmp_path):
    out = tmp_path / "exports"
    warehouse = tmp_path / "data" / "warehouse.duckdb"
    assert cli("build", "--offline", "--out", str(out))[0] == 0
    con = db.connect(warehouse)
    con.execute("INSERT INTO runs (run_id, started_at, mode, status) "
                "VALUES ('dead', now(), 'live', 'running')")
    con.close()
    assert cli("build", "--offline", "--out", str(out))[0] == 0
    con = db.connect(warehouse, read_only=True)
    assert con.execute("SELECT status FROM runs WHERE run_id = 'dead'").fetchall() == [("failed",)]
    assert con.execute("SELECT count(*) FROM runs WHERE status = 'running'").fetchall() == [(0,)]
    con.close()
    code, stdout, _ = cli("runs", "--json")
    assert code == 0
    dead = next(r for r in json.loads(stdout) if r["run_id"] == "dead")
    assert dead["status"] == "failed" and dead["reason"].startswith("interrupted")


# --- real processes ------------------------------------------------------------------------------


def build_process(env: dict[str, str], out: Path, *extra: str) -> subprocess.Popen:
    """`supportdir build` in its own process group (so a kill takes everything it started)."""
    from prefect.settings import PREFECT_API_URL

    full = {**os.environ, **env, "PREFECT_API_URL": PREFECT_API_URL.value()}
    return subprocess.Popen(
        [sys.executable, "-c", "from flows.cli import main; main()", "build", "--out", str(out), "--quiet",
         *extra],
        env=full, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )


def finish(process: subprocess.Popen, timeout: float = 120) -> tuple[int, str]:
    """Wait for a build process; return its exit code and stderr."""
    _out, err = process.communicate(timeout=timeout)
    return process.returncode, err


def warehouse_is_sound(path: Path) -> None:
    """The warehouse opens (replaying its WAL) and passes every data check."""
    con = db.connect(path)
    try:
        assert db.failed_checks(con) == {}
        assert con.execute("SELECT count(*) FROM listings").fetchall()[0][0] > 0
    finally:
        con.close()


def test_sigkill_at_random_points_never_breaks_the_export_or_the_warehouse(harness, env, tmp_path):
    out = tmp_path / "exports"
    warehouse = tmp_path / "data" / "warehouse.duckdb"
    started = time.monotonic()
    code, err = finish(build_process(env, out, "--offline"))
    assert code == 0, err
    duration = time.monotonic() - started
    baseline = steady(export_is_complete(out))
    rng = random.Random(6)
    killed_running = 0
    for trial in range(TRIALS):
        process = build_process(env, out, "--offline")
        time.sleep(rng.uniform(0.2, duration))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        # The previous export (or the one just finished) is whole and readable.
        assert steady(export_is_complete(out)) == baseline, trial
        assert not list(out.parent.glob("*.link"))
        warehouse_is_sound(warehouse)
        con = db.connect(warehouse, read_only=True)
        killed_running += con.execute("SELECT count(*) FROM runs WHERE status = 'running'").fetchall()[0][0]
        con.close()
        # The lock file stays behind but its flock died with the holder: the next build runs.
        lock = Path(f"{warehouse}.lock")
        assert lock.exists() and not _flocked(lock)
        code, err = finish(build_process(env, out, "--offline"))
        assert code == 0, (trial, err)
        assert steady(export_is_complete(out)) == baseline
        versions = out.parent / f".{out.name}.builds"
        assert not [p for p in versions.iterdir() if p.name.endswith(".partial")]
    warehouse_is_sound(warehouse)
    con = db.connect(warehouse, read_only=True)
    statuses = dict(con.execute("SELECT status, count(*) FROM runs GROUP BY ALL").fetchall())
    con.close()
    assert "running" not in statuses and statuses["ok"] >= TRIALS + 1
    # At least some kills landed mid-run (a row left running, later marked failed).
    assert killed_running >= 1 and statuses.get("failed", 0) == killed_running


def test_two_builds_at_once_one_runs_the_other_refuses(harness, env, mirrors, tmp_path, monkeypatch):
    """Two processes on one warehouse: the second refuses with exit 3 and a clear line."""
    slow = {**env, **{f"SUPPORTDIR_{n.upper()}_MIN_INTERVAL": "0.15" for n in SOURCES},
            **{f"SUPPORTDIR_{n.upper()}_BASE_URL": mirrors[n].base for n in SOURCES}}
    out = tmp_path / "exports"
    lock = Path(env["SUPPORTDIR_HOME"]) / "warehouse.duckdb.lock"
    first = build_process(slow, out, *ONLY)
    try:
        deadline = time.monotonic() + 60
        while not _flocked(lock) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _flocked(lock), "the first build never took the lock"
        second = build_process(slow, out, *ONLY)
        code, err = finish(second)
        assert code == 3
        assert "another build is using" in err and "Traceback" not in err
        assert first.poll() is None  # the first is still running, untouched
    finally:
        code, err = finish(first)
    assert code == 0, err
    export_is_complete(out)


def strip(lines: list[str]) -> list[dict]:
    """Exported JSON lines without the columns a recrawl moves (last_seen, fetched_at)."""
    return [{k: v for k, v in json.loads(line).items() if k not in ("last_seen", "fetched_at")}
            for line in lines]


def _flocked(path: Path) -> bool:
    """True if some process holds a flock on the file (read from /proc/locks, without taking it)."""
    if not path.exists():
        return False
    inode = path.stat().st_ino
    for line in Path("/proc/locks").read_text().splitlines():
        fields = line.split()
        if "FLOCK" in fields and any(f.endswith(f":{inode}") for f in fields):
            return True
    return False


def test_an_unchanged_recrawl_reuses_the_staged_listings_without_parsing(harness, mirrors, tmp_path):
    out = tmp_path / "exports"
    code, stdout, stderr = cli("build", *ONLY, "--out", str(out), "--json")
    assert code == 0, stderr
    first = json.loads(stdout)
    rows_before = (out / "listings.jsonl").read_text("utf-8").splitlines()
    code, stdout, _ = cli("build", *ONLY, "--out", str(out), "--json")
    second = json.loads(stdout)
    assert code == 0
    for outcome in second["sources"]:
        assert outcome["reused_from"] == first["run_id"], outcome
        assert outcome["pages_parsed"] == 0 and outcome["not_modified"] == outcome["pages"] > 0
        assert outcome["listings"] == next(s["listings"] for s in first["sources"]
                                           if s["source"] == outcome["source"])
    assert strip((out / "listings.jsonl").read_text("utf-8").splitlines()) == strip(rows_before)
    con = duckdb.connect(str(tmp_path / "data" / "warehouse.duckdb"), read_only=True)
    staged = dict(con.execute("SELECT run_id, count(*) FROM staged_listings GROUP BY ALL").fetchall())
    newest = con.execute("SELECT max(fetched_at) FROM listings").fetchall()[0][0]
    con.close()
    assert staged[second["run_id"]] == staged[first["run_id"]] > 0
    assert newest.isoformat() > second["started_at"][:19]  # fetched_at moved to the 304 fetch

    # One changed page: that source parses again (all its pages), the others still reuse.
    page = "/peer-support-groups/"
    body = sample_pages("sardaa")[page][2].replace(b"SA Monday Evening", b"SA Monday Night")
    mirrors["sardaa"].script(page, faults.ok(body))
    code, stdout, _ = cli("build", *ONLY, "--out", str(out), "--json")
    third = {s["source"]: s for s in json.loads(stdout)["sources"]}
    assert code == 0
    assert third["sardaa"]["reused_from"] is None and third["sardaa"]["pages_parsed"] == 1
    assert third["nami"]["reused_from"] == second["run_id"] and third["dbsa"]["pages_parsed"] == 0
    names = {json.loads(r)["name"] for r in (out / "listings.jsonl").read_text("utf-8").splitlines()}
    assert "SA Monday Night" in names


# --- what a crash leaves behind, piece by piece -----------------------------------------------


def test_publish_clears_what_a_killed_build_left(tmp_path):
    from warehouse.publish.atomic import builds_dir, publish

    out = tmp_path / "exports"
    publish(out, "b1", lambda folder: (folder / "x.txt").write_text("one"), marker="x.txt")
    versions = builds_dir(out.absolute())
    (versions / "b2.abc.partial").mkdir()                     # a build killed while writing
    (versions / "b2.abc.partial" / "x.txt").write_text("half")
    (versions / ".b2.link").symlink_to(out.resolve().name)    # killed between link and rename
    publish(out, "b3", lambda folder: (folder / "x.txt").write_text("three"), marker="x.txt")
    assert (out / "x.txt").read_text() == "three"
    names = sorted(p.name.split(".")[0] for p in versions.iterdir() if p.name != ".publish.lock")
    assert names == ["b1", "b3"]


def test_a_warc_cut_short_by_a_crash_is_refused_not_half_read(tmp_path):
    from datetime import UTC, datetime

    from scrapers.archive import TruncatedRecord, WarcArchive
    from scrapers.replay import ReplayFetcher

    archive = WarcArchive(tmp_path, "run")
    for number in range(3):
        archive.write(f"http://mirror.test/{number}", {}, "200 OK", {"Content-Type": "text/html"},
                      bytes(range(256)) * 40, datetime.now(UTC))
    path = next(tmp_path.glob("*.warc.gz"))
    path.write_bytes(path.read_bytes()[: int(path.stat().st_size * 0.85)])
    fetcher = ReplayFetcher([path])
    assert len(fetcher.get("http://mirror.test/0").body) == 256 * 40
    with pytest.raises(TruncatedRecord, match="cut short"):
        fetcher.get("http://mirror.test/2")


def test_allow_private_lets_only_the_sources_own_hosts_be_private(monkeypatch):
    from flows.settings import Settings

    intervals = {"127.0.0.1:8001": 0.0, "127.0.0.1:8002": 0.0}
    monkeypatch.setenv("SUPPORTDIR_ALLOW_PRIVATE", "false")
    assert Settings().fetch_config(intervals).private_hosts == frozenset()
    monkeypatch.setenv("SUPPORTDIR_ALLOW_PRIVATE", "true")
    config = Settings().fetch_config(intervals)
    assert config.private_hosts == frozenset(intervals) and config.allow_private is False


def test_hostile_listings_survive_a_whole_build_unchanged_and_neutralized_in_csv(harness, mirrors, tmp_path):
    """A NAMI mirror whose API titles are SQL and formulas, and whose website links are javascript:."""
    import csv

    api = next(key for key in sample_pages("nami") if "/wp-json/" in key)
    _status, headers, body = sample_pages("nami")[api]
    entries = json.loads(body)
    hostile = {"alaska": "'); DROP TABLE listings; --", "kentucky": '=HYPERLINK("http://evil.test","x")',
               "new-york": "@SUM(1+1)*cmd|' /C calc'!A0"}
    for entry in entries:
        if entry["slug"] in hostile:
            entry["title"]["rendered"] = hostile[entry["slug"]]
    mirrors["nami"].script(api, faults.status(200, json.dumps(entries).encode(), headers))
    profile = "/find-your-local-nami/alaska/"
    page = sample_pages("nami")[profile][2].replace(b'href="https://www.namialaska.org"',
                                                    b'href="javascript:alert(1)"')
    assert b"javascript:" in page
    mirrors["nami"].script(profile, faults.ok(page))
    out = tmp_path / "exports"
    code, _stdout, stderr = cli("build", *ONLY, "--out", str(out), "--json")
    assert code == 0, stderr
    jsonl = {r["source_key"]: r for r in map(json.loads, (out / "listings.jsonl").read_text().splitlines())}
    with (out / "listings.csv").open(newline="", encoding="utf-8") as handle:
        rows = {r["source_key"]: r for r in csv.DictReader(handle)}
    for key, name in hostile.items():
        assert jsonl[key]["name"] == name
        assert rows[key]["name"] == ("'" + name if name[0] in "=+-@" else name)
    assert jsonl["alaska"]["website"] is None and rows["alaska"]["website"] == ""
    import pyarrow.parquet as pq

    parquet = {r["source_key"]: r for r in pq.read_table(out / "listings.parquet").to_pylist()}
    assert {key: parquet[key]["name"] for key in hostile} == hostile

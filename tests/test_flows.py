"""The build flow and the command line, under Prefect's test harness (one server per session)."""

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app
from schemas.urls import canonical_url
from scrapers.archive import WarcArchive
from scrapers.registry import SOURCE_CLASSES
from scrapers.sample import load_manifest, write_sample
from scrapers.sources.feeds import DEFAULT_FEEDS, load_feeds
from scrapers.urls import host_of
from tests.mirror import SampleMirror

DIRECTORS = ("Quintanilla", "Okonkwo", "Marchetti")  # surnames on the clubhouse sample's Director lines

SOURCES = ("nami", "dbsa", "sardaa", "mha", "meetingguide", "smart", "lifering", "bmlt", "clubhouse",
           "warmlines")
RESTRICTED_FEED = "https://intergroup.example/wp-admin/admin-ajax.php?action=meetings"  # made up: only here


@pytest.fixture(scope="module")
def harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def restricted_feed(tmp_path: Path, monkeypatch) -> Path:
    """The shipped feeds and a made-up intergroup that restricts sharing (the sample holds its 401)."""
    from scrapers.sources.feeds import DEFAULT_FEEDS

    shipped = DEFAULT_FEEDS.read_text(encoding="utf-8").rstrip().removesuffix("]")
    feeds = tmp_path / "feeds-with-a-restricted-one.toml"
    feeds.write_text(shipped + f'  {{ name = "restricted-example", url = "{RESTRICTED_FEED}", '
                     'organization = "Alcoholics Anonymous" },\n]\n', encoding="utf-8")
    monkeypatch.setenv("SUPPORTDIR_MEETINGGUIDE_FEEDS", str(feeds))
    return feeds


@pytest.fixture
def env(tmp_path: Path, monkeypatch) -> dict[str, str]:
    """Data under the test's temp folder; quick, loopback-allowed politeness for mirrors."""
    values = {
        "SUPPORTDIR_HOME": str(tmp_path / "data"),
        "SUPPORTDIR_ALLOW_PRIVATE": "true",
        "SUPPORTDIR_DEFAULT_INTERVAL": "0",
        "SUPPORTDIR_FETCH_RETRIES": "1",
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


def _read_csv(out: Path) -> list[dict]:
    import csv

    with (out / "listings.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_offline_build_exports_every_source(harness, env, restricted_feed, tmp_path):
    out = tmp_path / "exports"
    code, stdout, stderr = cli("build", "--offline", "--out", str(out), "--json")
    assert code == 0, stderr
    summary = json.loads(stdout)
    assert summary["status"] == "ok" and summary["mode"] == "replay"
    per_source = {s["source"]: s for s in summary["sources"]}
    assert set(per_source) == set(SOURCES)
    assert all(s["status"] == "ok" and s["listings"] > 0 for s in per_source.values())
    # .calendars.json: each group calendar's input hash, so the next export reuses unchanged files.
    assert sorted(p.name for p in out.iterdir()) == \
        [".calendars.json", "changes.jsonl", "datapackage.json", "directory.geojson", "entities.csv",
         "entities.jsonl", "entities.parquet", "groups.ics", "hsds", "ics", "listings.csv", "listings.jsonl",
         "listings.parquet", "meetings.json", "review.csv", "schemas"]
    rows = _read_csv(out)
    assert {r["source"] for r in rows} == set(SOURCES)
    assert summary["exports"]["listings.csv"] == len(rows)
    # Every export is listed with its rows; meetings.json counts the groups it cannot express.
    groups = sum(r["kind"] == "group" for r in rows)
    programs = sum(r["kind"] == "program" for r in rows)  # day programs and warmlines are HSDS services too
    lines = sum(r["kind"] == "line" for r in rows)
    assert (programs, lines) == (14, 13)
    assert summary["exports"]["hsds/services.csv"] == groups + programs + lines
    placed = sum(bool(r["latitude"]) and r["kind"] != "line" for r in rows)  # a warmline has no place
    assert summary["exports"]["directory.geojson"] == placed
    left_out = summary["left_out"]["meetings.json"]
    # Besides what the format cannot express, the groups a Meeting Guide client would show as
    # Inactive: registration-only online groups and one online group with no join details
    # (warehouse/publish/meeting_guide.py). Every in-person group has a street: the two whose street
    # is only in their own text have it read (warehouse/venue.py).
    assert left_out == {"every_n_weeks": 2, "monthly": 6, "no_join_details": 1, "no_schedule": 4,
                        "no_timezone": 1, "registration_only": 18}
    feed = json.loads((out / "meetings.json").read_text(encoding="utf-8"))
    assert len({entry["slug"] for entry in feed}) == len(feed) == summary["exports"]["meetings.json"]
    assert all(entry["timezone"] and entry["time"] for entry in feed)
    calendars = [n for n in summary["exports"] if n.startswith("ics/")]
    # One calendar per group with a rule that has a first date (a zone, and a start date when
    # it meets every other week).
    no_date = summary["left_out"]["groups.ics"]["no_first_date"]
    assert len(calendars) == groups - left_out["no_schedule"] - no_date
    # Every HSDS schedule row is zoned (a time with no offset reads as UTC); the rest are counted.
    with (out / "hsds" / "schedules.csv").open(newline="", encoding="utf-8") as handle:
        schedules = list(csv.DictReader(handle))
    zoned = r"\d\d:\d\d:\d\d[+-]\d\d:\d\d"
    assert schedules and all(row["timezone"] and re.fullmatch(zoned, row["opens_at"]) for row in schedules)
    assert all(row["interval"] == "1" for row in schedules)
    rules = [rule for r in rows if r["schedule"] and r["kind"] in ("group", "program", "line")
             for rule in json.loads(r["schedule"])]
    hsds_left_out = summary["left_out"]["hsds/schedules.csv"]
    assert hsds_left_out["no_first_date"] == sum(rule["interval"] > 1 for rule in rules) == 2
    assert len(schedules) + sum(hsds_left_out.values()) == len(rules)
    # A state's warmline keeps its hours in that state's zone; a national line has no one zone.
    lines = {r["name"]: r["timezone"] for r in rows if r["kind"] == "line"}
    assert (lines["Kentucky Warm Line"], lines["Oregon Peer Warmline"], lines["Veterans Peer Line"]) == \
        ("America/New_York", "America/Los_Angeles", "")
    code, stdout, _ = cli("build", "--offline", "--out", str(out))
    assert code == 0
    assert "meetings.json left out groups it cannot express: 2 every n weeks, 6 monthly" in stdout
    assert f"ics/*.ics ({len(calendars)} files)" in stdout
    counts = {name: sum(r["source"] == name for r in rows) for name in SOURCES}
    assert counts == {name: per_source[name]["listings"] for name in SOURCES}
    assert counts == {"nami": 13, "dbsa": 24, "sardaa": 14, "mha": 10, "meetingguide": 407,
                      "smart": 7, "lifering": 7, "bmlt": 10, "clubhouse": 14, "warmlines": 13}

    # The restricted feed is reported as restricted, and the build still succeeded (exit 0).
    meetingguide = per_source["meetingguide"]
    assert meetingguide["restricted"] == [
        f"{RESTRICTED_FEED}: HTTP 401: sharing restricted (HTTP/1.1 401 Unauthorized)"]
    # 45 feeds: one is restricted; albuquerqueaa's cache file rotated: found again from its meetings page.
    assert meetingguide["pages"] == 46 and meetingguide["reason"] is None
    assert all(not s["restricted"] for name, s in per_source.items() if name != "meetingguide")
    assert per_source["mha"]["skipped"] == 1 and per_source["smart"]["skipped"] == 1  # 404 pages

    # Each feed's organization and key prefix; structured meeting data reached the warehouse.
    feeds = {(r["organization"], r["source_key"].split("/")[0])
             for r in rows if r["source"] == "meetingguide"}
    shipped = {(f.organization, f.name) for f in load_feeds(DEFAULT_FEEDS)}
    assert feeds == shipped and ("Recovery Dharma", "recoverydharma") in feeds
    online = [r for r in rows if r["source"] == "dbsa" and r["source_key"].startswith("online/")]
    assert len(online) == 8 and all(r["attendance"] == "online" and not r["state"] for r in online)
    con = duckdb.connect(str(tmp_path / "data" / "warehouse.duckdb"), read_only=True)
    staged = con.execute(
        "SELECT source, count(*) FILTER (WHERE len(schedule) > 0), "
        "count(*) FILTER (WHERE len(meeting_types) > 0) FROM staged_listings WHERE run_id = ? "
        "GROUP BY source ORDER BY source", [summary["run_id"]]).fetchall()
    con.close()
    assert dict((source, (rules, types)) for source, rules, types in staged) == {
        "bmlt": (10, 0), "dbsa": (0, 0), "lifering": (6, 0), "meetingguide": (404, 407), "mha": (0, 0),
        "nami": (0, 0), "sardaa": (0, 0), "smart": (7, 0), "clubhouse": (0, 0),
        "warmlines": (0, 0)}
    # A clubhouse's director is a person: named in the sample pages, in no export file.
    exported = [path for path in out.rglob("*") if path.is_file() and path.suffix != ".parquet"]
    assert not [path.name for path in exported
                if any(name in path.read_text(encoding="utf-8", errors="replace") for name in DIRECTORS)]

    # The same snapshot again: the same ids, nothing but last_seen moves.
    code, stdout, _ = cli("build", "--offline", "--out", str(out), "--json")
    assert code == 0
    again = _read_csv(out)
    assert [r["listing_id"] for r in again] == [r["listing_id"] for r in rows]
    moved = {k for a, b in zip(rows, again, strict=True) for k in a if a[k] != b[k]}
    assert moved <= {"last_seen"}


def test_offline_build_exports_schedules_and_next_meetings(harness, env, tmp_path):
    from datetime import UTC, datetime

    out = tmp_path / "exports"
    started = datetime.now(UTC)
    code, _, stderr = cli("build", "--offline", "--out", str(out), "--json")
    assert code == 0, stderr
    groups = [r for r in _read_csv(out) if r["kind"] == "group"]
    sardaa = [r for r in groups if r["source"] == "sardaa"]
    # Every S&PAA group, and the DBSA groups whose descriptions state a day and a time.
    scheduled = {r["name"] for r in groups if r["schedule"] and r["next_meeting_at"]}
    assert {r["name"] for r in sardaa} <= scheduled and len(sardaa) == 14
    assert {"Grupo de Apoyo en Español", "DBSA Columbus Women’s Circle", "DBSA Louisville Young Adults Group",
            "DBSA Louisville Friends & Family Group"} <= scheduled
    by_name = {r["name"]: r for r in groups}
    assert json.loads(by_name["Family and Friends"]["schedule"]) == [
        {"freq": "MONTHLY", "interval": 1, "byday": "2WE,4WE", "opens_at": "19:00", "closes_at": "20:30",
         "timezone": "America/New_York"}]
    west = datetime.fromisoformat(by_name["SA Tuesday & Thursday (West Coast)"]["next_meeting_at"])
    assert west.strftime("%a %H:%M") in ("Tue 13:00", "Thu 13:00") and west > started
    assert str(west.tzinfo) in ("UTC-08:00", "UTC-07:00")
    assert by_name["SA Call – Tuesday Night"]["attendance"] == "phone"
    assert by_name["DBSA Columbus Women’s Circle"]["attendance"] == "online"
def test_offline_build_report_names_the_restricted_feed(harness, env, restricted_feed, tmp_path):
    code, stdout, _ = cli("build", "--offline", "--out", str(tmp_path / "exports"))
    assert code == 0
    assert "finished ok" in stdout
    assert f"meetingguide: restricted by the site, skipped (not a failure): {RESTRICTED_FEED}" in stdout


def test_a_bad_feeds_file_is_one_clear_line(env, tmp_path, monkeypatch):
    bad = tmp_path / "feeds.toml"
    bad.write_text("feeds = [ { name = 'x', url = 'not a url', organization = 'AA' } ]", encoding="utf-8")
    monkeypatch.setenv("SUPPORTDIR_MEETINGGUIDE_FEEDS", str(bad))
    code, _, stderr = cli("sources")
    assert code == 2 and "feeds file" in stderr and "not an http(s) URL" in stderr
    assert "Traceback" not in stderr


def test_export_command_redacts_and_refuses_to_publish_an_invalid_export(harness, env, tmp_path, monkeypatch):
    out = tmp_path / "exports"
    assert cli("build", "--offline", "--out", str(out), "--redact-people", "--quiet")[0] == 0
    assert json.loads((out / "datapackage.json").read_text())["redacted"] is True
    code, stdout, stderr = cli("export", "--out", str(out), "--json")
    assert code == 0, stderr
    feed = json.loads((out / "meetings.json").read_text(encoding="utf-8"))
    assert json.loads(stdout)["files"]["meetings.json"] == len(feed) > 0
    assert json.loads((out / "datapackage.json").read_text())["redacted"] is False
    before = (out / "meetings.json").read_bytes()

    from warehouse.publish import meeting_guide
    real = meeting_guide.build_feed

    def broken(found):  # the feed is checked as written, in the export's worker process
        entries, left_out = real(found)
        return [{**entries[0], "day": 9}, *entries[1:]], left_out

    monkeypatch.setattr(meeting_guide, "build_feed", broken)
    code, _, stderr = cli("export", "--out", str(out))
    assert code == 1 and "nothing published: meetings.json is not valid" in stderr
    assert len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr
    assert (out / "meetings.json").read_bytes() == before
    code, _, stderr = cli("build", "--offline", "--out", str(out))
    assert code == 1 and "nothing published" in stderr and (out / "meetings.json").read_bytes() == before


def test_replay_with_a_missing_page_loses_only_that_page(harness, env, tmp_path):
    """A state page missing from the archive is one lost unit: the other states load, dbsa is degraded."""
    missing = next(r for r in load_manifest("dbsa") if r.url.endswith("state=KY"))
    write_sample(WarcArchive(tmp_path / "partial", prefix="partial"),
                 lambda response: None if response.url == missing.url else response)
    out = tmp_path / "exports"
    code, stdout, _ = cli("build", "--replay", str(tmp_path / "partial"), "--out", str(out), "--json")
    summary = json.loads(stdout)
    assert code == 1 and summary["status"] == "degraded"
    dbsa = next(s for s in summary["sources"] if s["source"] == "dbsa")
    assert dbsa["status"] == "degraded" and dbsa["reason"] is None and len(dbsa["lost"]) == 1
    assert "not in the archive" in dbsa["lost"][0] and canonical_url(missing.url) in dbsa["lost"][0]
    rows = _read_csv(out)
    assert {r["source"] for r in rows} == set(SOURCES)
    assert not [r for r in rows if r["source_url"].endswith("state=KY")]


@pytest.fixture
def mirror(httpserver, env, monkeypatch) -> SampleMirror:
    """Every source pointed at a loopback mirror of the sample (live mode, real HTTP)."""
    handler = SampleMirror()
    httpserver.expect_request(re.compile(".*")).respond_with_handler(handler)
    base = httpserver.url_for("").rstrip("/")
    for name in SOURCES:
        # Each site is mirrored under /<its host> (smart and lifering both have /sitemap.xml);
        # the Meeting Guide and BMLT sources put each feed's or server's host in the path itself.
        own = "" if name in ("meetingguide", "bmlt") else "/" + host_of(SOURCE_CLASSES[name].base_url)
        monkeypatch.setenv(f"SUPPORTDIR_{name.upper()}_BASE_URL", base + own)
    return handler


def test_live_build_against_a_mirror_then_conditional_recrawl(harness, mirror, restricted_feed, tmp_path):
    out = tmp_path / "exports"
    code, stdout, stderr = cli("build", "--out", str(out), "--json")
    assert code == 0, stderr
    first = json.loads(stdout)
    assert first["mode"] == "live"
    [feeds] = [s for s in first["sources"] if s["source"] == "meetingguide"]
    assert feeds["status"] == "ok" and len(feeds["restricted"]) == 1  # a real 401 over HTTP
    assert "/intergroup.example/wp-admin/admin-ajax.php?action=meetings: HTTP 401" in feeds["restricted"][0]
    warcs = list((tmp_path / "data" / "warc").glob(f"{first['run_id']}-*.warc.gz"))
    assert {w.name.split("-")[2] for w in warcs} == set(SOURCES)
    pages = sum(s["pages"] for s in first["sources"])
    mirror.requests.clear()

    code, stdout, _ = cli("build", "--out", str(out), "--json")
    second = json.loads(stdout)
    assert code == 0
    # Pages answered 200 are asked again conditionally; a 404 page or the restricted 401 feed is not.
    page_requests = [r for r in mirror.requests if r.path != "/robots.txt" and mirror.status_of(r) == 200]
    assert len(page_requests) == pages
    assert all(r.headers.get("If-None-Match") for r in page_requests)
    con = duckdb.connect(str(tmp_path / "data" / "warehouse.duckdb"), read_only=True)
    answered = con.execute(
        "SELECT not_modified, count(*) FROM fetches WHERE run_id = ? AND url NOT LIKE '%robots.txt' "
        "AND status = 200 GROUP BY ALL", [second["run_id"]]).fetchall()
    con.close()
    assert answered == [(True, pages)]
    assert [s["listings"] for s in second["sources"]] == [s["listings"] for s in first["sources"]]


def test_a_failing_site_fails_its_source_and_keeps_earlier_data(harness, mirror, tmp_path):
    out = tmp_path / "exports"
    assert cli("build", "--out", str(out))[0] == 0
    before = [r for r in _read_csv(out) if r["source"] == "sardaa"]
    mirror.failing.add("/sczaction.org/peer-support-groups/")
    code, stdout, _ = cli("build", "--out", str(out), "--json")
    summary = json.loads(stdout)
    assert code == 1
    sardaa = next(s for s in summary["sources"] if s["source"] == "sardaa")
    assert sardaa["status"] == "failed" and "HTTP 500" in sardaa["reason"]
    assert all(s["status"] == "ok" for s in summary["sources"] if s["source"] != "sardaa")
    after = [r for r in _read_csv(out) if r["source"] == "sardaa"]
    assert [(r["listing_id"], r["last_seen"]) for r in after] == \
        [(r["listing_id"], r["last_seen"]) for r in before]


def test_fetch_task_is_retried_after_a_transient_failure(harness, mirror, tmp_path, monkeypatch):
    monkeypatch.setenv("SUPPORTDIR_SOURCE_RETRIES", "1")
    monkeypatch.setenv("SUPPORTDIR_SOURCE_RETRY_DELAY", "0")
    mirror.fail_times["/sczaction.org/peer-support-groups/"] = 2  # both HTTP attempts of the first task run
    code, stdout, _ = cli("build", "--source", "sardaa", "--out", str(tmp_path / "x"), "--json")
    summary = json.loads(stdout)
    assert code == 0 and summary["sources"][0]["status"] == "ok"
    asked = [r for r in mirror.requests if r.path == "/sczaction.org/peer-support-groups/"]
    assert len(asked) == 3  # two failed attempts, then the retried task's success


def test_runs_and_sources_commands(harness, env, restricted_feed, tmp_path):
    code, stdout, _ = cli("build", "--offline", "--out", str(tmp_path / "x"), "--json")
    run_id = json.loads(stdout)["run_id"]
    code, stdout, _ = cli("runs", "--json")
    assert code == 0
    runs = json.loads(stdout)
    assert runs[0]["run_id"] == run_id
    assert {s["source"]: s["status"] for s in runs[0]["sources"]} == dict.fromkeys(SOURCES, "ok")
    restricted = {s["source"]: s["restricted"] for s in runs[0]["sources"] if s["restricted"]}
    assert list(restricted) == ["meetingguide"] and restricted["meetingguide"][0].startswith(RESTRICTED_FEED)
    code, stdout, _ = cli("runs")
    assert run_id in stdout and "sardaa" in stdout
    assert "meetingguide: restricted by the site, skipped (not a failure)" in stdout
    assert RESTRICTED_FEED in stdout
    code, stdout, _ = cli("sources", "--json")
    listed = {row["name"]: row for row in json.loads(stdout)}
    assert set(listed) == set(SOURCES)
    assert len(listed["dbsa"]["start_urls"]) == 52
    assert listed["meetingguide"]["start_urls"][-1] == RESTRICTED_FEED
    assert len(listed["meetingguide"]["hosts"]) == 45
    assert listed["meetingguide"]["start_labels"][listed["meetingguide"]["start_urls"][0]] == \
        "aa-dc, Washington Area Intergroup Association, dc"
    code, stdout, _ = cli("sources")
    assert code == 0 and "meetingguide (Meeting Guide feeds): 46 start URLs, 45 hosts" in stdout
    assert "… 49 more" in stdout  # dbsa: the first three of 52, whole
    assert listed["nami"]["start_urls"][0].endswith(
        "/wp-json/wp/v2/affiliate?per_page=100&page=1&_fields=id,slug,link,title")


def test_a_stage_that_raises_marks_its_run_failed_with_the_reason(harness, env, tmp_path, monkeypatch):
    from warehouse.identity import history
    def broken(con, **_):
        raise RuntimeError("history table unreadable")

    monkeypatch.setattr(history, "record_run", broken)
    code, _, _ = cli("build", "--offline", "--out", str(tmp_path / "x"))
    assert code != 0 and not (tmp_path / "x").exists()
    monkeypatch.undo()
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    [run] = json.loads(cli("runs", "--json")[1])
    assert run["status"] == "failed" and run["finished_at"]
    assert run["reason"] == "RuntimeError: history table unreadable"  # not left "running"
    assert cli("build", "--offline", "--out", str(tmp_path / "x"))[0] == 0
    runs = json.loads(cli("runs", "--json")[1])
    assert [r["status"] for r in runs] == ["ok", "failed"] and runs[1]["reason"] == run["reason"]


def test_runs_without_a_warehouse_is_one_clear_line(env):
    code, _, stderr = cli("runs")
    assert code == 2 and "no warehouse" in stderr and "Traceback" not in stderr


def test_second_build_on_a_busy_warehouse_refuses(harness, env, tmp_path):
    warehouse = tmp_path / "data" / "warehouse.duckdb"
    warehouse.parent.mkdir(parents=True)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from filelock import FileLock; "
         f"lock = FileLock({str(warehouse) + '.lock'!r}); lock.acquire(); print('held', flush=True); "
         "time.sleep(60)"], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        code, _, stderr = cli("build", "--offline", "--out", str(tmp_path / "x"))
    finally:
        holder.kill()
        holder.wait()
    assert code == 3
    assert "another build is using" in stderr and "Traceback" not in stderr


def test_serve_registers_a_cron_deployment(harness):
    import asyncio

    from prefect.client.orchestration import get_client

    from flows.deploy import scheduled_deployment

    deployment_id = scheduled_deployment("0 6 * * 1", sources=["nami"]).apply()

    async def read():
        async with get_client() as client:
            return await client.read_deployment(deployment_id)

    deployment = asyncio.run(read())
    assert deployment.name == "scheduled-build"
    assert [s.schedule.cron for s in deployment.schedules] == ["0 6 * * 1"]
    assert deployment.parameters["sources"] == ["nami"]


def test_serve_with_a_bad_cron_is_one_clear_line(env):
    code, _, stderr = cli("serve", "--cron", "61 6 * *")
    assert code == 2 and "Invalid cron" in stderr and "Traceback" not in stderr


def test_runs_lists_each_feed_and_server_with_its_meetings_and_the_broken_ones_with_why(harness, mirror,
                                                                                       tmp_path):
    only = ("--source", "meetingguide", "--source", "bmlt")
    assert cli("build", *only, "--out", str(tmp_path / "x"))[0] == 0
    first = {u["unit"]: u for s in json.loads(cli("runs", "--json", "--limit", "1")[1])[0]["sources"]
             for u in s["units"]}
    mirror.failing.update({"/recoverydharma.org/", "/bmlt.gardenstate-na.example/"})  # 500 from now on
    code, built, _ = cli("build", *only, "--out", str(tmp_path / "x"))
    assert code == 1  # degraded: a feed and a server lost
    # The build names only the units to look at; `runs` lists every one.
    assert "bmlt: 2 of 3 root servers ok" in built and "meetingguide: feeds to look at" in built
    assert "recoverydharma" in built and "aa-dc" not in built
    code, stdout, _ = cli("runs", "--json", "--limit", "1")
    [run] = json.loads(stdout)
    units = {s["source"]: {u["unit"]: u for u in s["units"]} for s in run["sources"]}
    feeds = units["meetingguide"]
    assert list(feeds) == [feed.name for feed in load_feeds(DEFAULT_FEEDS)]
    dharma = feeds["recoverydharma"]
    assert (dharma["status"], dharma["listings"]) == ("lost", 0) and dharma["reason"].endswith("HTTP 500")
    assert dharma["kept"] == first["recoverydharma"]["listings"] > 0  # its last good meetings stay
    assert all(u["status"] in ("ok", "recovered") and u["listings"] == first[name]["listings"] > 0
               for name, u in feeds.items() if name != "recoverydharma")
    outcome = next(s for s in run["sources"] if s["source"] == "meetingguide")
    assert sum(u["listings"] for u in feeds.values()) == outcome["listings"]
    servers = units["bmlt"]
    assert {key: (u["status"], u["listings"]) for key, u in servers.items()} == \
        {"101": ("lost", 0), "205": ("ok", 0), "318": ("ok", first["318"]["listings"])}
    assert servers["101"]["kept"] == first["101"]["listings"] > 0
    # The lost server's kept meetings count toward the yield guard: bmlt is degraded, not quarantined
    # (the lost server holds most of the sample's NA meetings), so the good server's meetings load.
    statuses = {s["source"]: s["status"] for s in run["sources"]}
    assert statuses == {"meetingguide": "degraded", "bmlt": "degraded"}
    con = duckdb.connect(str(tmp_path / "data" / "warehouse.duckdb"), read_only=True)
    stored = con.execute("SELECT unit, status, listings, kept FROM run_units WHERE run_id = ? "
                         "AND source = 'bmlt' ORDER BY unit", [run["run_id"]]).fetchall()
    con.close()
    assert stored == [(k, u["status"], u["listings"], u["kept"]) for k, u in sorted(servers.items())]
    code, stdout, _ = cli("runs", "--limit", "1")  # a table per source, a row per feed or server
    assert code == 0 and "meetingguide: 45 feeds" in stdout and "bmlt: 3 root servers" in stdout
    rows = {line.split("│")[1].strip(): line.split("│")[2:4] for line in stdout.splitlines()
            if line.startswith("│ ") and line.split("│")[1].strip()}
    assert [cell.strip() for cell in rows["recoverydharma"]] == [f"0 (kept {dharma['kept']})", "lost"]
    assert [cell.strip() for cell in rows["albuquerqueaa"]] == [str(first["albuquerqueaa"]["listings"]),
                                                                "recovered"]
    assert [cell.strip() for cell in rows["aa-dc"]] == [str(first["aa-dc"]["listings"]), "ok"]


def test_sources_lists_every_feed_and_root_server(env, tmp_path, monkeypatch):
    servers = tmp_path / "servers.toml"
    servers.write_text('servers = [{ id = "900", name = "Example Region", '
                       'url = "https://bmlt.example.org/main_server/" }]\n', encoding="utf-8")
    monkeypatch.setenv("SUPPORTDIR_BMLT_SERVERS", str(servers))
    code, stdout, _ = cli("sources")
    feeds = load_feeds(DEFAULT_FEEDS)
    assert code == 0 and f"\n  {len(feeds)} feeds:\n" in stdout
    lines = stdout.splitlines()
    assert all(any(line.startswith(f"    {feed.name}, ") and line.endswith(f": {feed.url}") for line in lines)
               for feed in feeds)
    assert "    Example Region: https://bmlt.example.org/main_server/" in lines  # pinned in the servers file
    aggregator = "https://aggregator.bmltenabled.org/main_server/api/v1/rootservers"
    assert f"  and every root server listed at {aggregator} (read at each run)" in lines
    listed = {row["name"]: row for row in json.loads(cli("sources", "--json")[1])}
    assert [unit["unit"] for unit in listed["meetingguide"]["units"]] == [feed.name for feed in feeds]
    assert listed["bmlt"]["units"] == [{"unit": "900", "name": "Example Region",
                                        "url": "https://bmlt.example.org/main_server/"}]
    assert listed["dbsa"]["unit_noun"] is None and listed["dbsa"]["units"] == []


def test_a_recrawl_answered_304_does_not_repeat_the_parsers_notes(harness, mirror, tmp_path):
    """Notes are said of a page when it is parsed: an unchanged feed (304, not parsed again) says nothing
    new. The crawl's own line for the rotated cache file stays: its 404 is answered again each run."""
    out = str(tmp_path / "x")
    first = json.loads(cli("build", "--source", "meetingguide", "--out", out, "--json")[1])
    second = json.loads(cli("build", "--source", "meetingguide", "--out", out, "--json")[1])
    [before], [after] = first["sources"], second["sources"]
    assert after["reused_from"] == first["run_id"] and after["not_modified"] == after["pages"]
    parser_notes = [n for n in before["notes"] if n.startswith(("recoverydharma: ", "albuquerqueaa: "))]
    assert len(parser_notes) == 2  # the unreadable values, and the cache file found again
    crawl_notes = [n for n in before["notes"] if n not in parser_notes]
    assert len(crawl_notes) == 1 and "HTTP 404, looking for it at" in crawl_notes[0]
    assert after["notes"] == crawl_notes
    units = {unit["unit"]: unit for unit in after["units"]}
    assert (units["recoverydharma"]["status"], units["recoverydharma"]["reason"]) == ("ok", None)
    assert units["albuquerqueaa"]["status"] == "recovered"
    assert units["albuquerqueaa"]["reason"] == crawl_notes[0].split(": ", 1)[1]
    assert [u["listings"] for u in after["units"]] == [u["listings"] for u in before["units"]]

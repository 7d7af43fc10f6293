"""Identity, history and quarantine end to end: real builds (Prefect, DuckDB, WARC replay) via the CLI."""

import csv
import json
import re
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from flows.cli import app
from scrapers.archive import WarcArchive
from scrapers.sample import SampleResponse, write_sample

NAMI_API = "https://www.nami.org/wp-json/wp/v2/affiliate?per_page=100&page=1&_fields=id,slug,link,title"
LEXINGTON = "https://www.nami.org/find-your-local-nami/kentucky/nami-lexington/"
DBSA_KY = "https://www.dbsalliance.org/support/chapters-and-support-groups/find-a-support-group/?state=KY"
REMOVED = "DBSA Louisville Young Adults Group"
ADDED = "DBSA Lexington Evening Group"
Edit = Callable[[str, bytes], bytes]


@pytest.fixture(scope="module")
def harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def env(tmp_path: Path, monkeypatch) -> None:
    """Data under the test's temp folder."""
    monkeypatch.setenv("SUPPORTDIR_HOME", str(tmp_path / "data"))


def cli(*args: str) -> tuple[int, str, str]:
    """Run `supportdir ARGS` in-process; return exit code, stdout and stderr."""
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def snapshot(folder: Path, edits: dict[str, Edit] | None = None) -> Path:
    """The sample snapshot as a WARC in `folder`, with some pages' bodies edited."""
    def edited(response: SampleResponse) -> SampleResponse:
        edit = (edits or {}).get(response.url)
        return replace(response, body=edit(response.url, response.body)) if edit else response

    write_sample(WarcArchive(folder, prefix="snapshot"), edited)
    return folder


def remove_group(_url: str, body: bytes) -> bytes:
    """DBSA_KY without one group and with a new one."""
    html = body.decode("utf-8")
    block = re.compile(r'\s*<div class="groupInfo prose mb-8">\s*<h3 class="groupInfo__name">'
                       + re.escape(REMOVED) + r"</h3>.*?\n      </div>", re.S)
    assert block.search(html)
    html = block.sub("", html, count=1)
    added = ('\n      <div class="groupInfo prose mb-8">\n        <h3 class="groupInfo__name">' + ADDED
             + '</h3>\n        <div class="groupInfo__location">Lexington - DBSA Lexington</div>\n'
             '        <p>Meets Thursdays at 6 p.m. at Central Christian Church.</p>\n      </div>')
    anchor = '<h3 class="groupInfo__name">DBSA Lexington</h3>'
    start = html.index(anchor)
    end = html.index("\n      </div>", start) + len("\n      </div>")
    return (html[:end] + added + html[end:]).encode("utf-8")


def new_phone(_url: str, body: bytes) -> bytes:
    """LEXINGTON with another phone number."""
    return body.replace(b"tel:+18592727891", b"tel:+18592727000").replace(b"859.272.7891", b"859.272.7000")


MODIFIED = {DBSA_KY: remove_group, LEXINGTON: new_phone}


def build(tmp_path: Path, snap: Path, *extra: str) -> tuple[int, dict]:
    code, stdout, stderr = cli("build", "--replay", str(snap), "--out", str(tmp_path / "exports"), "--json",
                               *extra)
    assert stdout, stderr
    return code, json.loads(stdout)


def rows(tmp_path: Path, name: str = "listings.csv") -> list[dict]:
    with (tmp_path / "exports" / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def exported_changes(tmp_path: Path) -> list[dict]:
    """The lines of the published changes.jsonl."""
    text = (tmp_path / "exports" / "changes.jsonl").read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines()]


def reported(run: str | None = None) -> set[tuple[str, str, tuple[str, ...]]]:
    code, stdout, _ = cli("runs", "--changes", *([run] if run else []), "--json")
    assert code == 0
    return {(c["change"], c["name"], tuple(c["fields"])) for c in json.loads(stdout)}


def test_two_builds_of_one_snapshot_give_the_same_ids_and_entities_and_no_changes(harness, env, tmp_path):
    snap = snapshot(tmp_path / "snap")
    code, first = build(tmp_path, snap)
    staged = sum(s["listings"] for s in first["sources"])
    assert code == 0 and first["changes"]["new"] == len(rows(tmp_path)) == staged
    listings, entities = rows(tmp_path), rows(tmp_path, "entities.csv")
    assert first["entities"] == len(entities) and {r["entity_id"] for r in listings} == \
        {e["entity_id"] for e in entities}
    code, second = build(tmp_path, snap)
    assert code == 0 and set(second["changes"].values()) == {0}
    assert reported() == set()
    assert exported_changes(tmp_path) == []
    ids = [(r["listing_id"], r["entity_id"]) for r in listings]
    assert [(r["listing_id"], r["entity_id"]) for r in rows(tmp_path)] == ids
    again = rows(tmp_path, "entities.csv")
    moved = {k for a, b in zip(entities, again, strict=True) for k in a if a[k] != b[k]}
    assert moved == {"last_seen"}


def test_a_modified_snapshot_is_reported_exactly_then_the_missing_group_goes_inactive(harness, env, tmp_path):
    assert build(tmp_path, snapshot(tmp_path / "v1"))[0] == 0
    modified = snapshot(tmp_path / "v2", MODIFIED)
    code, second = build(tmp_path, modified)
    assert code == 0
    assert reported(second["run_id"]) == {("new", ADDED, ()), ("changed", "NAMI Lexington", ("phone",)),
                                          ("missing", REMOVED, ())}
    assert {(c["change"], c["name"]) for c in exported_changes(tmp_path)} == \
        {("new", ADDED), ("changed", "NAMI Lexington"), ("missing", REMOVED)}
    removed = next(r for r in rows(tmp_path) if r["name"] == REMOVED)
    assert removed["status"] == "active"  # missed once: not yet inactive
    code, third = build(tmp_path, modified)
    assert code == 0 and reported(third["run_id"]) == {("inactive", REMOVED, ())}
    assert reported() == reported(third["run_id"])  # no RUN: the latest
    removed = next(r for r in rows(tmp_path) if r["name"] == REMOVED)
    assert removed["status"] == "inactive"  # kept in the directory, marked
    entity = next(e for e in rows(tmp_path, "entities.csv") if e["entity_id"] == removed["entity_id"])
    assert entity["status"] == "inactive"

    lexington = next(r for r in rows(tmp_path) if r["name"] == "NAMI Lexington")
    code, stdout, _ = cli("history", lexington["listing_id"], "--json")
    assert code == 0
    shown = json.loads(stdout)
    assert [(v["version"], v["run_id"], v["changed"]) for v in shown["versions"]][1:] == \
        [(2, second["run_id"], ["phone"])]
    assert [v["content"]["phone"] for v in shown["versions"]] == ["+18592727891", "+18592727000"]
    code, stdout, _ = cli("history", removed["listing_id"])
    assert code == 0 and REMOVED in stdout and "inactive" in stdout and "missing" in stdout
    assert third["run_id"] in stdout
    code, _, stderr = cli("history", "no-such-listing")
    assert code == 2 and "no listing 'no-such-listing'" in stderr and "Traceback" not in stderr
    code, _, stderr = cli("runs", "--changes", "no-such-run")
    assert code == 2 and "no run 'no-such-run'" in stderr


def test_a_source_that_parses_to_nothing_is_quarantined_and_keeps_its_listings(harness, env, tmp_path):
    assert build(tmp_path, snapshot(tmp_path / "v1"))[0] == 0
    before = rows(tmp_path)
    empty = snapshot(tmp_path / "empty", {NAMI_API: lambda _u, _b: b"[]"})
    code, summary = build(tmp_path, empty)
    assert code == 1 and summary["status"] == "degraded"
    outcome = {s["source"]: s for s in summary["sources"]}
    assert outcome["nami"]["status"] == "quarantined" and "0 listings" in outcome["nami"]["reason"]
    assert {s["status"] for name, s in outcome.items() if name != "nami"} == {"ok"}
    after = rows(tmp_path)
    nami_before = [r for r in before if r["source"] == "nami"]
    assert [r for r in after if r["source"] == "nami"] == nami_before  # untouched, still active
    assert {r["status"] for r in nami_before} == {"active"}
    others = {r["listing_id"]: r["last_seen"] for r in before if r["source"] != "nami"}
    assert all(r["last_seen"] > others[r["listing_id"]] for r in after if r["source"] != "nami")
    code, stdout, _ = cli("runs", "--limit", "1")
    assert "quarantined" in stdout
    code, stdout, _ = cli("runs", summary["run_id"], "--json")
    (shown,) = json.loads(stdout)
    assert shown["run_id"] == summary["run_id"]
    statuses = {s["source"]: s["status"] for s in shown["sources"]}
    assert statuses.pop("nami") == "quarantined" and set(statuses.values()) == {"ok"}
    assert reported(summary["run_id"]) == set()


def test_a_collapsed_yield_is_quarantined_until_a_person_accepts_the_drop(harness, env, tmp_path):
    assert build(tmp_path, snapshot(tmp_path / "v1"))[0] == 0
    before = rows(tmp_path)

    def three(_url: str, body: bytes) -> bytes:
        return json.dumps(json.loads(body)[:3]).encode()

    shrunk = snapshot(tmp_path / "shrunk", {NAMI_API: three})
    code, summary = build(tmp_path, shrunk)
    nami = next(s for s in summary["sources"] if s["source"] == "nami")
    assert code == 1 and nami["status"] == "quarantined"
    assert "3 listings, 13 in its last good run" in nami["reason"]
    nami_rows = [r for r in before if r["source"] == "nami"]
    assert [r for r in rows(tmp_path) if r["source"] == "nami"] == nami_rows  # current listings untouched
    con = duckdb.connect(str(tmp_path / "data" / "warehouse.duckdb"), read_only=True)
    kept = con.execute("SELECT count(*) FROM staged_listings WHERE run_id = ? AND source = 'nami'",
                       [summary["run_id"]]).fetchall()
    con.close()
    assert kept == [(3,)]  # the quarantined rows stay staged for inspection
    code, stdout, _ = cli("runs", "--json", "--limit", "1")
    assert json.loads(stdout)[0]["status"] == "degraded"

    code, summary = build(tmp_path, shrunk, "--accept-drop", "nami")
    nami = next(s for s in summary["sources"] if s["source"] == "nami")
    assert code == 0 and nami["status"] == "ok" and nami["reason"].startswith("drop accepted")
    assert {c for c, _n, _f in reported(summary["run_id"])} == {"missing"}
    assert summary["changes"]["missing"] == 10


def test_bad_options_are_one_clear_line(env, tmp_path):
    bad = tmp_path / "decisions.csv"
    bad.write_text("left_listing_id,right_listing_id,decision\na,b,perhaps\n", encoding="utf-8")
    code, _, stderr = cli("build", "--offline", "--decisions", str(bad))
    said = " ".join(stderr.split())
    assert code == 2 and "line 2: needs two different listing ids" in said and "Traceback" not in stderr
    code, _, stderr = cli("build", "--offline", "--accept-drop", "nope")
    assert code == 2 and "unknown source 'nope'" in " ".join(stderr.split())

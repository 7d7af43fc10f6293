"""`supportdir search`: the issue's three examples on the offline sample, filters, formats, errors."""

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from schemas.search import Query
from tests.sample_export import build_sample_export, cli
from tests.sample_export import search_json as as_json
from warehouse.publish.attend import CRISIS_LINE
from warehouse.search.index import build_index
from warehouse.search.query import SearchInvalid, find, load_index, point

LEXINGTON = {"DBSA Lexington", "NAMI Lexington"}


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """The offline sample, exported once for the module."""
    return build_sample_export(tmp_path_factory.mktemp("sample"))


def test_near_a_lexington_zip_lists_the_chapters_by_distance_then_remote_groups(sample):
    found = as_json(sample, "--near", "40502", "--radius", "25")
    results = found["results"]
    nearby = [r for r in results if not r["remote"]]
    assert [r["name"] for r in nearby] == ["DBSA Lexington", "NAMI Lexington"]
    assert [r["distance_miles"] for r in nearby] == sorted(r["distance_miles"] for r in nearby)
    assert all(r["distance_miles"] < 5 for r in nearby)
    remote = results[len(nearby):]
    # Remote: online, by phone, or hybrid beyond the radius (they can be joined from anywhere).
    assert all(r["remote"] and r["attendance"] in ("online", "phone", "hybrid") for r in remote)
    assert all(r["distance_miles"] is None for r in remote)
    assert {r["name"] for r in remote} >= {"DBSA Columbus Women’s Circle", "SA Call – Sunday Evening",
                                           "NAMI Kentucky Virtual"}
    meetings = [r["next_meeting_at"] for r in remote if r["next_meeting_at"]]
    assert meetings == sorted(meetings, key=datetime.fromisoformat)
    exported = [json.loads(line) for line in (sample / "listings.jsonl").read_text().splitlines()]
    joinable = [r for r in exported if r["attendance"] in ("online", "phone", "hybrid")
                and r["status"] == "active"]
    assert found["total"] == len(results) == 2 + len(joinable)
    assert not {"DBSA Louisville", "NAMI Louisville"} & {r["name"] for r in results}  # ~70 miles away


def test_online_bipolar_groups_near_a_point(sample):
    found = as_json(sample, "--near", "38.04,-84.50", "--radius", "50", "--attendance", "online",
                    "--topic", "bipolar")
    exported = [json.loads(line) for line in (sample / "listings.jsonl").read_text().splitlines()]
    expected = {r["name"] for r in exported if r["attendance"] == "online" and "bipolar" in r["topics"]}
    assert {r["name"] for r in found["results"]} == expected
    assert "DBSA Columbus Women’s Circle" in expected and len(expected) == len(found["results"]) > 1
    assert all(r["remote"] and r["attendance"] == "online" for r in found["results"])
    circle = next(r for r in found["results"] if r["name"] == "DBSA Columbus Women’s Circle")
    assert "Saturdays" in circle["when"]


def test_kentucky_groups_on_tuesday_evenings_as_json(sample):
    found = as_json(sample, "--state", "KY", "--kind", "group", "--day", "tue", "--after", "17:00")
    names = [r["name"] for r in found["results"]]
    assert sorted(names) == ["DBSA Louisville Friends & Family Group", "DBSA Louisville Young Adults Group"]
    starts = [datetime.fromisoformat(r["next_meeting_at"]) for r in found["results"]]
    assert starts == sorted(starts) and all(s > datetime.now(UTC) for s in starts)
    assert found["crisis_line"] == CRISIS_LINE
    tuesday = ("--state", "KY", "--kind", "group", "--day", "tue")
    assert as_json(sample, *tuesday, "--after", "19:30")["total"] == 0
    early = as_json(sample, *tuesday, "--before", "19:00")["results"]
    # Louisville's intergroup feed adds an online Tuesday 2:30 PM meeting to the sample.
    assert sorted(r["name"] for r in early) == ["DBSA Louisville Friends & Family Group", "Friday Night Live"]


def test_table_prints_the_988_line_once_above_the_results(sample):
    code, stdout, _ = cli("search", "--data", str(sample), "--near", "40502", "--radius", "25")
    assert code == 0
    assert stdout.count("988") == 1
    assert stdout.index("988") < stdout.index("DBSA Lexington") < stdout.index("NAMI Lexington")
    total = as_json(sample, "--near", "40502", "--radius", "25")["total"]
    assert f"{total} found" in stdout and "online" in stdout
    assert "in Lexington" in stdout and "0.8 mi" not in stdout  # placed at the city centre: no false miles


def test_csv_output_for_programs(sample):
    code, stdout, _ = cli("search", "--data", str(sample), "--organization", "nami", "--kind", "chapter",
                          "--state", "AK", "--format", "csv")
    assert code == 0
    rows = list(csv.DictReader(io.StringIO(stdout)))
    assert {r["name"] for r in rows} == {"NAMI Anchorage", "NAMI Juneau", "NAMI Mat-Su Families’ Network"}
    assert all(r["kind"] == "chapter" and r["state"] == "AK" for r in rows)


def test_text_and_audience_filters(sample):
    family = as_json(sample, "--audience", "family", "--text", "west coast")
    assert [r["name"] for r in family["results"]] == ["Family and Friends – West Coast"]


def test_the_warehouse_gives_the_same_answer_as_the_export(sample):
    from_export = as_json(sample, "--near", "40502")["results"]
    warehouse = str(sample.parent / "warehouse.duckdb")
    from_warehouse = as_json(sample, "--near", "40502", "--warehouse", warehouse)
    assert [r["listing_id"] for r in from_warehouse["results"]] == [r["listing_id"] for r in from_export]


@pytest.mark.parametrize(("args", "message"), [
    (["--near", "99999"], "unknown ZIP code"),
    (["--near", "4050"], "neither a five-digit ZIP code"),
    (["--near", "95.0,-84.5"], "latitude must be within"),
    (["--near", "40502", "--radius", "-1"], "radius must be 0 miles or more"),
    (["--topic", "bipolr"], "--topic 'bipolr' is unknown; known: addiction, alcohol use, bipolar"),
    (["--audience", "kids"], "--audience 'kids' is unknown"),
    (["--organization", "aa"], "--organization 'aa' is unknown"),
    (["--kind", "meeting"], "--kind 'meeting' is unknown"),
    (["--attendance", "zoom"], "--attendance 'zoom' is unknown"),
    (["--status", "gone"], "--status 'gone' is unknown"),
    (["--day", "funday"], "--day 'funday'"),
    (["--after", "7pm"], "--after '7pm' is not a time"),
    (["--state", "XX"], "--state 'XX' is not a two-letter"),
])
def test_bad_input_is_one_clear_line_and_a_non_zero_exit(sample, args, message):
    code, stdout, stderr = cli("search", "--data", str(sample), *args)
    assert code == 2 and stdout == ""
    assert message in stderr and len(stderr.strip().splitlines()) == 1 and "Traceback" not in stderr


def test_no_export_to_search_is_one_clear_line(tmp_path):
    code, _, stderr = cli("search", "--data", str(tmp_path / "none"))
    assert code == 2 and "no export in" in stderr


def _record(name: str, **fields) -> dict:
    base = {"listing_id": name, "name": name, "kind": "group", "organization": "X", "source": "x",
            "attendance": "in_person", "geo_precision": "zip", "latitude": 38.03, "longitude": -84.49,
            "status": "active", "source_url": "https://x.example.org/", "last_seen": "2026-11-20T06:00:00Z",
            "schedule": []}
    return {**base, **fields}


def test_status_monthly_days_and_ties_broken_by_next_meeting():
    rule = {"freq": "WEEKLY", "interval": 1, "byday": "FR", "opens_at": "19:00", "closes_at": None,
            "timezone": "America/New_York"}
    index = build_index([
        _record("gone", status="inactive"),
        _record("friday", schedule=[rule]),
        _record("monday", schedule=[{**rule, "byday": "MO"}]),
        _record("monthly", schedule=[{**rule, "freq": "MONTHLY", "byday": "2TU"}]),
        _record("far", latitude=40.71, longitude=-74.0),
    ])
    thursday = datetime(2026, 12, 3, 12, 0, tzinfo=UTC)
    here = point("40502")
    found = find(Query(near=here, now=thursday), index)
    assert [r.name for r in found.results] == ["friday", "monday", "monthly"]  # same ZIP point: soonest first
    assert [r.name for r in find(Query(statuses=("inactive",)), index).results] == ["gone"]
    assert [r.name for r in find(Query(days=("TU",)), index).results] == ["monthly"]
    assert find(Query(near=here, radius_miles=1000, now=thursday), index).results[-1].name == "far"
    with pytest.raises(SearchInvalid, match="unknown ZIP"):
        point("00000")


def test_load_index_needs_an_export(tmp_path):
    with pytest.raises(SearchInvalid, match="no export"):
        load_index(tmp_path)


def test_search_loads_the_current_export_once(sample, monkeypatch):
    from warehouse.search import query as module
    monkeypatch.chdir(sample.parent)  # its exports/ folder
    first = module.search(Query(near=point("40502"), limit=2))
    assert [r.name for r in first] == ["DBSA Lexington", "NAMI Lexington"]
    [index] = module._LOADED.values()
    assert [r.name for r in module.search(Query(near=point("40502"), limit=2))] == [r.name for r in first]
    assert next(iter(module._LOADED.values())) is index  # the same index, not read again


# --- whom to contact and what a listing is (the card) ---------------------------------------------

FRIENDS = "DBSA Louisville Friends & Family Group"  # the sample's group that publishes no contact point


def exported_rows(sample: Path) -> dict[str, dict]:
    return {r["name"]: r for r in map(json.loads, (sample / "listings.jsonl").read_text().splitlines())}


def wide_table(sample: Path, *args: str) -> str:
    """The table of a search on a 250-column terminal, its cells' lines joined by spaces."""
    result = CliRunner().invoke(app, ["search", "--data", str(sample), *args], env={"COLUMNS": "250"})
    assert result.exit_code == 0, result.stderr
    return " ".join(result.stdout.replace("│", " ").split())


def test_a_group_without_contact_is_given_its_chapters_labelled_as_the_chapters(sample):
    rows = exported_rows(sample)
    chapter = rows["DBSA Louisville"]
    friends_row = rows[FRIENDS]
    assert (friends_row["parent"], friends_row["parent_name"]) == (chapter["listing_id"], "DBSA Louisville")
    assert not any(rows[FRIENDS][field] for field in ("phone", "email", "website"))  # its own: none
    found = as_json(sample, "--state", "KY", "--kind", "group", "--text", "friends family")["results"]
    friends = next(r for r in found if r["name"] == FRIENDS)
    assert (friends["phone"], friends["email"], friends["website"]) == (None, None, None)  # still its own
    assert friends["parent"] == chapter["listing_id"] and friends["parent_name"] == "DBSA Louisville"
    assert friends["parent_contact"] == {"listing_id": chapter["listing_id"], "name": "DBSA Louisville",
                                         "kind": "chapter", "phone": chapter["phone"],
                                         "email": chapter["email"], "website": chapter["website"]}
    assert friends["contact"] == (f"Contact DBSA Louisville (its chapter): email {chapter['email']}, "
                                  f"website {chapter['website']}")
    young = as_json(sample, "--text", "young adults", "--state", "KY")["results"][0]
    assert young["parent_contact"] is None and young["contact"] == f"email {young['email']}"  # its own
    flat = wide_table(sample, "--state", "KY", "--text", "friends family")
    assert "Contact DBSA Louisville (its chapter):" in flat and chapter["email"] in flat


def test_the_description_is_in_the_json_whole_and_in_the_table_shortened(sample):
    rows = exported_rows(sample)
    young = as_json(sample, "--text", "young adults", "--state", "KY")["results"][0]
    assert young["description"] == rows[young["name"]]["description"]
    assert len(young["description"]) > 120
    flat = wide_table(sample, "--text", "young adults", "--state", "KY")
    words = young["description"].split()
    assert " ".join(words[:6]) in flat and "…" in flat
    assert " ".join(words[-4:]) not in flat  # shortened


def test_contact_walks_up_past_parents_without_contact_and_never_loops():
    from warehouse.publish.attend import contact_or_parent_text, contact_parent

    records = [
        _record("group", parent="chapter"),
        _record("chapter", kind="chapter", parent="state"),
        _record("state", kind="organization", phone="+15025550100"),
        _record("closed", kind="chapter", status="inactive", email="old@x.example.org"),
        _record("orphan", parent="closed"),
        _record("a", parent="b"), _record("b", kind="chapter", parent="a"),
    ]
    by_id = {r["listing_id"]: r for r in records}
    assert contact_parent(by_id["group"], by_id)["name"] == "state"
    assert contact_or_parent_text(by_id["group"], by_id["state"]) == \
        "Contact state (its organization): phone +15025550100"
    assert contact_parent(by_id["orphan"], by_id) is None  # an inactive chapter is not offered
    assert contact_parent(by_id["a"], by_id) is None
    assert contact_parent(by_id["state"], by_id) is None  # its own contact
    found = find(Query(kinds=("group",)), build_index(records))
    assert {r.name: (r.parent_contact.name if r.parent_contact else None) for r in found.results} == \
        {"group": "state", "orphan": None, "a": None}

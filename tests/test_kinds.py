"""The kinds `program` (a day program) and `line` (a warmline) through every layer: allowed values,
attendance, HSDS, Meeting Guide, iCalendar, GeoJSON, search (library, command line, page), report."""

import csv
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from flows.report import _kinds_table
from schemas.search import Query
from schemas.values import KINDS
from tests.test_exports import item, load, weekly
from warehouse import db, migrate
from warehouse.publish import export, hsds, records
from warehouse.search.index import build_index
from warehouse.search.query import find
from warehouse.search.site import page_data, render

PROGRAM = item(source="clubhouse", organization="Clubhouse International", kind="program",
               source_key="cedar-house-40507", name="Cedar House", phone="(859) 555-0170",
               address="310 Elm Street\nLexington, Kentucky, USA 40507", street="310 Elm Street",
               city="Lexington", state="KY", postal_code="40507", country="US",
               website="https://cedarhouse.example.org/", topics=("mental health",), audiences=("peers",),
               source_url="https://clubhouse-intl.org/what-we-do/international-directory/?fl=C")
LINE = item(source="nami", organization="NAMI", kind="line", source_key="warmline/ky",
            name="Kentucky Warmline", phone="(859) 555-0190", service_area=("KY",),
            schedule_text="Mon-Fri 5pm-9pm ET",
            schedule=(weekly("MO,TU,WE,TH,FR", "17:00", "21:00"),), source_url="https://www.nami.org/x/")
GROUP = item(source_key="lex/tuesday", name="Tuesday Night Group",
             address="205 E. Short St.\nLexington, KY 40507", schedule=(weekly("TU", "19:00", "20:30"),))


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    """A warehouse with a day program, a warmline and a group loaded (once for the module)."""
    connection = db.connect(tmp_path_factory.mktemp("kinds") / "w.duckdb")
    migrate.migrate(connection)
    load(connection, [PROGRAM, LINE, GROUP])
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def out(con, tmp_path_factory) -> Path:
    """The export of that warehouse (once for the module)."""
    folder = tmp_path_factory.mktemp("kinds-out") / "out"
    export.export_directory(con, folder, "r1", [])
    return folder


def by_name(out: Path) -> dict[str, dict]:
    rows = [json.loads(line) for line in (out / "listings.jsonl").read_text().splitlines()]
    return {row["name"]: row for row in rows}


def test_the_kinds_are_allowed_values_with_meanings(con) -> None:
    assert list(KINDS) == ["organization", "chapter", "group", "program", "line"]
    assert "day" in KINDS["program"] and "not a crisis line" in KINDS["line"]
    assert db.failed_checks(con) == {}


def test_a_program_is_attended_in_person_and_a_line_by_phone(out) -> None:
    rows = by_name(out)
    assert rows["Cedar House"]["kind"] == "program" and rows["Cedar House"]["attendance"] == "in_person"
    assert rows["Kentucky Warmline"]["kind"] == "line" and rows["Kentucky Warmline"]["attendance"] == "phone"


def test_hsds_a_program_is_a_service_at_its_place_and_a_line_a_service_with_a_phone(con) -> None:
    records.prepare(con)
    found = {r["name"]: r for r in records.load(con)}
    tables = hsds.build_tables(list(found.values()), datetime(2026, 11, 20, tzinfo=UTC), "r1")
    services = {s["name"]: s for s in tables["service"]}
    assert set(services) == {"Cedar House", "Kentucky Warmline", "Tuesday Night Group"}
    assert not {o["name"] for o in tables["organization"]} & set(services)
    program, line = services["Cedar House"], services["Kentucky Warmline"]
    at = {link["service_id"]: link["location_id"] for link in tables["service_at_location"]}
    place = next(loc for loc in tables["location"] if loc["id"] == at[program["id"]])
    assert place["location_type"] == "physical"
    assert line["id"] not in at  # a warmline has no place
    assert line["application_process"] == "Call +18595550190 during the line's hours."
    assert [p["number"] for p in tables["phone"] if p.get("service_id") == line["id"]] == ["+18595550190"]
    hours = [s for s in tables["schedule"] if s["service_id"] == line["id"]]
    assert len(hours) == 1 and hours[0]["byday"] == "MO,TU,WE,TH,FR" and hours[0]["location_id"] is None
    kinds = {(a["link_id"], a["value"]) for a in tables["attribute"] if a["link_type"] == "kind"}
    assert kinds == {(program["id"], "program"), (line["id"], "line")}
    assert "supportdir service kinds" in {t["name"] for t in tables["taxonomy"]}
    assert {t["code"] for t in tables["taxonomy_term"]} >= {"kind:program", "kind:line"}


def test_meeting_guide_and_calendars_hold_meetings_only(out) -> None:
    feed = json.loads((out / "meetings.json").read_text())
    assert {entry["name"] for entry in feed} == {"Tuesday Night Group"}  # the line's hours are no meeting
    assert "Warmline" not in (out / "groups.ics").read_text()
    assert "Cedar House" not in (out / "groups.ics").read_text()


def test_geojson_has_the_program_and_not_the_line(out) -> None:
    features = json.loads((out / "directory.geojson").read_text())["features"]
    kinds = {f["properties"]["name"]: f["properties"]["kind"] for f in features}
    assert kinds.get("Cedar House") == "program" and "Kentucky Warmline" not in kinds


def test_search_by_kind_in_the_library_and_the_command_line(out) -> None:
    found = [json.loads(line) for line in (out / "listings.jsonl").read_text().splitlines()]
    index = build_index(found)
    assert [r.name for r in find(Query(kinds=("program",)), index).results] == ["Cedar House"]
    assert [r.name for r in find(Query(kinds=("line",)), index).results] == ["Kentucky Warmline"]
    for kind, name in (("program", "Cedar House"), ("line", "Kentucky Warmline")):
        result = CliRunner().invoke(app, ["search", "--data", str(out), "--kind", kind, "--format", "json"])
        assert result.exit_code == 0, result.output
        assert [r["name"] for r in json.loads(result.stdout)["results"]] == [name]


def test_the_page_offers_day_programs_and_warmlines(out) -> None:
    found = [json.loads(line) for line in (out / "listings.jsonl").read_text().splitlines()]
    html = render(page_data(found, datetime(2026, 11, 20, tzinfo=UTC)))
    assert '<option value="program">Day programs</option>' in html
    assert '<option value="line">Warmlines</option>' in html
    assert 'program: "Day program", line: "Warmline"' in html  # the card's kind label


def test_the_report_counts_programs_and_lines(out) -> None:
    with (out / "listings.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    table = _kinds_table(rows)
    assert [c.header for c in table.columns] == ["source", "organizations", "chapters", "groups", "programs",
                                                 "lines"]
    cells = {col.header: list(col.cells) for col in table.columns}
    clubhouse = cells["source"].index("clubhouse")
    nami = cells["source"].index("nami")
    assert cells["programs"][clubhouse] == "1" and cells["lines"][nami] == "1"


def test_a_line_with_a_point_is_still_no_feature() -> None:
    from warehouse.publish.geojson import build_collection
    placed = {"listing_id": "x", "kind": "line", "name": "Statewide Warmline", "latitude": 37.5,
              "longitude": -85.3}
    features = build_collection([placed, {**placed, "listing_id": "y", "kind": "program"}])["features"]
    assert [f["id"] for f in features] == ["y"]

"""The export's row checks in DuckDB (warehouse/publish/table_checks.py) find the rows frictionless finds.

Errors of every kind the schemas can catch are written into copies of the sample export's CSV files;
frictionless (run whole, as `frictionless validate` would) and the DuckDB checks must report the same
(table, row, field, kind) problems, with the same notes but for the foreign keys' wording.
"""

import csv
import json
import shutil
from pathlib import Path

import pytest
from frictionless import Package, Resource, Schema

from schemas.listing import DirectoryRow
from schemas.table_schema import table_schema
from tests.sample_export import build_sample_export
from warehouse.publish import table_checks

NO_SUCH_ID = "00000000-0000-4000-8000-000000000000"  # a well-formed UUID no row has
ROW_KINDS = {"primary-key", "foreign-key", "blank-row", "row-count"}  # frictionless names no field


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """The bundled sample, built and exported (the export's own checks passed)."""
    return build_sample_export(tmp_path_factory.mktemp("sample"))


def read_rows(path: Path) -> list[list[str]]:
    """A CSV file's records, the header first."""
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.reader(handle))


def write_rows(path: Path, rows: list[list[str]]) -> None:
    """Write records back as CSV."""
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def edit(path: Path, row: int, **cells: str) -> None:
    """Set cells of one row, numbered as frictionless numbers them (the header is row 1)."""
    rows = read_rows(path)
    for name, value in cells.items():
        rows[row - 1][rows[0].index(name)] = value
    write_rows(path, rows)


def cell(path: Path, row: int, name: str) -> str:
    """One cell of a row (frictionless's numbering)."""
    rows = read_rows(path)
    return rows[row - 1][rows[0].index(name)]


def theirs(problems) -> set[tuple]:
    """Frictionless's problems as (table, row, field, kind, note); no note for a foreign key."""
    return {(table, row, None if kind in ROW_KINDS else field, kind, "" if kind == "foreign-key" else note)
            for table, row, field, kind, note in problems}


def ours(problems: list[table_checks.Problem]) -> set[tuple]:
    """The DuckDB checks' problems in the same shape."""
    return theirs((p.table, p.row, p.field, p.kind, p.note) for p in problems)


def frictionless_flat(folder: Path) -> set[tuple]:
    """Every problem frictionless finds in listings.csv against the directory's Table Schema."""
    resource = Resource(path="listings.csv", basepath=str(folder), format="csv", encoding="utf-8",
                        schema=Schema.from_descriptor(table_schema(DirectoryRow)))
    rows = resource.validate().flatten(["rowNumber", "fieldName", "type", "note"])
    return theirs(("listings.csv", *row) for row in rows)


def frictionless_package(folder: Path) -> set[tuple]:
    """Every problem `frictionless validate` finds in a package's tables, foreign keys too."""
    report = Package(str(folder / "datapackage.json")).validate()
    return theirs((task.name, error.row_number if hasattr(error, "row_number") else None,
                   getattr(error, "field_name", None), error.type, error.note)
                  for task in report.tasks for error in task.errors)


def test_both_find_nothing_in_the_sample_export(sample):
    assert table_checks.flat_rows(sample, "listings.csv") == [] == table_checks.package_rows(sample / "hsds")
    assert frictionless_flat(sample) == set() == frictionless_package(sample / "hsds")


def test_both_find_the_same_injected_errors_in_the_flat_csv(sample, tmp_path):
    broken = tmp_path / "flat"
    broken.mkdir()
    shutil.copyfile(sample / "listings.csv", broken / "listings.csv")
    path = broken / "listings.csv"
    edit(path, 2, latitude="north")  # not a number
    edit(path, 3, fetched_at="2026-02-30T06:00:00Z")  # no such day
    edit(path, 4, kind="club")  # outside the enum
    edit(path, 5, name="")  # required
    edit(path, 6, listing_id=cell(path, 2, "listing_id"))  # a repeated primary key
    edit(path, 7, schedule="[{\"freq\": ")  # not a JSON array
    edit(path, 8, next_meeting_at="tomorrow", longitude="1,5")
    edit(path, 9, listing_id="")  # no key at all
    found = ours(table_checks.flat_rows(broken, "listings.csv"))
    assert found == frictionless_flat(broken)
    assert {(row, kind) for _t, row, _f, kind, _n in found} >= {
        (2, "type-error"), (3, "type-error"), (4, "constraint-error"), (5, "constraint-error"),
        (6, "primary-key"), (7, "type-error"), (8, "type-error"), (9, "primary-key")}


def test_both_find_the_same_injected_errors_in_the_hsds_package(sample, tmp_path):
    broken = tmp_path / "hsds"
    shutil.copytree(sample / "hsds", broken)
    edit(broken / "services.csv", 3, organization_id=NO_SUCH_ID)  # a dangling foreign key
    edit(broken / "services.csv", 4, status="paused", name="")  # outside the enum; required
    edit(broken / "services.csv", 5, email="not an address", url="no scheme")  # e-mail and URI formats
    organizations = broken / "organizations.csv"
    edit(organizations, 4, id=cell(organizations, 3, "id"))  # repeated (and unique) id; services dangle
    edit(broken / "locations.csv", 2, latitude="north", organization_id="not-a-uuid")
    edit(broken / "metadata.csv", 2, last_action_date="2026-13-01")
    edit(broken / "schedules.csv", 2, opens_at="7pm", interval="weekly", freq="DAILY")
    rows = read_rows(broken / "taxonomy_terms.csv")
    write_rows(broken / "taxonomy_terms.csv", [*rows, [""] * len(rows[0])])  # a blank row; one row too many
    found = ours(table_checks.package_rows(broken))
    assert found == frictionless_package(broken)
    kinds = {kind for _t, _r, _f, kind, _n in found}
    assert kinds == {"type-error", "constraint-error", "primary-key", "unique-error", "foreign-key",
                     "blank-row", "row-count"}
    assert ("service", 3, None, "foreign-key", "") in found


def frictionless_tables(folder: Path, names: list[str]) -> set[tuple]:
    """Every problem frictionless finds in some tables of a package (each validated as a resource)."""
    package = Package(str(folder / "datapackage.json"))
    errors = [(name, error) for name in names
              for error in package.get_resource(name).validate().tasks[0].errors]
    return theirs((name, getattr(error, "row_number", None), getattr(error, "field_name", None), error.type,
                   error.note) for name, error in errors)


SAMPLE_CELLS = {"number": "1.5", "integer": "1", "list": "[]", "datetime": "2026-11-20T06:00:00Z"}


def fill(folder: Path, resource: dict, rows: int) -> None:
    """Write `rows` valid rows into a resource's CSV file (a distinct key each), the header first."""
    fields = resource["schema"]["fields"]
    header = [field["name"] for field in fields]
    cells = [(field.get("constraints", {}).get("enum") or [SAMPLE_CELLS.get(field["type"], "x")])[0]
             for field in fields]
    write_rows(folder / resource["path"], [header, *([f"{n}-{cell}" if i == 0 else cell
                                                      for i, cell in enumerate(cells)] for n in range(rows))])


def test_both_find_the_same_injected_errors_in_the_top_level_tables(sample, tmp_path):
    broken = tmp_path / "top"
    broken.mkdir()
    tables = ["entities-csv", "review-csv"]
    descriptor = json.loads((sample / "datapackage.json").read_text(encoding="utf-8"))
    for resource in descriptor["resources"]:
        if resource["name"] in tables:
            fill(broken, resource, 6)
            resource["rows"] = 6 if resource["name"] == "entities-csv" else 7  # review.csv: one row short
    (broken / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    entities = broken / "entities.csv"
    edit(entities, 2, latitude="north", members="two")  # not a number, not an integer
    edit(entities, 3, kind="club", first_seen="2026-02-30T06:00:00Z")  # outside the enum; no such day
    edit(entities, 4, entity_id=cell(entities, 2, "entity_id"), name="")  # a repeated key; required
    edit(entities, 5, members="", last_seen="yesterday")  # required; not a datetime
    edit(broken / "review.csv", 2, score="high")
    found = ours(table_checks.package_rows(broken, tables))
    assert found == frictionless_tables(broken, tables)
    assert {(table, row, kind) for table, row, _f, kind, _n in found} >= {
        ("entities-csv", 2, "type-error"), ("entities-csv", 3, "constraint-error"),
        ("entities-csv", 3, "type-error"), ("entities-csv", 4, "primary-key"),
        ("entities-csv", 4, "constraint-error"), ("entities-csv", 5, "constraint-error"),
        ("entities-csv", 5, "type-error"), ("review-csv", 2, "type-error"), ("review-csv", None, "row-count")}
    lines = table_checks.top_level_problems(broken)
    assert 'entities-csv: row 2: latitude: type error: type is "number/default"' in lines, lines


@pytest.mark.parametrize("change", ["renamed", "swapped", "extra", "missing"])
def test_a_wrong_header_is_found_as_frictionless_finds_it(sample, tmp_path, change):
    broken = tmp_path / "hsds"
    shutil.copytree(sample / "hsds", broken)
    rows = read_rows(broken / "phones.csv")
    if change == "renamed":
        rows[0][2] = "telephone"
    elif change == "swapped":
        rows = [[row[1], row[0], *row[2:]] for row in rows]
    elif change == "extra":
        rows = [[*row, "x"] for row in rows]
    else:
        rows = [row[:-1] for row in rows]
    write_rows(broken / "phones.csv", rows)
    found = ours(table_checks.package_rows(broken))
    assert found == frictionless_package(broken)
    assert any(table == "phone" and kind.endswith("label") for table, _r, _f, kind, _n in found)


TEN_THOUSAND = 10_000


@pytest.fixture(scope="module")
def national(tmp_path_factory) -> Path:
    """A synthetic warehouse of 10,000 listings, exported (through the DuckDB checks)."""
    from tests.synthetic_export import write_synthetic
    from warehouse import db, migrate
    from warehouse.publish import export

    root = tmp_path_factory.mktemp("national")
    con = db.connect(root / "warehouse.duckdb")
    migrate.migrate(con)
    write_synthetic(con, TEN_THOUSAND)
    export.export_directory(con, root / "exports", "national", [])
    con.close()
    return root / "exports"


def test_frictionless_and_duckdb_agree_on_a_10k_export(national, tmp_path):
    assert len(read_rows(national / "listings.csv")) == TEN_THOUSAND + 1
    assert frictionless_flat(national) == set() == ours(table_checks.flat_rows(national, "listings.csv"))
    broken = tmp_path / "hsds"
    shutil.copytree(national / "hsds", broken)
    edit(broken / "services.csv", 5000, organization_id=NO_SUCH_ID)
    edit(broken / "locations.csv", 3000, id=cell(broken / "locations.csv", 20, "id"), latitude="north")
    found = ours(table_checks.package_rows(broken))
    assert found == frictionless_package(broken)
    assert {(table, row, kind) for table, row, _f, kind, _n in found} >= {
        ("service", 5000, "foreign-key"), ("location", 3000, "primary-key"), ("location", 3000, "type-error")}


def test_quotes_in_names_and_values_are_data_to_both(tmp_path, monkeypatch):
    """Column names and values with quotes (an SQL injection's shape) are read as data: same problems."""
    import json

    frictionless_rows = table_checks._frictionless_rows
    monkeypatch.setattr(table_checks, "_frictionless_rows", lambda *a: pytest.fail("not read by DuckDB"))

    fields = [{"name": 'a"b', "type": "string", "constraints": {"required": True}},
              {"name": "c'd", "type": "string", "constraints": {"enum": ["it's", "x"]}}]
    resource = {"name": "quoted", "path": "quoted.csv", "profile": "tabular-data-resource",
                "format": "csv", "encoding": "utf-8", "schema": {"fields": fields, "primaryKey": ['a"b']}}
    (tmp_path / "datapackage.json").write_text(json.dumps({"name": "q", "resources": [resource]}))
    write_rows(tmp_path / "quoted.csv", [['a"b', "c'd"], ["k", "it's"], ["k", "'); DROP TABLE t0; --"]])
    found = ours(table_checks.package_rows(tmp_path))
    monkeypatch.setattr(table_checks, "_frictionless_rows", frictionless_rows)
    assert found == frictionless_package(tmp_path)
    assert {(row, kind) for _t, row, _f, kind, _n in found} == {(3, "primary-key"), (3, "constraint-error")}

"""The one formula guard of every CSV (warehouse/csv_safe.py): the rule, DuckDB and Python writers
alike, and the export's validation that catches a CSV written around them."""

import csv
import io
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest
from hypothesis import given
from hypothesis import strategies as st

from flows.search_cli import print_csv
from schemas.listing import ParsedListing
from schemas.run import RunSummary, SourceOutcome
from schemas.search import Found, Result
from warehouse import csv_safe, db, migrate, normalize, stage
from warehouse.publish import export

FETCHED = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
FORMULAS = ['=HYPERLINK("http://evil.test","x")', "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "-", "+1 555 0100", "-1TH;rm"]
TYPED = ["-117.0814157", "-8", "+15551234567", "1e-07", "-1.5E+3", ".5", "-1TH", "2TU,-1TH", "MO"]


@pytest.mark.parametrize("value", FORMULAS)
def test_a_cell_that_would_start_a_formula_gets_an_apostrophe(value):
    assert csv_safe.safe_cell(value) == "'" + value and csv_safe.is_formula(value)


@pytest.mark.parametrize("value", [*TYPED, "NAMI", "'=already text", "", "A=B"])
def test_numbers_phones_byday_lists_and_plain_text_stay_as_they_are(value):
    assert csv_safe.safe_cell(value) == value and not csv_safe.is_formula(value)


def test_values_that_are_not_text_are_written_as_they_are():
    assert [csv_safe.safe_cell(v) for v in (-8, -117.5, None, True)] == [-8, -117.5, None, True]


@pytest.fixture(scope="module")
def con():
    """A connection with the csv_cell macro."""
    connection = duckdb.connect()
    connection.execute(csv_safe.CELL_MACRO)
    yield connection
    connection.close()


@given(st.one_of(st.text(), st.sampled_from(FORMULAS + TYPED),
                 st.text(alphabet="=+-@\t\r0123456789.eE,MOTUWEHFRSA x(|!'", max_size=12)))
def test_duckdb_and_python_apply_the_same_rule(con, value):
    assert con.execute("SELECT csv_cell(?)", [value]).fetchone()[0] == csv_safe.safe_cell(value)


def test_copy_to_csv_guards_text_and_keeps_typed_columns(tmp_path, con):
    query = ("SELECT * FROM (VALUES ('=1+1', -117.5, '+15551234567', 1), ('ok', 2.0, '@x', NULL)) "
             "AS t(name, longitude, phone, n) ORDER BY n NULLS LAST")
    assert db.copy_to(con, query, tmp_path / "t.csv", "(FORMAT csv, HEADER true)") == 2
    with (tmp_path / "t.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [tuple(r.values()) for r in rows] == [("'=1+1", "-117.5", "+15551234567", "1"),
                                                  ("ok", "2.0", "'@x", "")]
    assert csv_safe.formula_problems(tmp_path) == []


def test_python_rows_are_guarded_and_unknown_columns_refused(tmp_path):
    assert csv_safe.write_rows(tmp_path / "r.csv", ["a", "b"], [{"a": "=1", "b": -3}, {"a": None}]) == 2
    assert (tmp_path / "r.csv").read_text("utf-8").splitlines() == ["a,b", "'=1,-3", ","]
    with pytest.raises(ValueError, match="columns not in the header"):
        csv_safe.write_rows(tmp_path / "x.csv", ["a"], [{"a": 1, "z": 2}])


def test_the_check_names_the_file_row_and_column_of_a_cell_written_around_the_guard(tmp_path):
    (tmp_path / "hsds").mkdir()
    (tmp_path / "hsds" / "raw.csv").write_text('id,name\n1,ok\n2,"=1+1, with a comma"\n3,-8\n', "utf-8")
    (tmp_path / "fine.csv").write_text("id,name\n1,'=1+1\n", "utf-8")
    assert csv_safe.formula_problems(tmp_path) == ["hsds/raw.csv: row 3, column 'name': '=1+1, with a comma'"]


def test_search_csv_output_is_guarded(capsys):
    result = Result(listing_id="x", name="=HYPERLINK(\"http://evil.test\")", kind="group",
                    organization="-NAMI", source="nami", attendance="online", remote=True,
                    geo_precision="none", how_to_attend="@x", contact="", source_url="https://www.nami.org/",
                    last_seen="2026-11-20", latitude=-1.5)
    print_csv(Found(total=1, results=[result]))
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert (rows[0]["name"], rows[0]["organization"], rows[0]["how_to_attend"]) == \
        ("'=HYPERLINK(\"http://evil.test\")", "'-NAMI", "'@x")


def _warehouse(folder: Path) -> duckdb.DuckDBPyConnection:
    """A warehouse with one normalized listing."""
    con = db.connect(folder / "w.duckdb")
    migrate.migrate(con)
    stage.start_run(con, RunSummary(run_id="r1", mode="replay", started_at=FETCHED, warehouse="w"))
    listing = ParsedListing(source="nami", source_key="a", kind="chapter", organization="NAMI",
                            name="=NAMI A", source_url="https://www.nami.org/a/", fetched_at=FETCHED,
                            content_sha256="b" * 64)
    stage.record_source(con, "r1", SourceOutcome(source="nami", status="ok", listings=1), [], [listing])
    normalize.normalize_run(con, "r1", FETCHED)
    return con


def test_an_export_with_a_csv_written_around_the_guard_is_not_published(tmp_path, monkeypatch):
    con = _warehouse(tmp_path)
    written = export._write_descriptor

    def and_a_raw_csv(folder: Path, *args) -> None:
        written(folder, *args)
        (folder / "future.csv").write_text("id,name\n1,=NAMI A\n", "utf-8")  # a future writer's mistake

    monkeypatch.setattr(export, "_write_descriptor", and_a_raw_csv)
    with pytest.raises(export.ExportInvalid, match=r"future\.csv: row 2, column 'name': '=NAMI A'"):
        export.export_directory(con, tmp_path / "exports", "r1", [])
    assert not (tmp_path / "exports").exists()
    monkeypatch.setattr(export, "_write_descriptor", written)
    export.export_directory(con, tmp_path / "exports", "r1", [])
    con.close()
    with (tmp_path / "exports" / "listings.csv").open(newline="", encoding="utf-8") as handle:
        assert next(csv.DictReader(handle))["name"] == "'=NAMI A"


CELLS = st.one_of(st.sampled_from(FORMULAS + TYPED),
                  st.text(alphabet=st.sampled_from([*"=+-@\t\r.e0123456789MOTUHa ,|!'"]), max_size=8),
                  st.text(max_size=8), st.integers(), st.floats(allow_nan=False), st.none())


@given(st.lists(CELLS, max_size=6))
def test_the_writer_guards_each_cell_as_safe_cell_does(row):
    written, expected = io.StringIO(), io.StringIO()
    csv_safe.writer(written).writerow(row)
    csv.writer(expected).writerow([csv_safe.safe_cell(value) for value in row])
    assert written.getvalue() == expected.getvalue()

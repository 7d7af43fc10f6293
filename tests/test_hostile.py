"""Hostile input: formula injection in CSV, HTML and control characters, non-http URLs, SQL in names."""

import csv
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest

from schemas.listing import ParsedListing
from schemas.run import RunSummary, SourceOutcome
from warehouse import db, migrate, normalize, stage
from warehouse.publish import export

FETCHED = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
DROP = "'); DROP TABLE listings; --"
NUMERIC = {"phone", "latitude", "longitude"}  # E.164 and numbers: no formula can hide in them
FORMULAS = {
    "eq": "=HYPERLINK(\"http://evil.example/\",\"click\")",
    "plus": "+1+cmd|' /C calc'!A0",
    "minus": "-2+3+cmd|' /C calc'!A0",
    "at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "tab": "\t=1+1",
    "cr": "\r=1+1",
}


def listing(key: str, **fields) -> ParsedListing:
    """A parsed listing with provenance defaults."""
    base = {"source": "nami", "source_key": key, "kind": "chapter", "organization": "NAMI",
            "name": f"NAMI {key}", "source_url": f"https://www.nami.org/find-your-local-nami/{key}/",
            "fetched_at": FETCHED, "content_sha256": "b" * 64}
    return ParsedListing(**{**base, **fields})


HOSTILE = [
    listing("drop", name=DROP, description=DROP, phone="(907) 277-1300"),
    *(listing(f"formula-{k}", name=v, description=v, city="Anchorage") for k, v in FORMULAS.items()),
    listing("html", name="<b>NAMI</b> <script>alert(1)</script>Juneau\x00\x07\x1b[31m",
            description="Line one<br>\x0bline two\x9b", city="<i>Juneau</i>\x1f", street="1 Main St\x7f",
            organization="NAMI\x00"),
    listing("urls", name="NAMI Links", website="javascript:alert(1)", registration_url="data:text/html,hi",
            conference_url="vbscript:msgbox(1)"),
    listing("ftp", name="NAMI FTP", website="ftp://example.org/", registration_url="file:///etc/passwd"),
    listing("ok", name="NAMI Anchorage", website="https://www.namianchorage.org/", phone="+1 907 277 1300",
            city="Anchorage", state="AK", postal_code="99501",
            email="info@namianchorage.org"),
    listing("email", name="NAMI Email", email="=1+2@example.org"),
]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    """The hostile listings staged, normalized and exported once."""
    folder = tmp_path_factory.mktemp("hostile")
    con = db.connect(folder / "w.duckdb")
    migrate.migrate(con)
    summary = RunSummary(run_id="r1", mode="replay", started_at=FETCHED, warehouse="w")
    stage.start_run(con, summary)
    outcome = SourceOutcome(source="nami", status="ok", listings=len(HOSTILE))
    stage.record_source(con, "r1", outcome, [], HOSTILE)
    normalize.normalize_run(con, "r1", FETCHED)
    failed = db.failed_checks(con)
    out = folder / "exports"
    export.export_directory(con, out, "r1", [])
    tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    con.close()
    with (out / "listings.csv").open(newline="", encoding="utf-8") as handle:
        csv_rows = {r["source_key"]: r for r in csv.DictReader(handle)}
    jsonl = [json.loads(line) for line in (out / "listings.jsonl").read_text("utf-8").splitlines()]
    parquet = pq.read_table(out / "listings.parquet").to_pylist()
    return {"csv": csv_rows, "jsonl": {r["source_key"]: r for r in jsonl},
            "parquet": {r["source_key"]: r for r in parquet}, "failed": failed, "tables": tables,
            "staged": folder / "w.duckdb"}


def test_sql_in_a_name_round_trips_unchanged_everywhere(built):
    assert "listings" in built["tables"] and built["failed"] == {}
    assert built["jsonl"]["drop"]["name"] == DROP
    assert built["parquet"]["drop"]["name"] == DROP and built["parquet"]["drop"]["description"] == DROP
    # Starts with an apostrophe, not a formula character: the CSV cell is the value itself.
    assert built["csv"]["drop"]["name"] == DROP
    con = duckdb.connect(str(built["staged"]), read_only=True)
    staged = con.execute("SELECT name FROM staged_listings WHERE source_key = 'drop'").fetchall()
    con.close()
    assert staged == [(DROP,)]


@pytest.mark.parametrize("key", sorted(FORMULAS))
def test_csv_neutralizes_formulas_but_parquet_and_jsonl_keep_the_value(built, key):
    cleaned = re.sub(r"\s+", " ", FORMULAS[key]).strip()  # clean_text collapses tab/CR at the edges
    for fmt in ("jsonl", "parquet"):
        assert built[fmt][f"formula-{key}"]["name"] == cleaned
    cell = built["csv"][f"formula-{key}"]["name"]
    assert cell == ("'" + cleaned if cleaned[0] in "=+-@\t\r" else cleaned)
    for row in built["csv"].values():
        for column, value in row.items():
            assert not value or value[0] not in "=+-@\t\r" or column in NUMERIC, (column, value)


def test_csv_keeps_e164_phones_and_neutralizes_a_formula_email(built):
    assert built["csv"]["ok"]["phone"] == "+19072771300" == built["jsonl"]["ok"]["phone"]
    assert built["csv"]["drop"]["phone"] == "+19072771300"
    assert built["jsonl"]["email"]["email"] == "=1+2@example.org"
    assert built["csv"]["email"]["email"] == "'=1+2@example.org"
    # Numbers stay numbers: a negative longitude is not a formula to neutralize.
    assert built["csv"]["ok"]["longitude"].startswith("-") and float(built["csv"]["ok"]["longitude"]) < 0


def test_html_and_control_characters_are_stripped_from_every_text_field(built):
    row = built["jsonl"]["html"]
    assert row["name"] == "NAMI Juneau [31m"  # a script's code is not text a reader sees
    assert row["description"] == "Line one line two"
    assert row["city"] == "Juneau" and row["street"] == "1 Main St" and row["organization"] == "NAMI"
    control = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f<>]")
    for listing_row in built["jsonl"].values():
        for column, value in listing_row.items():
            assert not (isinstance(value, str) and control.search(value)), (column, value)


def test_non_http_urls_are_dropped_and_http_kept(built):
    for key in ("urls", "ftp"):
        row = built["jsonl"][key]
        assert (row["website"], row["registration_url"], row["conference_url"]) == (None, None, None)
    assert built["jsonl"]["ok"]["website"] == "https://www.namianchorage.org/"


def test_sql_with_data_is_always_parameterized():
    """Audit: the only f-string SQL interpolates code constants (a table name, an escaped path).

    warehouse/publish/table_checks.py is the one exception by design: it writes a query per Table
    Schema, from table names t0, t1... and every column name and value quoted (_column, _literal);
    tests/test_table_checks.py reads names and values holding quotes through it.
    """
    root = Path(__file__).parent.parent
    found = set()
    schema_queries = root / "warehouse" / "publish" / "table_checks.py"
    for path in [*root.glob("warehouse/**/*.py"), *root.glob("flows/*.py"), *root.glob("scrapers/**/*.py")]:
        if path == schema_queries:
            continue
        for line in path.read_text("utf-8").splitlines():
            if re.search(r"""execute\(f["']""", line):
                found.add(f"{path.relative_to(root)}: {line.strip()}")
    assert found == {
        """warehouse/db.py: return con.execute(f"COPY ({query}) TO '{target}' {options}").fetchall()[0][0]""",
        """warehouse/db.py: con.execute(f"ATTACH '{target}' AS {name}")""",
        """warehouse/stage.py: con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM arrow_rows")""",
        """warehouse/identity/resolve.py: con.execute(f"DELETE FROM {table}")""",
        "warehouse/identity/resolve.py: "
        """con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM resolved_rows")""",
    }


def test_export_to_a_folder_with_a_quote_in_its_name(tmp_path):
    con = db.connect(tmp_path / "w.duckdb")
    migrate.migrate(con)
    stage.start_run(con, RunSummary(run_id="r1", mode="replay", started_at=FETCHED, warehouse="w"))
    stage.record_source(con, "r1", SourceOutcome(source="nami", status="ok", listings=1), [],
                        [listing("drop", name=DROP)])
    normalize.normalize_run(con, "r1", FETCHED)
    out = tmp_path / "it's'; DROP TABLE listings; --"
    counts = export.export_directory(con, out, "r1", []).files
    assert counts["listings.csv"] == 1
    assert con.execute("SELECT name FROM listings").fetchall() == [(DROP,)]
    con.close()
    assert json.loads((out / "listings.jsonl").read_text("utf-8"))["name"] == DROP

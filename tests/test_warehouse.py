"""The warehouse: migrations, staging, normalization, re-runs, data checks and the export."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

from schemas.listing import DirectoryRow, ParsedListing
from schemas.run import RunSummary, SourceOutcome
from schemas.table_schema import export_columns
from warehouse import db, migrate, normalize, stage
from warehouse.publish import export, records

FETCHED = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
SHA = "a" * 64


def listing(**fields) -> ParsedListing:
    """A parsed listing with defaults for the identity fields."""
    base = {"source": "nami", "kind": "chapter", "organization": "NAMI",
            "source_url": "https://www.nami.org/find-your-local-nami/x/", "fetched_at": FETCHED,
            "content_sha256": SHA}
    return ParsedListing(**{**base, **fields})


SAMPLE = [
    listing(source_key="alaska", kind="organization", name="NAMI Alaska",
            address="PO Box 1234\nAnchorage, AK 99501\nUnited States", phone="(907) 277-1300",
            email="Info@NAMIAlaska.org", website="www.namialaska.org"),
    listing(source_key="alaska/nami-juneau", name="NAMI Juneau &amp; Southeast", parent_key="alaska",
            address="Juneau, AK", phone="555-1212", email="not-an-email",
            website="javascript:alert(1)"),
    listing(source_key="kentucky/virtual", name="NAMI Kentucky Virtual", state="Kentucky"),
    listing(source_key="nowhere", name="NAMI Somewhere", parent_key="missing-parent"),
]


def run(con, run_id: str, at: datetime, listings: list[ParsedListing], status: str = "ok",
        source: str = "nami") -> None:
    """Stage and normalize one run of one source."""
    summary = RunSummary(run_id=run_id, mode="replay", started_at=at, warehouse=":memory:")
    stage.start_run(con, summary)
    outcome = SourceOutcome(source=source, status=status, listings=len(listings),
                            reason=None if status == "ok" else "FetchFailed: HTTP 503")
    stage.record_source(con, run_id, outcome, [], listings if status == "ok" else [])
    normalize.normalize_run(con, run_id, at)



def rows(con, sql: str, params=None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def by_key(con) -> dict[str, dict]:
    """Current listings as dicts by source_key."""
    cursor = con.execute("SELECT * FROM listings")
    names = [d[0] for d in cursor.description]
    return {row[names.index("source_key")]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def test_migrations_from_empty_then_nothing_to_do(tmp_path: Path):
    connection = db.connect(tmp_path / "fresh.duckdb")
    applied = migrate.migrate(connection)
    assert applied == ["0001_init.sql", "0002_meetings.sql", "0003_identity_history.sql",
                       "0004_lost_pages.sql", "0005_run_units.sql", "0006_source_traits.sql",
                       "0007_meeting_fields.sql"]
    tables = {r[0] for r in rows(connection, "SELECT table_name FROM information_schema.tables")}
    assert {"runs", "run_sources", "fetches", "staged_listings", "listings", "zip_geo",
            "schema_migrations", "directory", "schedules", "listing_versions", "run_changes",
            "entity_crosswalk", "match_pairs", "entities", "source_traits", "run_units"} <= tables
    assert "source_ranks" not in tables
    assert migrate.migrate(connection) == []
    connection.close()


def test_hand_written_ranks_are_kept_until_a_build_writes_the_sources_own(tmp_path, monkeypatch):
    from scrapers.registry import SOURCE_CLASSES, source_traits
    from warehouse.identity.traits import record_traits

    connection = db.connect(tmp_path / "old.duckdb")
    shipped = migrate.available()
    monkeypatch.setattr(migrate, "available", lambda: [m for m in shipped if m[0] <= 4])
    monkeypatch.setattr(migrate, "create_views", lambda con: [])  # today's views need today's tables
    migrate.migrate(connection)  # a warehouse as it was before 0005
    old = sorted(rows(connection, "SELECT source, rank FROM source_ranks"))
    monkeypatch.undo()
    assert migrate.migrate(connection) == ["0005_run_units.sql", "0006_source_traits.sql",
                                           "0007_meeting_fields.sql"]
    assert sorted(rows(connection, "SELECT source, rank FROM source_traits")) == old
    record_traits(connection, source_traits())
    written = {source: (rank, family) for source, rank, family in
               rows(connection, "SELECT source, rank, family FROM source_traits")}
    assert written == {name: (cls.rank, cls.family or name) for name, cls in SOURCE_CLASSES.items()}
    assert all(written[source][0] == rank for source, rank in old)  # the old table's ranks, kept
    assert written["sardaa"][1] == "spaa" and written["meetingguide"][0] == 2
    connection.close()


def test_directory_view_and_export_queries_match_the_export_model(con):
    from warehouse import udfs
    columns = [d[0] for d in con.execute("SELECT * FROM directory LIMIT 0").description]
    # next_meeting_at depends on when the export runs: the export queries add it, last.
    assert [*columns, "next_meeting_at"] == export_columns(DirectoryRow)
    udfs.register(con)
    records.prepare(con)  # the export view the export queries read
    for name in ("export_flat", "export_json", "export_typed"):
        query = db.sql_text(name, records.SQL).strip().rstrip(";")
        exported = [d[0] for d in con.execute(f"SELECT * FROM ({query}) LIMIT 0").description]
        assert exported == export_columns(DirectoryRow), name


def test_normalization_of_contacts_places_and_ids(con):
    run(con, "r1", FETCHED, SAMPLE)
    found = by_key(con)
    alaska = found["alaska"]
    assert alaska["phone"] == "+19072771300"
    assert alaska["email"] == "info@namialaska.org"
    assert alaska["website"] == "https://www.namialaska.org/"
    assert (alaska["street"], alaska["city"], alaska["state"], alaska["postal_code"]) == \
        ("PO Box 1234", "Anchorage", "AK", "99501")
    assert alaska["geo_precision"] == "zip" and alaska["timezone"] == "America/Anchorage"
    assert alaska["latitude"] == pytest.approx(61.2, abs=0.1)
    assert alaska["country"] == "US"
    juneau = found["alaska/nami-juneau"]
    assert juneau["name"] == "NAMI Juneau & Southeast"
    assert juneau["phone"] is None and juneau["email"] is None and juneau["website"] is None
    assert juneau["city"] == "Juneau" and juneau["geo_precision"] == "city"
    assert juneau["parent"] == alaska["listing_id"]
    virtual = found["kentucky/virtual"]
    assert virtual["state"] == "KY" and virtual["geo_precision"] == "state"
    assert virtual["timezone"] == "America/New_York"
    nowhere = found["nowhere"]
    assert nowhere["geo_precision"] == "none" and nowhere["latitude"] is None
    assert nowhere["parent"] is None  # a parent that is not listed is not invented
    assert db.failed_checks(con) == {}


def test_second_run_over_the_same_data_changes_nothing_but_last_seen(con):
    run(con, "r1", FETCHED, SAMPLE)
    before = by_key(con)
    later = FETCHED + timedelta(days=7)
    run(con, "r2", later, SAMPLE)
    after = by_key(con)
    assert before.keys() == after.keys()
    for key, row in after.items():
        changed = {name for name in row if row[name] != before[key][name]}
        assert changed == {"last_seen", "last_run_id"}, key
        assert row["last_seen"] == later and row["first_seen"] == FETCHED


def test_a_recrawl_marks_unchanged_listings_seen_and_rewrites_changed_ones(con):
    """Unchanged rows are only marked seen; a changed value (same page hash or not) is rewritten."""
    run(con, "r1", FETCHED, SAMPLE)
    con.execute("UPDATE listings SET status = 'inactive' WHERE source_key = 'nowhere'")
    before = by_key(con)
    refetched, later = FETCHED + timedelta(days=6), FETCHED + timedelta(days=7)
    alaska, juneau, *rest = SAMPLE
    run(con, "r2", later, [alaska.model_copy(update={"phone": "(907) 277-1301"}),  # same page hash
                           juneau.model_copy(update={"fetched_at": refetched}), *rest])
    after = by_key(con)
    assert after["alaska"]["phone"] == "+19072771301"
    assert after["alaska/nami-juneau"]["fetched_at"] == refetched
    assert after["nowhere"]["status"] == "active"  # seen again
    for key, row in after.items():
        assert (row["last_run_id"], row["last_seen"], row["first_seen"]) == ("r2", later, FETCHED), key
        changed = {name for name in row if row[name] != before[key][name]}
        assert changed <= {"last_seen", "last_run_id", "status", "phone", "fetched_at"}, key
    assert db.failed_checks(con) == {}


def test_failed_source_keeps_its_earlier_listings(con):
    run(con, "r1", FETCHED, SAMPLE)
    before = by_key(con)
    run(con, "r2", FETCHED + timedelta(days=1), [], status="failed")
    assert by_key(con) == before
    assert rows(con, "SELECT status, reason FROM run_sources WHERE run_id = 'r2'") == \
        [("failed", "FetchFailed: HTTP 503")]


def test_data_check_catches_a_broken_row(con):
    run(con, "r1", FETCHED, SAMPLE)
    con.execute("UPDATE listings SET phone = '907-277-1300' WHERE source_key = 'alaska'")
    assert db.failed_checks(con) == {"checks/listings_contact_formats": 1}


def test_export_writes_the_listing_files_and_a_valid_package(con, tmp_path: Path):
    from frictionless import Package

    run(con, "r1", FETCHED, SAMPLE)
    counts = export.export_directory(con, tmp_path / "out", "r1", [{"title": "NAMI", "path": "x"}]).files
    out = tmp_path / "out"
    assert {k: v for k, v in counts.items() if k.startswith("listings.")} == \
        {"listings.csv": 4, "listings.parquet": 4, "listings.jsonl": 4}
    assert {"changes.jsonl", "datapackage.json", "entities.csv", "entities.jsonl", "entities.parquet",
            "listings.csv", "listings.jsonl", "listings.parquet", "review.csv"} <= \
        {p.name for p in out.iterdir()}
    descriptor = json.loads((out / "datapackage.json").read_text())
    assert [r.get("rows", r.get("entries")) for r in descriptor["resources"][:3]] == [4, 4, 4]
    package = Package(str(out / "datapackage.json"))
    report = package.get_resource("listings-csv").validate()
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    jsonl = [json.loads(line) for line in (out / "listings.jsonl").read_text().splitlines()]
    assert {r["source_key"] for r in jsonl} == {"alaska", "alaska/nami-juneau", "kentucky/virtual", "nowhere"}
    assert all(r["last_seen"].endswith("Z") for r in jsonl)
    parquet = duckdb.sql(f"SELECT count(*), count(DISTINCT listing_id) FROM '{out / 'listings.parquet'}'")
    assert parquet.fetchall() == [(4, 4)]


def test_export_is_swapped_in_whole_and_a_failed_export_leaves_the_old_one(con, tmp_path: Path):
    from warehouse.publish.atomic import publish

    run(con, "r1", FETCHED, SAMPLE)
    out = tmp_path / "out"
    export.export_directory(con, out, "r1", [])
    old = (out / "listings.csv").read_bytes()

    def broken(folder: Path) -> None:
        (folder / "listings.csv").write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        publish(out, "r2", broken)
    assert (out / "listings.csv").read_bytes() == old
    assert out.is_symlink()
    assert not any(p.name.endswith(".partial") for p in out.parent.joinpath(".out.builds").iterdir())


def test_build_lock_is_reentrant_in_a_process_and_exclusive_across_processes(tmp_path: Path):
    import subprocess
    import sys

    path = tmp_path / "w.duckdb"
    with db.build_lock(path), db.build_lock(path):  # the CLI and its flow, one process
        other = subprocess.run(
            [sys.executable, "-c", "from warehouse.db import build_lock, WarehouseBusy\n"
             f"try:\n    with build_lock({str(path)!r}): print('got it')\n"
             "except WarehouseBusy as exc: print(exc)"],
            capture_output=True, text=True, check=True, cwd=Path(__file__).parents[1])
    assert "another build is using" in other.stdout
    with db.build_lock(path):
        pass  # released after the first holder left


def test_a_listing_with_a_point_takes_the_zone_of_the_point_in_a_split_state(con):
    """Kentucky and Florida are split: the state's most common zone is wrong west of the line."""
    run(con, "r1", FETCHED, [
        listing(source_key="paducah", name="NAMI Paducah", city="Paducah", state="KY",
                latitude=37.0834, longitude=-88.6000, schedule_text="Tuesdays at 7 pm"),
        listing(source_key="lexington", name="NAMI Lexington", city="Lexington", state="KY",
                latitude=38.0406, longitude=-84.5037),
        listing(source_key="pensacola", name="NAMI Pensacola", city="Pensacola", state="FL",
                latitude=30.4213, longitude=-87.2169),
        listing(source_key="kentucky", name="NAMI Kentucky", state="KY"),
    ])
    found = by_key(con)
    assert found["paducah"]["timezone"] == "America/Chicago"
    assert found["lexington"]["timezone"] == "America/New_York"
    assert found["pensacola"]["timezone"] == "America/Chicago"
    assert found["kentucky"]["timezone"] == "America/New_York"  # no point: the state's usual zone
    zones = rows(con, "SELECT DISTINCT s.timezone FROM schedules AS s JOIN listings AS l USING (listing_id) "
                      "WHERE l.source_key = 'paducah'")
    assert zones == [("America/Chicago",)]  # the rule a text states is in the point's zone


def test_zone_at_answers_the_zone_of_a_point_and_none_at_sea():
    from warehouse.reference import zone_at

    assert zone_at(37.0834, -88.6000) == "America/Chicago"  # Paducah, KY
    assert zone_at(38.0406, -84.5037) == "America/New_York"  # Lexington, KY
    assert zone_at(31.7619, -106.4850) == "America/Denver"  # El Paso, TX
    assert zone_at(30.0, -140.0) is None and zone_at(None, -88.6) is None

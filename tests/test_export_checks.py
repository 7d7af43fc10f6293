"""The export's file checks in worker processes: what they find, that a failure publishes
nothing, and that a dead worker or an unguarded calling script never skips a check."""

import csv
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.test_exports import LISTINGS, ROOT, csv_rows, load
from warehouse.publish import export, hsds, table_checks

NO_SUCH_ID = "00000000-0000-4000-8000-000000000000"  # a well-formed UUID no row has


@pytest.fixture
def out(con, tmp_path: Path) -> Path:
    """The test listings loaded into the warehouse (conftest) and exported."""
    load(con, LISTINGS)
    folder = tmp_path / "out"
    export.export_directory(con, folder, "r1", [])
    return folder


def orphan_a_service(monkeypatch) -> None:
    """Make the HSDS export give its first service an organization that does not exist."""
    real = hsds.build_tables

    def orphaned(found, now, run_id):
        tables = real(found, now, run_id)
        tables["service"][0]["organization_id"] = NO_SUCH_ID
        return tables

    monkeypatch.setattr(hsds, "build_tables", orphaned)


def _rewrite_csv(path: Path, change) -> None:
    """Rewrite a CSV file with `change(rows)` applied to its rows."""
    rows = csv_rows(path)
    change(rows)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def test_the_worker_checks_find_what_is_wrong_in_the_written_files(out, tmp_path):

    assert table_checks.flat_problems(out, "listings.csv") == []
    assert table_checks.package_problems(out / "hsds") == []
    broken = tmp_path / "broken"
    shutil.copytree(out, broken)
    _rewrite_csv(broken / "listings.csv", lambda rows: rows[0].update(latitude="north"))
    _rewrite_csv(broken / "hsds" / "services.csv", lambda rows: rows[0].update(organization_id=NO_SUCH_ID))
    assert "latitude" in " ".join(table_checks.flat_problems(broken, "listings.csv"))
    assert "foreign-key" in " ".join(table_checks.package_problems(broken / "hsds"))


def corrupt_the_flat_csv(monkeypatch) -> None:
    """Make the export write a listing whose latitude is not a number into listings.csv."""
    real = export.write_listings

    def corrupted(con, folder):
        counts = real(con, folder)
        _rewrite_csv(folder / "listings.csv", lambda rows: rows[0].update(latitude="north"))
        return counts

    monkeypatch.setattr(export, "write_listings", corrupted)


@pytest.mark.parametrize("broken", ["hsds", "flat"])
@pytest.mark.parametrize("big", [False, True], ids=["one-worker", "two-workers"])
def test_an_invalid_table_found_by_the_worker_publishes_nothing(con, out, monkeypatch, big, broken):
    monkeypatch.setattr(export, "BIG_EXPORT", 1 if big else 10**9)
    before = {name: (out / name).read_bytes() for name in ("hsds/services.csv", "listings.csv")}
    if broken == "hsds":
        orphan_a_service(monkeypatch)
        expected = r"HSDS package is not valid: \['service', 2, 'organization_id', 'foreign-key'"
    else:
        corrupt_the_flat_csv(monkeypatch)
        expected = r"listings.csv is not valid: \[2, 'latitude', 'type-error', 'type is \"number/default\"'\]"
    with pytest.raises(export.ExportInvalid, match=expected):
        export.export_directory(con, out, "r2", [])
    assert {name: (out / name).read_bytes() for name in before} == before
    assert not any(p.name.endswith(".partial") for p in (out.parent / ".out.builds").iterdir())


UNGUARDED_SCRIPT = """
import duckdb, sys
sys.path.insert(0, {root!r})
from tests.test_exports import LISTINGS, load
from warehouse.publish import export, meeting_guide
from warehouse import migrate
con = duckdb.connect()
con.execute("SET TimeZone = 'UTC'")
migrate.migrate(con)
load(con, LISTINGS)
real = meeting_guide.build_feed
meeting_guide.build_feed = lambda found: ([{{**real(found)[0][0], "day": 9}}], {{}})
try:
    export.export_directory(con, {out!r}, "r1", [])
except export.ExportInvalid as exc:
    print("caught", exc)
"""


def test_a_script_without_a_main_guard_exports_and_checks(tmp_path):
    # The checks' worker is a fresh interpreter: it never runs the calling script again.
    script = tmp_path / "unguarded.py"
    script.write_text(UNGUARDED_SCRIPT.format(root=str(ROOT), out=str(tmp_path / "out")), encoding="utf-8")
    import sys

    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, cwd=tmp_path,
                          timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.count("caught") == 1
    assert "caught meetings.json is not valid" in done.stdout and "9 is greater than" in done.stdout
    assert not (tmp_path / "out").exists()


def test_checks_a_dead_worker_did_not_answer_run_in_the_export_process(con, out, monkeypatch):

    from tests import worker_faults
    # The worker answers the flat check, then dies on the package's (which runs here unharmed).
    monkeypatch.setattr(export, "package_problems", worker_faults.package_problems_or_die)
    orphan_a_service(monkeypatch)
    with pytest.raises(export.ExportInvalid, match=r"HSDS package is not valid: .*foreign-key"):
        export.export_directory(con, out, "r2", [])


def test_the_foreign_key_lookup_finds_the_rows_frictionless_finds(out, tmp_path):
    """The anti-join that replaced frictionless's own lookup reports the same rows of a broken package."""
    from frictionless import Package

    broken = tmp_path / "hsds"
    shutil.copytree(out / "hsds", broken)
    _rewrite_csv(broken / "services.csv", lambda rows: [rows[1].update(organization_id=NO_SUCH_ID),
                                                         rows[2].update(organization_id=NO_SUCH_ID)])
    _rewrite_csv(broken / "service_at_location.csv", lambda rows: rows[0].update(location_id=NO_SUCH_ID))
    report = Package(str(broken / "datapackage.json")).validate()
    theirs = {(task.name, error.row_number) for task in report.tasks for error in task.errors
              if error.type == "foreign-key"}
    ours = {(problem.table, problem.row) for problem in table_checks.package_rows(broken)
            if problem.kind == "foreign-key"}
    assert ours == theirs == {("service", 3), ("service", 4), ("service_at_location", 2)}


def test_a_point_off_the_globe_found_by_the_worker_publishes_nothing(con, out, monkeypatch):
    """directory.geojson is checked as written, in a worker: a latitude of 95 is refused."""
    from warehouse.publish import geojson

    before = (out / "directory.geojson").read_bytes()
    real = geojson.build_collection

    def off_the_globe(records):
        collection = real(records)
        collection["features"][0]["geometry"]["coordinates"][1] = 95.0
        return collection

    monkeypatch.setattr(geojson, "build_collection", off_the_globe)
    with pytest.raises(export.ExportInvalid, match=r"directory.geojson is not valid: features/0/geometry"):
        export.export_directory(con, out, "r2", [])
    assert (out / "directory.geojson").read_bytes() == before
    assert geojson.file_problems(out, "directory.geojson") == []
    assert geojson.file_problems(out, "no-such.geojson")[0].startswith("not a readable JSON file")

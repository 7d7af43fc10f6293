"""The calendar benchmark: the export's writer agrees with icalendar on the sample; bad input is one line."""

import json
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from tests.sample_export import build_sample_export

ROOT = Path(__file__).resolve().parents[1]


def run_benchmark(*args) -> subprocess.CompletedProcess:
    """`python -m benchmarks.calendar_events` with these arguments."""
    command = [sys.executable, "-m", "benchmarks.calendar_events", *map(str, args)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_every_sample_rule_is_written_as_icalendar_writes_it(tmp_path):
    build_sample_export(tmp_path)
    warehouse = tmp_path / "warehouse.duckdb"
    before = warehouse.read_bytes()
    done = run_benchmark(warehouse, "--repeat", 1, "--rounds", 2)
    assert done.returncode == 0, done.stderr
    figures = json.loads(done.stdout)
    assert figures["rules"] > 400 and figures["events_differ"] == 0
    assert len(figures["us_per_event"]["export"]) == 2 and figures["ratio"] > 0
    assert warehouse.read_bytes() == before


def empty_warehouse(folder: Path) -> Path:
    """A DuckDB file with no table in it."""
    path = folder / "empty.duckdb"
    duckdb.connect(str(path)).close()
    return path


def text_file(folder: Path) -> Path:
    """A text file where the warehouse belongs."""
    path = folder / "notes.duckdb"
    path.write_text("not a database\n" * 1000)
    return path


@pytest.mark.parametrize(("make", "said"), [
    (lambda folder: folder / "missing.duckdb", "no warehouse at"),
    (lambda folder: folder, "is a folder"),
    (text_file, "is not a DuckDB database file"),
    (empty_warehouse, "is not a built warehouse"),
], ids=["missing", "folder", "not-duckdb", "no-tables"])
def test_a_warehouse_it_cannot_read_is_one_line_and_exit_1(tmp_path, make, said):
    done = run_benchmark(make(tmp_path))
    assert done.returncode == 1
    assert done.stdout == ""
    assert len(done.stderr.strip().splitlines()) == 1 and done.stderr.startswith("calendar_events: ")
    assert said in done.stderr

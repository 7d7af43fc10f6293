"""benchmarks/compare_parse.py at a tiny size: a ratio, full agreement of the plain parse with the build,
an agreement check that sees a changed field, and a plain parse that never imports the project."""

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks.compare_parse import PLAIN, agreement

ROOT = Path(__file__).resolve().parent.parent
PROJECT_PACKAGES = {"flows", "schemas", "scrapers", "warehouse"}


@pytest.fixture(scope="module")
def compared(tmp_path_factory) -> tuple[dict, Path]:
    """One comparison of 300 listings, one round: its JSON and its working folder."""
    work = tmp_path_factory.mktemp("compare")
    env = {**os.environ, "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120"}
    done = subprocess.run([sys.executable, "-m", "benchmarks.compare_parse", "--listings", "300",
                           "--rounds", "1", "--work", str(work)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout), work


def test_the_comparison_gives_a_ratio_and_full_agreement(compared):
    """Both sides ran, and every listing of the build is in the plain CSV with the same fields."""
    result, _work = compared
    assert result["ratio"] > 0 and result["plain_median_s"] > 0 and result["project_median_s"] > 0
    assert result["cpu_ratio"] > 0 and result["plain_cpu_s"][0] > 0 and result["project_cpu_s"][0] > 0
    agreed = result["agreement"]
    # 90 NAMI profiles, 210 DBSA blocks and 8 online groups
    assert agreed["project_rows"] == agreed["plain_rows"] == agreed["agree"] == result["listings"] == 308
    assert agreed["only_project"] == agreed["only_plain"] == 0 and not agreed["examples"]


def test_the_agreement_check_sees_a_changed_field(compared, tmp_path):
    """One plain row with another website is one listing that differs."""
    _result, work = compared
    with (work / "plain.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    changed = next(row for row in rows if row["website"])
    changed["website"] = "https://elsewhere.example/"
    with (tmp_path / "plain.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    agreed = agreement(work / "replay-exports" / "listings.csv", tmp_path / "plain.csv")
    assert agreed["agree"] == len(rows) - 1
    assert [example["plain"][3] for example in agreed["examples"]] == ["https://elsewhere.example"]


def test_the_plain_parse_never_imports_the_project(compared, tmp_path):
    """The baseline is a plain script: after it ran, no module of the project is loaded."""
    _result, work = compared
    warcs = sorted(map(str, (work / "data" / "warc").glob("*.warc.gz")))
    check = ("import runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__'); "
             "print(sorted({m.split('.')[0] for m in sys.modules}))")
    done = subprocess.run([sys.executable, "-c", check, str(PLAIN), "--out", str(tmp_path / "out.csv"),
                           *warcs], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert not PROJECT_PACKAGES & set(json.loads(done.stdout.replace("'", '"')))
    assert (tmp_path / "out.csv").read_text().count("\n") == 309  # the header and 308 listings


def test_a_reused_crawl_replays_the_same_listings(compared):
    """--reuse-run replays the WARC files already in the folder: no crawl, the same 308 listings agree."""
    _result, work = compared
    run_id = "-".join(next((work / "data" / "warc").glob("*-nami-*.warc.gz")).name.split("-")[:2])
    env = {**os.environ, "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120"}
    done = subprocess.run([sys.executable, "-m", "benchmarks.compare_parse", "--reuse-run", run_id,
                           "--rounds", "1", "--work", str(work)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert result["warc"] == {"reused_run": run_id} and "crawl ..." not in done.stderr
    assert result["agreement"]["agree"] == result["listings"] == 308


def test_reusing_a_run_that_is_not_there_says_so_in_one_line(tmp_path):
    """A run id with no WARC index in the folder: exit 1 and one line naming it, no traceback."""
    missing = "20260101T000000Z-abcdef"
    done = subprocess.run([sys.executable, "-m", "benchmarks.compare_parse", "--reuse-run", missing,
                           "--work", str(tmp_path)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines()[-1].startswith(f"no WARC index of run {missing}")
    assert "Traceback" not in done.stderr

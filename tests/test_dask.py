"""Scale-out: collection on a Dask cluster of worker processes gives the same export as threads."""

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app

IGNORED = {"first_seen", "last_seen"}


@pytest.fixture(scope="module")
def harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def cluster():
    from distributed import LocalCluster

    with LocalCluster(n_workers=2, processes=True, threads_per_worker=2, dashboard_address=None) as running:
        yield running


def rows(out: Path) -> list[dict]:
    """The exported listings, without the columns that differ between two runs."""
    with (out / "listings.csv").open(newline="", encoding="utf-8") as handle:
        return [{k: v for k, v in row.items() if k not in IGNORED} for row in csv.DictReader(handle)]


def test_offline_build_on_a_dask_cluster_matches_the_thread_runner(harness, cluster, tmp_path, monkeypatch):
    monkeypatch.setenv("SUPPORTDIR_HOME", str(tmp_path / "data"))
    runner = CliRunner()
    threads = runner.invoke(app, ["build", "--offline", "--out", str(tmp_path / "threads"), "--json",
                                  "--warehouse", str(tmp_path / "threads.duckdb")])
    assert threads.exit_code == 0, threads.stderr
    from distributed import Client, get_task_stream

    with Client(cluster) as client, get_task_stream(client) as stream:
        dask = runner.invoke(app, ["build", "--offline", "--out", str(tmp_path / "dask"), "--json",
                                   "--warehouse", str(tmp_path / "dask.duckdb"),
                                   "--task-runner", "dask", "--dask-address", cluster.scheduler_address])
        workers = set(client.scheduler_info()["workers"])
    assert dask.exit_code == 0, dask.stderr
    summary = json.loads(dask.stdout)
    assert summary["status"] == "ok" and all(s["listings"] > 0 for s in summary["sources"])
    # Every source's fetch and parse ran as a task on the cluster's worker processes.
    ran = [(str(t["key"]), t["worker"]) for t in stream.data]
    for kind in ("fetch_source", "parse_source"):
        assert len([key for key, _ in ran if kind in key]) == len(summary["sources"]), (kind, ran)
    assert {worker for _, worker in ran} <= workers
    exported = rows(tmp_path / "dask")
    assert exported == rows(tmp_path / "threads") and len(exported) == summary["exports"]["listings.csv"]


def test_an_unknown_task_runner_is_one_clear_line(tmp_path, monkeypatch):
    monkeypatch.setenv("SUPPORTDIR_HOME", str(tmp_path / "data"))
    result = CliRunner().invoke(app, ["build", "--offline", "--task-runner", "spark"])
    assert result.exit_code == 2 and "unknown task runner 'spark'" in result.stderr


def test_the_command_line_shares_its_temporary_prefect_server_with_local_workers(tmp_path):
    """No Prefect server configured: the workers of the local cluster use the build's own."""
    import os
    import subprocess
    import sys

    env = {key: value for key, value in os.environ.items() if not key.startswith("PREFECT_API")}
    env["SUPPORTDIR_HOME"] = str(tmp_path / "data")
    done = subprocess.run(
        [sys.executable, "-c", "from flows.cli import main; main()", "build", "--offline", "--json",
         "--out", str(tmp_path / "out"), "--task-runner", "dask"],
        env=env, capture_output=True, text=True, timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    summary = json.loads(done.stdout[done.stdout.index("{"):])
    assert summary["status"] == "ok" and all(s["listings"] > 0 for s in summary["sources"])
    assert len(rows(tmp_path / "out")) == summary["exports"]["listings.csv"]

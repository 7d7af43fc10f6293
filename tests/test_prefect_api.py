"""The build's Prefect API: the temporary server started early is Prefect's own, a running server is used."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from benchmarks.startup import prefect_server
from flows.prefect_api import SERVER_ENV, uvicorn_command

ROOT = Path(__file__).parents[1]
# The CLI, saying at exit whether Prefect's server code was imported in the build's own process.
CLI = ("import atexit, sys; atexit.register(lambda: sys.stderr.write('SERVER_CODE_IMPORTED=%s\\n' % "
       "('prefect.server.api.server' in sys.modules))); from flows.cli import main; main()")


def test_the_temporary_server_runs_prefects_own_command(monkeypatch):
    from prefect.server.api import server as prefect_server_module

    started = {}

    def fake_popen(args, env):
        started.update(args=args, env=env)

    monkeypatch.setattr(prefect_server_module.subprocess, "Popen", fake_popen)
    prefect_server_module.SubprocessASGIServer(port=8765)._run_uvicorn_command()
    prefect_server_module.SubprocessASGIServer(port=8765).stop()
    assert uvicorn_command(8765) == started["args"]
    assert SERVER_ENV.items() <= started["env"].items()


def offline_build(tmp_path: Path, env: dict[str, str]) -> tuple[dict, str]:
    """`supportdir build --offline --json` in a process of its own; its summary and stderr."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    full.update({"SUPPORTDIR_HOME": str(tmp_path / "data"), "PYTHONPATH": str(ROOT),
                 "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120", **env})
    done = subprocess.run([sys.executable, "-c", CLI, "build", "--offline", "--out", str(tmp_path / "x"),
                           "--json"], env=full, capture_output=True, text=True, cwd=tmp_path, timeout=900)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout), done.stderr


def test_the_early_started_temporary_server_records_a_completed_flow_run(tmp_path):
    summary, stderr = offline_build(tmp_path, {"PREFECT_HOME": str(tmp_path / "prefect")})
    assert summary["status"] == "ok"
    assert "SERVER_CODE_IMPORTED=False" in stderr  # Prefect's own fallback would have imported it
    with sqlite3.connect(tmp_path / "prefect" / "prefect.db") as db:
        runs = db.execute("SELECT flow.name, flow_run.state_type FROM flow_run JOIN flow "
                          "ON flow.id = flow_run.flow_id").fetchall()
    assert runs == [("build-directory", "COMPLETED")]


def test_a_build_uses_the_running_server_prefect_api_url_names(tmp_path):
    with prefect_server(tmp_path, dict(os.environ)) as url:
        summary, stderr = offline_build(tmp_path, {"PREFECT_API_URL": url,
                                                   "PREFECT_HOME": str(tmp_path / "client-prefect")})
        import httpx

        runs = httpx.post(f"{url}/flow_runs/filter", json={}, timeout=30).json()
    assert summary["status"] == "ok"
    assert "SERVER_CODE_IMPORTED=False" in stderr
    assert [r["state_type"] for r in runs] == ["COMPLETED"]
    assert not (tmp_path / "client-prefect" / "prefect.db").exists()  # no temporary server of its own


def test_a_server_named_in_prefects_profile_is_used_and_the_early_server_stopped(tmp_path):
    (tmp_path / "profiles.toml").write_text('active = "ops"\n\n[profiles.ops]\n'
                                            'PREFECT_API_URL = "http://127.0.0.1:9/api"\n')
    probe = ("import os, psutil; from flows.prefect_api import start_prefect_api; "
             "server = start_prefect_api(); "
             "print(server is None, os.environ.get('PREFECT_API_URL'), "
             "[c.pid for c in psutil.Process().children() if c.status() != 'zombie'])")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300,
                          env={**env, "PREFECT_HOME": str(tmp_path), "PYTHONPATH": str(ROOT)}, cwd=tmp_path)
    assert done.stdout.split() == ["True", "None", "[]"], done.stderr

"""Every error a user can cause is one line and its exit status, refused before Prefect starts."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows import cli as cli_module
from flows.cli import app
from schemas.run import RunSummary, SourceOutcome
from warehouse import db, migrate, stage

ROOT = Path(__file__).parents[1]
EXIT_USAGE, EXIT_BUSY, EXIT_DAMAGED = 2, 3, 4  # as the README's table says


class FakeServer:
    """Stands for Prefect's temporary server: the build starts it early and must stop it when refused."""

    stopped = False

    def stop(self) -> None:
        """Record the stop."""
        self.stopped = True


@pytest.fixture
def env(tmp_path: Path, monkeypatch) -> Iterator[dict[str, str]]:
    """Data in the test's temp folder; the flow must not be reached (each check comes first), and the
    temporary server started meanwhile must be stopped."""
    monkeypatch.setenv("SUPPORTDIR_HOME", str(tmp_path / "data"))
    monkeypatch.delenv("SUPPORTDIR_REVIEW_DECISIONS", raising=False)
    started: list[FakeServer] = []

    def no_flow(_server) -> None:
        raise AssertionError("the flow was reached before the options were checked")

    monkeypatch.setattr(cli_module, "start_prefect_api", lambda: started.append(FakeServer()) or started[-1])
    monkeypatch.setattr(cli_module, "wait_for_api", no_flow)
    yield {"SUPPORTDIR_HOME": str(tmp_path / "data")}
    assert all(server.stopped for server in started), "a refused build left its temporary server running"


def cli(*args: str) -> tuple[int, str, str]:
    """Run `supportdir ARGS` in-process; return exit code, stdout and stderr."""
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def one_line(stderr: str) -> str:
    """The single line of an error, asserted to be one line with no traceback."""
    assert "Traceback" not in stderr and len(stderr.strip().splitlines()) == 1, stderr
    return stderr.strip()


def small_warehouse(path: Path) -> Path:
    """A real, migrated warehouse file (checkpointed on close)."""
    con = db.connect(path)
    migrate.migrate(con)
    con.close()
    return path


def damaged(kind: str, tmp_path: Path) -> Path:
    """A warehouse file that is random bytes, a text file, or a real one cut short."""
    path = tmp_path / f"{kind}.duckdb"
    if kind == "random":
        path.write_bytes(os.urandom(64 * 1024))
    elif kind == "text":
        path.write_text("root:x:0:0:root:/root:/bin/bash\n" * 40)
    else:
        whole = small_warehouse(tmp_path / "whole.duckdb").read_bytes()
        path.write_bytes(whole[: len(whole) // 2])
    return path


@pytest.mark.parametrize("kind", ["random", "text", "truncated"])
def test_a_damaged_warehouse_is_refused_by_every_command_and_never_written(env, tmp_path, kind):
    path = damaged(kind, tmp_path)
    before = path.read_bytes()
    commands = [("build", "--offline", "--out", str(tmp_path / "x")), ("runs",), ("runs", "--changes"),
                ("history", "3f1c0d9e-7c1a-5d2b-9a57-0c2e4b6a8d11"), ("export", "--out", str(tmp_path / "x")),
                ("search", "--state", "KY"), ("site", "--out", str(tmp_path / "site"))]
    for command in commands:
        code, _, stderr = cli(*command, "--warehouse", str(path))
        assert code == EXIT_DAMAGED, (command, stderr)
        said = "cut short" if kind == "truncated" else "not a DuckDB database"
        assert said in one_line(stderr), command
        assert path.read_bytes() == before, command
    assert not (tmp_path / "x").exists()


def test_a_sound_warehouse_still_opens(env, tmp_path):
    path = small_warehouse(tmp_path / "w.duckdb")
    code, stdout, _ = cli("runs", "--warehouse", str(path))
    assert code == 0 and "no runs yet" in stdout


def test_a_folder_or_a_missing_file_where_a_file_belongs_is_one_line(env, tmp_path):
    folder = tmp_path / "folder"
    folder.mkdir()
    missing_warc = str(tmp_path / "none.warc")
    for command in [("runs", "--warehouse", str(folder)), ("build", "--warehouse", str(folder)),
                    ("build", "--decisions", str(folder)), ("build", "--replay", missing_warc)]:
        code, _, stderr = cli(*command, "--out", str(tmp_path / "x")) if command[0] == "build" \
            else cli(*command)
        assert code == EXIT_USAGE, (command, stderr)
        one_line(stderr)


def test_a_missing_decisions_file_is_refused_by_build_and_serve(env, tmp_path, monkeypatch):
    missing = str(tmp_path / "decisions.csv")
    code, _, stderr = cli("build", "--offline", "--decisions", missing, "--out", str(tmp_path / "x"))
    assert code == EXIT_USAGE and f"--decisions {missing}: no such file" in one_line(stderr)
    monkeypatch.setattr("flows.deploy.serve", lambda *a, **k: pytest.fail("serve started"))
    code, _, stderr = cli("serve", "--cron", "0 6 * * 1", "--decisions", missing)
    assert code == EXIT_USAGE and "no such file" in one_line(stderr)


def test_serve_checks_its_sources_as_build_does(env, monkeypatch):
    monkeypatch.setattr("flows.deploy.serve", lambda *a, **k: pytest.fail("serve started"))
    code, _, stderr = cli("serve", "--cron", "0 6 * * 1", "--source", "bogus")
    assert code == EXIT_USAGE and "unknown source 'bogus'" in one_line(stderr)


SOURCE_COMMANDS = (("sources",), ("build", "--offline", "--out", "{out}"))
GENERAL_COMMANDS = (("build", "--offline", "--out", "{out}"), ("runs",))


@pytest.mark.parametrize(("setting", "says", "commands"), [
    ("SUPPORTDIR_NAMI_MAX_PAGES=abc", "SUPPORTDIR_NAMI_MAX_PAGES='abc' is not a whole number",
     SOURCE_COMMANDS),
    ("SUPPORTDIR_MAX_LOST_SHARE=ten", "SUPPORTDIR_MAX_LOST_SHARE='ten' is not a number", SOURCE_COMMANDS),
    ("SUPPORTDIR_DBSA_MIN_INTERVAL=1s", "SUPPORTDIR_DBSA_MIN_INTERVAL='1s' is not a number", SOURCE_COMMANDS),
    ("SUPPORTDIR_CRAWL_HOSTS=abc", "SUPPORTDIR_CRAWL_HOSTS='abc': Input should be a valid integer",
     GENERAL_COMMANDS),
    ("SUPPORTDIR_FETCH_RETRIES=many", "SUPPORTDIR_FETCH_RETRIES='many': Input should be a valid integer",
     GENERAL_COMMANDS),
    ("SUPPORTDIR_MAX_DROP=half", "SUPPORTDIR_MAX_DROP='half': Input should be a valid number",
     GENERAL_COMMANDS),
])
def test_a_setting_of_the_wrong_kind_is_one_line(env, monkeypatch, tmp_path, setting, says, commands):
    """A source's setting or a general one: one line naming it, exit 2, nothing built."""
    name, value = setting.split("=")
    monkeypatch.setenv(name, value)
    for args in commands:
        code, _, stderr = cli(*(arg.format(out=tmp_path / "x") for arg in args))
        assert code == EXIT_USAGE and says in one_line(stderr) and "Traceback" not in stderr
    assert not (tmp_path / "x").exists()


def free_port() -> int:
    """A loopback port nobody listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_an_unreachable_dask_scheduler_is_one_line_before_prefect_starts(env, tmp_path):
    pytest.importorskip("prefect_dask")
    address = f"tcp://127.0.0.1:{free_port()}"
    code, _, stderr = cli("build", "--offline", "--task-runner", "dask", "--dask-address", address,
                          "--out", str(tmp_path / "x"))
    assert code == EXIT_BUSY and f"the Dask scheduler at {address} does not answer" in one_line(stderr)
    code, _, stderr = cli("build", "--offline", "--task-runner", "dask", "--dask-address", "nowhere",
                          "--out", str(tmp_path / "x"))
    assert code == EXIT_USAGE and "expected tcp://HOST:PORT" in one_line(stderr)


def session_processes(sid: int) -> list[int]:
    """The processes still alive in a session (a build started with start_new_session)."""
    alive = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if os.getsid(int(entry.name)) == sid and "(Z)" not in (entry / "stat").read_text():
                    alive.append(int(entry.name))
            except (ProcessLookupError, PermissionError, FileNotFoundError):
                continue
    return alive


def session_left(sid: int, within_s: float = 2.0) -> list[int]:
    """The processes of a session still alive after `within_s` (multiprocessing's resource tracker
    ends by itself once the build it served has ended, a moment after it)."""
    deadline = time.monotonic() + within_s
    while (alive := session_processes(sid)) and time.monotonic() < deadline:
        time.sleep(0.05)
    return alive


def supportdir(env: dict[str, str], *args: str, **kw) -> subprocess.Popen:
    """`supportdir ARGS` as a process in its own session, with no Prefect API configured."""
    full = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    full.update(env)
    return subprocess.Popen([sys.executable, "-c", "from flows.cli import main; main()", *args],
                            env={**full, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, start_new_session=True, cwd=ROOT, **kw)


def test_prefects_server_timing_out_is_one_retryable_line(tmp_path):
    env = {"SUPPORTDIR_HOME": str(tmp_path / "data"), "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "0",
           "PREFECT_HOME": str(tmp_path / "prefect")}
    process = supportdir(env, "build", "--offline", "--out", str(tmp_path / "x"))
    _out, stderr = process.communicate(timeout=120)
    assert process.returncode == EXIT_BUSY
    assert "Prefect's temporary server did not start" in one_line(stderr)
    assert session_processes(process.pid) == []  # the server it started is gone too


def record_failed_run(path: Path, reasons: dict[str, str]) -> None:
    """A finished run in the warehouse whose sources failed with these reasons."""
    con = db.connect(path)
    migrate.migrate(con)
    now = datetime.now(UTC)
    summary = RunSummary(run_id="20261202T000000Z-abcdef", mode="live", started_at=now,
                         warehouse=str(path))
    stage.start_run(con, summary)
    summary.sources = [SourceOutcome(source=name, status="failed", pages=1, listings=0, skipped=0,
                                     reason=reason, started_at=now, finished_at=now)
                       for name, reason in reasons.items()]
    summary.finished_at = now
    stage.finish_run(con, summary.settle())
    con.close()


def test_runs_shows_every_failure_reason_whole_at_80_columns(tmp_path):
    path = tmp_path / "w.duckdb"
    reasons = {"dbsa": "NotInArchive: not in the archive: https://www.dbsalliance.org/support/chapters-"
                       "and-support-groups/find-a-support-group/?state=KY",
               "nami": "NothingFetched: nami: nothing fetched; robots.txt answered HTTP 503 for "
                       "https://www.nami.org/robots.txt"}
    record_failed_run(path, reasons)
    process = supportdir({"COLUMNS": "80", "TERM": "dumb"}, "runs", "--warehouse", str(path))
    stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 0, stderr
    assert all(len(line) <= 80 for line in stdout.splitlines()), stdout
    assert "…" not in stdout
    flat = "".join(stdout.split())  # wrapped lines joined back
    for reason in reasons.values():
        assert "".join(reason.split()) in flat, stdout


def test_replay_without_sources_builds_what_the_archive_holds(tmp_path, monkeypatch):
    from prefect.testing.utilities import prefect_test_harness

    from scrapers.archive import WarcArchive
    from scrapers.registry import SOURCE_CLASSES
    from scrapers.sample import load_manifest, write_sample

    held = {r.url for name in ("sardaa", "mha") for r in load_manifest(name)}
    write_sample(WarcArchive(tmp_path / "partial", prefix="partial"),
                 lambda response: response if response.url in held else None)
    monkeypatch.setenv("SUPPORTDIR_HOME", str(tmp_path / "data"))
    with prefect_test_harness(server_startup_timeout=120):
        code, stdout, stderr = cli("build", "--replay", str(tmp_path / "partial"), "--out",
                                   str(tmp_path / "x"), "--json")
    assert code == 0, stderr
    assert {s["source"]: s["status"] for s in json.loads(stdout)["sources"]} == {"mha": "ok", "sardaa": "ok"}
    # every other source is named, in the registry's order (by name: it finds them in scrapers/sources/)
    others = [name for name in SOURCE_CLASSES if name not in ("mha", "sardaa")]
    assert others == sorted(others) and "dbsa" in others
    assert f"not in the archive, not built: {', '.join(others)}" in stderr


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_a_build_at_once_ends_its_children_and_records_the_run(tmp_path, signum):
    from tests import faults
    from tests.faults import FaultServer, sample_pages

    servers = {name: FaultServer(pages=sample_pages(name)).__enter__() for name in ("nami", "dbsa")}
    env = {"SUPPORTDIR_HOME": str(tmp_path / "data"), "SUPPORTDIR_ALLOW_PRIVATE": "true",
           "SUPPORTDIR_SOURCE_RETRIES": "0", "SUPPORTDIR_PARSE_WORKERS": "2",
           "SUPPORTDIR_PARSE_IN_THREAD_MB": "0", "PREFECT_HOME": str(tmp_path / "prefect"),
           "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
           **{f"SUPPORTDIR_{n.upper()}_BASE_URL": s.base for n, s in servers.items()},
           **{f"SUPPORTDIR_{n.upper()}_MIN_INTERVAL": "0.5" for n in servers}}  # a crawl of a minute
    only = ("--source", "nami", "--source", "dbsa", "--out", str(tmp_path / "x"), "--quiet")
    try:
        build = supportdir(env, "build", *only)
        deadline = time.monotonic() + 180
        while len(servers["dbsa"].requests) < 3 and time.monotonic() < deadline and build.poll() is None:
            time.sleep(0.1)  # mid-crawl: the run is recorded, Prefect's server and parse workers are up
        assert len(servers["dbsa"].requests) >= 3, build.communicate()[1]
        assert len(session_processes(build.pid)) > 1
        os.kill(build.pid, signum)
        _out, stderr = build.communicate(timeout=15)  # a whole crawl takes a minute; it ends in ~2 s
        assert build.returncode == 128 + signum, stderr
        assert f"interrupted by {signal.Signals(signum).name}" in stderr and "Traceback" not in stderr
        assert session_left(build.pid) == []  # Prefect's server and every worker ended
        runs = supportdir(env, "runs", "--json")
        [run] = json.loads(runs.communicate(timeout=60)[0])
        assert run["status"] == "failed" and run["reason"].startswith("interrupted")
        fast = {**env, **{f"SUPPORTDIR_{n.upper()}_MIN_INTERVAL": "0" for n in servers}}
        again = supportdir(fast, "build", *only)
        _out, stderr = again.communicate(timeout=300)
        assert again.returncode == 0, stderr
    finally:
        faults.stop_all(servers.values())

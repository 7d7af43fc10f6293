"""Publishing never loses an export: two exports in a row under a reader, SIGKILLs mid-export, bad targets,
no space left (real `supportdir` processes on the offline sample's warehouse)."""

import contextlib
import errno
import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from flows.cli import app
from tests.publish_helpers import (
    Reader,
    cli_command,
    cli_env,
    export_files,
    export_problems,
    read_only_folder,
    run_cli,
    small_disk,
)
from tests.sample_export import build_sample_export
from warehouse.publish import export
from warehouse.publish.atomic import builds_dir

KILLS = 20


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory) -> Path:
    """The offline sample loaded into a warehouse once (its own export is not used)."""
    root = tmp_path_factory.mktemp("sample")
    build_sample_export(root)
    return root / "warehouse.duckdb"


@pytest.fixture
def home(tmp_path) -> Path:
    """SUPPORTDIR_HOME of the commands (outside the folders a test checks are left clean)."""
    (tmp_path / "home").mkdir()
    return tmp_path / "home"


def leftovers(out: Path) -> list[str]:
    """Half-written versions and temporary links left beside `out`."""
    versions = builds_dir(out.absolute())
    return [p.name for p in versions.iterdir() if p.name.endswith((".partial", ".link"))]


def test_export_twice_in_a_row_never_leaves_a_reader_without_a_file(warehouse, home, tmp_path):
    out = tmp_path / "exports"
    first = run_cli(home, "export", "--out", out, "--warehouse", warehouse, "--redact-people")
    assert first.returncode == 0, first.stderr
    assert export_problems(out) == []
    with Reader(out, export_files(out)) as reader:
        second = run_cli(home, "export", "--out", out, "--warehouse", warehouse)  # same run: same build name
    assert second.returncode == 0, second.stderr
    assert reader.passes > 0 and reader.missing == []
    assert export_problems(out) == [] and leftovers(out) == []
    assert '"redacted": false' in (out / "datapackage.json").read_text(encoding="utf-8")


def _export_killed_after(home: Path, out: Path, warehouse: Path, delay: float) -> bool:
    """Start `supportdir export` and SIGKILL it (and its workers) after `delay` s; True if it was killed."""
    process = subprocess.Popen(cli_command("export", "--out", out, "--warehouse", warehouse),
                               env=cli_env(home), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               start_new_session=True)
    try:
        process.wait(timeout=delay)
        killed = False
    except subprocess.TimeoutExpired:
        killed = True
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)  # the check workers too, if any outlived it
    process.wait()
    return killed


def test_sigkill_at_random_points_of_an_export_never_breaks_the_published_one(warehouse, home, tmp_path):
    out = tmp_path / "exports"
    assert run_cli(home, "export", "--out", out, "--warehouse", warehouse).returncode == 0
    started = time.monotonic()  # timed on an export that reuses the calendars, as the killed ones do
    assert run_cli(home, "export", "--out", out, "--warehouse", warehouse).returncode == 0
    duration = time.monotonic() - started
    chance = random.Random(11)
    killed = []
    with Reader(out, export_files(out)) as reader:
        for kill in range(KILLS):
            delay = chance.uniform(0.05, duration)
            killed.append(_export_killed_after(home, out, warehouse, delay))
            assert export_problems(out) == [], f"after kill {kill} at {delay:.2f} s of {duration:.2f} s"
    assert reader.missing == []
    assert sum(killed) >= KILLS // 2  # most of them really were killed mid-export
    last = run_cli(home, "export", "--out", out, "--warehouse", warehouse)
    assert last.returncode == 0, last.stderr
    assert export_problems(out) == [] and leftovers(out) == []
    versions = [p for p in builds_dir(out.absolute()).iterdir() if p.is_dir()]
    assert len(versions) == 2  # the published one and the one before it; the rest pruned


def _one_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def _command(name: str, out: Path, warehouse: Path) -> list[object]:
    if name == "build":
        return ["build", "--offline", "--out", out, "--warehouse", warehouse.parent / "other.duckdb"]
    return [name, "--out", out, "--warehouse", warehouse]


@pytest.mark.parametrize("command", ["export", "site", "build"])
def test_an_out_that_is_a_file_is_refused_before_any_work(command, warehouse, home, tmp_path):
    target = tmp_path / "target"
    target.mkdir()
    (target / "exports").write_text("not a folder")
    started = time.monotonic()
    done = run_cli(home, *_command(command, target / "exports", warehouse))
    assert done.returncode == 2
    assert "is a file, not a folder" in _one_line(done.stderr)
    assert [p.name for p in target.iterdir()] == ["exports"]  # no .exports.builds/ left behind
    assert (target / "exports").read_text() == "not a folder"
    assert not (warehouse.parent / "other.duckdb").exists()  # build stopped before it made a warehouse
    assert time.monotonic() - started < 60


@pytest.mark.parametrize("command", ["export", "site"])
def test_an_out_in_a_read_only_folder_is_refused_before_any_work(command, warehouse, home, tmp_path):
    with read_only_folder(tmp_path / "locked") as locked:
        done = run_cli(home, *_command(command, locked / "exports", warehouse))
        assert done.returncode == 2
        assert "is not writable" in _one_line(done.stderr)
        assert list(locked.iterdir()) == []


def test_an_out_that_is_a_folder_of_other_files_is_refused(warehouse, home, tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.txt").write_text("mine")
    done = run_cli(home, "export", "--out", tmp_path / "notes", "--warehouse", warehouse)
    assert done.returncode == 2
    assert "folder of other files" in _one_line(done.stderr)
    assert [p.name for p in (tmp_path / "notes").iterdir()] == ["todo.txt"]
    assert not builds_dir(tmp_path / "notes").exists()


def test_no_space_left_during_an_export_keeps_the_published_one_and_removes_the_partial(
        warehouse, tmp_path, monkeypatch):
    out = tmp_path / "exports"
    runner = CliRunner()
    assert runner.invoke(app, ["export", "--out", str(out), "--warehouse", str(warehouse)]).exit_code == 0
    published = out.resolve()

    def disk_full(path: Path, value: object) -> None:
        path.write_text('[{"name": "half')
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path))

    monkeypatch.setattr(export, "_write_json", disk_full)
    result = runner.invoke(app, ["export", "--out", str(out), "--warehouse", str(warehouse)])
    assert result.exit_code == 1
    line = _one_line(result.stderr)
    assert "nothing published" in line and "No space left on device" in line
    assert out.resolve() == published and export_problems(out) == []
    assert leftovers(out) == []


def test_a_real_full_disk_during_an_export_keeps_the_published_one(warehouse, home, tmp_path):
    with small_disk(tmp_path / "small", "8m") as disk:  # room for one sample export (5 MB), not two
        out = disk / "exports"
        assert run_cli(home, "export", "--out", out, "--warehouse", warehouse).returncode == 0
        published = out.resolve()
        done = run_cli(home, "export", "--out", out, "--warehouse", warehouse)
        assert done.returncode == 1
        assert "No space left on device" in _one_line(done.stderr)
        assert out.resolve() == published and export_problems(out) == []
        assert leftovers(out) == []


def test_a_version_killed_before_its_swap_is_removed_and_the_previous_published_one_kept(tmp_path):
    from warehouse.publish.atomic import publish

    out = tmp_path / "out"
    for name in ("b1", "b2"):
        publish(out, name, lambda folder, name=name: (folder / "x.txt").write_text(name), marker="x.txt")
    previous = out.resolve()
    orphan = builds_dir(out) / "b3.killed"  # written whole and renamed, killed before the swap
    orphan.mkdir()
    (orphan / "x.txt").write_text("b3")
    (builds_dir(out) / ".b3.killed.link").symlink_to("b3.killed")
    publish(out, "b4", lambda folder: (folder / "x.txt").write_text("b4"), marker="x.txt")
    assert (out / "x.txt").read_text() == "b4"
    left = sorted(p.name for p in builds_dir(out).iterdir() if p.name != ".publish.lock")
    assert left == sorted([previous.name, out.resolve().name])

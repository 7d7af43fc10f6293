"""What the publish tests share: is an export whole, a reader that polls it, folders that refuse writes."""

import csv
import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow.parquet as pq
import pytest

ROOT = Path(__file__).resolve().parent.parent


def cli_command(*args: object) -> list[str]:
    """`supportdir ARGS` run from this checkout, as a user would run it."""
    return [sys.executable, "-c", "from flows.cli import main; main()", *map(str, args)]


def cli_env(home: Path) -> dict[str, str]:
    """The environment of a CLI subprocess: this checkout first on the path, data under `home`."""
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, "SUPPORTDIR_HOME": str(home)}


def run_cli(home: Path, *args: object) -> subprocess.CompletedProcess:
    """Run `supportdir ARGS` to the end; its exit status and output."""
    return subprocess.run(cli_command(*args), env=cli_env(home), capture_output=True, text=True,
                          timeout=300, check=False)


def _rows(path: Path) -> int:
    """The records a file holds, read to its end (a truncated file fails to parse or counts short)."""
    if path.suffix == ".parquet":
        return pq.ParquetFile(path).metadata.num_rows
    if path.suffix == ".csv":
        with path.open(encoding="utf-8", newline="") as handle:
            return sum(1 for _ in csv.reader(handle)) - 1
    text = path.read_bytes().decode("utf-8")
    if path.suffix == ".jsonl":
        return len([json.loads(line) for line in text.split("\n") if line.strip()])
    if path.suffix == ".ics":
        assert text.endswith("END:VCALENDAR\r\n"), "calendar cut short"
        return text.count("BEGIN:VEVENT")
    value = json.loads(text)
    return len(value["features"] if isinstance(value, dict) else value)


def export_problems(out: Path) -> list[str]:
    """What is wrong with the export `out` shows: no datapackage.json, a file it names missing or short."""
    try:
        descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"datapackage.json: {exc}"]
    problems = []
    for resource in descriptor["resources"]:
        paths = resource["path"] if isinstance(resource["path"], list) else [resource["path"]]
        expected = resource["rows"] if "rows" in resource else resource["entries"]
        try:
            rows = sum(_rows(out / path) for path in paths)
        except Exception as exc:  # any failure to read it whole is the finding
            problems.append(f"{resource['name']}: {type(exc).__name__}: {exc}")
            continue
        if rows != expected:
            problems.append(f"{resource['name']}: {rows} rows, datapackage.json says {expected}")
    return problems


def export_files(out: Path) -> list[str]:
    """Every file the export `out` shows names in its datapackage.json, and the descriptor itself."""
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    return ["datapackage.json", *(path for resource in descriptor["resources"]
                                  for path in (resource["path"] if isinstance(resource["path"], list)
                                               else [resource["path"]]))]


class Reader(threading.Thread):
    """Reads every given file of a published folder over and over; notes each one it could not open."""

    def __init__(self, out: Path, names: list[str]):
        super().__init__(daemon=True)
        self.out, self.names = out, names
        self.missing: list[str] = []
        self.passes = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            for name in self.names:
                try:
                    (self.out / name).read_bytes()
                except OSError as exc:
                    self.missing.append(f"{name}: {exc}")
            self.passes += 1
            time.sleep(0.002)

    def __enter__(self) -> "Reader":
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.join()


def _mount(path: Path, options: str) -> bool:
    """Mount a tmpfs at `path` (root only); False if this machine does not allow it."""
    if os.geteuid() != 0:
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)],
                          capture_output=True, check=False)
    return done.returncode == 0


@contextmanager
def small_disk(path: Path, size: str) -> Iterator[Path]:
    """A real file system of `size` at `path` that can fill up (a tmpfs; skipped if none can be mounted)."""
    path.mkdir()
    if not _mount(path, f"size={size},mode=755"):
        pytest.skip("cannot mount a small tmpfs here (needs root)")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


@contextmanager
def read_only_folder(path: Path) -> Iterator[Path]:
    """An empty folder nobody may write into: a read-only tmpfs as root (who ignores modes), else mode 555."""
    path.mkdir()
    mounted = _mount(path, "ro,size=64k")
    if not mounted:
        if os.geteuid() == 0:
            pytest.skip("root here cannot mount a read-only folder, and root ignores file modes")
        path.chmod(0o555)
    try:
        yield path
    finally:
        if mounted:
            subprocess.run(["umount", "-l", str(path)], check=False)
        else:
            path.chmod(0o755)

"""The export's frictionless checks, run in worker processes while the export writes other files.

Each check reads files as written (the bytes that will be published) and returns what is wrong
with them. Validating the flat CSV and the HSDS package with frictionless was over a third of a
national export's time; in other processes it overlaps building the other files (the calendars,
above all) instead of following them.
"""

import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from frictionless import FrictionlessException, Package, Report, Resource, Schema

from schemas.listing import DirectoryRow
from schemas.table_schema import table_schema
from warehouse.hsds_package import ExportInvalid


def flat_problems(folder: Path | str, name: str) -> list[str]:
    """What frictionless finds wrong with the flat CSV against the directory's Table Schema."""
    schema = Schema.from_descriptor(table_schema(DirectoryRow))
    resource = Resource(path=name, basepath=str(folder), schema=schema, format="csv", encoding="utf-8")
    report = resource.validate()
    return [str(error) for error in report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]]


def package_problems(folder: Path | str, *names: str) -> list[str]:
    """What frictionless finds wrong with the HSDS package (types, required fields, keys, foreign keys).

    With `names`, its descriptor and only those resources (their foreign keys still looked up in
    the others): a big package is checked a few resources per worker.
    """
    package = Package(str(Path(folder) / "datapackage.json"))
    fields = ["taskName", "rowNumber", "fieldName", "type", "note"]
    if not names:
        return [str(error) for error in package.validate().flatten(fields)[:5]]
    report = Report.from_validation(errors=_descriptor_errors(package))
    errors = report.flatten(["type", "note"])
    for name in names:
        errors += package.get_resource(name).validate().flatten(fields)
    return [str(error) for error in errors[:5]]


def _descriptor_errors(package: Package) -> list:
    """What is wrong with a package's descriptor (the metadata, not the rows)."""
    try:
        package.to_descriptor(validate=True)
    except FrictionlessException as exc:
        return exc.to_errors()
    return []


WORKER = [sys.executable, "-m", __name__]
CHECKS = {check.__name__: check for check in (flat_problems, package_problems)}


class _Worker:
    """One `python -m warehouse.export_checks` process and the requests sent to it, in order."""

    def __init__(self, env: dict[str, str]):
        self.process = subprocess.Popen(WORKER, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, text=True, env=env)
        self.sent: list[int] = []  # numbers of the checks sent, in order
        self.load = 0

    def send(self, number: int, request: list, weight: int) -> None:
        """Send one request (a dead worker is noticed when its answers are read)."""
        self.sent.append(number)
        self.load += weight
        with contextlib.suppress(OSError):
            self.process.stdin.write(json.dumps(request) + "\n")
            self.process.stdin.flush()

    def answers(self) -> dict[int, list[str]]:
        """The answers by check number, up to the first the worker did not give."""
        with contextlib.suppress(OSError):
            self.process.stdin.close()
        found: dict[int, list[str]] = {}
        for number, line in zip(self.sent, self.process.stdout, strict=False):
            try:
                answer = json.loads(line)
            except ValueError:
                break
            if not isinstance(answer, list):
                break
            found[number] = [str(problem) for problem in answer]
        return found

    def stop(self) -> None:
        """Kill the process if it still runs; reap it."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.process.stdout.close()


class Checks:
    """File checks queued to worker processes; `raise_problems` waits and raises the first failure.

    A worker is `python -m warehouse.export_checks`, fed one JSON request per line, answering one
    JSON list of problems per line: a fresh interpreter, so nothing of the calling program (its
    threads, its main script) is copied or run again. Each check goes to the least loaded worker.
    A worker that dies or answers nonsense costs only time: the checks it did not answer run here.
    """

    def __init__(self, workers: int = 1):
        self.size = workers

    def __enter__(self) -> "Checks":
        root = str(Path(__file__).resolve().parents[1])  # where `warehouse` is, installed or not
        path = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
        env = {**os.environ, "PYTHONPATH": path}
        self.workers = [_Worker(env) for _ in range(self.size)]
        self.pending: list[tuple[str, str, list[str]]] = []
        return self

    def submit(self, name: str, check: Callable[..., list[str]], *args: Path | str, weight: int = 1) -> None:
        """Queue one check of the file `name` (a function of CHECKS, with path or name arguments)."""
        request = [check.__name__, [str(arg) for arg in args]]
        self.pending.append((name, *request))
        min(self.workers, key=lambda worker: worker.load).send(len(self.pending) - 1, request, weight)

    def raise_problems(self) -> None:
        """Wait for every check; ExportInvalid naming the first file that failed and its problems."""
        answers = {number: answer for worker in self.workers for number, answer in worker.answers().items()}
        for number, (name, check, args) in enumerate(self.pending):
            problems = answers[number] if number in answers else CHECKS[check](*args)
            if problems:
                raise ExportInvalid(f"{name} is not valid: {'; '.join(problems[:5])}")

    def __exit__(self, *exc: object) -> None:
        for worker in self.workers:
            worker.stop()


def serve(requests: TextIO, answers: TextIO) -> None:
    """The worker: run each requested check, answer its problems as one JSON line."""
    for line in requests:
        check, args = json.loads(line)
        answers.write(json.dumps(CHECKS[check](*args)) + "\n")
        answers.flush()


if __name__ == "__main__":
    serve(sys.stdin, sys.stdout)

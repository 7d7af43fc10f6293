"""The export's frictionless checks, run in a worker process while the export writes other files.

Each check reads files as written (the bytes that will be published) and returns what is wrong
with them. Validating the flat CSV and the HSDS package with frictionless was over a third of a
national export's time; in a second process it overlaps building the other files (the calendars,
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

from frictionless import Package, Resource, Schema

from schemas.listing import DirectoryRow
from schemas.table_schema import table_schema
from warehouse.hsds_package import ExportInvalid


def flat_problems(folder: Path | str, name: str) -> list[str]:
    """What frictionless finds wrong with the flat CSV against the directory's Table Schema."""
    schema = Schema.from_descriptor(table_schema(DirectoryRow))
    resource = Resource(path=name, basepath=str(folder), schema=schema, format="csv", encoding="utf-8")
    report = resource.validate()
    return [str(error) for error in report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]]


def package_problems(folder: Path | str) -> list[str]:
    """What frictionless finds wrong with the HSDS package: types, required fields, keys."""
    report = Package(str(Path(folder) / "datapackage.json")).validate()
    errors = report.flatten(["taskName", "rowNumber", "fieldName", "type", "note"])[:5]
    return [str(error) for error in errors]


WORKER = [sys.executable, "-m", __name__]
CHECKS = {check.__name__: check for check in
          (flat_problems, package_problems)}


class Checks:
    """File checks queued to one worker process; `raise_problems` waits and raises the first failure.

    The worker is `python -m warehouse.export_checks`, fed one JSON request per line, answering one
    JSON list of problems per line: a fresh interpreter, so nothing of the calling program (its
    threads, its main script) is copied or run again. A worker that dies or answers nonsense
    costs only time: the checks it did not answer run here instead.
    """

    def __enter__(self) -> "Checks":
        root = str(Path(__file__).resolve().parents[1])  # where `warehouse` is, installed or not
        path = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
        env = {**os.environ, "PYTHONPATH": path}
        self.worker = subprocess.Popen(WORKER, stdin=subprocess.PIPE,
                                       stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
        self.pending: list[tuple[str, str, list[str]]] = []
        return self

    def submit(self, name: str, check: Callable[..., list[str]], *paths: Path | str) -> None:
        """Queue one check of the file `name` (a function of CHECKS, with path arguments)."""
        request = [check.__name__, [str(path) for path in paths]]
        self.pending.append((name, *request))
        try:
            self.worker.stdin.write(json.dumps(request) + "\n")
            self.worker.stdin.flush()
        except OSError:  # the worker is gone; raise_problems runs what it did not answer
            pass

    def raise_problems(self) -> None:
        """Wait for every check; ExportInvalid naming the first file that failed and its problems."""
        answers = self._answers()
        for number, (name, check, paths) in enumerate(self.pending):
            problems = answers[number] if number < len(answers) else CHECKS[check](*paths)
            if problems:
                raise ExportInvalid(f"{name} is not valid: {'; '.join(problems[:5])}")

    def _answers(self) -> list[list[str]]:
        """The worker's answers, in order, up to the first it did not give."""
        with contextlib.suppress(OSError):
            self.worker.stdin.close()
        answers = []
        for line in self.worker.stdout:
            try:
                answer = json.loads(line)
            except ValueError:
                break
            if not isinstance(answer, list):
                break
            answers.append([str(problem) for problem in answer])
        return answers

    def __exit__(self, *exc: object) -> None:
        if self.worker.poll() is None:
            self.worker.kill()
        self.worker.wait()
        self.worker.stdout.close()


def serve(requests: TextIO, answers: TextIO) -> None:
    """The worker: run each requested check, answer its problems as one JSON line."""
    for line in requests:
        check, paths = json.loads(line)
        answers.write(json.dumps(CHECKS[check](*paths)) + "\n")
        answers.flush()


if __name__ == "__main__":
    serve(sys.stdin, sys.stdout)

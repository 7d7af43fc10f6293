"""The export's file checks, run in worker processes while the export writes other files.

Each check reads files as written (the bytes that will be published) and returns what is wrong
with them: the Meeting Guide feed with its JSON schema and the rules its clients apply
(warehouse/publish/feed_rules.py). The rows of every CSV table are checked in DuckDB and the rest
of the top-level package by frictionless (warehouse/publish/table_checks.py); the tests hold the
DuckDB checks to frictionless's findings (tests/test_table_checks.py).
"""

import json
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from frictionless import FrictionlessException, Package, Report

from schemas.pool import process_pool
from warehouse.publish.hsds_package import ExportInvalid
from warehouse.publish.meeting_guide import feed_problems


def meeting_feed_problems(folder: Path | str, name: str) -> list[str]:
    """What a Meeting Guide client would drop or show wrongly in the feed as written ("rule: slug: what")."""
    try:
        entries = json.loads((Path(folder) / name).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"not a readable JSON file: {exc}"]
    if not isinstance(entries, list):
        return ["not a JSON array of meetings"]
    return feed_problems(entries)


def descriptor_problems(package: Package | Path | str) -> list[str]:
    """What frictionless finds wrong with a package's descriptor (the metadata, not the rows)."""
    if not isinstance(package, Package):
        package = Package(str(Path(package) / "datapackage.json"))
    report = Report.from_validation(errors=descriptor_errors(package))
    return [str(error) for error in report.flatten(["type", "note"])]


def field_names(fields: str | list[str]) -> list[str]:
    """A foreign key's fields as a list (Table Schema allows one name as a string)."""
    return [fields] if isinstance(fields, str) else list(fields)


def descriptor_errors(package: Package) -> list:
    """What is wrong with a package's descriptor (the metadata, not the rows)."""
    try:
        package.to_descriptor(validate=True)
    except FrictionlessException as exc:
        return exc.to_errors()
    return []


class Checks:
    """File checks queued to a pool of worker processes; `raise_problems` waits and raises the first failure.

    The workers are spawned by `schemas.pool`: fresh interpreters, so nothing of the calling program
    (its threads, its main script) is copied or run again. A check a worker did not answer (it
    died, or the check failed there) costs only time: it runs here. Each check goes to the first
    worker free.
    """

    def __init__(self, workers: int = 1):
        self.size = workers

    def __enter__(self) -> "Checks":
        self.pool = process_pool(self.size)
        self.pending: list[tuple[str, Callable[..., list[str]], tuple, Future | None]] = []
        return self

    def submit(self, name: str, check: Callable[..., list[str]], *args: Path | str) -> None:
        """Queue one check of the file `name` (a top-level function, with path or name arguments)."""
        try:
            sent: Future | None = self.pool.submit(check, *args)
        except BrokenProcessPool:
            sent = None
        self.pending.append((name, check, args, sent))

    def raise_problems(self) -> None:
        """Wait for every check; ExportInvalid naming the first file that failed and its problems."""
        for name, check, args, sent in self.pending:
            problems = _answer(sent)
            if problems is None:
                problems = check(*args)
            if problems:
                raise ExportInvalid(f"{name} is not valid: {'; '.join(problems[:5])}")

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(cancel_futures=True)


def _answer(sent: Future | None) -> list[str] | None:
    """A worker's problems with a file; None if it gave none (it died, failed, or answered nonsense)."""
    try:
        answer = sent.result() if sent is not None else None
    except Exception:
        return None
    return [str(problem) for problem in answer] if isinstance(answer, list) else None

"""The export's file checks, run in worker processes while the export writes other files.

Each check reads files as written (the bytes that will be published) and returns what is wrong
with them: the top-level package with frictionless, the Meeting Guide feed with its JSON schema
and the rules its clients apply (warehouse/publish/feed_rules.py). The rows of the flat CSV and
the HSDS tables are checked in DuckDB (warehouse/publish/table_checks.py); `flat_problems` and
`package_problems` here are the same checks by frictionless, which the tests hold them to.
"""

import csv
import json
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from frictionless import FrictionlessException, Package, Report, Resource, Schema

from schemas.listing import DirectoryRow
from schemas.pool import process_pool
from schemas.table_schema import table_schema
from warehouse.publish.hsds_package import ExportInvalid
from warehouse.publish.meeting_guide import feed_problems

KeyCells = tuple[str | None, ...]


def flat_problems(folder: Path | str, name: str) -> list[str]:
    """What frictionless finds wrong with the flat CSV against the directory's Table Schema."""
    schema = Schema.from_descriptor(table_schema(DirectoryRow))
    resource = Resource(path=name, basepath=str(folder), schema=schema, format="csv", encoding="utf-8")
    report = resource.validate()
    return [str(error) for error in report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]]


def meeting_feed_problems(folder: Path | str, name: str) -> list[str]:
    """What a Meeting Guide client would drop or show wrongly in the feed as written ("rule: slug: what")."""
    try:
        entries = json.loads((Path(folder) / name).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        return [f"not a readable JSON file: {exc}"]
    if not isinstance(entries, list):
        return ["not a JSON array of meetings"]
    return feed_problems(entries)


def package_problems(folder: Path | str, *names: str) -> list[str]:
    """What is wrong with the HSDS package (descriptor; types, required fields, keys, foreign keys).

    With `names`, only those resources (their foreign keys still looked up in the others): a big
    package is checked a few resources per worker. Frictionless checks the descriptor and the rows;
    the foreign keys are looked up here (frictionless would read and cast every referenced table
    again for each resource that refers to it: 40 % of a national package's check).
    """
    package = Package(str(Path(folder) / "datapackage.json"))
    errors = descriptor_problems(package)
    fields = ["taskName", "rowNumber", "fieldName", "type", "note"]
    lookups: dict[tuple, set[KeyCells]] = {}
    for name in names or package.resource_names:
        resource = package.get_resource(name)
        keys, resource.schema.foreign_keys = resource.schema.foreign_keys, []
        errors += [str(error) for error in resource.validate().flatten(fields)]
        errors += foreign_key_problems(package, name, keys, lookups)
    return errors[:5]


def descriptor_problems(package: Package | Path | str) -> list[str]:
    """What frictionless finds wrong with a package's descriptor (the metadata, not the rows)."""
    if not isinstance(package, Package):
        package = Package(str(Path(package) / "datapackage.json"))
    report = Report.from_validation(errors=_descriptor_errors(package))
    return [str(error) for error in report.flatten(["type", "note"])]


def foreign_key_problems(package: Package, name: str, keys: list[dict],
                         lookups: dict[tuple, set[KeyCells]]) -> list[str]:
    """Rows of one resource whose foreign key names no row of the referenced resource.

    A referenced key is read once (per `lookups`, shared across resources), without casting.
    Keys are compared as written; an empty cell is missing, and a row whose key cells are all
    missing refers to nothing, as in frictionless.
    """
    problems: list[str] = []
    for key in keys:
        reference = key["reference"]
        own, their = field_names(key["fields"]), field_names(reference["fields"])
        target = reference.get("resource") or name  # "" refers to the resource itself
        lookup = (target, *their)
        if lookup not in lookups:
            lookups[lookup] = {cells for _n, cells in _key_cells(package, target, their) if any(cells)}
        known = lookups[lookup]
        problems += [f"['{name}', {number}, '{', '.join(own)}', 'foreign-key', 'values {list(cells)} "
                     f"not found in the lookup table \"{target}\" as {their}']"
                     for number, cells in _key_cells(package, name, own) if any(cells) and cells not in known]
    return problems


def field_names(fields: str | list[str]) -> list[str]:
    """A foreign key's fields as a list (Table Schema allows one name as a string)."""
    return [fields] if isinstance(fields, str) else list(fields)


def _key_cells(package: Package, name: str, fields: list[str]) -> Iterator[tuple[int, KeyCells]]:
    """Each row's number (the header is row 1, as frictionless counts) and the cells of `fields`."""
    resource = package.get_resource(name)
    with (Path(resource.basepath or ".") / resource.path).open(newline="", encoding="utf-8") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            yield number, tuple(row.get(field) or None for field in fields)


def _descriptor_errors(package: Package) -> list:
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


# The rows of these resources are checked by table_checks, in other workers.
ROWS_CHECKED_APART = ("listings-csv", "hsds-")


def top_level_problems(folder: Path | str) -> list[str]:
    """What `frictionless validate datapackage.json` finds wrong with the top-level package, one line each.

    The descriptor and every resource, as the CLI checks them (schemas, row counts, files that are
    not tables), but for the rows the flat and HSDS checks already read.
    """
    try:
        package = Package(str(Path(folder) / "datapackage.json"))
    except FrictionlessException as exc:
        return [f"datapackage.json: {error.message}" for error in exc.to_errors()]
    problems = [f"datapackage.json: {error.message}" for error in _descriptor_errors(package)]
    for resource in package.resources:
        if not resource.name.startswith(ROWS_CHECKED_APART):
            problems += _resource_lines(resource)
    return problems


def _resource_lines(resource: Resource) -> list[str]:
    """One resource's frictionless errors, each as `name: row N: field: message`."""
    lines = []
    for error in resource.validate().tasks[0].errors[:5]:
        where = [f"row {error.row_number}" if getattr(error, "row_number", None) else "",
                 getattr(error, "field_name", None) or ""]
        lines.append(": ".join(part for part in (resource.name, *where, error.message) if part))
    return lines

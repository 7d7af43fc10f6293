"""The export's file checks, run in a worker process while the export goes on writing other files.

Each check reads a file as it was written (the bytes that will be published) and returns what is
wrong with it. Validating the flat CSV and the HSDS package with frictionless and the JSON files
with jsonschema is about half the work of a national export; in a second process it overlaps
with building the other files (the calendars, above all) instead of following them.
"""

import json
import multiprocessing
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import Any

from frictionless import Package, Resource, Schema

from schemas.listing import DirectoryRow
from schemas.table_schema import table_schema
from warehouse import geojson, meeting_guide
from warehouse.hsds_package import ExportInvalid

PRELOAD = [__name__]  # the worker starts with these imported (frictionless, jsonschema and ours)


def flat_problems(folder: Path, name: str) -> list[str]:
    """What frictionless finds wrong with the flat CSV against the directory's Table Schema."""
    schema = Schema.from_descriptor(table_schema(DirectoryRow))
    resource = Resource(path=name, basepath=str(folder), schema=schema, format="csv", encoding="utf-8")
    report = resource.validate()
    return [str(error) for error in report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]]


def package_problems(folder: Path) -> list[str]:
    """What frictionless finds wrong with the HSDS package: types, required fields, keys."""
    report = Package(str(folder / "datapackage.json")).validate()
    errors = report.flatten(["taskName", "rowNumber", "fieldName", "type", "note"])[:5]
    return [str(error) for error in errors]


def feed_file_problems(path: Path) -> list[str]:
    """What is wrong with the Meeting Guide feed as written (schema, slugs, type codes)."""
    return meeting_guide.feed_problems(_read_json(path))


def collection_file_problems(path: Path) -> list[str]:
    """What is wrong with the GeoJSON file as written (schema, feature ids)."""
    return geojson.collection_problems(_read_json(path))


def _read_json(path: Path) -> Any:
    """A written JSON file, read back."""
    return json.loads(path.read_text(encoding="utf-8"))


def _context() -> multiprocessing.context.BaseContext:
    """A start method that does not fork this (multi-threaded) process: forkserver where there is one."""
    if "forkserver" in multiprocessing.get_all_start_methods():
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(PRELOAD)
        return context
    return multiprocessing.get_context("spawn")


class Checks:
    """File checks queued to one worker process; `raise_problems` waits and raises the first failure."""

    def __enter__(self) -> "Checks":
        self.pool = ProcessPoolExecutor(max_workers=1, mp_context=_context())
        self.pending: list[tuple[str, Future]] = []
        return self

    def submit(self, name: str, check, *args: Any) -> None:
        """Queue one check of the file `name`."""
        self.pending.append((name, self.pool.submit(check, *args)))

    def raise_problems(self) -> None:
        """Wait for every check; ExportInvalid naming the first file that failed and its problems."""
        for name, future in self.pending:
            if problems := future.result():
                raise ExportInvalid(f"{name} is not valid: {'; '.join(problems[:5])}")

    def __exit__(self, *exc: object) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

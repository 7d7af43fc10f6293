"""Faulty worker functions for the process pools' tests (importable by name, as a pool's worker needs)."""

import multiprocessing
import os

from warehouse.publish.table_checks import package_problems


def dies(*_args: object) -> None:
    """A worker that dies at its first task."""
    os._exit(3)


def answers_nonsense(*_args: object) -> str:
    """A worker whose answer is not what was asked for."""
    return "nonsense"


def package_problems_or_die(*args: str) -> list[str]:
    """The HSDS package check (DuckDB), which kills a worker process that runs it (and runs in any other)."""
    if multiprocessing.parent_process() is not None:
        os._exit(3)
    return package_problems(*args)

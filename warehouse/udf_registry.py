"""Every Python function DuckDB calls is registered here, wrapped so that no value can raise.

A function that raises on a value (a port out of range, text a library chokes on) would abort
the whole query: the run failed, nothing published, for every source, until the data changes.
Wrapped, a value it cannot read becomes NULL and is counted in the run's problems; the listing
goes on. Registering through `register_functions` is the only way in, so a new UDF gets it too.
A function says a value is unreadable by raising UnreadableValue; any other error it raises on a
value (a bug, a library's surprise) is treated the same way, so one value never stops a run.
"""

import contextlib
import functools
import hashlib
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any

import duckdb

log = logging.getLogger(__name__)

# name -> (function, parameter types, return type)
Functions = Mapping[str, tuple[Callable[..., Any], list[Any], Any]]


class Problems:
    """The distinct values each registered function could not read (they became NULL)."""

    def __init__(self) -> None:
        self._seen: dict[str, set[str]] = {}
        self._lock = threading.Lock()

    def add(self, name: str, args: tuple, error: Exception) -> None:
        """Count one failing call of `name` (the same value failing twice counts once)."""
        digest = hashlib.sha256(repr(args).encode("utf-8", "replace")).hexdigest()
        with self._lock:
            seen = self._seen.setdefault(name, set())
            if not seen:
                log.warning("%s could not read %.200r (%s: %s): NULL", name, args,
                            type(error).__name__, error)
            seen.add(digest)

    def counts(self) -> dict[str, int]:
        """Function name -> distinct values it made NULL, by name."""
        with self._lock:
            return {name: len(seen) for name, seen in sorted(self._seen.items()) if seen}


def never_raising(name: str, function: Callable[..., Any], problems: Problems) -> Callable[..., Any]:
    """`function`, answering None (and counting the value) where it would raise."""

    @functools.wraps(function)
    def safe(*args: Any) -> Any:
        try:
            return function(*args)
        except Exception as error:  # any error on a value: that value is NULL
            problems.add(name, args, error)
            return None

    return safe


def register_functions(con: duckdb.DuckDBPyConnection, functions: Functions,
                       problems: Problems | None = None) -> Problems:
    """Register each function on a connection (idempotent), never raising on data; return the counts."""
    problems = problems if problems is not None else Problems()
    for name, (function, params, returns) in functions.items():
        with contextlib.suppress(duckdb.InvalidInputException, duckdb.CatalogException):
            con.remove_function(name)
        con.create_function(name, never_raising(name, function, problems), params, returns,
                            null_handling="special", side_effects=False)
    return problems

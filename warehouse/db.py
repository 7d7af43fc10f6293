"""DuckDB connection, the build lock, and running the project's .sql files."""

import re
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
from filelock import FileLock, Timeout

from schemas.errors import SupportDirError, WarehouseDamaged
from warehouse import csv_safe

SQL_PACKAGE = "warehouse.sql"
CSV_FORMAT = re.compile(r"\bFORMAT\s*'?csv\b", re.IGNORECASE)
# A DuckDB file starts with three 4 KiB headers: the main one (the magic "DUCK" at byte 8), then two
# database headers, the newer (higher iteration) of which says how many blocks follow, of what size.
HEADER_BYTES, MAGIC, MAGIC_AT = 4096, b"DUCK", 8


class WarehouseBusy(SupportDirError):
    """Another build holds the warehouse."""


def connect(path: Path | str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse file (created if missing) with UTC timestamps."""
    if str(path) != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        check_file(Path(path))
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        if "Conflicting lock" in str(exc):
            raise WarehouseBusy(f"warehouse {path} is open in another process: {exc}") from exc
        raise WarehouseDamaged(f"warehouse {path} cannot be opened: {exc}") from exc
    con.execute("SET TimeZone = 'UTC'")
    # DuckDB draws a progress bar on stdout for long queries, which would corrupt `build --json`.
    con.execute("SET enable_progress_bar = false")
    return con


def check_file(path: Path) -> None:
    """Refuse a warehouse file that is not a DuckDB database or that DuckDB cannot read back.

    Checked before DuckDB opens it for writing, so a damaged file is never written to.
    """
    if path.is_dir():
        raise IsADirectoryError(f"warehouse {path} is a folder; --warehouse names a DuckDB file")
    if not path.exists():
        return  # a new warehouse
    with path.open("rb") as handle:
        head = handle.read(3 * HEADER_BYTES)
    if head[MAGIC_AT:MAGIC_AT + len(MAGIC)] != MAGIC or len(head) < 3 * HEADER_BYTES:
        raise WarehouseDamaged(f"warehouse {path} is not a DuckDB database file "
                               "(use another --warehouse, or move it away to start a new one)")
    _probe(path)


def _probe(path: Path) -> None:
    """Open the file read-only and read its catalog and every table's row count; DuckDB's own checks
    find a file cut short. (The block count in DuckDB's header is no size check: a sound file can be
    shorter, as DuckDB truncates free blocks at its end.)"""
    try:
        probe = duckdb.connect(str(path), read_only=True)
    except duckdb.ConnectionException:
        return  # this process has it open already: it was checked when first opened
    except duckdb.Error as exc:
        if "Conflicting lock" in str(exc):
            return  # another process holds it: connect() reports the warehouse busy
        raise _cut_short(path, exc) from None
    try:
        needed = _bytes_in_use(probe)
    except duckdb.Error as exc:
        raise _cut_short(path, exc) from None
    finally:
        probe.close()
    size = path.stat().st_size
    if size < needed:
        raise _cut_short(path, f"{size:,} of the {needed:,} bytes its blocks need")


def _bytes_in_use(probe: duckdb.DuckDBPyConnection) -> int:
    """The file size the blocks the catalog uses need: the three headers, then block after block."""
    block_size = probe.execute("SELECT block_size FROM pragma_database_size()").fetchone()[0]
    highest = probe.execute("SELECT coalesce(max(block_id), -1) FROM pragma_metadata_info()").fetchone()[0]
    tables = probe.execute("SELECT schema_name, table_name FROM duckdb_tables()").fetchall()
    for schema, table in tables:
        used = probe.execute("SELECT max(block_id) FROM pragma_storage_info(?) WHERE block_id >= 0",
                             [f'"{schema}"."{table}"']).fetchone()[0]
        highest = max(highest, used if used is not None else -1)
    return 3 * HEADER_BYTES + (highest + 1) * block_size


def _cut_short(path: Path, error: duckdb.Error | str) -> WarehouseDamaged:
    """The one line for a DuckDB file DuckDB cannot read back."""
    reason = str(error).splitlines()[0][:200]
    return WarehouseDamaged(f"warehouse {path} is damaged or cut short ({reason}); "
                            "restore it from a backup or move it away to start a new one")


@contextmanager
def build_lock(path: Path | str, wait_seconds: float = 0) -> Iterator[None]:
    """Hold the warehouse's build lock; a second build waits `wait_seconds`, then refuses.

    Re-entrant within one process (the CLI takes it before starting the flow, the
    flow takes it again), exclusive across processes.
    """
    lock = FileLock(f"{Path(path).absolute()}.lock", is_singleton=True, thread_local=False)
    try:
        lock.acquire(timeout=wait_seconds)
    except Timeout as exc:
        raise WarehouseBusy(
            f"another build is using {path} (lock file {path}.lock); wait for it or use another --warehouse"
        ) from exc
    try:
        yield
    finally:
        lock.release()


def sql_text(name: str, package: str = SQL_PACKAGE) -> str:
    """The text of a .sql file in a stage's sql package (name like 'normalize_listings' or 'checks/x')."""
    return resources.files(package).joinpath(f"{name}.sql").read_text(encoding="utf-8")


def run_sql(con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any] | None = None,
            package: str = SQL_PACKAGE):
    """Execute one .sql file (of the core, or of the stage's package) with named parameters."""
    return con.execute(sql_text(name, package), params or {})


def copy_to(con: duckdb.DuckDBPyConnection, query: str, path: Path, options: str) -> int:
    """COPY a query (project SQL, never data) to a file, the path quoted; return the rows written.

    To CSV, every cell goes through csv_safe's guard, so no cell can start a spreadsheet formula.
    """
    query = query.strip().rstrip(";")
    if CSV_FORMAT.search(options):
        query = csv_safe.guarded_query(con, query)
    target = _quoted(path)
    # COPY answers with the number of rows it wrote: the query runs once.
    return con.execute(f"COPY ({query}) TO '{target}' {options}").fetchall()[0][0]


def attach(con: duckdb.DuckDBPyConnection, path: Path, name: str) -> None:
    """ATTACH a DuckDB file (created if missing) as `name`, a code constant, the path quoted."""
    target = _quoted(path)
    con.execute(f"ATTACH '{target}' AS {name}")


def _quoted(path: Path) -> str:
    """A path as the text of an SQL string literal (its quotes doubled)."""
    return str(path).replace("'", "''")


def check_names() -> list[str]:
    """The data checks: each a query in warehouse/sql/checks that must return no rows."""
    folder = resources.files(SQL_PACKAGE).joinpath("checks")
    return sorted(f"checks/{p.name[:-4]}" for p in folder.iterdir() if p.name.endswith(".sql"))


def failed_checks(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Run every data check; return the ones that found rows, with how many."""
    failures = {}
    for name in check_names():
        rows = con.execute(sql_text(name)).fetchall()
        if rows:
            failures[name] = len(rows)
    return failures

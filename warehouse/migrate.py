"""Versioned migrations: warehouse/migrations/NNNN_name.sql applied once each, in order."""

from importlib import resources

import duckdb

MIGRATIONS_PACKAGE = "warehouse.migrations"


def available() -> list[tuple[int, str]]:
    """(version, file name) of every migration shipped with the package."""
    found = []
    for entry in resources.files(MIGRATIONS_PACKAGE).iterdir():
        if entry.name.endswith(".sql"):
            found.append((int(entry.name.split("_", 1)[0]), entry.name))
    return sorted(found)


def applied(con: duckdb.DuckDBPyConnection) -> set[int]:
    """Versions already applied to this warehouse."""
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
        "name VARCHAR NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
    )
    return {row[0] for row in con.execute("SELECT version FROM schema_migrations").fetchall()}


def migrate(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Apply the migrations this warehouse lacks, each in its own transaction; return their names."""
    done = applied(con)
    newly = []
    for version, name in available():
        if version in done:
            continue
        sql = resources.files(MIGRATIONS_PACKAGE).joinpath(name).read_text(encoding="utf-8")
        con.execute("BEGIN TRANSACTION")
        try:
            con.execute(sql)
            con.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)", [version, name])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
        newly.append(name)
    return newly

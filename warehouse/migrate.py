"""Versioned migrations: warehouse/migrations/NNNN_name.sql applied once each, in order.

Tables live in migrations; views live in warehouse/sql/views/ and are re-created, in file-name
order, after every migrate, so a view always matches the tables whatever order they changed in.
"""

from importlib import resources

import duckdb

MIGRATIONS_PACKAGE = "warehouse.migrations"
VIEWS_PACKAGE = "warehouse.sql.views"


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
    create_views(con)
    return newly


def create_views(con: duckdb.DuckDBPyConnection) -> list[str]:
    """(Re-)create every view in warehouse/sql/views, in file-name order; return their files."""
    files = sorted(e.name for e in resources.files(VIEWS_PACKAGE).iterdir() if e.name.endswith(".sql"))
    for name in files:
        con.execute(resources.files(VIEWS_PACKAGE).joinpath(name).read_text(encoding="utf-8"))
    return files

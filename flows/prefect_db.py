"""A migrated Prefect database kept once per Prefect version, copied into every fresh Prefect home.

Prefect's temporary server creates its database on first use: every migration, then the block
types (on a 2-core machine 14-15 s to its first answer in a fresh home, against 5-6 s from the
copy). The first fresh home a Prefect version starts in leaves a copy of its database, taken as
soon as the server answers (the migrations and block types, no flow run yet), in the user's
cache folder; the next fresh home starts from that copy. The server still registers the block
types again: its note that they are (memo_store.toml) names the home's database, so it is not
copied. A copy that cannot be read is deleted, and the next fresh home makes it again.
"""

import os
import sqlite3
import tempfile
from contextlib import closing
from importlib.metadata import version
from pathlib import Path

DATABASE = "prefect.db"


def prefect_home() -> Path:
    """The Prefect home the server uses (Prefect's default when PREFECT_HOME is not set)."""
    return Path(os.environ.get("PREFECT_HOME") or "~/.prefect").expanduser()


def template_dir() -> Path:
    """Where this Prefect version's migrated database is kept (XDG cache folder)."""
    cache = Path(os.environ.get("XDG_CACHE_HOME") or "~/.cache").expanduser()
    return cache / "supportdir" / f"prefect-{version('prefect')}"


def home_is_fresh() -> bool:
    """Whether the home has no database yet (nor a database set elsewhere)."""
    elsewhere = "PREFECT_API_DATABASE_CONNECTION_URL" in os.environ
    return not elsewhere and not (prefect_home() / DATABASE).exists()


def seed_home() -> bool:
    """Copy the kept database into a fresh home; whether it was (a broken copy is deleted)."""
    kept, home = template_dir() / DATABASE, prefect_home()
    if not home_is_fresh() or not kept.is_file():
        return False
    try:
        home.mkdir(parents=True, exist_ok=True)
        _copy_database(kept, home / DATABASE)
    except sqlite3.DatabaseError:
        kept.unlink(missing_ok=True)
        return False
    except OSError:
        return False  # the home then starts as without a copy
    return True


def keep_template() -> None:
    """Keep the home's newly made database for the next fresh home, unless one is kept already."""
    made, folder = prefect_home() / DATABASE, template_dir()
    if (folder / DATABASE).is_file() or not made.is_file():
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        _copy_database(made, folder / DATABASE)
    except (sqlite3.DatabaseError, OSError):
        return  # no copy kept (a read-only cache folder): the next fresh home migrates, as now


def _copy_database(source: Path, target: Path) -> None:
    """A checked copy of a migrated Prefect database (SQLite's backup: a server writing it is no
    harm), moved into place whole, so a reader never sees half a file."""
    handle, partial = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
    os.close(handle)
    try:
        with closing(sqlite3.connect(f"file:{source}?mode=ro", uri=True)) as reading, \
                closing(sqlite3.connect(partial)) as writing:
            reading.backup(writing)
            writing.execute("PRAGMA journal_mode=DELETE")  # one file (Prefect's server sets WAL again)
            checked = writing.execute("PRAGMA quick_check").fetchone()[0]
            if checked != "ok" or not writing.execute("SELECT count(*) FROM alembic_version").fetchone()[0]:
                raise sqlite3.DatabaseError(f"{source}: not a migrated Prefect database")
        os.replace(partial, target)
    finally:
        Path(partial).unlink(missing_ok=True)


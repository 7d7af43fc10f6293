"""A fresh Prefect home starts from the migrated database kept per Prefect version, never from a used one."""

import sqlite3
from pathlib import Path

import httpx
import pytest

from flows import prefect_api, prefect_db
from flows.prefect_api import TemporaryServer


@pytest.fixture
def homes(tmp_path, monkeypatch) -> Path:
    """A cache folder of the test's own; no database URL set elsewhere."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("PREFECT_API_DATABASE_CONNECTION_URL", raising=False)
    return tmp_path


def rows(database: Path, query: str) -> list[tuple]:
    with sqlite3.connect(database) as db:
        return db.execute(query).fetchall()


def started(home: Path, monkeypatch) -> TemporaryServer:
    monkeypatch.setenv("PREFECT_HOME", str(home))
    server = TemporaryServer()
    server.wait(120)
    return server


def test_the_first_fresh_home_keeps_its_database_and_the_next_starts_from_it(homes, monkeypatch):
    first = started(homes / "a", monkeypatch)
    assert first.keeps_template is False  # done: kept at its first answer
    kept = prefect_db.template_dir() / prefect_db.DATABASE
    assert rows(kept, "SELECT count(*) FROM alembic_version") == [(1,)]
    assert rows(kept, "SELECT count(*) FROM block_type")[0][0] > 0
    httpx.post(f"{first.api_url}/flows/", json={"name": "only-in-home-a"}, timeout=30).raise_for_status()
    first.stop()
    assert rows(kept, "SELECT count(*) FROM flow") == [(0,)]  # what home a did later is not kept

    seeded = []
    monkeypatch.setattr(prefect_api, "seed_home", lambda: seeded.append(prefect_db.seed_home()) or seeded[-1])
    second = started(homes / "b", monkeypatch)
    try:
        assert seeded == [True]
        flows = httpx.post(f"{second.api_url}/flows/filter", json={}, timeout=30).json()
        assert flows == []  # home a's flow never reaches home b
        assert httpx.post(f"{second.api_url}/block_types/filter", json={}, timeout=30).json()
    finally:
        second.stop()


def test_a_broken_kept_database_is_deleted_and_the_home_starts_without_it(homes, monkeypatch):
    monkeypatch.setenv("PREFECT_HOME", str(homes / "home"))
    kept = prefect_db.template_dir() / prefect_db.DATABASE
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"not a database" * 100)
    assert prefect_db.seed_home() is False
    assert not kept.exists() and not (homes / "home" / prefect_db.DATABASE).exists()
    assert list((homes / "home").iterdir()) == []  # no half-copied file left


def test_an_unmigrated_database_is_never_kept(homes, monkeypatch):
    monkeypatch.setenv("PREFECT_HOME", str(homes / "home"))
    (homes / "home").mkdir()
    with sqlite3.connect(homes / "home" / prefect_db.DATABASE) as db:
        db.execute("CREATE TABLE alembic_version (version_num TEXT)")
    prefect_db.keep_template()
    assert not (prefect_db.template_dir() / prefect_db.DATABASE).exists()


def test_a_used_home_is_never_seeded_and_a_kept_database_never_replaced(homes, monkeypatch):
    monkeypatch.setenv("PREFECT_HOME", str(homes / "home"))
    (homes / "home").mkdir()
    own = homes / "home" / prefect_db.DATABASE
    with sqlite3.connect(own) as db:
        db.execute("CREATE TABLE alembic_version (version_num TEXT)")
        db.execute("INSERT INTO alembic_version VALUES ('own')")
    kept = prefect_db.template_dir() / prefect_db.DATABASE
    kept.parent.mkdir(parents=True)
    with sqlite3.connect(kept) as db:
        db.execute("CREATE TABLE alembic_version (version_num TEXT)")
        db.execute("INSERT INTO alembic_version VALUES ('kept')")
    assert prefect_db.home_is_fresh() is False and prefect_db.seed_home() is False
    prefect_db.keep_template()
    assert rows(own, "SELECT * FROM alembic_version") == [("own",)]
    assert rows(kept, "SELECT * FROM alembic_version") == [("kept",)]


def test_a_cache_folder_that_cannot_be_made_costs_nothing_but_the_copy(homes, monkeypatch):
    monkeypatch.setenv("PREFECT_HOME", str(homes / "home"))
    (homes / "home").mkdir()
    with sqlite3.connect(homes / "home" / prefect_db.DATABASE) as db:
        db.execute("CREATE TABLE alembic_version (version_num TEXT)")
        db.execute("INSERT INTO alembic_version VALUES ('x')")
    (homes / "not-a-folder").write_text("")
    monkeypatch.setenv("XDG_CACHE_HOME", str(homes / "not-a-folder"))
    prefect_db.keep_template()  # no error: the next fresh home migrates, as without a copy
    assert not prefect_db.template_dir().exists()


def test_a_database_set_elsewhere_is_left_alone(homes, monkeypatch):
    monkeypatch.setenv("PREFECT_HOME", str(homes / "home"))
    monkeypatch.setenv("PREFECT_API_DATABASE_CONNECTION_URL", "postgresql+asyncpg://db.invalid/prefect")
    assert prefect_db.home_is_fresh() is False and prefect_db.seed_home() is False

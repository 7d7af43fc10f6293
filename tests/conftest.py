"""Shared fixtures: a fast, loopback-allowed fetch config and a WARC archive in a temp folder."""

import os
import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from scrapers.archive import WarcArchive
from scrapers.fetch import FetchConfig, HostGate, HttpFetcher
from warehouse import db, migrate

# Prefect state in a temp dir, analytics off, quiet (set before any test imports prefect).
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


@pytest.fixture
def con(tmp_path: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A migrated warehouse file in the test's temp folder."""
    connection = db.connect(tmp_path / "w.duckdb")
    migrate.migrate(connection)
    yield connection
    connection.close()


@pytest.fixture
def fetch_config() -> FetchConfig:
    """Politeness shrunk for tests; loopback allowed (tests only ever talk to 127.0.0.1)."""
    return FetchConfig(
        user_agent="supportdir-test/0.1 (+https://example.invalid/contact)",
        connect_timeout=2.0, read_timeout=0.5, retries=2, backoff_factor=0.05,
        default_interval=0.0, allow_private=True, max_bytes=64 * 1024,
    )


@pytest.fixture
def archive(tmp_path: Path) -> WarcArchive:
    """A WARC archive in the test's temp folder."""
    return WarcArchive(tmp_path / "warc", prefix="test")


@pytest.fixture
def make_fetcher(fetch_config: FetchConfig, archive: WarcArchive):
    """Build an HttpFetcher with its own host gate (tests do not share politeness state)."""
    made: list[HttpFetcher] = []

    def make(config: FetchConfig | None = None, validators=None, gate: HostGate | None = None):
        fetcher = HttpFetcher(config or fetch_config, archive, validators, gate=gate or HostGate())
        made.append(fetcher)
        return fetcher

    yield make
    for fetcher in made:
        fetcher.close()


def pytest_configure(config) -> None:
    """Hypothesis profiles: 50 examples per parser by default (CI), 1,000 with `-m fuzz`."""
    from hypothesis import settings

    settings.register_profile("ci", max_examples=50)
    settings.register_profile("fuzz", max_examples=1000)
    selected = config.getoption("markexpr", default="") or ""
    chosen = "fuzz" if re.search(r"(?<!not )\bfuzz\b", selected) else "ci"
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", chosen))

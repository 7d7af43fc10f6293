"""Settings from the environment (SUPPORTDIR_*), and where Prefect keeps its state."""

import os
from pathlib import Path

from pydantic import ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from schemas.errors import SettingInvalid
from scrapers.crawl import MAX_HOSTS
from scrapers.fetch import FetchConfig
from scrapers.parse_workers import IN_THREAD_BYTES

VERSION = "0.1.0"
MAX_PARSE_WORKERS = 4


class Settings(BaseSettings):
    """Where the data lives and how politely to fetch; every field can be set as SUPPORTDIR_<FIELD>."""

    model_config = SettingsConfigDict(env_prefix="SUPPORTDIR_")

    def __init__(self, **values) -> None:
        """Read the environment; a value of the wrong kind is SettingInvalid naming its variable."""
        try:
            super().__init__(**values)
        except ValidationError as error:
            first = error.errors()[0]
            name = "SUPPORTDIR_" + str(first["loc"][0]).upper() if first["loc"] else "a SUPPORTDIR_ setting"
            raise SettingInvalid(f"{name}={first.get('input')!r}: {first['msg']}") from None

    home: Path = Path("data")
    warehouse: Path | None = None
    warc_dir: Path | None = None
    contact_url: str = "https://github.com/supportdir/supportdir"
    default_interval: float = 1.0
    allow_private: bool = False
    fetch_retries: int = 4
    backoff_factor: float = 2.0
    request_deadline: float = 120.0  # seconds for one whole request (however slowly the bytes come)
    max_bytes: int = 20 * 1024 * 1024  # a response body's cap once decoded (live and replayed)
    source_budget: float = 2 * 3600.0  # seconds one source's crawl may take
    crawl_hosts: int = MAX_HOSTS  # hosts of one source fetched at once (one request in flight each)
    source_retries: int = 1
    source_retry_delay: float = 60.0
    inactive_after_runs: int = 2
    max_drop: float = 0.5
    review_decisions: Path | None = None
    parse_workers: int | None = None  # processes parsing a big source's pages; default: one per core, <= 4
    parse_in_thread_mb: float = IN_THREAD_BYTES / 1e6  # a source's first pages, up to this size, parse here

    @property
    def parse_worker_count(self) -> int:
        """Worker processes per big source (0: parse in the crawl's own thread)."""
        if self.parse_workers is not None:
            return max(self.parse_workers, 0)
        # Per big source: a national crawl has a few, and each worker holds its own interpreter.
        return min(os.cpu_count() or 1, MAX_PARSE_WORKERS)

    @property
    def warehouse_path(self) -> Path:
        """The DuckDB file (default: <home>/warehouse.duckdb)."""
        return self.warehouse or self.home / "warehouse.duckdb"

    @property
    def warc_path(self) -> Path:
        """Folder of the run WARC files (default: <home>/warc)."""
        return self.warc_dir or self.home / "warc"

    @property
    def decisions_path(self) -> Path:
        """The review decisions file (default: <home>/review_decisions.csv)."""
        return self.review_decisions or self.home / "review_decisions.csv"

    def fetch_config(self, intervals: dict[str, float],
                     headers: dict[str, dict[str, str]] | None = None) -> FetchConfig:
        """The fetch layer's settings, with per-host intervals and per-URL headers from the sources.

        SUPPORTDIR_ALLOW_PRIVATE lets the sources' own configured hosts (a mirror on
        127.0.0.1) be private; a redirect from them to any other private host is refused.
        """
        return FetchConfig(
            user_agent=f"supportdir/{VERSION} (+{self.contact_url})",
            default_interval=self.default_interval,
            intervals=intervals,
            headers=headers or {},
            private_hosts=frozenset(intervals) if self.allow_private else frozenset(),
            retries=self.fetch_retries,
            backoff_factor=self.backoff_factor,
            request_deadline=self.request_deadline,
            max_bytes=self.max_bytes,
        )


def prepare_prefect(home: Path) -> None:
    """Keep Prefect's state inside the data folder, analytics off, unless the user set them."""
    prefect_home = Path(os.environ.setdefault("PREFECT_HOME", str((home / "prefect").absolute())))
    prefect_home.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")

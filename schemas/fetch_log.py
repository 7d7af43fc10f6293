"""Records of a run's requests, written by the crawl and stored by the warehouse: fetch log, validators."""

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class FetchLog:
    """One request as the run's fetch table records it (pages, robots.txt, retries, failures)."""

    url: str
    status: int | None
    fetched_at: datetime | None = None
    sha256: str | None = None
    size: int | None = None
    warc_file: str | None = None
    warc_offset: int | None = None
    etag: str | None = None
    last_modified: str | None = None
    not_modified: bool = False
    error: str | None = None


@dataclass(frozen=True)
class Validators:
    """What an earlier run remembered of a URL, for a conditional GET."""

    etag: str | None
    last_modified: str | None
    warc_file: str
    warc_offset: int

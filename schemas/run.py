"""Models of a build run and its per-source outcomes (the run report and `--json` summary)."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

SourceStatus = Literal["ok", "degraded", "failed", "quarantined"]
RunStatus = Literal["running", "ok", "degraded", "failed"]
UnitStatus = Literal["ok", "recovered", "lost", "restricted", "not reached"]


class UnitOutcome(BaseModel):
    """What one unit of a many-host source (a Meeting Guide feed, a BMLT root server) gave in one run."""

    unit: str = Field(description="Its key: the prefix of its listings' source_key (feed name, server id).")
    name: str = Field(description="Its name for the report (a feed's name, a server's name).")
    url: str
    status: UnitStatus = Field(description="ok; recovered (its start URL gone, found again elsewhere); "
                                           "lost (its last good listings kept); restricted; not reached.")
    listings: int = Field(0, description="Listings it gave this run.")
    kept: int = Field(0, description="Listings of the last good run kept for it (a lost unit).")
    reason: str | None = Field(None, description="Why it was lost or restricted, or what was noted of it.")


class SourceOutcome(BaseModel):
    """What one source gave in one run."""

    source: str
    status: SourceStatus
    pages: int = 0
    listings: int = 0
    skipped: int = 0
    reason: str | None = Field(None, description="Why the source failed or was quarantined, in one line.")
    errors: list[str] = Field(default_factory=list, description="Pages skipped or retried, and why.")
    restricted: list[str] = Field(
        default_factory=list,
        description="Start URLs the site withholds on purpose (e.g. a 401 feed), and why; not a failure.",
    )
    lost: list[str] = Field(
        default_factory=list,
        description="Pages (or feeds) that could not be fetched or parsed this run, and why: their listings "
                    "of the last good run are kept, and the source is degraded.")
    notes: list[str] = Field(default_factory=list, description="What the parser noted (unreadable values).")
    units: list[UnitOutcome] = Field(
        default_factory=list,
        description="Per feed or root server (sources of many hosts): listings, status and why.")
    started_at: datetime | None = None
    finished_at: datetime | None = None
    fetch_s: float | None = Field(None, description="Seconds spent crawling (fetching) the source.")
    parse_s: float | None = Field(None, description="Seconds spent parsing its pages.")
    not_modified: int = Field(0, description="Pages answered 304 Not Modified.")
    pages_parsed: int = Field(0, description="Pages parsed this run (0 when the listings were reused).")
    reused_from: str | None = Field(
        None, description="Run whose staged listings were reused because every page was unchanged.")
    parser: str | None = Field(None, description="Fingerprint of the parsing code.")


class RunSummary(BaseModel):
    """The outcome of one build: per-source results, exported files and their row counts."""

    run_id: str
    mode: Literal["live", "replay"]
    started_at: datetime
    finished_at: datetime | None = None
    status: RunStatus = "running"
    reason: str | None = Field(None, description="Why the run as a whole failed (e.g. interrupted).")
    warehouse: str
    out: str | None = None
    sources: list[SourceOutcome] = Field(default_factory=list)
    exports: dict[str, int] = Field(default_factory=dict, description="File name -> rows.")
    left_out: dict[str, dict[str, int]] = Field(
        default_factory=dict,
        description="File name -> reason -> groups or rules the format cannot express (e.g. monthly "
                    "groups in meetings.json).")
    failed_checks: dict[str, int] = Field(default_factory=dict)
    problems: dict[str, int] = Field(
        default_factory=dict,
        description="Function -> distinct values it could not read (e.g. a URL with port 99999): made "
                    "NULL, the listing kept; not a failure.")
    changes: dict[str, int] = Field(default_factory=dict, description="Listings new, changed, ... by change.")
    entities: int | None = Field(None, description="Entities after resolving duplicates.")
    timings: dict[str, float] = Field(default_factory=dict, description="Seconds per stage.")

    def settle(self) -> "RunSummary":
        """Set the run status from sources and checks: ok, degraded (some not ok), failed (none loaded)."""
        failed = [s for s in self.sources if s.status in ("failed", "quarantined")]
        if self.sources and len(failed) == len(self.sources):
            self.status = "failed"
        elif failed or self.failed_checks or any(s.status != "ok" for s in self.sources):
            self.status = "degraded"
        else:
            self.status = "ok"
        return self

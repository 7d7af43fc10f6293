"""Models of a build run and its per-source outcomes (the run report and `--json` summary)."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

SourceStatus = Literal["ok", "failed"]
RunStatus = Literal["running", "ok", "degraded", "failed"]


class SourceOutcome(BaseModel):
    """What one source gave in one run."""

    source: str
    status: SourceStatus
    pages: int = 0
    listings: int = 0
    skipped: int = 0
    reason: str | None = Field(None, description="Why the source failed, in one line.")
    errors: list[str] = Field(default_factory=list, description="Pages skipped or retried, and why.")
    started_at: datetime | None = None
    finished_at: datetime | None = None


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
    failed_checks: dict[str, int] = Field(default_factory=dict)
    timings: dict[str, float] = Field(default_factory=dict, description="Seconds per stage.")

    def settle(self) -> "RunSummary":
        """Set the run status from the sources and checks: ok, degraded (some failed) or failed."""
        failed = [s for s in self.sources if s.status != "ok"]
        if self.sources and len(failed) == len(self.sources):
            self.status = "failed"
        elif failed or self.failed_checks:
            self.status = "degraded"
        else:
            self.status = "ok"
        return self

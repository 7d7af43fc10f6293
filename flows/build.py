"""The build_directory flow: collect every source concurrently, then load, normalize and export.

Fetch tasks retry (a transient site failure); parsing does not. A failed
source does not stop the others: its earlier listings stay as they were.
Only the load into DuckDB is single-writer, in the flow itself.
"""

import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from prefect import flow, task
from prefect.cache_policies import NONE
from prefect.task_runners import ThreadPoolTaskRunner
from pydantic import BaseModel, ConfigDict

from flows import progress
from flows.settings import Settings
from schemas.listing import ParsedListing
from schemas.run import RunSummary, SourceOutcome
from scrapers.archive import WarcArchive
from scrapers.crawl import CrawlResult, crawl
from scrapers.errors import FetchFailed, SupportDirError
from scrapers.fetch import FetchConfig, HttpFetcher
from scrapers.page import Validators
from scrapers.registry import SOURCE_CLASSES, get_source
from scrapers.replay import ReplayFetcher, index_warcs, warc_files
from scrapers.sample import sample_sources, sample_warc
from scrapers.urls import host_of
from warehouse import db, export, migrate, normalize, runs, stage


class BuildPlan(BaseModel):
    """Everything one build needs, resolved from the flow's parameters and the settings."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    run_id: str
    mode: Literal["live", "replay"]
    sources: list[str]
    replay_files: list[str] = []
    warehouse: Path
    warc_dir: Path
    out: Path | None
    fetch: FetchConfig
    source_retries: int
    source_retry_delay: float


def new_run_id(now: datetime) -> str:
    """A sortable, unique run id: UTC time plus a short random suffix."""
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


def make_plan(sources: list[str] | None, offline: bool, replay: list[str] | None,
              out: str | None, warehouse: str | None, settings: Settings) -> BuildPlan:
    """Resolve what to build: which sources, live or replayed, into which warehouse and folder."""
    files: list[str] = []
    if offline:
        files.append(str(sample_warc(settings.home / "sample")))
    files += [str(path) for path in warc_files(replay or [])]
    names = list(sources or (sample_sources() if offline else SOURCE_CLASSES))
    instances = [get_source(name) for name in names]
    intervals = {host_of(url): s.interval for s in instances for url in s.start_urls()}
    return BuildPlan(
        run_id=new_run_id(datetime.now(UTC)), mode="replay" if files else "live", sources=names,
        replay_files=files, warehouse=Path(warehouse) if warehouse else settings.warehouse_path,
        warc_dir=settings.warc_path, out=Path(out) if out else None,
        fetch=settings.fetch_config(intervals), source_retries=settings.source_retries,
        source_retry_delay=settings.source_retry_delay,
    )


def _transient(task, task_run, state) -> bool:
    """Retry a fetch task only for network-level failures, not for a missing archive entry."""
    return isinstance(state.result(raise_on_failure=False), FetchFailed)


@task(name="fetch-source", cache_policy=NONE, retry_condition_fn=_transient)
def fetch_source(name: str, plan: BuildPlan, replay_index: dict | None,
                 validators: dict[str, Validators]) -> CrawlResult:
    """Crawl one source, live (polite, archived) or from the WARC index."""
    source = get_source(name)
    if replay_index is not None:
        fetcher = ReplayFetcher.from_index(replay_index)
    else:
        archive = WarcArchive(plan.warc_dir, prefix=f"{plan.run_id}-{name}")
        fetcher = HttpFetcher(plan.fetch, archive, validators)
    try:
        return crawl(source, fetcher, on_page=progress.report)
    except SupportDirError as exc:
        exc.fetch_log = list(fetcher.log)  # kept for the run's fetch table
        raise
    finally:
        fetcher.close()


@task(name="parse-source", cache_policy=NONE)
def parse_source(name: str, crawled: CrawlResult) -> list[ParsedListing]:
    """Parse every page of one source's crawl (no network, no retries)."""
    return get_source(name).parse_all(crawled.pages)


def collect(plan: BuildPlan, validators: dict[str, Validators]) -> dict[str, tuple]:
    """Run every source's fetch and parse concurrently; return (crawl, listings, error) per source."""
    index = index_warcs(map(Path, plan.replay_files)) if plan.mode == "replay" else None
    retried = fetch_source.with_options(retries=plan.source_retries,
                                        retry_delay_seconds=plan.source_retry_delay)
    fetched = {name: retried.submit(name, plan, index, validators) for name in plan.sources}
    parsed = {name: parse_source.submit(name, future) for name, future in fetched.items()}
    results = {}
    for name in plan.sources:
        crawl_or_error = fetched[name].result(raise_on_failure=False)
        if isinstance(crawl_or_error, BaseException):
            results[name] = (None, [], crawl_or_error)
            continue
        listings_or_error = parsed[name].result(raise_on_failure=False)
        if isinstance(listings_or_error, BaseException):
            results[name] = (crawl_or_error, [], listings_or_error)
        else:
            results[name] = (crawl_or_error, listings_or_error, None)
    return results


def outcome_of(name: str, crawled: CrawlResult | None, listings: list, error: BaseException | None,
               started_at: datetime) -> SourceOutcome:
    """The run report line of one source."""
    skipped = crawled.skipped if crawled else []
    return SourceOutcome(
        source=name, status="failed" if error else "ok",
        pages=len(crawled.pages) if crawled else 0, listings=len(listings), skipped=len(skipped),
        reason=f"{type(error).__name__}: {error}" if error else None,
        errors=[f"{url}: {why}" for url, why in skipped],
        started_at=crawled.started_at if crawled else started_at,
        finished_at=crawled.finished_at if crawled else datetime.now(UTC),
    )


@task(name="stage-run", cache_policy=NONE)
def stage_run(plan: BuildPlan, outcomes: list[SourceOutcome], results: dict[str, tuple]) -> None:
    """Stage every source's outcome, fetch log and listings (the single writer)."""
    con = db.connect(plan.warehouse)
    try:
        for outcome in outcomes:
            crawled, listings, error = results[outcome.source]
            log = crawled.log if crawled else getattr(error, "fetch_log", [])
            stage.record_source(con, plan.run_id, outcome, log, listings)
    finally:
        con.close()


@task(name="normalize", cache_policy=NONE)
def normalize_run(plan: BuildPlan, run_at: datetime) -> dict[str, int]:
    """Normalize and merge the run's good listings, then run the data checks; return failed checks."""
    con = db.connect(plan.warehouse)
    try:
        normalize.normalize_run(con, plan.run_id, run_at)
        return db.failed_checks(con)
    finally:
        con.close()


@task(name="export", cache_policy=NONE)
def export_run(plan: BuildPlan) -> dict[str, int]:
    """Write the exports to a fresh folder and swap it in; return rows per file."""
    con = db.connect(plan.warehouse)
    try:
        return export.export_directory(con, plan.out, plan.run_id, sources_meta(plan))
    finally:
        con.close()


def finish(plan: BuildPlan, summary: RunSummary) -> None:
    """Record how the run ended."""
    con = db.connect(plan.warehouse)
    try:
        stage.finish_run(con, summary)
    finally:
        con.close()


def sources_meta(plan: BuildPlan) -> list[dict]:
    """The datapackage `sources` entries: each source's title and start URL."""
    entries = []
    for name in plan.sources:
        source = get_source(name)
        entries.append({"title": f"{source.organization} ({name})", "path": source.start_urls()[0]})
    return entries


class timed:
    """Context manager adding the seconds a stage took to the summary's timings."""

    def __init__(self, summary: RunSummary, key: str):
        self.summary, self.key = summary, key

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc) -> None:
        self.summary.timings[self.key] = round(time.perf_counter() - self.start, 3)


def prepare(plan: BuildPlan, summary: RunSummary) -> dict[str, Validators]:
    """Migrate the warehouse, record the run's start, and read the remembered validators."""
    con = db.connect(plan.warehouse)
    try:
        migrate.migrate(con)
        stage.fail_interrupted(con, str(plan.warehouse))
        stage.start_run(con, summary)
        return runs.latest_validators(con) if plan.mode == "live" else {}
    finally:
        con.close()


def run_plan(plan: BuildPlan) -> RunSummary:
    """Every stage of one build, in order, timed."""
    summary = RunSummary(run_id=plan.run_id, mode=plan.mode, started_at=datetime.now(UTC),
                         warehouse=str(plan.warehouse), out=str(plan.out) if plan.out else None)
    validators = prepare(plan, summary)
    with timed(summary, "collect_s"):
        results = collect(plan, validators)
    summary.sources = [outcome_of(name, *results[name], summary.started_at) for name in plan.sources]
    with timed(summary, "stage_s"):
        stage_run(plan, summary.sources, results)
    with timed(summary, "normalize_s"):
        summary.failed_checks = normalize_run(plan, summary.started_at)
    if plan.out:
        with timed(summary, "export_s"):
            summary.exports = export_run(plan)
    summary.finished_at = datetime.now(UTC)
    finish(plan, summary.settle())
    return summary


@flow(name="build-directory", task_runner=ThreadPoolTaskRunner(max_workers=8))
def build_directory(sources: list[str] | None = None, offline: bool = False,
                    replay: list[str] | None = None, out: str | None = None,
                    warehouse: str | None = None) -> dict:
    """Build the directory: collect sources (live, or replayed from WARC), load, normalize, export."""
    plan = make_plan(sources, offline, replay, out, warehouse, Settings())
    with db.build_lock(plan.warehouse):
        return run_plan(plan).model_dump(mode="json")

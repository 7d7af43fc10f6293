"""The build_directory flow: collect every source concurrently, then load, normalize and export.

Fetch tasks retry (a transient site failure); parsing does not. A failed
source does not stop the others: its earlier listings stay as they were.
Only the load into DuckDB is single-writer, in the flow itself.
"""

import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from prefect import flow, task
from prefect.cache_policies import NONE
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner
from pydantic import BaseModel, ConfigDict

from flows import progress
from flows.settings import Settings
from schemas.listing import ParsedListing
from schemas.run import RunSummary, SourceOutcome
from scrapers.archive import WarcArchive
from scrapers.base import Source
from scrapers.crawl import CrawlResult, crawl
from scrapers.errors import FetchFailed, FetchRefused, SupportDirError
from scrapers.fetch import FetchConfig, HttpFetcher
from scrapers.fingerprint import parser_fingerprint
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
    bases: dict[str, str] = {}  # source -> base URL, resolved here so workers need no environment


@dataclass(frozen=True)
class Previous:
    """A source's last good run: what a run whose pages are all unchanged can reuse."""

    run_id: str
    pages: int
    listings: int
    parser: str


@dataclass(frozen=True)
class Parsed:
    """One source's parse: its listings, or the earlier run whose staged listings stand unchanged."""

    listings: list[ParsedListing]
    count: int
    pages_parsed: int
    parse_s: float
    reused_from: str | None = None


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
        source_retry_delay=settings.source_retry_delay, bases={s.name: s.base for s in instances},
    )


def plan_source(plan: BuildPlan, name: str) -> Source:
    """A source instance on the plan's base URL (built inside a task, on any worker)."""
    return SOURCE_CLASSES[name](plan.bases.get(name))


def _transient(task, task_run, state) -> bool:
    """Retry a fetch task only for network-level failures, not for a missing archive entry."""
    error = state.result(raise_on_failure=False)
    return isinstance(error, FetchFailed) and not isinstance(error, FetchRefused)


@task(name="fetch-source", cache_policy=NONE, retry_condition_fn=_transient)
def fetch_source(name: str, plan: BuildPlan, replay_index: dict | None,
                 validators: dict[str, Validators]) -> CrawlResult:
    """Crawl one source, live (polite, archived) or from the WARC index."""
    source = plan_source(plan, name)
    if replay_index is not None:
        fetcher = ReplayFetcher.from_index(replay_index)
    else:
        archive = WarcArchive(plan.warc_dir, prefix=f"{plan.run_id}-{name}")
        fetcher = HttpFetcher(plan.fetch, archive, validators)
    try:
        crawled = crawl(source, fetcher, on_page=progress.report, parse=True)
        crawled.shed_parsed_bodies()
        return crawled
    except SupportDirError as exc:
        exc.fetch_log = list(fetcher.log)  # kept for the run's fetch table
        raise
    finally:
        fetcher.close()


class Sealed:
    """A big value handed to a task as it is: Prefect looks for futures inside lists, dicts and
    dataclasses (every page of a crawl), not inside a plain object. Pickles for Dask workers."""

    def __init__(self, value):
        self.value = value


@task(name="parse-source", cache_policy=NONE)
def parse_source(name: str, plan: BuildPlan, sealed: Sealed, previous: Previous | None) -> Parsed:
    """Parse every page of one source's crawl (no network, no retries), unless nothing changed."""
    started = time.perf_counter()
    crawled: CrawlResult = sealed.value
    source = plan_source(plan, name)
    if previous is not None and reusable(crawled, previous, parser_fingerprint(type(source))):
        return Parsed([], previous.listings, 0, 0.0, reused_from=previous.run_id)
    if crawled.parse_error is not None:
        raise crawled.parse_error
    listings = source.parse_all(crawled.pages, crawled.parsed)
    seconds = time.perf_counter() - started + crawled.parse_s  # with the parsing done during the crawl
    return Parsed(listings, len(listings), len(crawled.pages), round(seconds, 3))


def reusable(crawled: CrawlResult, previous: Previous, parser: str) -> bool:
    """True when re-parsing cannot change anything: every page 304, none skipped, same pages, same parser."""
    return (bool(crawled.pages) and not crawled.skipped and len(crawled.pages) == previous.pages
            and all(page.not_modified for page in crawled.pages) and previous.parser == parser)


def collect(plan: BuildPlan, validators: dict[str, Validators],
            previous: dict[str, Previous]) -> dict[str, tuple]:
    """Run every source's fetch and parse concurrently; return (crawl, parsed, error) per source."""
    index = index_warcs(map(Path, plan.replay_files)) if plan.mode == "replay" else None
    retried = fetch_source.with_options(retries=plan.source_retries,
                                        retry_delay_seconds=plan.source_retry_delay)
    fetched = {retried.submit(name, plan, index, validators): name for name in plan.sources}
    crawls, parsed = {}, {}
    # Each source's parse starts as soon as its own crawl is done. The crawl is passed sealed:
    # Prefect would otherwise walk every page of it looking for futures.
    for future in as_completed(list(fetched)):
        name = fetched[future]
        crawls[name] = future.result(raise_on_failure=False)
        if not isinstance(crawls[name], BaseException):
            parsed[name] = parse_source.submit(name, plan, Sealed(crawls[name]), previous.get(name))
    results = {}
    for name in plan.sources:
        crawl_or_error = crawls[name]
        if isinstance(crawl_or_error, BaseException):
            results[name] = (None, None, crawl_or_error)
            continue
        parsed_or_error = parsed[name].result(raise_on_failure=False)
        if isinstance(parsed_or_error, BaseException):
            results[name] = (crawl_or_error, None, parsed_or_error)
        else:
            results[name] = (crawl_or_error, parsed_or_error, None)
    return results


def outcome_of(name: str, crawled: CrawlResult | None, parsed: Parsed | None, error: BaseException | None,
               started_at: datetime) -> SourceOutcome:
    """The run report line of one source."""
    skipped = crawled.skipped if crawled else []
    pages = crawled.pages if crawled else []
    fetch_s = (crawled.finished_at - crawled.started_at).total_seconds() - crawled.parse_s \
        if crawled and crawled.finished_at else None
    return SourceOutcome(
        source=name, status="failed" if error else "ok",
        pages=len(pages), listings=parsed.count if parsed else 0, skipped=len(skipped),
        reason=f"{type(error).__name__}: {error}" if error else None,
        errors=[f"{url}: {why}" for url, why in skipped],
        started_at=crawled.started_at if crawled else started_at,
        finished_at=crawled.finished_at if crawled else datetime.now(UTC),
        fetch_s=round(fetch_s, 3) if fetch_s is not None else None,
        parse_s=parsed.parse_s if parsed else None,
        not_modified=sum(page.not_modified for page in pages),
        pages_parsed=parsed.pages_parsed if parsed else 0,
        reused_from=parsed.reused_from if parsed else None,
        parser=parser_fingerprint(SOURCE_CLASSES[name]),
    )


@task(name="stage-run", cache_policy=NONE)
def stage_run(plan: BuildPlan, outcomes: list[SourceOutcome], sealed: Sealed) -> float:
    """Stage every source's outcome, fetch log and listings (the single writer); return its seconds."""
    started = time.perf_counter()
    results: dict[str, tuple] = sealed.value
    con = db.connect(plan.warehouse)
    try:
        for outcome in outcomes:
            crawled, parsed, error = results[outcome.source]
            log = crawled.log if crawled else getattr(error, "fetch_log", [])
            listings = parsed.listings if parsed else []
            stage.record_source(con, plan.run_id, outcome, log, listings, reuse_from=outcome.reused_from)
    finally:
        con.close()
    return time.perf_counter() - started


@task(name="normalize", cache_policy=NONE)
def normalize_run(plan: BuildPlan, run_at: datetime) -> tuple[dict[str, int], float]:
    """Normalize and merge the run's good listings, then run the data checks; return failures, seconds."""
    started = time.perf_counter()
    con = db.connect(plan.warehouse)
    try:
        normalize.normalize_run(con, plan.run_id, run_at)
        return db.failed_checks(con), time.perf_counter() - started
    finally:
        con.close()


@task(name="export", cache_policy=NONE)
def export_run(plan: BuildPlan) -> tuple[dict[str, int], float]:
    """Write the exports to a fresh folder and swap it in; return rows per file, seconds."""
    started = time.perf_counter()
    con = db.connect(plan.warehouse)
    try:
        return export.export_directory(con, plan.out, plan.run_id, sources_meta(plan)), \
            time.perf_counter() - started
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
        source = plan_source(plan, name)
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


def prepare(plan: BuildPlan, summary: RunSummary) -> tuple[dict[str, Validators], dict[str, Previous]]:
    """Migrate, mark dead runs failed, record the run's start; read validators and last good runs."""
    con = db.connect(plan.warehouse)
    try:
        migrate.migrate(con)
        stage.fail_interrupted(con, str(plan.warehouse))
        stage.start_run(con, summary)
        if plan.mode != "live":
            return {}, {}
        good = runs.last_good_outcomes(con, plan.sources)
        previous = {name: Previous(run_id, outcome.pages, outcome.listings, outcome.parser or "")
                    for name, (run_id, outcome) in good.items()}
        return runs.latest_validators(con), previous
    finally:
        con.close()


def run_plan(plan: BuildPlan) -> RunSummary:
    """Every stage of one build, in order, timed."""
    summary = RunSummary(run_id=plan.run_id, mode=plan.mode, started_at=datetime.now(UTC),
                         warehouse=str(plan.warehouse), out=str(plan.out) if plan.out else None)
    flow_started = time.perf_counter()
    validators, previous = prepare(plan, summary)
    with timed(summary, "collect_s"):
        results = collect(plan, validators, previous)
    summary.sources = [outcome_of(name, *results[name], summary.started_at) for name in plan.sources]
    work = {"collect_s": max((s.fetch_s or 0) + (s.parse_s or 0) for s in summary.sources)}
    with timed(summary, "stage_s"):
        work["stage_s"] = stage_run(plan, summary.sources, Sealed(results))
    with timed(summary, "normalize_s"):
        summary.failed_checks, work["normalize_s"] = normalize_run(plan, summary.started_at)
    if plan.out:
        with timed(summary, "export_s"):
            summary.exports, work["export_s"] = export_run(plan)
    summary.finished_at = datetime.now(UTC)
    add_work_timings(summary, work, time.perf_counter() - flow_started)
    finish(plan, summary.settle())
    return summary


def add_work_timings(summary: RunSummary, work: dict[str, float], flow_s: float) -> None:
    """Fetch and parse seconds (summed over sources), and the flow's time outside any stage's own work.

    `prefect_overhead_s` is the flow's wall time minus the work: the slowest source's fetch and
    parse, staging, normalizing and exporting measured inside their tasks.
    """
    timings = summary.timings
    timings["fetch_s"] = round(sum(s.fetch_s or 0 for s in summary.sources), 3)
    timings["parse_s"] = round(sum(s.parse_s or 0 for s in summary.sources), 3)
    timings["flow_s"] = round(flow_s, 3)
    timings["prefect_overhead_s"] = round(max(flow_s - sum(work.values()), 0.0), 3)


class MissingExtra(SupportDirError):
    """An optional feature whose extra is not installed."""


def task_runner(kind: str = "thread", address: str | None = None):
    """The task runner collection runs on: threads here, or a Dask cluster (local or at `address`)."""
    if kind == "thread":
        return ThreadPoolTaskRunner(max_workers=8)
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError:
        raise MissingExtra("--task-runner dask needs the dask extra: "
                           "pip install 'supportdir[dask]'") from None
    if address:
        return DaskTaskRunner(address=address)
    share_prefect_api()
    return DaskTaskRunner(cluster_kwargs={"n_workers": 2, "processes": True, "threads_per_worker": 4})


def share_prefect_api() -> None:
    """Give a local cluster's worker processes the Prefect API this process uses.

    Without a configured PREFECT_API_URL, Prefect runs a temporary server for this process only;
    each worker process would try to start its own and fail. Start that server now and put its
    URL in the environment the workers inherit (this process keeps using the same server).
    """
    import atexit
    import os

    from prefect.server.api.server import SubprocessASGIServer
    from prefect.settings import PREFECT_API_URL

    if PREFECT_API_URL.value() or os.environ.get("PREFECT_API_URL"):
        return
    server = SubprocessASGIServer()  # the same instance Prefect's own ephemeral mode uses
    server.start()
    atexit.register(server.stop)  # never outlive the build
    os.environ["PREFECT_API_URL"] = server.api_url


@flow(name="build-directory", task_runner=ThreadPoolTaskRunner(max_workers=8))
def build_directory(sources: list[str] | None = None, offline: bool = False,
                    replay: list[str] | None = None, out: str | None = None,
                    warehouse: str | None = None) -> dict:
    """Build the directory: collect sources (live, or replayed from WARC), load, normalize, export."""
    plan = make_plan(sources, offline, replay, out, warehouse, Settings())
    with db.build_lock(plan.warehouse):
        return run_plan(plan).model_dump(mode="json")

"""The build_directory flow: collect every source concurrently, then stage, guard, normalize, export.

Fetch tasks retry (a transient site failure); parsing does not. A failed or quarantined
source does not stop the others: its earlier listings stay as they were. Only the load into
DuckDB is single-writer, in the flow itself.
"""

import contextlib
import time
from datetime import UTC, datetime
from functools import partial

from prefect import flow, task
from prefect.cache_policies import NONE
from prefect.task_runners import ThreadPoolTaskRunner

from flows.collect import Previous, Sealed, collect, outcome_of
from flows.interrupts import crawls_stop_first
from flows.plan import BuildPlan, check_options, make_plan, sources_meta
from flows.runners import task_runner
from flows.settings import Settings
from schemas.fetch_log import Validators
from schemas.run import RunSummary, SourceOutcome
from warehouse import db, guard, migrate, normalize, runs, stage
from warehouse.identity import history, resolve, traits
from warehouse.identity.clustering import load_decisions
from warehouse.publish import export
from warehouse.udf_registry import Problems

__all__ = ["build_directory", "check_options", "make_plan", "run_plan", "task_runner"]


@task(name="stage-run", cache_policy=NONE)
def stage_run(plan: BuildPlan, outcomes: list[SourceOutcome], sealed: Sealed) -> tuple[list[SourceOutcome],
                                                                                        float]:
    """Stage every source's outcome, fetch log and listings (the single writer); return the outcomes
    with their units' listings counted, and the seconds it took."""
    started = time.perf_counter()
    results: dict[str, tuple] = sealed.value
    staged = []
    con = db.connect(plan.warehouse)
    try:
        for outcome in outcomes:
            crawled, parsed, error = results[outcome.source]
            log = crawled.log if crawled else getattr(error, "fetch_log", [])
            listings = parsed.listings if parsed else []
            stage.record_source(con, plan.run_id, outcome, log, listings, reuse_from=outcome.reused_from)
            units = runs.record_units(con, plan.run_id, outcome)
            staged.append(outcome.model_copy(update={"units": units}))
    finally:
        con.close()
    return staged, time.perf_counter() - started


@task(name="guard-yields", cache_policy=NONE)
def guard_run(plan: BuildPlan, outcomes: list[SourceOutcome]) -> list[SourceOutcome]:
    """Quarantine the sources whose yield collapsed against their last good run (unless accepted)."""
    con = db.connect(plan.warehouse)
    try:
        return guard.apply_guard(con, plan.run_id, outcomes, plan.max_drop, plan.accept_drop)
    finally:
        con.close()


@task(name="normalize", cache_policy=NONE)
def normalize_run(plan: BuildPlan, run_at: datetime) -> tuple[dict[str, int], dict[str, int], int, dict,
                                                             dict[str, int]]:
    """Normalize and merge the good listings, record history, resolve entities, run the data checks.

    Returns the failed checks, the change counts, the number of entities, the seconds of the
    whole step (`normalize_s`) and of entity resolution inside it (`resolve_s`), and the values
    the normalization functions could not read (made NULL), per function.
    """
    started, seconds, problems = time.perf_counter(), {}, Problems()
    con = db.connect(plan.warehouse)
    try:
        after = [partial(history.record_run, run_id=plan.run_id, run_at=run_at,
                         inactive_after=plan.inactive_after),
                 timed_step(partial(resolve.resolve_entities, run_id=plan.run_id,
                                    decisions=load_decisions(plan.decisions)), seconds, "resolve_s")]
        normalize.normalize_run(con, plan.run_id, run_at, after=after, problems=problems)
        entities = con.execute("SELECT count(DISTINCT entity_id) FROM listings").fetchall()[0][0]
        changes = history.change_counts(con, plan.run_id)
        seconds["normalize_s"] = time.perf_counter() - started
        return db.failed_checks(con), changes, entities, seconds, problems.counts()
    finally:
        con.close()


def timed_step(step, seconds: dict[str, float], key: str):
    """`step`, recording the seconds it took under `key`."""
    def run(con):
        started = time.perf_counter()
        step(con)
        seconds[key] = time.perf_counter() - started
    return run


@task(name="export", cache_policy=NONE)
def export_run(plan: BuildPlan) -> tuple[export.ExportResult, float]:
    """Write and validate the exports in a fresh folder and swap it in; return them and seconds."""
    started = time.perf_counter()
    con = db.connect(plan.warehouse)
    try:
        result = export.export_directory(con, plan.out, plan.run_id,
                                         sources_meta(plan.sources, plan.bases), plan.redact_people)
        return result, time.perf_counter() - started
    finally:
        con.close()


def finish(plan: BuildPlan, summary: RunSummary) -> None:
    """Record how the run ended."""
    con = db.connect(plan.warehouse)
    try:
        stage.finish_run(con, summary)
    finally:
        con.close()


class timed:
    """Context manager adding the seconds a stage took to the summary's timings."""

    def __init__(self, summary: RunSummary, key: str):
        self.summary, self.key = summary, key

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc) -> None:
        self.summary.timings[self.key] = round(time.perf_counter() - self.start, 3)


def prepare(plan: BuildPlan, summary: RunSummary) -> tuple[dict[str, Validators], dict[str, Previous]]:
    """Migrate, write the sources' ranks and families, mark dead runs failed, record the run's start;
    read validators and last good runs."""
    con = db.connect(plan.warehouse)
    try:
        migrate.migrate(con)
        traits.record_traits(con, plan.traits)  # each source's rank and family, as the sources say
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
    """Every stage of one build, in order, timed; a stage that raises marks the run failed with why."""
    summary = RunSummary(run_id=plan.run_id, mode=plan.mode, started_at=datetime.now(UTC),
                         warehouse=str(plan.warehouse), out=str(plan.out) if plan.out else None)
    flow_started = time.perf_counter()
    validators, previous = prepare(plan, summary)
    try:
        return run_stages(plan, summary, validators, previous, flow_started)
    except (Exception, KeyboardInterrupt) as exc:  # KeyboardInterrupt: SIGINT or SIGTERM
        if summary.finished_at is None:  # not yet recorded (an invalid export records itself)
            summary.status, summary.reason = "failed", failure_reason(exc)
            summary.finished_at = datetime.now(UTC)
            with contextlib.suppress(Exception):  # the stage's own error is the one to report
                finish(plan, summary)
        raise


def failure_reason(error: BaseException) -> str:
    """Why a run failed: the error, or the signal that interrupted it."""
    if isinstance(error, KeyboardInterrupt):
        return f"interrupted: stopped by {error.args[0] if error.args else 'SIGINT'}"
    return f"{type(error).__name__}: {error}"


def run_stages(plan: BuildPlan, summary: RunSummary, validators: dict[str, Validators],
               previous: dict[str, Previous], flow_started: float) -> RunSummary:
    """Collect, stage, guard, normalize (with history and resolution) and export, each timed."""
    with timed(summary, "collect_s"):
        results = collect(plan, validators, previous)
    summary.sources = [outcome_of(name, *results[name], summary.started_at) for name in plan.sources]
    work = {"collect_s": max((s.fetch_s or 0) + (s.parse_s or 0) for s in summary.sources)}
    with timed(summary, "stage_s"):
        summary.sources, work["stage_s"] = stage_run(plan, summary.sources, Sealed(results))
        del results  # every page and listing is in the warehouse now: do not hold them to the end
        summary.sources = guard_run(plan, summary.sources)
    with timed(summary, "normalize_s"):
        summary.failed_checks, summary.changes, summary.entities, seconds, summary.problems = \
            normalize_run(plan, summary.started_at)
    work["normalize_s"] = seconds["normalize_s"]
    summary.timings["resolve_s"] = round(seconds.get("resolve_s", 0.0), 3)  # part of normalize_s
    if plan.out:
        with timed(summary, "export_s"):
            export_into(plan, summary, work)
    summary.finished_at = datetime.now(UTC)
    add_work_timings(summary, work, time.perf_counter() - flow_started)
    finish(plan, summary.settle())
    return summary


def export_into(plan: BuildPlan, summary: RunSummary, work: dict[str, float]) -> None:
    """Export; an invalid export publishes nothing, is recorded in the run, then reported."""
    try:
        exported, work["export_s"] = export_run(plan)
    except export.ExportInvalid:
        summary.failed_checks["export_invalid"] = 1
        summary.finished_at = datetime.now(UTC)
        finish(plan, summary.settle())
        raise
    summary.exports, summary.left_out = exported.files, exported.left_out
    for function, count in exported.problems.items():  # values the export's functions could not read
        summary.problems[function] = summary.problems.get(function, 0) + count


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


@flow(name="build-directory", task_runner=ThreadPoolTaskRunner(max_workers=8))
def build_directory(sources: list[str] | None = None, offline: bool = False,
                    replay: list[str] | None = None, out: str | None = None,
                    warehouse: str | None = None, accept_drop: list[str] | None = None,
                    decisions: str | None = None, redact_people: bool = False) -> dict:
    """Build the directory: collect sources (live or replayed), load, resolve, keep history, export."""
    plan = make_plan(sources, offline, replay, out, warehouse, Settings(), accept_drop, decisions,
                     redact_people)
    with db.build_lock(plan.warehouse), crawls_stop_first():
        return run_plan(plan).model_dump(mode="json")

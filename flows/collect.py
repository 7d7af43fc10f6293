"""Collection: each source's fetch task (retried) and parse task (not), run concurrently.

A source whose pages all answered 304 to the same parser reuses its last good run's staged
listings instead of being parsed again. A failed source does not stop the others.
"""

import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from prefect import task
from prefect.cache_policies import NONE
from prefect.futures import as_completed

from flows import progress
from flows.plan import BuildPlan, plan_source, source_fetch_config
from flows.units import unit_outcomes
from schemas.errors import CrawlStopped, FetchFailed, FetchRefused, NoListings, SupportDirError
from schemas.fetch_log import Validators
from schemas.listing import ParsedListing
from schemas.run import SourceOutcome
from scrapers.archive import WarcArchive
from scrapers.crawl import CrawlResult, Limits, crawl
from scrapers.fetch import HttpFetcher
from scrapers.fingerprint import parser_fingerprint
from scrapers.registry import SOURCE_CLASSES
from scrapers.replay import ReplayFetcher, index_warcs


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
    lost: tuple[tuple[str, str], ...] = ()  # pages not fetched or not parsed now, and why


class Sealed:
    """A big value handed to a task as it is: Prefect looks for futures inside lists, dicts and
    dataclasses (every page of a crawl), not inside a plain object. Pickles for Dask workers."""

    def __init__(self, value):
        self.value = value


def _transient(task, task_run, state) -> bool:
    """Retry a fetch task only for network-level failures, not for a refusal or a missing archive entry."""
    error = state.result(raise_on_failure=False)
    return isinstance(error, FetchFailed) and not isinstance(error, FetchRefused)


@task(name="fetch-source", cache_policy=NONE, retry_condition_fn=_transient)
def fetch_source(name: str, plan: BuildPlan, replay_index: dict | None,
                 validators: dict[str, Validators]) -> CrawlResult:
    """Crawl one source, live (polite, archived) or from the WARC index; parse pages as they come."""
    source = plan_source(plan, name)
    if replay_index is not None:
        fetcher = ReplayFetcher.from_index(replay_index, plan.fetch.max_bytes)
    else:
        archive = WarcArchive(plan.warc_dir, prefix=f"{plan.run_id}-{name}")
        fetcher = HttpFetcher(source_fetch_config(plan, name), archive, validators)
    try:
        crawled = crawl(source, fetcher, on_page=progress.report, parse=True,
                        parse_workers=plan.parse_workers, in_thread_bytes=plan.parse_in_thread_bytes,
                        limits=Limits(plan.page_caps.get(name), plan.source_budget, plan.crawl_hosts))
        crawled.shed_parsed_bodies()
        return crawled
    except SupportDirError as exc:
        exc.fetch_log = list(fetcher.log)  # kept for the run's fetch table
        raise
    finally:
        fetcher.close()


@task(name="parse-source", cache_policy=NONE)
def parse_source(name: str, plan: BuildPlan, sealed: Sealed, previous: Previous | None) -> Parsed:
    """Finish parsing one source's crawl (no network, no retries), unless nothing changed."""
    started = time.perf_counter()
    crawled: CrawlResult = sealed.value
    if crawled.stopped:
        raise CrawlStopped(name, f"stopped by a signal after {len(crawled.pages)} pages: not loaded")
    source = plan_source(plan, name)
    if previous is not None and reusable(crawled, previous, parser_fingerprint(type(source))):
        return Parsed([], previous.listings, 0, 0.0, reused_from=previous.run_id)
    lost = list(crawled.lost)  # a page that fails to parse joins the pages the crawl could not fetch
    listings = source.parse_all(crawled.pages, crawled.parsed, lost)
    seconds = time.perf_counter() - started + crawled.parse_s  # with the parsing done during the crawl
    return Parsed(listings, len(listings), len(crawled.pages), round(seconds, 3), lost=tuple(lost))


def reusable(crawled: CrawlResult, previous: Previous, parser: str) -> bool:
    """True when re-parsing cannot change anything: every page 304, none skipped or lost, same parser."""
    return (bool(crawled.pages) and not crawled.skipped and not crawled.lost
            and len(crawled.pages) == previous.pages
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
    restricted = crawled.restricted if crawled else []
    pages = crawled.pages if crawled else []
    fetch_s = (crawled.finished_at - crawled.started_at).total_seconds() - crawled.parse_s \
        if crawled and crawled.finished_at else None
    lost = parsed.lost if parsed else ()
    # Pages that parse to nothing are a yield of zero: quarantined by the yield guard, not failed.
    # Lost pages keep their last good listings: the source is degraded, not failed.
    status = "quarantined" if isinstance(error, NoListings) else "failed" if error else \
        "degraded" if lost else "ok"
    return SourceOutcome(
        source=name, status=status,
        pages=len(pages), listings=parsed.count if parsed else 0, skipped=len(skipped),
        reason=f"{type(error).__name__}: {error}" if error else None,
        errors=[f"{url}: {why}" for url, why in skipped],
        restricted=[f"{url}: {why}" for url, why in restricted],
        lost=[f"{url}: {why}" for url, why in lost],
        notes=list(crawled.notes) if crawled else [],
        units=unit_outcomes(crawled, lost if parsed else crawled.lost) if crawled else [],
        started_at=crawled.started_at if crawled else started_at,
        finished_at=crawled.finished_at if crawled else datetime.now(UTC),
        fetch_s=round(fetch_s, 3) if fetch_s is not None else None,
        parse_s=parsed.parse_s if parsed else None,
        not_modified=sum(page.not_modified for page in pages),
        pages_parsed=parsed.pages_parsed if parsed else 0,
        reused_from=parsed.reused_from if parsed else None,
        parser=parser_fingerprint(SOURCE_CLASSES[name]),
    )

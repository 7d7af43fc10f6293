"""What one build does, resolved before it starts: sources, live or replayed, where data goes."""

import uuid
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

from flows.settings import Settings
from schemas.urls import canonical_url
from scrapers.base import Source
from scrapers.crawl import MAX_HOSTS
from scrapers.fetch import FetchConfig
from scrapers.registry import SOURCE_CLASSES, get_source, source_traits
from scrapers.replay import warc_files
from scrapers.sample import sample_sources, sample_warc
from scrapers.urls import host_of, politeness_host
from warehouse.identity.clustering import load_decisions


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
    accept_drop: list[str] = []
    max_drop: float = 0.5
    inactive_after: int = 2
    decisions: Path | None = None
    redact_people: bool = False
    parse_workers: int = 0
    parse_in_thread_bytes: int = 0
    page_caps: dict[str, int] = {}  # source -> its crawl's page cap (SUPPORTDIR_<SOURCE>_MAX_PAGES)
    # A source of many hosts -> the interval of the hosts it finds while crawling (BMLT root servers
    # listed by the aggregator), which no start URL names: its own, not the default.
    found_host_intervals: dict[str, float] = {}
    source_budget: float = 2 * 3600.0  # seconds each source's crawl may take
    crawl_hosts: int = MAX_HOSTS  # hosts of one source fetched at once (SUPPORTDIR_CRAWL_HOSTS)
    traits: dict[str, tuple[int, str]] = {}  # every known source's (rank, family), for the warehouse


def new_run_id(now: datetime) -> str:
    """A sortable, unique run id: UTC time plus a short random suffix."""
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:6]}"


def make_plan(sources: list[str] | None, offline: bool, replay: list[str] | None,
              out: str | None, warehouse: str | None, settings: Settings,
              accept_drop: list[str] | None = None, decisions: str | None = None,
              redact_people: bool = False) -> BuildPlan:
    """Resolve what to build: which sources, live or replayed, into which warehouse and folder."""
    files: list[str] = []
    if offline:
        files.append(str(sample_warc(settings.home / "sample")))
    files += [str(path) for path in warc_files(replay or [])]
    names = list(sources or (sample_sources() if offline else SOURCE_CLASSES))
    instances = [get_source(name) for name in names]
    headers = {canonical_url(url): h for s in instances for url, h in s.request_headers().items()}
    decisions_path = Path(decisions) if decisions else settings.decisions_path
    check_options(accept_drop, decisions_path)
    return BuildPlan(
        run_id=new_run_id(datetime.now(UTC)), mode="replay" if files else "live", sources=names,
        replay_files=files, warehouse=Path(warehouse) if warehouse else settings.warehouse_path,
        warc_dir=settings.warc_path, out=Path(out) if out else None,
        fetch=fetch_config(instances, settings, headers), source_retries=settings.source_retries,
        source_retry_delay=settings.source_retry_delay, bases={s.name: s.base for s in instances},
        accept_drop=list(accept_drop or []), max_drop=settings.max_drop,
        inactive_after=settings.inactive_after_runs, decisions=decisions_path,
        redact_people=redact_people, parse_workers=settings.parse_worker_count,
        parse_in_thread_bytes=int(settings.parse_in_thread_mb * 1_000_000),
        page_caps={s.name: s.page_cap for s in instances}, crawl_hosts=max(settings.crawl_hosts, 1),
        found_host_intervals={s.name: s.interval for s in instances if s.unit_noun},
        source_budget=settings.source_budget,
        traits=source_traits(),
    )


def fetch_config(instances: list[Source], settings: Settings,
                 headers: dict[str, dict[str, str]]) -> FetchConfig:
    """The fetch settings: each source's interval for its start URLs' hosts (under a mirror, the
    mirror's host and each live host a mirrored start URL stands for); the mirrors themselves."""
    mirrors = frozenset(s.mirror for s in instances if s.mirror)
    named = {host_of(url): s.interval for s in instances for url in s.start_urls()}
    live = {politeness_host(url, mirrors): s.interval for s in instances for url in s.start_urls()}
    return replace(settings.fetch_config(named, headers), intervals={**named, **live}, mirrors=mirrors)


def source_fetch_config(plan: BuildPlan, name: str) -> FetchConfig:
    """The plan's fetch settings for one source's crawl (the hosts it finds get its own interval)."""
    interval = plan.found_host_intervals.get(name)
    return plan.fetch if interval is None else replace(plan.fetch, default_interval=interval)


def check_options(accept_drop: list[str] | None, decisions: Path) -> None:
    """Refuse an unknown --accept-drop source or a malformed decisions file before anything runs."""
    for name in accept_drop or []:
        get_source(name)
    load_decisions(decisions)


def plan_source(plan: BuildPlan, name: str) -> Source:
    """A source instance on the plan's base URL (built inside a task, on any worker)."""
    return SOURCE_CLASSES[name](plan.bases.get(name))


def sources_meta(names: list[str], bases: dict[str, str] | None = None) -> list[dict]:
    """The datapackage `sources` entries: each source's title and start URL."""
    entries = []
    for name in names:
        source = SOURCE_CLASSES[name]((bases or {}).get(name))
        entries.append({"title": f"{source.organization} ({name})", "path": source.start_urls()[0]})
    return entries

"""What the command line shows: progress while building, and tables of runs, sources and exports."""

import json
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from flows import progress
from schemas.run import RunSummary
from scrapers.base import Source

STATUS_STYLE = {"ok": "green", "degraded": "yellow", "failed": "red", "running": "cyan"}


@contextmanager
def progress_bar(enabled: bool) -> Iterator[None]:
    """Show one progress line per source (pages fetched of pages known) on stderr."""
    if not enabled:
        yield
        return
    bar = Progress(TextColumn("{task.description:>10}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("pages"), TimeElapsedColumn(), console=Console(stderr=True), transient=True)
    tasks: dict[str, Any] = {}

    def update(source: str, done: int, known: int) -> None:
        if source not in tasks:
            tasks[source] = bar.add_task(source, total=known)
        bar.update(tasks[source], completed=done, total=known)

    progress.set_reporter(update)
    try:
        with bar:
            yield
    finally:
        progress.set_reporter(None)


def print_build(console: Console, summary: dict) -> None:
    """The result of a build: per-source outcome, the exported files and where they are."""
    run = RunSummary.model_validate(summary)
    seconds = (run.finished_at - run.started_at).total_seconds() if run.finished_at else 0
    style = STATUS_STYLE.get(run.status, "")
    console.print(f"run [bold]{run.run_id}[/] ({run.mode}) finished [{style}]{run.status}[/] "
                  f"in {seconds:.1f} s", highlight=False)
    console.print(_sources_table(run))
    if run.exports:
        table = Table("file", "rows", title=f"exports in {run.out}", title_justify="left")
        for name, rows in run.exports.items():
            table.add_row(name, str(rows))
        console.print(table)
    for check, rows in run.failed_checks.items():
        console.print(f"[yellow]data check {check} found {rows} rows[/]")
    exported = Path(run.out or ".") / "listings.jsonl"
    if run.out and exported.exists():
        rows = [json.loads(line) for line in exported.read_text("utf-8").splitlines()]
        console.print(_kinds_table(rows))
        console.print(_examples_table(rows))


def _kinds_table(rows: list[dict]) -> Table:
    """What the exported directory holds: listings by source and kind."""
    counts = Counter((row["source"], row["kind"]) for row in rows)
    table = Table("source", "organizations", "chapters", "groups", title="directory", title_justify="left")
    for source in sorted({source for source, _ in counts}):
        table.add_row(source, *(str(counts[(source, kind)]) for kind in ("organization", "chapter", "group")))
    return table


def _examples_table(rows: list[dict], count: int = 6) -> Table:
    """A few listings of the directory, at least one per source."""
    table = Table("name", "kind", "where", "source", title="examples", title_justify="left")
    first = [next(r for r in rows if r["source"] == s) for s in sorted({r["source"] for r in rows})]
    for row in (first + [r for r in rows if r not in first])[:count]:
        place = ", ".join(filter(None, [row["city"], row["state"]])) or row["attendance"]
        table.add_row(row["name"], row["kind"], place, row["source"])
    return table


def _sources_table(run: RunSummary) -> Table:
    """Per-source status, pages, listings, skipped and the reason for a failure."""
    table = Table("source", "status", "pages", "listings", "skipped", "reason")
    for outcome in run.sources:
        style = STATUS_STYLE.get(outcome.status, "")
        table.add_row(outcome.source, f"[{style}]{outcome.status}[/]", str(outcome.pages),
                      str(outcome.listings), str(outcome.skipped), outcome.reason or "")
    return table


def print_runs(console: Console, runs: list[RunSummary]) -> None:
    """Recent runs, newest first, each with its sources."""
    if not runs:
        console.print("no runs yet")
        return
    for run in runs:
        style = STATUS_STYLE.get(run.status, "")
        exported = sum(run.exports.values()) // max(len(run.exports), 1) if run.exports else 0
        console.print(f"[bold]{run.run_id}[/] {run.mode} [{style}]{run.status}[/] "
                      f"started {run.started_at:%Y-%m-%d %H:%M:%S}Z, exported {exported} rows"
                      + (f" ({run.reason})" if run.reason else ""), highlight=False)
        if run.sources:
            console.print(_sources_table(run))


def source_row(source: Source) -> dict[str, Any]:
    """One source's identity and politeness, for `supportdir sources`."""
    urls = source.start_urls()
    return {"name": source.name, "organization": source.organization, "base_url": source.base,
            "start_urls": urls, "min_interval_s": source.interval,
            "base_url_setting": f"SUPPORTDIR_{source.name.upper()}_BASE_URL"}


def print_sources(console: Console, rows: list[dict[str, Any]]) -> None:
    """The sources as a table (the first start URL and how many there are)."""
    table = Table("source", "organization", "start URLs", "interval (s)")
    for column in table.columns:
        column.overflow = "fold"
    for row in rows:
        urls = row["start_urls"]
        more = f"\n(+{len(urls) - 1} more)" if len(urls) > 1 else ""
        table.add_row(row["name"], row["organization"], urls[0] + more, f"{row['min_interval_s']:g}")
    console.print(table)

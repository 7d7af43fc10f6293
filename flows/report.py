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
from schemas.values import KINDS
from scrapers.base import Source
from scrapers.registry import SOURCE_CLASSES
from scrapers.urls import host_of

STATUS_STYLE = {"ok": "green", "degraded": "yellow", "failed": "red", "running": "cyan",
                "quarantined": "magenta"}
CHANGE_STYLE = {"new": "green", "changed": "cyan", "returned": "green", "missing": "yellow",
                "inactive": "red"}


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
    _print_reasons(console, run)
    _print_units(console, run)
    _print_unit_tables(console, run, every=False)
    if run.exports:
        print_exports(console, run.out or ".", run.exports, run.left_out)
    for check, rows in run.failed_checks.items():
        console.print(f"[yellow]data check {check} found {rows} rows[/]")
    if run.problems:
        said = ", ".join(f"{function} {count}" for function, count in run.problems.items())
        console.print(f"[yellow]values that could not be read, left empty (the listings kept): {said}[/]",
                      highlight=False)
    if run.changes:
        said = ", ".join(f"{count} {change}" for change, count in run.changes.items() if count) or "none"
        console.print(f"changes: {said} (supportdir runs --changes {run.run_id})", highlight=False)
    if run.entities is not None:
        console.print(f"entities: {run.entities} (duplicates across pages and sources merged)")
    exported = Path(run.out or ".") / "listings.jsonl"
    if run.out and exported.exists():
        rows = [json.loads(line) for line in exported.read_text("utf-8").splitlines()]
        console.print(_kinds_table(rows))
        console.print(_examples_table(rows))


def print_exports(console: Console, out: str, files: dict[str, int],
                  left_out: dict[str, dict[str, int]]) -> None:
    """The exported files and their rows (the per-group calendars on one line), and what was left out."""
    table = Table("file", "rows", title=f"exports in {out}", title_justify="left")
    calendars = {name: rows for name, rows in files.items() if name.startswith("ics/")}
    for name, rows in files.items():
        if name not in calendars:
            table.add_row(name, str(rows))
    if calendars:
        table.add_row(f"ics/*.ics ({len(calendars)} files)", str(sum(calendars.values())))
    console.print(table)
    for name, reasons in left_out.items():
        if reasons:
            said = ", ".join(f"{count} {reason.replace('_', ' ')}" for reason, count in reasons.items())
            console.print(f"{name} left out groups it cannot express: {said}", highlight=False)


def _kinds_table(rows: list[dict]) -> Table:
    """What the exported directory holds: listings by source and kind."""
    counts = Counter((row["source"], row["kind"]) for row in rows)
    table = Table("source", "organizations", "chapters", "groups", "programs", "lines", title="directory",
                  title_justify="left")
    for source in sorted({source for source, _ in counts}):
        table.add_row(source, *(str(counts[(source, kind)]) for kind in KINDS))
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
    """Per-source status, pages, listings, skipped, lost and restricted (the reasons follow the table)."""
    table = Table("source", "status", "pages", "listings", "skipped", "lost", "restricted")
    for column in table.columns[:2]:
        column.no_wrap = True  # "quarantined" must stay readable in a narrow terminal
    for outcome in run.sources:
        style = STATUS_STYLE.get(outcome.status, "")
        table.add_row(outcome.source, f"[{style}]{outcome.status}[/]", str(outcome.pages),
                      str(outcome.listings), str(outcome.skipped), str(len(outcome.lost)),
                      str(len(outcome.restricted)))
    return table


def _print_reasons(console: Console, run: RunSummary) -> None:
    """Each failed or quarantined source's reason, whole, wrapped at the terminal's width."""
    for outcome in run.sources:
        if outcome.reason:
            style = STATUS_STYLE.get(outcome.status, "")
            console.print(f"[{style}]{outcome.source} {outcome.status}:[/] {outcome.reason}",
                          highlight=False, overflow="fold")


def _print_units(console: Console, run: RunSummary) -> None:
    """One line per start URL a site withholds on purpose (reported, not counted as a failure);
    then one per page or feed lost this run, and what the parsers noted."""
    for outcome in run.sources:
        for entry in outcome.restricted:
            console.print(f"[yellow]{outcome.source}: restricted by the site, skipped (not a failure): "
                          f"{entry}[/]", highlight=False, soft_wrap=True)
        for entry in outcome.lost:
            console.print(f"[yellow]{outcome.source}: lost (its last good listings kept): {entry}[/]",
                          highlight=False, soft_wrap=True)
        for entry in outcome.notes:
            console.print(f"{outcome.source}: {entry}", highlight=False, soft_wrap=True)


UNIT_STYLE = {"ok": "green", "recovered": "cyan", "lost": "yellow", "restricted": "magenta",
              "not reached": "red"}


def _print_unit_tables(console: Console, run: RunSummary, every: bool = True) -> None:
    """Per source of many hosts, a table of its units (feeds, root servers): listings, status, why.

    A build shows only the units with something to say (not ok, or a reason); `runs` shows every one.
    """
    for outcome in run.sources:
        shown = [unit for unit in outcome.units if every or unit.status != "ok" or unit.reason]
        cls = SOURCE_CLASSES.get(outcome.source)
        noun = (cls.unit_noun if cls else None) or "unit"
        quiet = len(outcome.units) - len(shown)
        if quiet and not every:
            console.print(f"{outcome.source}: {quiet} of {len(outcome.units)} {noun}s ok "
                          f"(`supportdir runs` lists each)", highlight=False)
        if not shown:
            continue
        title = f"{outcome.source}: " + (f"{len(outcome.units)} {noun}s" if every else f"{noun}s to look at")
        table = Table(noun, "listings", "status", "reason", "url", title=title, title_justify="left")
        for column in table.columns:
            column.overflow = "fold"  # a name or URL cut short would say nothing
        for unit in shown:
            count = f"{unit.listings}" + (f" (kept {unit.kept})" if unit.status == "lost" else "")
            style = UNIT_STYLE.get(unit.status, "")
            table.add_row(unit.name, count, f"[{style}]{unit.status}[/]", unit.reason or "", unit.url)
        console.print(table)


def print_runs(console: Console, runs: list[RunSummary]) -> None:
    """Recent runs, newest first, each with its sources."""
    if not runs:
        console.print("no runs yet")
        return
    for run in runs:
        style = STATUS_STYLE.get(run.status, "")
        exported = run.exports.get("listings.csv", 0)
        console.print(f"[bold]{run.run_id}[/] {run.mode} [{style}]{run.status}[/] "
                      f"started {run.started_at:%Y-%m-%d %H:%M:%S}Z, exported {exported} listings"
                      + (f" ({run.reason})" if run.reason else ""), highlight=False)
        if run.sources:
            console.print(_sources_table(run))
            _print_reasons(console, run)
            _print_units(console, run)
            _print_unit_tables(console, run)


def source_row(source: Source) -> dict[str, Any]:
    """One source's identity and politeness, for `supportdir sources`."""
    urls = source.start_urls()
    return {"name": source.name, "organization": source.organization, "base_url": source.base,
            "start_urls": urls, "start_labels": source.start_labels(),
            "hosts": sorted({host_of(url) for url in urls}),
            "min_interval_s": source.interval,
            "base_url_setting": f"SUPPORTDIR_{source.name.upper()}_BASE_URL",
            "unit_noun": source.unit_noun,
            "units": [{"unit": unit.key, "name": unit.name, "url": unit.url} for unit in source.units([])]}


def print_sources(console: Console, rows: list[dict[str, Any]], shown: int = 3) -> None:
    """Each source: organization, start URLs (the first few, whole, one a line) and politeness."""
    for row in rows:
        urls, hosts = row["start_urls"], len(row["hosts"])
        console.print(f"[bold]{row['name']}[/] ({row['organization']}): {len(urls)} start URL"
                      f"{'s' if len(urls) != 1 else ''}, {hosts} host{'s' if hosts != 1 else ''}, "
                      f"{row['min_interval_s']:g} s apart per host", highlight=False)
        labels = row.get("start_labels") or {}
        if row.get("unit_noun"):
            _print_source_units(console, row, labels)
            continue
        for url in urls[:shown]:
            label = f"  ({labels[url]})" if url in labels else ""
            console.print(f"  {url}{label}", highlight=False, soft_wrap=True)
        if len(urls) > shown:
            console.print(f"  … {len(urls) - shown} more (supportdir sources --json lists all)")
    console.print("SUPPORTDIR_<SOURCE>_MIN_INTERVAL sets the interval; robots.txt Crawl-delay can raise it.")


def _print_source_units(console: Console, row: dict[str, Any], labels: dict[str, str]) -> None:
    """Every unit a source of many hosts is configured with (feeds, pinned root servers), one a line,
    and the start URLs that list more of them (the BMLT aggregator's list)."""
    noun, units = row["unit_noun"], row["units"]
    if units:
        console.print(f"  {len(units)} {noun}{'s' if len(units) != 1 else ''}:", highlight=False)
    for unit in units:
        console.print(f"    {labels.get(unit['url']) or unit['name']}: {unit['url']}", highlight=False,
                      soft_wrap=True)
    for url in sorted(set(row["start_urls"]) - {unit["url"] for unit in units}):
        console.print(f"  {'and ' if units else ''}every {noun} listed at {url} (read at each run)",
                      highlight=False, soft_wrap=True)


def print_changes(console: Console, run_id: str, changes: list[Any]) -> None:
    """One run's change report: a line per listing new, changed, returned, missing or inactive."""
    if not changes:
        console.print(f"run {run_id}: no changes", highlight=False)
        return
    table = Table("change", "source", "name", "fields", title=f"changes in run {run_id}",
                  title_justify="left")
    table.add_column("listing_id", no_wrap=True, min_width=36)
    for change in changes:
        style = CHANGE_STYLE.get(change.change, "")
        table.add_row(f"[{style}]{change.change}[/]", change.source, change.name,
                      ", ".join(change.fields), change.listing_id)
    console.print(table)


def _changes_cell(version: Any) -> str:
    """Each changed field of a version as "field: old → new", one a line (markup in values kept as text)."""
    from rich.markup import escape

    from warehouse.identity.history import change_text
    if not version.changes:
        return "first seen" if version.version == 1 else ""
    return "\n".join(escape(change_text(change)) for change in version.changes)


def print_history(console: Console, state: dict[str, Any], versions: list[Any],
                  events: list[tuple[str, str, list[str]]]) -> None:
    """A listing's identity and status, its versions, and the changes reported for it."""
    console.print(f"[bold]{state['name']}[/] ({state['source']}:{state['source_key']}) {state['status']}, "
                  f"first seen {state['first_seen']:%Y-%m-%d %H:%M}Z, "
                  f"last seen {state['last_seen']:%Y-%m-%d %H:%M}Z, "
                  f"entity {state['entity_id']}", highlight=False)
    table = Table("version", "run", "recorded", "changes (old → new)", title="versions", title_justify="left")
    table.columns[-1].overflow = "fold"  # links and numbers stay whole
    for version in versions:
        table.add_row(str(version.version), version.run_id, f"{version.recorded_at:%Y-%m-%d %H:%M}Z",
                      _changes_cell(version))
    console.print(table)
    if events:
        table = Table("run", "change", "fields", title="reported", title_justify="left")
        for run_id, change, fields in events:
            table.add_row(run_id, f"[{CHANGE_STYLE.get(change, '')}]{change}[/]", ", ".join(fields))
        console.print(table)

"""The `supportdir` command line: a thin layer over the flows and the warehouse."""

import json
import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from flows import report
from flows.settings import Settings, prepare_prefect
from scrapers.errors import SupportDirError

EXIT_OK, EXIT_DEGRADED, EXIT_USAGE, EXIT_BUSY = 0, 1, 2, 3

app = typer.Typer(
    help="Build the peer-support directory from the alliances' public listings, and query it.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False,
)
out_console = Console()
err_console = Console(stderr=True)

WarehouseOption = Annotated[
    Path | None,
    typer.Option("--warehouse", envvar="SUPPORTDIR_WAREHOUSE",
                 help="DuckDB file to use (default: data/warehouse.duckdb)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON instead of tables.")]
SourceOption = Annotated[
    list[str] | None, typer.Option("--source", "-s", help="Only this source (repeatable; default: all).")
]
OfflineOption = Annotated[
    bool, typer.Option("--offline", help="Replay the bundled sample snapshot (no network).")
]
ReplayOption = Annotated[
    list[Path] | None, typer.Option("--replay", help="Replay WARC file(s) or folder(s) instead of fetching.")
]
OutOption = Annotated[
    Path, typer.Option("--out", help="Folder the exports are published to (swapped in whole).")
]
QuietOption = Annotated[bool, typer.Option("--quiet", "-q", help="Print nothing but errors.")]
VerboseOption = Annotated[bool, typer.Option("--verbose", help="Show Prefect's own log lines.")]
CronOption = Annotated[
    str, typer.Option("--cron", help="When to build, as a cron expression (UTC unless --timezone).")
]
RunnerOption = Annotated[
    str, typer.Option("--task-runner", help="Where sources are collected: 'thread' (this process) or "
                      "'dask' (a Dask cluster; needs the dask extra).")
]
DaskAddressOption = Annotated[
    str | None, typer.Option("--dask-address", help="Scheduler of a running Dask cluster (tcp://host:8786); "
                             "default: a local cluster of two worker processes.")
]
TimezoneOption = Annotated[str, typer.Option("--timezone", help="IANA time zone of the cron expression.")]


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """Print one clear line on stderr and return the exit to raise."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    return typer.Exit(code)


@app.command(epilog="Examples: supportdir build --offline --out exports/ | "
                    "supportdir build --source nami --source dbsa | "
                    "supportdir build --task-runner dask --dask-address tcp://10.0.0.5:8786")
def build(
    offline: OfflineOption = False,
    replay: ReplayOption = None,
    source: SourceOption = None,
    out: OutOption = Path("exports"),
    warehouse: WarehouseOption = None,
    quiet: QuietOption = False,
    json_out: JsonOption = False,
    verbose: VerboseOption = False,
    runner: RunnerOption = "thread",
    dask_address: DaskAddressOption = None,
) -> None:
    """Collect the sources (live, or replayed from WARC), load them into the warehouse, export."""
    settings = Settings()
    _quiet_prefect(settings, verbose)
    if runner not in ("thread", "dask"):
        raise fail(f"unknown task runner {runner!r}; use 'thread' or 'dask'")
    from flows.build import build_directory, task_runner
    from warehouse.db import WarehouseBusy, build_lock

    try:
        # Taken here too, so a busy warehouse is refused before Prefect starts.
        with build_lock(warehouse or settings.warehouse_path), \
                report.progress_bar(enabled=not (quiet or json_out)):
            flow = build_directory.with_options(task_runner=task_runner(runner, dask_address))
            summary = flow(
                sources=source or None, offline=offline, replay=[str(p) for p in replay or []] or None,
                out=str(out), warehouse=str(warehouse) if warehouse else None,
            )
    except WarehouseBusy as exc:
        raise fail(str(exc), EXIT_BUSY) from None
    except (SupportDirError, FileNotFoundError) as exc:
        raise fail(str(exc)) from None
    if json_out:
        print(json.dumps(summary, indent=2))
    elif not quiet:
        report.print_build(out_console, summary)
    raise typer.Exit(EXIT_OK if summary["status"] == "ok" else EXIT_DEGRADED)


@app.command(epilog="Example: supportdir sources --json")
def sources(json_out: JsonOption = False) -> None:
    """List the sources: organization, start URLs and politeness settings."""
    from scrapers.registry import all_sources

    rows = [report.source_row(s) for s in all_sources()]
    if json_out:
        print(json.dumps(rows, indent=2))
    else:
        report.print_sources(out_console, rows)


@app.command(epilog="Example: supportdir runs --limit 5")
def runs(
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many runs to show.")] = 10,
    warehouse: WarehouseOption = None,
    json_out: JsonOption = False,
) -> None:
    """Show recent runs: per source status, pages, listings and errors."""
    from warehouse import db, migrate
    from warehouse.runs import recent_runs

    path = warehouse or Settings().warehouse_path
    if not Path(path).exists():
        raise fail(f"no warehouse at {path}; run `supportdir build --offline` first")
    try:
        con = db.connect(path)
    except SupportDirError as exc:
        raise fail(str(exc), EXIT_BUSY) from None
    try:
        migrate.migrate(con)
        found = recent_runs(con, limit)
    finally:
        con.close()
    if json_out:
        print(json.dumps([r.model_dump(mode="json") for r in found], indent=2))
    else:
        report.print_runs(out_console, found)


@app.command(epilog="Example: supportdir serve --cron '0 6 * * 1' --source nami")
def serve(
    cron: CronOption,
    source: SourceOption = None,
    out: OutOption = Path("exports"),
    timezone: TimezoneOption = "UTC",
) -> None:
    """Serve a Prefect deployment that builds the directory on a schedule (until Ctrl-C)."""
    settings = Settings()
    _quiet_prefect(settings, verbose=True)
    from flows import deploy

    try:
        deploy.cron_schedule(cron, timezone)
        deploy.serve(cron, source or None, str(out.absolute()), timezone)
    except SupportDirError as exc:
        raise fail(str(exc)) from None


def _quiet_prefect(settings: Settings, verbose: bool) -> None:
    """Prefect's state under the data folder; its log lines only when asked for."""
    prepare_prefect(settings.home)
    if not verbose:
        # A failed source is reported in the run table with its reason; Prefect's own
        # traceback of the failed task would only repeat it.
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "CRITICAL")


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except KeyboardInterrupt:
        err_console.print("interrupted")
        sys.exit(130)

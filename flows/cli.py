"""The `supportdir` command line: a thin layer over the flows and the warehouse."""

import json
import os
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import click
import duckdb
import typer
from rich.console import Console
from typer.core import TyperGroup

from flows import report, search_cli
from flows.interrupts import stop_on_signals
from flows.prefect_api import TemporaryServer, start_prefect_api, wait_for_api
from flows.settings import Settings, prepare_prefect
from schemas.errors import (
    BuildInterrupted,
    PageInvalid,
    PublishFailed,
    ServiceUnavailable,
    SupportDirError,
    WarehouseDamaged,
)
from warehouse.publish.atomic import check_target
from warehouse.publish.hsds_package import ExportInvalid

# The exit statuses (the README's table lists them; tests/test_docs.py keeps the two equal).
EXIT_OK, EXIT_DEGRADED, EXIT_USAGE, EXIT_BUSY, EXIT_DAMAGED = 0, 1, 2, 3, 4
EXIT_BUG, EXIT_SIGINT, EXIT_SIGTERM = 70, 130, 143


def exit_status(error: BaseException) -> int:
    """The exit status of an error a user can cause (usage unless it is one of the others)."""
    from warehouse.db import WarehouseBusy

    if isinstance(error, WarehouseBusy | ServiceUnavailable):
        return EXIT_BUSY
    if isinstance(error, WarehouseDamaged):
        return EXIT_DAMAGED
    if isinstance(error, ExportInvalid | PublishFailed | PageInvalid):
        return EXIT_DEGRADED
    if isinstance(error, KeyboardInterrupt):
        return EXIT_SIGTERM if getattr(error, "signum", 2) == 15 else EXIT_SIGINT
    return EXIT_USAGE


class GuardedGroup(TyperGroup):
    """Every command: an error a user can cause is one line and its status, never a traceback."""

    def invoke(self, ctx: click.Context):
        """Run the command; turn SupportDirError, OSError and interrupts into one line and a status."""
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort, typer.Exit, typer.Abort):
            raise
        except (SupportDirError, OSError) as exc:
            raise fail(str(exc), exit_status(exc)) from None
        except KeyboardInterrupt as exc:
            said = f" by {exc.args[0]}" if isinstance(exc, BuildInterrupted) else ""
            raise fail(f"interrupted{said}", exit_status(exc)) from None
        except Exception as exc:  # a bug: its traceback, for the report, then one line
            traceback.print_exc()
            raise fail(f"unexpected {type(exc).__name__} (a bug; the traceback is above): {exc}",
                       EXIT_BUG) from None


app = typer.Typer(
    help="Build the peer-support directory from the alliances' public listings, and query it.",
    no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False, cls=GuardedGroup,
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
AcceptDropOption = Annotated[
    list[str] | None,
    typer.Option("--accept-drop", help="Accept this source's collapsed yield as real instead of "
                                       "quarantining it (repeatable)."),
]
DecisionsOption = Annotated[
    Path | None,
    typer.Option("--decisions", envvar="SUPPORTDIR_REVIEW_DECISIONS",
                 help="CSV of review decisions (left_listing_id, right_listing_id, decision, note) that "
                      "override the matcher (default: data/review_decisions.csv)."),
]
RedactOption = Annotated[
    bool, typer.Option("--redact-people", help="Leave person names and personal emails/phones out of "
                                               "every export (organization contact points stay).")
]


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """Print one clear line on stderr and return the exit to raise."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


@app.command(epilog="Examples: supportdir build --offline --out exports/ | "
                    "supportdir build --source nami --source dbsa | supportdir build --accept-drop dbsa | "
                    "supportdir build --task-runner dask --dask-address tcp://10.0.0.5:8786")
def build(
    offline: OfflineOption = False,
    replay: ReplayOption = None,
    source: SourceOption = None,
    out: OutOption = Path("exports"),
    warehouse: WarehouseOption = None,
    accept_drop: AcceptDropOption = None,
    decisions: DecisionsOption = None,
    quiet: QuietOption = False,
    json_out: JsonOption = False,
    verbose: VerboseOption = False,
    redact_people: RedactOption = False,
    runner: RunnerOption = "thread",
    dask_address: DaskAddressOption = None,
) -> None:
    """Collect the sources (live, or replayed from WARC), load them into the warehouse, export."""
    settings = Settings()
    _quiet_prefect(settings, verbose)
    server = start_prefect_api()  # comes up while the build prepares; waited for just before the flow
    try:
        summary = _checked_build(settings, server, offline, replay, source, out, warehouse, accept_drop,
                                 decisions, quiet or json_out, redact_people, runner, dask_address)
    except BaseException:
        if server is not None:  # refused or failed: the server is not needed any more
            server.stop()
        raise
    if json_out:
        print(json.dumps(summary, indent=2))
    elif not quiet:
        report.print_build(out_console, summary)
    raise typer.Exit(EXIT_OK if summary["status"] == "ok" else EXIT_DEGRADED)


def _checked_build(settings: Settings, server: TemporaryServer | None, offline: bool,
                   replay: list[Path] | None, source: list[str] | None, out: Path, warehouse: Path | None,
                   accept_drop: list[str] | None, decisions: Path | None, quiet: bool, redact_people: bool,
                   runner: str, dask_address: str | None) -> dict:
    """Check the options and the warehouse, then run the flow once Prefect's API answers; its summary."""
    source = check_build_options(settings, runner, dask_address, source, accept_drop, decisions, replay,
                                 offline)
    check_target(out)
    from warehouse.db import build_lock, check_file

    path = warehouse or settings.warehouse_path
    # Taken here too, so a busy warehouse is refused before the flow runs.
    with build_lock(path), stop_on_signals(lambda why: _record_interrupted(path, why)):
        check_file(Path(path))  # a damaged warehouse is refused before anything writes to it
        from flows.build import build_directory, task_runner

        flow = build_directory.with_options(task_runner=task_runner(runner, dask_address))
        wait_for_api(server)
        with report.progress_bar(enabled=not quiet):
            try:
                return flow(
                    sources=source or None, offline=offline, replay=[str(p) for p in replay or []] or None,
                    out=str(out), warehouse=str(warehouse) if warehouse else None,
                    accept_drop=accept_drop or None, decisions=str(decisions) if decisions else None,
                    redact_people=redact_people,
                )
            except (ExportInvalid, PublishFailed) as exc:
                raise fail(f"nothing published: {exc}", EXIT_DEGRADED) from None


def _record_interrupted(path: Path, why: str) -> None:
    """Mark the run this build left running as failed, interrupted (the build lock is still held)."""
    from warehouse import db, stage
    con = db.connect(path)
    try:
        stage.fail_interrupted(con, str(path), why)
    finally:
        con.close()


def check_build_options(settings: Settings, runner: str, dask_address: str | None, source: list[str] | None,
                        accept_drop: list[str] | None, decisions: Path | None, replay: list[Path] | None,
                        offline: bool) -> list[str] | None:
    """Every check that needs no build, before Prefect starts; return the sources to build.

    `--replay` without `--source` builds the sources the archive holds and says which it does not.
    """
    from flows import preflight

    if runner not in ("thread", "dask"):
        raise fail(f"unknown task runner {runner!r}; use 'thread' or 'dask'")
    preflight.check_build(source, accept_drop, decisions, settings.decisions_path)
    if runner == "dask":
        preflight.check_dask(dask_address)
    if replay and not source and not offline:
        from scrapers.registry import SOURCE_CLASSES

        source, missing = preflight.archived_sources(replay, list(SOURCE_CLASSES))
        if missing:
            err_console.print(f"not in the archive, not built: {', '.join(missing)}", highlight=False,
                              soft_wrap=True)
    return source


@app.command(epilog="Example: supportdir sources --json")
def sources(json_out: JsonOption = False) -> None:
    """List the sources: organization, start URLs and politeness settings."""
    from scrapers.registry import all_sources

    try:
        rows = [report.source_row(s) for s in all_sources()]
    except SupportDirError as exc:  # e.g. a feeds file that is not valid
        raise fail(str(exc)) from None
    if json_out:
        print(json.dumps(rows, indent=2))
    else:
        report.print_sources(out_console, rows)


@app.command(epilog="Examples: supportdir runs --limit 5 | supportdir runs --changes | "
                    "supportdir runs --changes 20261127T143751Z-d8e4c2")
def runs(
    run: Annotated[str | None, typer.Argument(
        help="Only this run; with --changes, its change report (default: the latest run).")] = None,
    changes: Annotated[bool, typer.Option("--changes", help="Show a run's change report: listings new, "
                                                            "changed, missing, inactive, returned.")] = False,
    limit: Annotated[int, typer.Option("--limit", min=1, help="How many runs to show.")] = 10,
    warehouse: WarehouseOption = None,
    json_out: JsonOption = False,
) -> None:
    """Show recent runs (per source status, pages, listings, errors), or one run's change report."""
    from warehouse.identity import history
    from warehouse.runs import recent_runs

    with _warehouse(warehouse) as con:
        try:
            if changes:
                run_id = history.check_run(con, run) if run else history.latest_run_id(con)
                found = history.changes(con, run_id)
            elif run:
                history.check_run(con, run)
                found = [r for r in recent_runs(con, 1_000_000) if r.run_id == run]
            else:
                found = recent_runs(con, limit)
        except SupportDirError as exc:
            raise fail(str(exc)) from None
    if json_out:
        print(json.dumps([r.model_dump(mode="json") for r in found], indent=2))
    elif changes:
        report.print_changes(out_console, run_id, found)
    else:
        report.print_runs(out_console, found)


@app.command(epilog="Example: supportdir history 3f1c0d9e-7c1a-5d2b-9a57-0c2e4b6a8d11")
def history(
    listing_id: Annotated[str, typer.Argument(help="The listing's id (listing_id in listings.csv).")],
    warehouse: WarehouseOption = None,
    json_out: JsonOption = False,
) -> None:
    """Show a listing's versions (what changed, in which run) and its status changes."""
    from warehouse.identity import history as listing_history
    with _warehouse(warehouse) as con:
        try:
            state = listing_history.listing_state(con, listing_id)
            versions = listing_history.versions(con, listing_id)
            events = listing_history.listing_events(con, listing_id)
        except SupportDirError as exc:
            raise fail(str(exc)) from None
    if json_out:
        print(json.dumps({"listing": state, "versions": [v.model_dump(mode="json") for v in versions],
                          "events": [{"run_id": r, "change": c, "fields": f} for r, c, f in events]},
                         indent=2, default=str))
    else:
        report.print_history(out_console, state, versions, events)


@contextmanager
def _warehouse(path: Path | None) -> Iterator:
    """The warehouse, migrated, for a read command; one clear line if there is none or it is busy."""
    from warehouse import db, migrate
    path = path or Settings().warehouse_path
    if not Path(path).exists():
        raise fail(f"no warehouse at {path}; run `supportdir build --offline` first")
    con = db.connect(path)
    try:
        migrate.migrate(con)
        yield con
    except (duckdb.IOException, duckdb.SerializationException) as exc:  # a damaged block inside
        raise WarehouseDamaged(f"warehouse {path} cannot be read: {exc}") from None
    finally:
        con.close()


@app.command("export", epilog="Example: supportdir export --out exports/ --redact-people")
def export_command(
    out: OutOption = Path("exports"),
    warehouse: WarehouseOption = None,
    redact_people: RedactOption = False,
    json_out: JsonOption = False,
) -> None:
    """Write every export again from the warehouse (no fetching), validated, swapped in whole."""
    from flows.plan import sources_meta
    from scrapers.registry import source_traits
    from warehouse import db, migrate
    from warehouse.identity import traits
    from warehouse.publish import export
    from warehouse.runs import recent_runs

    path = warehouse or Settings().warehouse_path
    if not Path(path).exists():
        raise fail(f"no warehouse at {path}; run `supportdir build --offline` first")
    try:
        check_target(out)
        with db.build_lock(path):
            con = db.connect(path)
            try:
                migrate.migrate(con)
                traits.record_traits(con, source_traits())  # the entities view ranks by them
                latest = next(iter(recent_runs(con, 1)), None)
                name = f"export-{latest.run_id if latest else 'none'}"
                sources = sources_meta(export.listed_sources(con))
                result = export.export_directory(con, out, name, sources, redact_people)
            finally:
                con.close()
    except (ExportInvalid, PublishFailed) as exc:
        raise fail(f"nothing published: {exc}", EXIT_DEGRADED) from None
    if json_out:
        print(json.dumps(result.model_dump(), indent=2))
    else:
        report.print_exports(out_console, str(out), result.files, result.left_out)


@app.command(epilog="Example: supportdir serve --cron '0 6 * * 1' --source nami")
def serve(
    cron: CronOption,
    source: SourceOption = None,
    out: OutOption = Path("exports"),
    timezone: TimezoneOption = "UTC",
    decisions: DecisionsOption = None,
) -> None:
    """Serve a Prefect deployment that builds the directory on a schedule (until Ctrl-C)."""
    from flows import preflight

    settings = Settings()
    preflight.check_build(source, None, decisions, settings.decisions_path)
    _quiet_prefect(settings, verbose=True)
    from flows import deploy

    deploy.cron_schedule(cron, timezone)
    deploy.serve(cron, source or None, str(out.absolute()), timezone,
                 str(decisions.absolute()) if decisions else None)


app.command("search", epilog=search_cli.SEARCH_EXAMPLES)(search_cli.search_command)
app.command("site", epilog="Example: supportdir site --out site/ --data exports/")(search_cli.site_command)


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

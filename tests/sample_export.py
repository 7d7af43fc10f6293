"""The offline sample, replayed, staged, normalized and exported without Prefect (for search and site
tests; tests/test_flows.py builds the same snapshot through the real flow and command line)."""

import json
from datetime import UTC, datetime
from pathlib import Path

from schemas.run import RunSummary, SourceOutcome
from scrapers.crawl import crawl
from scrapers.registry import get_source
from scrapers.replay import ReplayFetcher, index_warcs
from scrapers.sample import sample_sources, sample_warc
from warehouse import db, migrate, normalize, stage
from warehouse.publish import export


def build_sample_export(root: Path, redact_people: bool = False) -> Path:
    """Replay the bundled sample into a warehouse under `root`; export it to root/exports."""
    index = index_warcs([sample_warc(root / "sample")])
    con = db.connect(root / "warehouse.duckdb")
    migrate.migrate(con)
    now = datetime.now(UTC)
    stage.start_run(con, RunSummary(run_id="sample", mode="replay", started_at=now, warehouse=str(root)))
    for name in sample_sources():
        fetcher = ReplayFetcher.from_index(index)
        crawled = crawl(get_source(name), fetcher)
        listings = get_source(name).parse_all(crawled.pages)
        outcome = SourceOutcome(source=name, status="ok", pages=len(crawled.pages), listings=len(listings))
        stage.record_source(con, "sample", outcome, crawled.log, listings)
    normalize.normalize_run(con, "sample", now)
    export.export_directory(con, root / "exports", "sample", [], redact_people)
    con.close()
    return root / "exports"


def cli(*args: str) -> tuple[int, str, str]:
    """Run `supportdir ARGS` in-process; return exit code, stdout and stderr."""
    from typer.testing import CliRunner

    from flows.cli import app

    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def search_json(sample: Path, *args: str) -> dict:
    """`supportdir search` over an export folder, every result, as parsed JSON (exit 0 asserted)."""
    code, stdout, stderr = cli("search", "--data", str(sample), "--format", "json", "--limit", "0", *args)
    assert code == 0, stderr
    return json.loads(stdout)

"""Parsing in worker processes: the same listings as parsing in the crawl's thread, and no page lost."""

import json

import pytest
from typer.testing import CliRunner

from flows.cli import app
from schemas.errors import SourceChanged
from scrapers import parse_workers
from scrapers.base import Source
from scrapers.crawl import crawl
from scrapers.page import Page
from scrapers.parse_workers import ParseWorkers
from scrapers.replay import ReplayFetcher
from scrapers.sample import sample_warc
from scrapers.sources.dbsa import Dbsa
from scrapers.sources.nami import Nami
from tests import worker_faults
from tests.test_dask import rows


@pytest.fixture(scope="module")
def warc(tmp_path_factory):
    return sample_warc(tmp_path_factory.mktemp("warc"))


@pytest.fixture(scope="module")
def nami_pages(warc) -> list[Page]:
    return crawl(Nami(), ReplayFetcher([warc])).pages


def parse_with(workers: ParseWorkers, pages: list[Page]) -> list:
    """Every page's listings through `workers`, in page order (no page left waiting)."""
    futures = [(workers.submit(page), page) for page in pages]
    parsed = [workers.listings(future, page) for future, page in futures]
    assert all(future.done() for future, _page in futures)
    return parsed


def test_workers_parse_the_same_listings_as_the_calling_thread(nami_pages):
    source = Nami()
    expected = [source.parse_page(page) for page in nami_pages]
    with ParseWorkers(source, workers=2, in_thread_bytes=0) as workers:
        assert parse_with(workers, nami_pages) == expected
        assert len(workers.pool._processes) == 2 and workers.worker_busy_s > 0
    assert sum(len(listings) for listings in expected) >= 13


def test_a_small_crawl_parses_in_its_own_thread_without_starting_a_worker(nami_pages):
    with ParseWorkers(Nami(), workers=2) as workers:
        parsed = parse_with(workers, nami_pages)
        assert workers.pool is None and workers.seen_bytes < parse_workers.IN_THREAD_BYTES
    assert parsed == [Nami().parse_page(page) for page in nami_pages]


def test_a_crawl_with_workers_keeps_every_page_and_the_first_parse_error(warc):
    fetcher = ReplayFetcher([warc])
    alone = crawl(Nami(), fetcher, parse=True)
    pooled = crawl(Nami(), ReplayFetcher([warc]), parse=True, parse_workers=2, in_thread_bytes=0)
    assert pooled.parse_error is None and pooled.parsed == alone.parsed
    assert len(pooled.parsed) == len(pooled.pages) == len(alone.pages)

    class Renamed(Dbsa):
        """DBSA whose Kentucky page no longer has the group list: the worker fails on it."""

        def parse(self, page: Page):
            if "state=KY" in page.url:
                raise self.changed(page, "no groupInfo blocks")
            return super().parse(page)

    broken = crawl(Renamed(), ReplayFetcher([warc]), parse=True, parse_workers=2, in_thread_bytes=0)
    # The worker knows only registered sources: it answers a failure, and this process parses
    # the page again, raising the parser's own typed error.
    assert isinstance(broken.parse_error, SourceChanged) and "state=KY" in str(broken.parse_error)
    assert broken.parsed and all("state=KY" not in broken.pages[index].url for index in broken.parsed)
    # A subclass named like a registered source is parsed as itself, never as the registered class.
    assert broken.parsed == {index: listings for index, listings in alone_dbsa(warc).parsed.items()
                             if index in broken.parsed}


@pytest.mark.parametrize("worker", [worker_faults.dies, worker_faults.answers_nonsense])
def test_a_worker_that_dies_or_answers_nonsense_loses_no_page(nami_pages, monkeypatch, worker):
    monkeypatch.setattr(parse_workers, "parse_in_worker", worker)
    source = Nami()
    with ParseWorkers(source, workers=2, in_thread_bytes=0) as workers:
        assert parse_with(workers, nami_pages) == [source.parse_page(page) for page in nami_pages]
        assert workers.worker_busy_s == 0 and bool(workers.pool._broken) == (worker is worker_faults.dies)


def alone_dbsa(warc):
    """DBSA crawled and parsed in the calling thread."""
    return crawl(Dbsa(), ReplayFetcher([warc]), parse=True)


class Local(Source):
    """A source importable by workers but in no registry; its pages hold NAMI's listings."""

    name = "local"
    organization = "Local"
    base_url = "https://www.nami.org"

    def parse(self, page: Page):
        return Nami().parse(page)


def test_a_source_outside_the_registry_is_parsed_by_workers_by_its_own_class(nami_pages):
    with ParseWorkers(Local(), workers=1, in_thread_bytes=0) as workers:
        parsed = parse_with(workers, nami_pages)
        assert workers.worker_busy_s > 0 and not workers.pool._broken
    assert parsed == [Local().parse_page(page) for page in nami_pages]


def test_a_source_the_worker_cannot_import_is_parsed_here(nami_pages):
    class Hidden(Local):
        """A source defined only inside this test."""

    with ParseWorkers(Hidden(), workers=1, in_thread_bytes=0) as workers:
        parsed = parse_with(workers, nami_pages)
        assert workers.worker_busy_s > 0  # it tried, and said no
    assert parsed == [Hidden().parse_page(page) for page in nami_pages]


@pytest.fixture(scope="module")
def harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


def test_an_offline_build_with_parse_workers_matches_one_without(harness, tmp_path, monkeypatch):
    monkeypatch.setenv("SUPPORTDIR_HOME", str(tmp_path / "data"))
    runner = CliRunner()
    results = {}
    for workers, in_thread_mb in (("0", "4"), ("2", "0")):
        monkeypatch.setenv("SUPPORTDIR_PARSE_WORKERS", workers)
        monkeypatch.setenv("SUPPORTDIR_PARSE_IN_THREAD_MB", in_thread_mb)
        out = tmp_path / f"out-{workers}"
        result = runner.invoke(app, ["build", "--offline", "--json", "--out", str(out),
                                     "--warehouse", str(tmp_path / f"w-{workers}.duckdb")])
        assert result.exit_code == 0, result.stderr
        assert json.loads(result.stdout)["status"] == "ok"
        results[workers] = rows(out)
    assert results["2"] == results["0"] and len(results["0"]) > 300


def test_parse_workers_default_to_one_per_core_at_most_four(monkeypatch):
    from flows import settings as settings_module
    from flows.settings import MAX_PARSE_WORKERS, Settings

    monkeypatch.delenv("SUPPORTDIR_PARSE_WORKERS", raising=False)
    for cores, expected in ((1, 1), (2, 2), (64, MAX_PARSE_WORKERS), (None, 1)):
        monkeypatch.setattr(settings_module.os, "cpu_count", lambda cores=cores: cores)
        assert Settings().parse_worker_count == expected, cores
    monkeypatch.setenv("SUPPORTDIR_PARSE_WORKERS", "0")
    assert Settings().parse_worker_count == 0  # parse in the crawl's thread


def test_a_source_with_slow_pages_sends_even_its_first_small_page_to_a_worker(warc):
    from scrapers.sources.warmlines import Warmlines

    pages = crawl(Warmlines(), ReplayFetcher([warc])).pages
    assert pages and sum(len(page.body) for page in pages) < parse_workers.IN_THREAD_BYTES
    with ParseWorkers(Warmlines(), workers=1) as workers:
        parsed = parse_with(workers, pages)
        assert workers.pool is not None and workers.worker_busy_s > 0  # parsed there, not here
    assert parsed == [Warmlines().parse_page(page) for page in pages] and parsed[0]


def test_a_daemonic_process_such_as_a_dask_worker_parses_in_its_own_thread(warc, monkeypatch):
    """A daemonic process may not start processes: a slow source parses there, losing nothing."""
    import multiprocessing

    from scrapers.sources.warmlines import Warmlines

    pages = crawl(Warmlines(), ReplayFetcher([warc])).pages
    monkeypatch.setitem(multiprocessing.current_process()._config, "daemon", True)  # as in a Dask worker
    with ParseWorkers(Warmlines(), workers=2) as workers:
        parsed = parse_with(workers, pages)
        assert workers.pool is None
    assert parsed == [Warmlines().parse_page(page) for page in pages] and parsed[0]

"""Bounds met through the CLI: unreadable and truncated replays, a replayed bomb, an unreachable
host, a dripping server, a source past its budget or its page cap."""

import gzip
import json
import socket
from io import BytesIO
from pathlib import Path

import pytest
from typer.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from flows.cli import app
from scrapers.sample import sample_warc
from scrapers.sources.sardaa import Sardaa
from tests import faults
from tests.faults import FaultServer, sample_pages


@pytest.fixture(scope="module")
def harness():
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):
        yield


@pytest.fixture
def env(tmp_path: Path, monkeypatch) -> Path:
    """Data in the test's temp folder; quick politeness; the sources' own hosts may be loopback."""
    for key, value in {"SUPPORTDIR_HOME": str(tmp_path / "data"), "SUPPORTDIR_ALLOW_PRIVATE": "true",
                       "SUPPORTDIR_DEFAULT_INTERVAL": "0", "SUPPORTDIR_FETCH_RETRIES": "1",
                       "SUPPORTDIR_BACKOFF_FACTOR": "0.01", "SUPPORTDIR_SOURCE_RETRIES": "0",
                       **{f"SUPPORTDIR_{name}_MIN_INTERVAL": "0" for name in ("NAMI", "DBSA", "SARDAA")},
                       }.items():
        monkeypatch.setenv(key, value)
    return tmp_path


def cli(*args: str) -> tuple[int, str, str]:
    """Run `supportdir ARGS` in-process; return exit code, stdout and stderr."""
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def reasons(stdout: str) -> dict[str, tuple[str, str | None, list[str]]]:
    """Per source of a --json build summary: status, reason and skipped pages."""
    return {s["source"]: (s["status"], s["reason"], s["errors"]) for s in json.loads(stdout)["sources"]}


def one_line_error(stderr: str) -> str:
    """The CLI's own error line: the last one (in tests Prefect's log, level WARNING, comes first)."""
    line = stderr.strip().splitlines()[-1]
    assert line.startswith("error: "), stderr
    return line


def test_replaying_random_bytes_names_the_file_and_offset(harness, env):
    noise = env / "noise.warc.gz"
    noise.write_bytes(bytes(range(7, 256)) * 64)
    code, _, stderr = cli("build", "--replay", str(noise), "--out", str(env / "out"))
    assert code == 2
    assert f"cannot read WARC file {noise} at offset 0" in one_line_error(stderr)


def cut_sample(env: Path, url: str, into: float) -> Path:
    """The sample WARC cut inside the response record of `url`: `into` of the way to the next one."""
    from scrapers.replay import index_warcs

    sample = sample_warc(env / "sample")
    offsets = sorted(offset for _, offset in index_warcs([sample]).values())
    start = index_warcs([sample])[url][1]
    following = next(offset for offset in offsets if offset > start)
    cut = env / "cut.warc.gz"
    cut.write_bytes(sample.read_bytes()[: start + max(int((following - start) * into), 5)])
    return cut


def test_replaying_a_warc_cut_inside_a_records_headers_says_truncated(harness, env):
    url = Sardaa().start_urls()[0]
    cut = cut_sample(env, url, 0.0)  # 5 bytes into the record
    code, _, stderr = cli("build", "--replay", str(cut), "--out", str(env / "out"))
    assert code == 2
    line = one_line_error(stderr)
    assert f"WARC file {cut} is truncated at offset" in line and "not in the archive" not in line


def test_replaying_a_warc_cut_inside_a_records_body_fails_that_source_as_truncated(harness, env):
    url = Sardaa().start_urls()[0]
    cut = cut_sample(env, url, 0.6)
    code, stdout, stderr = cli("build", "--replay", str(cut), "--source", "sardaa", "--out", str(env / "out"),
                               "--json")
    status, reason, _ = reasons(stdout)["sardaa"]
    assert code == 1 and status == "failed", stderr
    assert f"TruncatedRecord: fetch failed for {url}: the archived record is cut short" in reason


def test_a_replayed_gzip_bomb_fails_its_source_at_the_body_cap(harness, env, monkeypatch):
    """A record a few hundred KB on disk that inflates to 200 MB, replayed with a 1 MB cap."""
    url = Sardaa().start_urls()[0]
    bomb = env / "zz-bomb.warc.gz"  # after the sample: its record wins
    with bomb.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
                                protocol="HTTP/1.1")
        body = gzip.compress(b" " * 200_000_000, compresslevel=9)
        writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(body),
                                                      http_headers=http))
    monkeypatch.setenv("SUPPORTDIR_MAX_BYTES", "1000000")
    sample = sample_warc(env / "sample")
    code, stdout, stderr = cli("build", "--replay", str(sample), "--replay", str(bomb), "--source", "sardaa",
                               "--source", "dbsa", "--out", str(env / "out"), "--json")
    assert code == 1, stderr
    found = reasons(stdout)
    assert found["sardaa"][0] == "failed" and found["dbsa"][0] == "ok"
    assert f"BodyTooLarge: fetch failed for {url}: archived body exceeds 1000000 bytes" in found["sardaa"][1]


def test_a_host_nothing_listens_on_is_reported_unreachable(harness, env, monkeypatch):
    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens there
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("SUPPORTDIR_SARDAA_BASE_URL", f"http://127.0.0.1:{port}")
    code, stdout, _ = cli("build", "--source", "sardaa", "--out", str(env / "out"), "--json")
    status, reason, _ = reasons(stdout)["sardaa"]
    assert code == 1 and status == "failed"
    assert f"could not reach 127.0.0.1:{port}" in reason and "Connection refused" in reason
    assert "robots.txt disallows" not in reason


def test_a_dripping_page_is_cut_off_at_the_request_deadline(harness, env, monkeypatch):
    profile = "/find-your-local-nami/alaska/nami-juneau/"
    with FaultServer(pages=sample_pages("nami")) as mirror:
        mirror.script(profile, faults.drip(0.05))  # 200 bytes at 20 a second: 10 s
        monkeypatch.setenv("SUPPORTDIR_NAMI_BASE_URL", mirror.base)
        monkeypatch.setenv("SUPPORTDIR_REQUEST_DEADLINE", "1")
        code, stdout, stderr = cli("build", "--source", "nami", "--out", str(env / "out"), "--json")
    status, _, skipped = reasons(stdout)["nami"]
    assert code == 0 and status == "ok", stderr
    assert skipped == [f"{mirror.url(profile)}: refused: took longer than the 1 s deadline"]


def test_sources_past_their_budget_or_page_cap_fail_with_the_reason(harness, env, monkeypatch):
    with FaultServer(pages=sample_pages("dbsa"), latency=0.3) as slow, \
            FaultServer(pages=sample_pages("nami")) as nami:
        monkeypatch.setenv("SUPPORTDIR_DBSA_BASE_URL", slow.base)  # 52 pages: over 15 s
        monkeypatch.setenv("SUPPORTDIR_NAMI_BASE_URL", nami.base)
        monkeypatch.setenv("SUPPORTDIR_SOURCE_BUDGET", "3")
        monkeypatch.setenv("SUPPORTDIR_NAMI_MAX_PAGES", "5")
        code, stdout, stderr = cli("build", "--source", "dbsa", "--source", "nami", "--out", str(env / "out"),
                                   "--json")
        requests = len(slow.requests)
    found = reasons(stdout)
    assert requests < 30
    assert code == 1, stderr
    assert found["dbsa"][0] == "failed" and "dbsa: ran past its budget of 3 s after" in found["dbsa"][1]
    assert found["nami"][0] == "failed" and "nami: stopped at its cap of 5 pages" in found["nami"][1]
    assert json.loads(stdout)["status"] == "failed"  # every source named failed

"""Replay from WARC files, including one written by warcio directly (not by this project)."""

import gzip
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from schemas.errors import ArchiveTruncated, ArchiveUnreadable, BodyTooLarge, NotInArchive
from schemas.urls import canonical_url
from scrapers.archive import TruncatedRecord, WarcArchive
from scrapers.replay import ReplayFetcher, warc_files


def write_foreign_warc(path: Path) -> None:
    """A WARC as another crawler would write it: gzip-encoded body, odd URL casing, a revisit."""
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        body = gzip.compress(b'[{"id": 1, "title": {"rendered": "NAMI Alaska"}}]')
        http = StatusAndHeaders("200 OK", [("Content-Type", "application/json"),
                                           ("Content-Encoding", "gzip"),
                                           ("Content-Length", str(len(body)))], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            "https://WWW.Example.ORG:443/wp-json/x?page=1&per_page=100", "response",
            payload=BytesIO(body), http_headers=http))
        moved = StatusAndHeaders("301 Moved Permanently", [("Location", "/new/")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            "https://www.example.org/old/", "response", payload=BytesIO(b""), http_headers=moved))
        page = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            "https://www.example.org/new/", "response", payload=BytesIO(b"<h1>new</h1>"),
            http_headers=page))


@pytest.fixture
def foreign(tmp_path: Path) -> ReplayFetcher:
    path = tmp_path / "other-crawler.warc.gz"
    write_foreign_warc(path)
    return ReplayFetcher([path])


def test_foreign_warc_replays_with_canonical_url_matching(foreign):
    page = foreign.get("https://www.example.org/wp-json/x?per_page=100&page=1")
    assert page.status == 200
    assert page.json() == [{"id": 1, "title": {"rendered": "NAMI Alaska"}}]
    assert page.warc_file.endswith("other-crawler.warc.gz") and page.warc_offset == 0


def test_archived_redirect_is_followed(foreign):
    page = foreign.get("https://www.example.org/old/")
    assert page.body == b"<h1>new</h1>"
    assert page.final_url == "https://www.example.org/new/"
    assert page.url == "https://www.example.org/old/"


def test_missing_url_names_the_url(foreign):
    with pytest.raises(NotInArchive, match=r"https://www\.example\.org/missing/"):
        foreign.get("https://www.example.org/missing/")


def test_own_archive_round_trips_and_folders_are_searched(tmp_path: Path):
    archive = WarcArchive(tmp_path / "runs" / "a", prefix="run1-nami")
    when = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
    headers = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}
    archive.write("https://www.nami.org/find-your-local-nami/alaska/", {"User-Agent": "x"}, "200 OK",
                  headers, b"<h1>AK</h1>", when)
    fetcher = ReplayFetcher([tmp_path / "runs"])
    page = fetcher.get("https://WWW.NAMI.ORG/find-your-local-nami/alaska/#contact")
    assert page.body == b"<h1>AK</h1>"
    assert page.fetched_at == when
    assert page.header("X-Archive-Orig-Content-Encoding") == "gzip"
    assert page.header("Content-Encoding") is None
    assert len(warc_files([tmp_path / "runs"])) == 1


def test_missing_warc_path_is_a_clear_error(tmp_path: Path):
    with pytest.raises(FileNotFoundError, match="no such WARC"):
        ReplayFetcher([tmp_path / "nope.warc.gz"])


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("HTTPS://WWW.Nami.ORG:443/a?b=2&a=1#x", "https://www.nami.org/a?a=1&b=2"),
        ("http://example.org:80", "http://example.org/"),
        ("http://example.org:8080/p", "http://example.org:8080/p"),
        ("https://example.org/?state=KY", "https://example.org/?state=KY"),
    ],
)
def test_canonical_url(raw, canonical):
    assert canonical_url(raw) == canonical


def write_bomb(path: Path, size: int, encoded: bool) -> str:
    """A WARC with one response of `size` zero bytes: gzip-encoded on the wire, or only in the WARC's gzip."""
    url = "https://www.example.org/bomb"
    body = gzip.compress(b"\0" * size, compresslevel=9) if encoded else b"\0" * size
    headers = [("Content-Type", "text/html")] + ([("Content-Encoding", "gzip")] if encoded else [])
    with path.open("wb") as handle:
        writer = WARCWriter(handle, gzip=True)
        http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=BytesIO(body),
                                                      http_headers=http))
    return url


@pytest.mark.parametrize("encoded", [True, False], ids=["content-encoding", "warc-gzip"])
def test_a_bomb_in_the_archive_is_capped_like_a_live_body(tmp_path: Path, encoded: bool):
    import tracemalloc

    path = tmp_path / "bomb.warc.gz"
    url = write_bomb(path, 64 * 1024 * 1024, encoded)
    assert path.stat().st_size < 1024 * 1024  # small on disk
    fetcher = ReplayFetcher([path], max_bytes=1024 * 1024)
    tracemalloc.start()
    try:
        with pytest.raises(BodyTooLarge, match=rf"{url}: archived body exceeds 1048576 bytes once decoded"):
            fetcher.get(url)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 32 * 1024 * 1024  # half the 64 MiB the body inflates to
    assert fetcher.log[-1].url == url and "exceeds" in fetcher.log[-1].error


def test_random_bytes_are_refused_naming_the_file_and_offset(tmp_path: Path):
    path = tmp_path / "noise.warc.gz"
    path.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(ArchiveUnreadable, match=rf"cannot read WARC file {path} at offset 0: "):
        ReplayFetcher([path])


def test_a_warc_cut_inside_a_records_headers_is_refused_as_truncated(tmp_path: Path):
    whole = tmp_path / "whole.warc.gz"
    write_foreign_warc(whole)
    second = ReplayFetcher([whole]).index["https://www.example.org/old/"][1]
    path = tmp_path / "cut.warc.gz"
    path.write_bytes(whole.read_bytes()[: second + 5])  # 5 bytes into the second record
    with pytest.raises(ArchiveTruncated, match=rf"WARC file {path} is truncated at offset {second}: "):
        ReplayFetcher([path])


def test_a_warc_cut_inside_a_records_body_says_truncated_for_that_record(tmp_path: Path):
    """The whole records replay; the one cut short says so (not "not in the archive")."""
    archive = WarcArchive(tmp_path, "run")
    when = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
    for number in range(3):
        archive.write(f"https://www.example.org/{number}", {}, "200 OK", {"Content-Type": "text/html"},
                      bytes(range(256)) * 40, when)
    path = next(tmp_path.glob("*.warc.gz"))
    fetcher = ReplayFetcher([path])
    third = fetcher.index["https://www.example.org/2"][1]
    path.write_bytes(path.read_bytes()[: third + (path.stat().st_size - third) // 2])
    fetcher = ReplayFetcher([path])
    assert len(fetcher.get("https://www.example.org/0").body) == 256 * 40
    with pytest.raises(TruncatedRecord, match=r"https://www\.example\.org/2: .*cut short"):
        fetcher.get("https://www.example.org/2")

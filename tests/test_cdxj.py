"""The CDXJ index beside each WARC: the standard shape, read by the replay instead of the WARC, and
never trusted when it does not match its WARC file."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

import scrapers.replay as replay
from schemas.errors import ArchiveTruncated, NotInArchive
from scrapers.archive import MisplacedRecord, StoredResponse, WarcArchive
from scrapers.cdxj import cdxj_path, read_cdxj
from scrapers.replay import ReplayFetcher, index_warcs
from scrapers.sample import sample_warc

WHEN = datetime(2026, 11, 20, 6, 0, tzinfo=UTC)
HTML = {"Content-Type": "text/html; charset=utf-8"}


def page_url(number: int) -> str:
    return f"https://www.example.org/groups/{number}"


def write_pages(folder: Path, bodies: dict[int, bytes], prefix: str = "run") -> Path:
    """A WARC (and its index) written by the archive: one response per page number."""
    archive = WarcArchive(folder, prefix)
    for number, body in bodies.items():
        archive.write(page_url(number), {"User-Agent": "test"}, "200 OK", HTML, body, WHEN)
    return next(Path(folder).glob(f"{prefix}-*.warc.gz"))


def scanned(files: list[Path], monkeypatch) -> dict:
    """The index found by reading every record of the files (their CDXJ files ignored)."""
    with monkeypatch.context() as patch:
        patch.setattr(replay, "read_cdxj", lambda _path: None)
        return index_warcs(files)


@pytest.fixture
def reads(monkeypatch) -> list[tuple[str, int]]:
    """(file name, offset) of each place a replay starts reading records of a WARC to index it."""
    seen: list[tuple[str, int]] = []
    real = replay._records

    def counted(path: Path, start: int = 0):
        seen.append((Path(path).name, start))
        return real(path, start)

    monkeypatch.setattr(replay, "_records", counted)
    return seen


def test_the_index_is_the_one_cdxj_indexer_writes(tmp_path: Path):
    """Line for line what webrecorder's cdxj-indexer makes of the same WARC (responses and a revisit)."""
    from cdxj_indexer.main import write_cdx_index

    archive = WarcArchive(tmp_path, "run")
    archive.write("https://www.example.org/a?b=2&a=1", {}, "200 OK", HTML, b"<h1>a</h1>", WHEN)
    archive.write("https://www.example.org/pdf", {}, "200 OK", {"Content-Type": "application/pdf"},
                  b"%PDF-1.4", WHEN)
    original = StoredResponse("https://www.example.org/a?b=2&a=1", 200, {}, b"<h1>a</h1>", WHEN)
    archive.write_revisit(original.url, original, datetime(2026, 11, 27, 6, 0, tzinfo=UTC))
    warc = next(tmp_path.glob("*.warc.gz"))
    expected = tmp_path / "expected.cdxj"
    write_cdx_index(str(expected), [str(warc)], {})
    ours = cdxj_path(warc).read_text(encoding="utf-8")
    assert ours == expected.read_text(encoding="utf-8")
    assert len(ours.splitlines()) == 3 and '"mime": "warc/revisit"' in ours.splitlines()[2]


def test_a_replay_reads_the_index_and_only_the_tail_of_the_warc(tmp_path: Path, monkeypatch, reads):
    warc = write_pages(tmp_path, {number: f"<p>{number}</p>".encode() for number in range(5)})
    listed = read_cdxj(warc)
    index = index_warcs([warc])
    assert reads == [(warc.name, listed[-1].offset)]  # the last record listed, not the whole file
    assert index == scanned([warc], monkeypatch)
    fetcher = ReplayFetcher.from_index(index)
    assert [fetcher.get(page_url(n)).body for n in range(5)] == [f"<p>{n}</p>".encode() for n in range(5)]


def test_later_records_still_win_across_indexed_files(tmp_path: Path, reads):
    first = write_pages(tmp_path / "a", {1: b"old", 2: b"kept"}, prefix="run1")
    second = write_pages(tmp_path / "b", {1: b"new"}, prefix="run2")
    fetcher = ReplayFetcher([tmp_path / "a", tmp_path / "b"])
    assert [name for name, start in reads if start == 0] == []  # neither file read whole
    assert fetcher.get(page_url(1)).body == b"new" and fetcher.get(page_url(1)).warc_file == str(second)
    assert fetcher.get(page_url(2)).warc_file == str(first)


def test_the_sample_warc_carries_its_index(tmp_path: Path, monkeypatch, reads):
    warc = sample_warc(tmp_path)
    assert cdxj_path(warc).exists() and not list(tmp_path.glob(".*partial"))
    index = index_warcs([warc])
    assert all(start > 0 for _name, start in reads)
    assert index == scanned([warc], monkeypatch) and len(index) > 100


def append_after_index(warc: Path) -> None:
    """A page written to the WARC after its index was saved (the index kept as it was: stale)."""
    saved = cdxj_path(warc).read_bytes()
    archive = WarcArchive(warc.parent, "other")
    archive._path = warc  # append to the same file, as a crash between WARC and index would leave it
    archive.write(page_url(1), {}, "200 OK", HTML, b"<p>newer 1</p>", WHEN)
    archive.write(page_url(9), {}, "200 OK", HTML, b"<p>9</p>", WHEN)
    cdxj_path(warc).write_bytes(saved)


def cut_last_line(warc: Path) -> None:
    cdxj_path(warc).write_bytes(cdxj_path(warc).read_bytes()[:-20])


def other_files_index(warc: Path) -> None:
    text = cdxj_path(warc).read_text(encoding="utf-8")
    cdxj_path(warc).write_text(text.replace(warc.name, "run-00007.warc.gz"), encoding="utf-8")


def not_cdxj(warc: Path) -> None:
    cdxj_path(warc).write_bytes(b"\x00\xffnot an index\n")


def overwritten_warc(warc: Path) -> None:
    """Another WARC of the same name, its index from the file it replaced."""
    saved = cdxj_path(warc).read_bytes()
    warc.unlink()
    write_pages(warc.parent, {number: f"<b>other {number}</b>".encode() for number in (3, 1, 0)})
    cdxj_path(warc).write_bytes(saved)


@pytest.mark.parametrize("damage", [append_after_index, cut_last_line, other_files_index, not_cdxj,
                                    overwritten_warc])
def test_an_index_that_does_not_match_its_warc_is_ignored(tmp_path: Path, monkeypatch, reads, damage):
    """The WARC is read whole instead, and every page is the one the WARC holds."""
    warc = write_pages(tmp_path, {number: f"<p>{number}</p>".encode() for number in range(4)})
    damage(warc)
    fetcher = ReplayFetcher([warc])
    assert (warc.name, 0) in reads  # read whole
    assert fetcher.index == scanned([warc], monkeypatch)
    for url in fetcher.index:
        assert fetcher.get(url).body == ReplayFetcher.from_index(scanned([warc], monkeypatch)).get(url).body


def test_an_index_beside_a_cut_warc_still_refuses_it_as_truncated(tmp_path: Path):
    warc = write_pages(tmp_path, {number: bytes(range(256)) * 40 for number in range(3)})
    second = read_cdxj(warc)[1].offset
    warc.write_bytes(warc.read_bytes()[: second + 5])  # into the second record's headers
    with pytest.raises(ArchiveTruncated, match=rf"WARC file {warc} is truncated at offset {second}: "):
        ReplayFetcher([warc])


def test_a_new_file_of_an_old_name_starts_a_new_index(tmp_path: Path, monkeypatch):
    write_pages(tmp_path, {1: b"first run"})
    warc = write_pages(tmp_path, {2: b"second run"})  # a second archive of the same prefix: same name
    assert [record.url for record in read_cdxj(warc)] == [page_url(2)]
    assert index_warcs([warc]) == scanned([warc], monkeypatch)


def test_a_tampered_line_fails_its_url_and_never_answers_with_another_page(tmp_path: Path):
    """A line pointing at another URL's record (its tail still matching the file) fails that URL."""
    warc = write_pages(tmp_path, {number: f"<p>{number}</p>".encode() for number in range(3)})
    lines = cdxj_path(warc).read_text(encoding="utf-8").splitlines(keepends=True)
    lines[0] = lines[0].replace(page_url(0), "https://www.example.org/elsewhere")
    cdxj_path(warc).write_text("".join(lines), encoding="utf-8")
    fetcher = ReplayFetcher([warc])
    with pytest.raises(MisplacedRecord, match=r"elsewhere: .* holds the response record of https://www\.example\.org/groups/0,"):
        fetcher.get("https://www.example.org/elsewhere")
    with pytest.raises(NotInArchive):
        fetcher.get(page_url(0))
    assert fetcher.get(page_url(1)).body == b"<p>1</p>"
    assert fetcher.log[0].error and "not this URL's response" in fetcher.log[0].error


def test_a_line_pointing_into_a_record_fails_its_url(tmp_path: Path):
    warc = write_pages(tmp_path, {number: f"<p>{number}</p>".encode() for number in range(3)})
    first = read_cdxj(warc)[0]
    text = cdxj_path(warc).read_text(encoding="utf-8")
    moved = text.replace(f'"offset": "{first.offset}"', f'"offset": "{first.offset + 7}"', 1)
    cdxj_path(warc).write_text(moved, encoding="utf-8")
    fetcher = ReplayFetcher([warc])
    assert fetcher.index[page_url(0)][1] == first.offset + 7  # the index was read, and trusted
    with pytest.raises(MisplacedRecord, match=rf"groups/0: no WARC record at {warc}@{first.offset + 7}"):
        fetcher.get(page_url(0))

"""Replay: answer requests from WARC files instead of the network (tests, offline demo, re-parsing)."""

import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from schemas.errors import ArchiveTruncated, ArchiveUnreadable, FetchFailed, NotInArchive
from schemas.fetch_log import FetchLog
from schemas.urls import canonical_url
from scrapers.archive import read_response
from scrapers.cdxj import INDEXED_TYPES, IndexedRecord, read_cdxj
from scrapers.page import Page
from scrapers.urls import absolute_url

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5


def warc_files(paths: Iterable[Path | str]) -> list[Path]:
    """The WARC files named, or found in the folders named, sorted by name."""
    found: list[Path] = []
    for path in map(Path, paths):
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.name.endswith((".warc", ".warc.gz"))))
        elif path.exists():
            found.append(path)
        else:
            raise FileNotFoundError(f"no such WARC file or folder: {path}")
    return found


def index_warcs(files: Iterable[Path]) -> dict[str, tuple[str, int]]:
    """Canonical URL -> (file, offset) of its response record; later records win.

    A file's records are read from the CDXJ index beside it when that index matches the file, else
    found by reading the file. A file that is not a WARC, or that ends inside a record, is refused
    (ArchiveUnreadable, ArchiveTruncated) with the offset where reading stopped.
    """
    index: dict[str, tuple[str, int]] = {}
    for path in map(Path, files):
        resolved = str(path.resolve())
        for uri, offset in _response_records(path):
            index[canonical_url(uri)] = (resolved, offset)
    return index


@dataclass(frozen=True)
class ScannedRecord:
    """A record found by reading a WARC file."""

    rec_type: str
    uri: str | None
    offset: int
    whole: bool  # False for a last record whose block the file cuts short


def _response_records(path: Path) -> Iterable[tuple[str, int]]:
    """(target URI, offset) of each response record of a WARC file: as its CDXJ index lists them
    when the index matches the file, else as reading the file finds them."""
    listed = read_cdxj(path)
    if listed and _ends_as_listed(path, listed[-1]):
        return [(record.url, record.offset) for record in listed if record.rec_type == "response"]
    return ((record.uri, record.offset) for record in _records(path)
            if record.rec_type == "response" and record.uri)


def _ends_as_listed(path: Path, last: IndexedRecord) -> bool:
    """True when the file ends as its CDXJ index says: the last record listed is where the index puts
    it, whole, and is the last response or revisit in the file (no record was added after the index
    was written, and the file was not cut short or replaced). Only the tail is read."""
    try:
        tail = list(_records(path, start=last.offset))
    except ArchiveUnreadable:
        return False
    if not tail or (tail[0].rec_type, tail[0].uri, tail[0].offset) != (last.rec_type, last.url, last.offset):
        return False
    return all(record.whole for record in tail) and not any(r.rec_type in INDEXED_TYPES for r in tail[1:])


def _records(path: Path, start: int = 0) -> Iterator[ScannedRecord]:
    """Every record of a WARC file from offset `start` on.

    A last record whose headers are whole but whose block is cut short is still listed (not whole):
    reading it back fails with TruncatedRecord, so that page's source fails and says why. A file
    that ends inside a record's headers is refused whole (ArchiveTruncated: which URL is unknown).
    """
    end = start  # where the last whole record ends
    with open(path, "rb") as handle:
        handle.seek(start)
        records = ArchiveIterator(handle, no_record_parse=True)
        try:
            for record in records:
                size = _drain(record)  # before the offset: asking for it reads the record to its end
                offset, length = records.get_record_offset(), records.get_record_length()
                declared = record.rec_headers.get_header("Content-Length") or ""
                if not declared.isdigit():
                    raise ArchiveTruncated(str(path), offset, "the record's headers end before its "
                                                              "Content-Length")
                whole = size >= int(declared) and getattr(records.reader.decompressor, "eof", True)
                uri = record.rec_headers.get_header("WARC-Target-URI")
                yield ScannedRecord(record.rec_type, uri, offset, whole)
                if not whole:
                    return  # cut in its block (or gzip trailer): the file's end, read back as truncated
                end = offset + length
        except (ArchiveLoadFailed, zlib.error, EOFError, OSError, ValueError) as exc:
            raise ArchiveUnreadable(str(path), end, _first_line(exc)) from None
    size = path.stat().st_size
    if end < size:
        raise ArchiveTruncated(str(path), end, f"the file ends inside a record ({size - end} bytes "
                                               "after the last whole one)")


def _drain(record) -> int:
    """Read a record's block to its end, in chunks; its size."""
    size = 0
    while block := record.raw_stream.read(64 * 1024):
        size += len(block)
    return size


def _first_line(error: BaseException) -> str:
    """An error's message on one line, in ASCII (the bytes of a file that is not a WARC are shown escaped)."""
    text = " ".join(str(error).split()) or type(error).__name__
    return text.encode("ascii", "backslashreplace").decode("ascii")[:200]


class ReplayFetcher:
    """A fetcher that serves archived responses; same interface as the HTTP fetcher."""

    def __init__(self, paths: Iterable[Path | str], max_bytes: int | None = None):
        self.index = index_warcs(warc_files(paths))
        self.max_bytes = max_bytes  # the live fetch's cap on a decoded body (FetchConfig.max_bytes)
        self.log: list[FetchLog] = []

    @classmethod
    def from_index(cls, index: dict[str, tuple[str, int]], max_bytes: int | None = None) -> "ReplayFetcher":
        """A replay fetcher over an index built once (shared by every source of a run)."""
        fetcher = cls([], max_bytes)
        fetcher.index = index
        return fetcher

    def close(self) -> None:
        """Nothing to release."""

    def get(self, url: str) -> Page:
        """The archived response of a URL, following archived redirects."""
        url = canonical_url(url)
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            if current not in self.index:
                raise NotInArchive(current)
            warc_file, offset = self.index[current]
            try:
                stored = read_response(warc_file, offset, self.max_bytes, url=current)
            except FetchFailed as exc:  # e.g. a body past the cap: that record fails, like a live fetch
                self.log.append(FetchLog(url=current, status=None, error=exc.reason))
                raise
            page = Page(url=url, status=stored.status, headers=stored.headers, body=stored.body,
                        fetched_at=stored.date, final_url=current, warc_file=warc_file,
                        warc_offset=offset)
            self.log.append(page.log_entry(current))
            location = page.header("location")
            if stored.status not in REDIRECT_STATUSES or not location:
                return page
            current = canonical_url(absolute_url(current, location))
        raise FetchFailed(url, f"more than {MAX_REDIRECTS} redirects in the archive")

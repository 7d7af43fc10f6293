"""Replay: answer requests from WARC files instead of the network (tests, offline demo, re-parsing)."""

import zlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from schemas.errors import ArchiveTruncated, ArchiveUnreadable, FetchFailed, NotInArchive
from schemas.fetch_log import FetchLog
from schemas.urls import canonical_url
from scrapers.archive import read_response
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

    A file that is not a WARC, or that ends inside a record, is refused (ArchiveUnreadable,
    ArchiveTruncated) with the offset where reading stopped.
    """
    index: dict[str, tuple[str, int]] = {}
    for path in files:
        resolved = str(Path(path).resolve())
        for uri, offset in _response_records(Path(path)):
            index[canonical_url(uri)] = (resolved, offset)
    return index


def _response_records(path: Path) -> Iterator[tuple[str, int]]:
    """(target URI, offset) of each response record of a WARC file.

    A last record whose headers are whole but whose block is cut short is still listed: reading
    it back fails with TruncatedRecord, so that page's source fails and says why. A file that
    ends inside a record's headers is refused whole (ArchiveTruncated: which URL is unknown).
    """
    end = 0  # where the last whole record ends
    with open(path, "rb") as handle:
        records = ArchiveIterator(handle, no_record_parse=True)
        try:
            for record in records:
                size = _drain(record)  # before the offset: asking for it reads the record to its end
                offset, length = records.get_record_offset(), records.get_record_length()
                declared = record.rec_headers.get_header("Content-Length") or ""
                if not declared.isdigit():
                    raise ArchiveTruncated(str(path), offset, "the record's headers end before its "
                                                              "Content-Length")
                uri = record.rec_headers.get_header("WARC-Target-URI")
                if record.rec_type == "response" and uri:
                    yield uri, offset
                if size < int(declared) or not getattr(records.reader.decompressor, "eof", True):
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
                stored = read_response(warc_file, offset, self.max_bytes)
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

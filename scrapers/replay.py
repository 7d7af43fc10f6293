"""Replay: answer requests from WARC files instead of the network (tests, offline demo, re-parsing)."""

from collections.abc import Iterable
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from scrapers.archive import read_response
from scrapers.errors import FetchFailed, NotInArchive
from scrapers.page import FetchLog, Page
from scrapers.urls import absolute_url, canonical_url

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
    """Canonical URL -> (file, offset) of its response record; later records win."""
    index: dict[str, tuple[str, int]] = {}
    for path in files:
        with open(path, "rb") as handle:
            records = ArchiveIterator(handle)
            for record in records:
                if record.rec_type != "response":
                    continue
                uri = record.rec_headers.get_header("WARC-Target-URI")
                if uri:
                    index[canonical_url(uri)] = (str(Path(path).resolve()), records.get_record_offset())
    return index


class ReplayFetcher:
    """A fetcher that serves archived responses; same interface as the HTTP fetcher."""

    def __init__(self, paths: Iterable[Path | str]):
        self.index = index_warcs(warc_files(paths))
        self.log: list[FetchLog] = []

    @classmethod
    def from_index(cls, index: dict[str, tuple[str, int]]) -> "ReplayFetcher":
        """A replay fetcher over an index built once (shared by every source of a run)."""
        fetcher = cls([])
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
            stored = read_response(warc_file, offset)
            page = Page(url=url, status=stored.status, headers=stored.headers, body=stored.body,
                        fetched_at=stored.date, final_url=current, warc_file=warc_file,
                        warc_offset=offset)
            self.log.append(FetchLog.of(page, url=current))
            location = page.header("location")
            if stored.status not in REDIRECT_STATUSES or not location:
                return page
            current = canonical_url(absolute_url(current, location))
        raise FetchFailed(url, f"more than {MAX_REDIRECTS} redirects in the archive")

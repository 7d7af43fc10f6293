"""The raw archive: every request and response written to WARC files (warcio), and read back by offset.

Beside each WARC file the archive keeps its CDXJ index (scrapers/cdxj.py), a line per response and
revisit as it writes them, so a replay finds the records without decompressing the file to look.
"""

import base64
import hashlib
import threading
import zlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from schemas.errors import BodyTooLarge, FetchFailed
from schemas.urls import canonical_url
from scrapers.cdxj import cdxj_line, cdxj_path

# Headers describing the wire encoding are kept under this prefix (the Wayback
# convention): the archived body is the decoded body, so they no longer apply.
ORIGINAL_PREFIX = "X-Archive-Orig-"
WIRE_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}
DEFAULT_ROTATE_BYTES = 1 << 30
READ_BLOCK = 4096  # bytes of a WARC file decompressed at a time when a record is read back
SOFTWARE = "supportdir (https://github.com/supportdir/supportdir)"


@dataclass(frozen=True)
class ArchivedRecord:
    """Where a response record was written."""

    warc_file: str
    warc_offset: int


@dataclass(frozen=True)
class StoredResponse:
    """A response read back from a WARC file."""

    url: str
    status: int
    headers: dict[str, str]
    body: bytes
    date: datetime


class TruncatedRecord(FetchFailed):
    """An archived response whose body is shorter than it declares (the file was cut short)."""


class MisplacedRecord(FetchFailed):
    """An index gives an offset where the URL's response is not (the index is out of date)."""


def warc_date(moment: datetime) -> str:
    """WARC-Date in the ISO form WARC 1.1 wants (UTC, seconds precision)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def payload_digest(body: bytes) -> str:
    """The WARC payload digest of a body (sha1, base32, as warcio writes it)."""
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode("ascii")


def archived_headers(headers: Mapping[str, str], body: bytes) -> list[tuple[str, str]]:
    """Response headers as archived: wire encodings renamed, Content-Length of the stored body."""
    kept = []
    for name, value in headers.items():
        if name.lower() in WIRE_HEADERS:
            if name.lower() != "content-length":
                kept.append((ORIGINAL_PREFIX + name, value))
            continue
        kept.append((name, value))
    kept.append(("Content-Length", str(len(body))))
    return kept


class WarcArchive:
    """Writes request/response pairs to gzipped WARC files, rotated per run (and by size), each with
    its CDXJ index beside it."""

    def __init__(self, folder: Path, prefix: str, rotate_bytes: int = DEFAULT_ROTATE_BYTES):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.prefix = prefix
        self.rotate_bytes = rotate_bytes
        self._lock = threading.Lock()
        self._serial = 0
        self._path: Path | None = None

    def _current(self) -> Path:
        """The file to append to, starting a new one when the current one is full."""
        if self._path is None or self._path.stat().st_size >= self.rotate_bytes:
            self._path = self.folder / f"{self.prefix}-{self._serial:05d}.warc.gz"
            self._serial += 1
            with self._path.open("wb") as handle:
                writer = WARCWriter(handle, gzip=True)
                info = {"software": SOFTWARE, "format": "WARC File Format 1.1"}
                writer.write_record(writer.create_warcinfo_record(self._path.name, info))
            cdxj_path(self._path).write_text("", encoding="utf-8")  # not an older file's index
        return self._path

    @staticmethod
    def _index(path: Path, record, offset: int, length: int) -> None:
        """Add a record's line to the CDXJ index beside its WARC file (after the WARC holds it whole)."""
        with cdxj_path(path).open("a", encoding="utf-8") as index:
            index.write(cdxj_line(record, offset, length, path.name))

    def write(
        self,
        url: str,
        request_headers: Mapping[str, str],
        status_line: str,
        headers: Mapping[str, str],
        body: bytes,
        fetched_at: datetime,
    ) -> ArchivedRecord:
        """Append a response record and its request record; return where the response is."""
        http = StatusAndHeaders(status_line, archived_headers(headers, body), protocol="HTTP/1.1")
        with self._lock:
            path = self._current()
            with path.open("ab") as handle:
                writer = WARCWriter(handle, gzip=True)
                offset = handle.tell()
                date = {"WARC-Date": warc_date(fetched_at)}
                response = writer.create_warc_record(
                    url, "response", payload=BytesIO(body), http_headers=http,
                    warc_headers_dict=date,
                )
                writer.write_record(response)
                length = handle.tell() - offset
                writer.write_record(self._request_record(writer, url, request_headers, date))
            self._index(path, response, offset, length)
        return ArchivedRecord(str(path.resolve()), offset)

    def write_revisit(self, url: str, original: "StoredResponse", fetched_at: datetime) -> None:
        """Record a 304 answer as a revisit of the archived response (server-not-modified)."""
        with self._lock:
            path = self._current()
            with path.open("ab") as handle:
                writer = WARCWriter(handle, gzip=True)
                http = StatusAndHeaders("304 Not Modified", [], protocol="HTTP/1.1")
                record = writer.create_revisit_record(
                    url, digest=payload_digest(original.body), refers_to_uri=original.url,
                    refers_to_date=warc_date(original.date), http_headers=http,
                    warc_headers_dict={"WARC-Date": warc_date(fetched_at)},
                )
                offset = handle.tell()
                writer.write_record(record)
                length = handle.tell() - offset
            self._index(path, record, offset, length)

    @staticmethod
    def _request_record(writer: WARCWriter, url: str, headers: Mapping[str, str], date: dict):
        """The request record that pairs with a response."""
        parts = urlsplit(url)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        http = StatusAndHeaders(
            f"GET {target or '/'} HTTP/1.1",
            [("Host", parts.netloc), *headers.items()],
            is_http_request=True,
        )
        return writer.create_warc_record(
            url, "request", payload=BytesIO(b""), http_headers=http, warc_headers_dict=date
        )


def stored_response(record, max_bytes: int | None = None) -> StoredResponse:
    """A warcio response record as a StoredResponse (body decoded, at most `max_bytes` of it)."""
    http = record.http_headers
    status = int(http.get_statuscode()) if http else 200
    headers = dict(http.headers) if http else {}
    raw_date = record.rec_headers.get_header("WARC-Date") or ""
    date = datetime.fromisoformat(raw_date.replace("Z", "+00:00")) if raw_date else datetime.now(UTC)
    url = record.rec_headers.get_header("WARC-Target-URI")
    stream = record.content_stream()
    if stream is not record.raw_stream:  # a Content-Encoding decoder: small blocks too (see READ_BLOCK)
        stream.block_size = READ_BLOCK
    body = read_capped(stream, url, max_bytes)
    while record.raw_stream.read(READ_BLOCK):  # past the body (e.g. a chunked trailer) to the block's end
        pass
    missing = getattr(record.raw_stream, "limit", 0)  # bytes of the block the file does not hold
    if missing:
        raise TruncatedRecord(url, f"the archived record is cut short, {missing} bytes missing "
                                   "(a WARC file cut short by a crash?)")
    if _cut_short(headers, body):
        raise TruncatedRecord(url, f"archived body is {len(body)} bytes, its Content-Length says "
                                   f"{headers.get('Content-Length')} (a WARC file cut short by a crash?)")
    return StoredResponse(url=url, status=status, headers=headers, body=body, date=date)


def read_capped(stream, url: str, max_bytes: int | None, chunk: int = 64 * 1024) -> bytes:
    """Read a (decoding) stream in chunks; BodyTooLarge past `max_bytes`, as a live fetch does."""
    chunks, size = [], 0
    while block := stream.read(chunk):
        size += len(block)
        if max_bytes is not None and size > max_bytes:
            raise BodyTooLarge(url, f"archived body exceeds {max_bytes} bytes once decoded")
        chunks.append(block)
    return b"".join(chunks)


def _cut_short(headers: Mapping[str, str], body: bytes) -> bool:
    """True when a record we wrote (plain Content-Length, no wire encoding) holds less than it says."""
    declared = headers.get("Content-Length", "")
    encoded = any(name.lower() in ("content-encoding", "transfer-encoding") for name in headers)
    return declared.isdigit() and not encoded and len(body) < int(declared)


def read_response(warc_file: str, offset: int, max_bytes: int | None = None,
                  url: str | None = None) -> StoredResponse:
    """Read the response record at an offset of a WARC file (its body capped at `max_bytes`).

    With `url` (canonical), the record must be that URL's response: an index that points anywhere
    else (one out of date with its WARC file) fails that URL, never answers with another page.
    """
    with open(warc_file, "rb") as handle:
        handle.seek(offset)
        # Small blocks: a block of a gzip bomb inflates up to ~1,000 times (16 KiB would give 16 MiB).
        records = iter(ArchiveIterator(handle, block_size=READ_BLOCK))
        record = next(records) if url is None else _record_of(records, url, f"{warc_file}@{offset}")
        if record.rec_type != "response":
            raise ValueError(f"{warc_file}@{offset} is a {record.rec_type} record, not a response")
        return stored_response(record, max_bytes)


def _record_of(records, url: str, where: str):
    """The next record, which must be the response of `url` (MisplacedRecord if not)."""
    try:
        record = next(records)
    except (ArchiveLoadFailed, StopIteration, zlib.error, EOFError):
        raise MisplacedRecord(url, f"no WARC record at {where} (an index out of date with its WARC "
                                   "file?)") from None
    target = record.rec_headers.get_header("WARC-Target-URI") or ""
    if record.rec_type != "response" or (target != url and canonical_url(target) != url):
        raise MisplacedRecord(url, f"{where} holds the {record.rec_type} record of {target}, not this "
                                   "URL's response (an index out of date with its WARC file?)")
    return record

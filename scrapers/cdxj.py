"""The CDXJ index beside each WARC file the archive writes: where each response and revisit record is.

One line per record, in the order written: `<SURT> <14-digit time> {json}`, with the fields and
string values cdxj-indexer gives (url, mime, status, digest, length, offset, filename), so pywb,
cdxj-indexer's readers and WACZ tools read it (pywb wants it sorted: `LC_ALL=C sort`). The replay
reads it instead of decompressing the whole WARC to find its records.
"""

import json
import re
from dataclasses import dataclass
from pathlib import Path

from warcio.timeutils import iso_date_to_timestamp

SUFFIX = ".cdxj"
INDEXED_TYPES = frozenset({"response", "revisit"})  # the records a CDXJ index lists (requests are not)
REVISIT_MIME = "warc/revisit"
_MIME_END = re.compile(r"[;\s]")


@dataclass(frozen=True)
class IndexedRecord:
    """One record as a CDXJ line gives it."""

    rec_type: str  # response, revisit, or other (a resource or metadata record another tool listed)
    url: str
    offset: int
    length: int


def cdxj_path(warc: Path) -> Path:
    """The CDXJ file beside a WARC file (`x.warc.gz` -> `x.warc.gz.cdxj`)."""
    return warc.with_name(warc.name + SUFFIX)


def url_key(url: str) -> str:
    """The SURT of a URL, the key web archives sort and search by (the URL itself if it has none)."""
    import surt  # imported on first use: it pulls in tldextract, which the CLI's start-up does not need

    try:
        return surt.surt(url)
    except ValueError:
        return url


def cdxj_line(record, offset: int, length: int, filename: str) -> str:
    """The CDXJ line of a warcio record written at `offset`, `length` bytes long in the file."""
    headers, http = record.rec_headers, record.http_headers
    url = headers.get_header("WARC-Target-URI")
    fields = {"url": url}
    if mime := REVISIT_MIME if record.rec_type == "revisit" else _mime(http):
        fields["mime"] = mime
    if status := http.get_statuscode() if http else "":
        fields["status"] = status
    if digest := headers.get_header("WARC-Payload-Digest"):
        fields["digest"] = digest
    fields.update(length=str(length), offset=str(offset), filename=filename)
    stamp = iso_date_to_timestamp(headers.get_header("WARC-Date"))
    return f"{url_key(url)} {stamp} {json.dumps(fields)}\n"


def _mime(http) -> str:
    """The media type of a response (its Content-Type without parameters)."""
    value = http.get_header("Content-Type") if http else None
    return _MIME_END.split(value, maxsplit=1)[0].strip() if value else ""


def read_cdxj(warc: Path) -> list[IndexedRecord] | None:
    """The records the CDXJ file beside a WARC lists, in file order; None when there is none, or when
    it is not one written for this file (a line that does not read, another file name, records out of
    order or overlapping, a last line cut short)."""
    try:
        text = cdxj_path(warc).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if not text.endswith("\n"):
        return None  # empty, or its last line was cut short
    records: list[IndexedRecord] = []
    end = 0
    for line in text.splitlines():
        record = _parsed(line, warc.name)
        if record is None or record.offset < end:
            return None
        records.append(record)
        end = record.offset + record.length
    return records


def _parsed(line: str, filename: str) -> IndexedRecord | None:
    """A CDXJ line of a record of `filename`, or None."""
    try:
        fields = json.loads(line.split(" ", 2)[2])
        record = IndexedRecord(_record_type(fields), fields["url"], int(fields["offset"]),
                               int(fields["length"]))
    except (IndexError, KeyError, TypeError, ValueError, AttributeError):
        return None
    if fields.get("filename") != filename or not isinstance(record.url, str) or record.length <= 0:
        return None
    return record


def _record_type(fields: dict) -> str:
    """A listed record's type, as far as its fields tell (only responses and revisits have a status)."""
    if fields.get("mime") == REVISIT_MIME:
        return "revisit"
    return "response" if "status" in fields else "other"

"""The bundled sample snapshot: saved pages per source, listed in a manifest, for the offline demo and tests.

Each source has a folder `scrapers/sample/<source>/` with the saved pages and a
`manifest.json`: {"fetched_at": ISO time, "responses": [{"url", "file", "status",
"headers"}]}. The pages are written to match the live sites' structure (see
DESIGN.md); they are a sample, not a current directory.
"""

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any

from schemas.urls import canonical_url
from scrapers.archive import WarcArchive
from scrapers.cdxj import cdxj_path
from scrapers.page import Page

SAMPLE_DIR = Path(__file__).parent / "sample"


@dataclass(frozen=True)
class SampleResponse:
    """One saved response of the sample snapshot."""

    url: str
    path: Path
    status: int
    headers: Mapping[str, str]
    fetched_at: datetime
    body: bytes = field(repr=False, default=b"")


def sample_sources(root: Path = SAMPLE_DIR) -> list[str]:
    """Names of the sources that have a sample folder."""
    return sorted(p.parent.name for p in root.glob("*/manifest.json"))


def load_manifest(source: str, root: Path = SAMPLE_DIR) -> list[SampleResponse]:
    """Every saved response of one source, bodies loaded."""
    folder = root / source
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    fetched_at = datetime.fromisoformat(manifest["fetched_at"])
    responses = []
    for item in manifest["responses"]:
        path = folder / item["file"] if item.get("file") else None
        body = path.read_bytes() if path else b""
        responses.append(
            SampleResponse(
                url=item["url"],
                path=path or folder,
                status=int(item.get("status", 200)),
                headers=dict(item.get("headers", {})),
                fetched_at=fetched_at,
                body=body,
            )
        )
    return responses


def sample_page(source: str, file: str, context: Mapping[str, Any] | None = None) -> Page:
    """A sample response of a source, as the Page a parser receives (for tests)."""
    for response in load_manifest(source):
        if response.path.name == file:
            return Page(
                url=canonical_url(response.url),
                status=response.status,
                headers=response.headers,
                body=response.body,
                fetched_at=response.fetched_at,
                context=dict(context or {}),
            )
    raise KeyError(f"{file} is not in the {source} sample manifest")


def sample_digest(root: Path = SAMPLE_DIR) -> str:
    """A short hash of every sample file, so a changed sample gets a fresh WARC."""
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


Edit = Callable[[SampleResponse], SampleResponse | None]


def write_sample(archive: WarcArchive, edit: Edit | None = None, root: Path = SAMPLE_DIR) -> int:
    """Write every sample response to an archive, each first passed through `edit` (None drops it)."""
    written = 0
    for source in sample_sources(root):
        for response in load_manifest(source, root):
            response = edit(response) if edit else response
            if response is None:
                continue
            status_line = f"{response.status} {HTTPStatus(response.status).phrase}"
            archive.write(canonical_url(response.url), {}, status_line, response.headers,
                          response.body, response.fetched_at)
            written += 1
    return written


def sample_warc(folder: Path, root: Path = SAMPLE_DIR) -> Path:
    """The sample snapshot as a WARC file in `folder`, written once per version of the sample."""
    prefix = f"sample-{sample_digest(root)}"
    existing = sorted(Path(folder).glob(f"{prefix}-*.warc.gz"))
    if existing:
        return existing[0]
    staging = Path(folder) / f".{prefix}.partial"
    staging.mkdir(parents=True, exist_ok=True)
    write_sample(WarcArchive(staging, prefix), root=root)
    written = next(staging.glob("*.warc.gz"))
    final = Path(folder) / written.name
    cdxj_path(written).replace(cdxj_path(final))  # the index first: the WARC never shows without it
    written.replace(final)
    staging.rmdir()
    return final

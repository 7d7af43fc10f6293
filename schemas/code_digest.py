"""A digest of code files, so earlier output made by that code can be told still good (or not)."""

import hashlib
from collections.abc import Iterable
from pathlib import Path


def files_digest(paths: Iterable[Path], extra: bytes = b"") -> str:
    """SHA-256 (hex) of the files' bytes in order, then `extra` (e.g. a library's version)."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(Path(path).read_bytes())
    digest.update(extra)
    return digest.hexdigest()

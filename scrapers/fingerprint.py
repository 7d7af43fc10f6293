"""A fingerprint of a source's parsing code, so a run can tell whether earlier parse output still holds."""

import functools
import hashlib
import inspect
from pathlib import Path

from scrapers.base import Source

# Modules every parser leans on: a change in any of them may change what a page parses to.
SHARED = ("base.py", "page.py", "text.py", "urls.py")


@functools.cache
def parser_fingerprint(source: type[Source]) -> str:
    """SHA-256 (16 hex digits) of the source's module and the shared parsing modules."""
    digest = hashlib.sha256()
    folder = Path(__file__).parent
    for path in [Path(inspect.getfile(source)), *(folder / name for name in SHARED)]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]

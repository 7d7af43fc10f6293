"""A fingerprint of a source's parsing code, so a run can tell whether earlier parse output still holds."""

import functools
import hashlib
import inspect
from pathlib import Path

from scrapers.base import Source

# Modules every parser leans on: a change in any of them may change what a page parses to.
# (paths from the project folder: the canonical URL form and the address splitter are on the ground floor).
SHARED = ("scrapers/base.py", "scrapers/page.py", "scrapers/urls.py", "scrapers/sources/text.py",
          "scrapers/sources/audiences.py", "schemas/urls.py", "schemas/address.py")


@functools.cache
def parser_fingerprint(source: type[Source]) -> str:
    """SHA-256 (16 hex digits) of the source's modules (its class, its platform bases) and the shared ones."""
    digest = hashlib.sha256()
    folder = Path(__file__).parent.parent
    own = dict.fromkeys(Path(inspect.getfile(cls)) for cls in source.__mro__ if issubclass(cls, Source))
    for path in [*own, *(folder / name for name in SHARED)]:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]

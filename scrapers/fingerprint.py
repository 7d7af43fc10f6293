"""A fingerprint of a source's parsing code, so a run can tell whether earlier parse output still holds."""

import functools
import inspect
from pathlib import Path

from schemas.code_digest import files_digest
from scrapers.base import Source

# Modules every parser leans on: a change in any of them may change what a page parses to.
# (paths from the project folder: the canonical URL form and the address splitter are on the ground floor).
SHARED = ("scrapers/base.py", "scrapers/page.py", "scrapers/urls.py", "scrapers/sources/text.py",
          "scrapers/sources/audiences.py", "schemas/urls.py", "schemas/address.py")


@functools.cache
def parser_fingerprint(source: type[Source]) -> str:
    """SHA-256 (16 hex digits) of the source's modules (its class, its platform bases) and the shared ones."""
    folder = Path(__file__).parent.parent
    own = dict.fromkeys(Path(inspect.getfile(cls)) for cls in source.__mro__ if issubclass(cls, Source))
    return files_digest([*own, *(folder / name for name in SHARED)])[:16]

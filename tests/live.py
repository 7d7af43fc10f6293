"""For tests marked `live`: fetch real pages through the project's own polite fetcher."""

import tempfile
from pathlib import Path

from scrapers.archive import WarcArchive
from scrapers.fetch import FetchConfig, HttpFetcher
from scrapers.page import Page

_FOLDER = Path(tempfile.mkdtemp(prefix="supportdir-live-"))
_FETCHER = HttpFetcher(FetchConfig(retries=1), WarcArchive(_FOLDER, prefix="live"))


def live_page(url: str) -> Page:
    """The live response of a URL (robots.txt honoured, polite, archived in a temp folder)."""
    return _FETCHER.get(url)

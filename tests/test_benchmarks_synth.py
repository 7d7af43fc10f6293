"""The scale benchmark's synthetic sources: each generator's pages, crawled in memory by the real
source, parse to exactly the listings the generator says they hold."""

import random
from datetime import UTC, datetime

import pytest

from benchmarks.scale import GENERATORS, NATIONAL_MIX, parse_mix
from benchmarks.synth import Pages, key_of
from scrapers.crawl import crawl
from scrapers.page import Page
from scrapers.registry import get_source

MIRROR = "http://mirror.test"


class PagesFetcher:
    """The Fetcher the crawl needs, answering from a generator's pages (404 for anything else)."""

    def __init__(self, pages: Pages):
        self.pages, self.log = pages, []

    def get(self, url: str) -> Page:
        """The page at the URL's mirror key."""
        status, headers, body = self.pages.get(key_of(url), (404, {}, b"not found"))
        return Page(url=url, status=status, headers=headers, body=body, fetched_at=datetime.now(UTC))


@pytest.mark.parametrize("name", sorted(GENERATORS))
def test_generated_pages_parse_to_the_generated_count(name, monkeypatch):
    """Every page is reached from the start URLs and nothing is lost; the listings are as generated."""
    monkeypatch.setenv(f"SUPPORTDIR_{name.upper()}_BASE_URL", MIRROR)
    pages = GENERATORS[name](60, random.Random(1))
    source = get_source(name)
    result = crawl(source, PagesFetcher(pages))
    lost: list[tuple[str, str]] = []
    listings = source.parse_all(result.pages, lost=lost)
    assert not result.lost and not result.skipped and not lost
    assert {key_of(page.url) for page in result.pages} == set(pages)  # every page served was wanted
    assert len(listings) == pages.listings >= 60  # DBSA adds its online groups page


def test_national_mix_shares_add_up_and_name_only_known_generators():
    """The national mix covers every generator and splits the listings as asked."""
    counts = parse_mix(NATIONAL_MIX, 100_000)
    assert set(counts) == set(GENERATORS)
    assert abs(sum(counts.values()) - 100_000) <= len(counts)
    assert counts["meetingguide"] == 55_000 and counts["bmlt"] == 30_000

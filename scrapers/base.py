"""The Source base class: identity, politeness and pure discover/parse functions."""

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from urllib.parse import urlsplit

from schemas.errors import LostTooMany, NoListings, SettingInvalid, SourceChanged
from schemas.listing import ParsedListing
from schemas.urls import canonical_url
from scrapers.page import Link, Page


@dataclass(frozen=True)
class Unit:
    """One unit of a source of many hosts (a feed, a root server): reported on its own line per run."""

    key: str  # the prefix of its listings' source_key (before the first "/")
    name: str  # its name in the run report
    url: str  # its start URL
    urls: frozenset[str]  # every URL of its pages (canonical), to tell which lost page is its


class Source:
    """A website that publishes listings. Subclasses set the class attributes and parse."""

    name: ClassVar[str]
    organization: ClassVar[str]
    base_url: ClassVar[str]
    start_paths: ClassVar[tuple[str, ...]] = ("/",)
    min_interval: ClassVar[float] = 1.0
    max_pages: ClassVar[int] = 10_000  # the crawl's page cap: set well above the site's real size
    # Each start page is a unit of its own (a feed, a state page): one that fails is lost, not fatal.
    independent_starts: ClassVar[bool] = False
    max_lost_share: ClassVar[float] = 0.10  # more pages lost than this share fails the source
    description: ClassVar[str] = ""
    # How much its listings are trusted for an entity's fields when sources agree on one: 1 = the
    # organization's own site or meeting lists, 2 = a directory or aggregator of others' listings.
    rank: ClassVar[int] = 3
    # Its alliance or feed family (None: its own name): listings of different families are one
    # organization only on contact evidence (warehouse/identity/matching.py).
    family: ClassVar[str | None] = None
    # A source of many hosts reports each of its units (Source.units) under this name: "feed".
    unit_noun: ClassVar[str | None] = None
    # Its pages take long to parse for their size (a PDF): a crawl with parse workers sends every
    # one of them to a worker, rather than parsing the first megabyte in its own thread.
    slow_pages: ClassVar[bool] = False

    def __init__(self, base_url: str | None = None):
        prefix = f"SUPPORTDIR_{self.name.upper()}"
        # A mirror (or a test server) can stand in for the live site, with its own politeness.
        self.base = (base_url or os.environ.get(f"{prefix}_BASE_URL") or self.base_url).rstrip("/")
        self.interval = _setting(f"{prefix}_MIN_INTERVAL", self.min_interval, float)
        self.page_cap = _setting(f"{prefix}_MAX_PAGES", self.max_pages, int)
        shared = _setting("SUPPORTDIR_MAX_LOST_SHARE", self.max_lost_share, float)
        self.lost_share = _setting(f"{prefix}_MAX_LOST_SHARE", shared, float)

    @classmethod
    def traits(cls) -> tuple[int, str]:
        """(rank, family) as the warehouse receives them (source_traits)."""
        return cls.rank, cls.family or cls.name

    def url(self, path: str) -> str:
        """An absolute URL on this source's site."""
        return self.base + path

    @property
    def mirror(self) -> str | None:
        """The base URL this source is pointed at instead of its own (a mirror, a test server), else None."""
        return None if self.base == type(self).base_url.rstrip("/") else self.base

    def mirrored(self, url: str) -> str:
        """Another host's URL as a mirror serves it (<base>/<host><path>?<query>) when this source is
        pointed at one (a base other than its own), else the URL itself (feeds, BMLT servers)."""
        if self.mirror is None:
            return url
        parts = urlsplit(url)
        return f"{self.base}/{parts.netloc}{parts.path}" + (f"?{parts.query}" if parts.query else "")

    def start_urls(self) -> list[str]:
        """Where a crawl of this source begins."""
        return [self.url(path) for path in self.start_paths]

    def request_headers(self) -> dict[str, dict[str, str]]:
        """Extra request headers per start URL (e.g. a feed that wants an Accept header). None by default."""
        return {}

    def start_labels(self) -> dict[str, str]:
        """A label per start URL for `supportdir sources` (e.g. a feed's name and state). None by default."""
        return {}

    def restricted(self, page: Page) -> str | None:
        """Why an error answer to a start URL is the site withholding it on purpose, else None.

        The crawl consults this for a start URL answered with a 4xx: a reason means the URL is
        reported as restricted and skipped (not a failure of the source); None means it failed.
        """
        return None

    def replacement(self, page: Page) -> Iterable[Link]:
        """Where a start URL answered 404 or 410 may have gone (e.g. a feed file renamed). None by default.

        The crawl consults this for a start URL that is gone: the links it names stand in for that
        start page (their context carries `replaces`, its URL), as does what `discover` finds from
        them when it passes that context on. If they fail, the start page is lost as a unit.
        """
        return ()

    def units(self, pages: Sequence[Page]) -> list[Unit]:
        """The units a crawl's pages cover (feeds, root servers), for the run report. None by default."""
        return []

    def discover(self, page: Page) -> Iterable[Link]:
        """Further URLs to fetch from a page (pagination, detail pages). None by default."""
        return ()

    def parse(self, page: Page) -> Iterable[ParsedListing]:
        """Listings on a page."""
        raise NotImplementedError

    def notes(self, page: Page) -> list[str]:
        """Lines for the run report about a page (e.g. values it could not read). None by default."""
        return []

    def finalize(self, listings: list[ParsedListing]) -> list[ParsedListing]:
        """Combine listings across pages (e.g. one chapter listed on several pages)."""
        return listings

    def changed(self, page: Page, reason: str) -> SourceChanged:
        """The typed error for a page that no longer looks as expected."""
        return SourceChanged(self.name, page.url, reason)

    def parse_page(self, page: Page) -> list[ParsedListing]:
        """Parse one page and stamp each listing with the page's provenance."""
        stamp = {"fetched_at": page.fetched_at, "content_sha256": page.sha256}
        return [listing.model_copy(update=stamp) for listing in self.parse(page)]

    def parse_all(self, pages: list[Page], parsed: Mapping[int, list[ParsedListing]] | None = None,
                  lost: list[tuple[str, str]] | None = None) -> list[ParsedListing]:
        """Parse every page of a crawl (but those in `parsed`, by index), then combine.

        Without `lost`, a page that fails fails the whole parse. With it, such a page is lost
        (its URL and reason appended) unless it is a start page the others depend on; too many
        lost pages fail the source (LostTooMany). Nothing at all means the site changed.
        """
        parsed = parsed or {}
        unfetched = len(lost or ())  # pages the crawl could not fetch: lost before any parsing
        listings: list[ParsedListing] = []
        for index, page in enumerate(pages):
            if index in parsed:
                listings.extend(parsed[index])
                continue
            try:
                listings.extend(self.parse_page(page))
            except Exception as exc:
                unit = page.context.get("replaces") or page.url  # a stand-in is lost as its start page
                if lost is None or not self._may_lose(unit):
                    raise
                lost.append((unit, f"{type(exc).__name__}: {exc}"))
        if lost:
            self.check_lost(len(pages) + unfetched, lost)
        listings = self.finalize(listings)
        if not listings:
            where = pages[0].url if pages else self.start_urls()[0]
            raise NoListings(self.name, where, "no listings found on any page")
        return listings

    def _may_lose(self, url: str) -> bool:
        """True when the page at `url` may be lost without failing the source."""
        starts = {canonical_url(start) for start in self.start_urls()}
        return self.independent_starts or canonical_url(url) not in starts

    def check_lost(self, units: int, lost: list[tuple[str, str]]) -> None:
        """LostTooMany when the lost pages are more than the source's share of every page tried.

        One lost page never fails a source, however few pages it has: one odd page is not a new site.
        """
        if len(lost) > 1 and len(lost) / units > self.lost_share:
            url, why = lost[0]
            raise LostTooMany(self.name, url, f"{len(lost)} of {units} pages lost (more than "
                                              f"{self.lost_share:.0%}); first: {why}")


def _setting(name: str, default: float, kind: type[float] | type[int]) -> Any:
    """A number from the environment (the default when unset); SettingInvalid when it is not one."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return kind(raw)
    except ValueError:
        noun = "a whole number" if kind is int else "a number"
        raise SettingInvalid(f"{name}={raw!r} is not {noun}") from None

"""NAMI pages built inline for the tests: API pages, entries, profile pages with contact blocks."""

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from schemas.listing import ParsedListing
from scrapers.page import Page
from scrapers.sources.nami import Nami

FILES = Path(__file__).parent / "files"
BASE = "https://www.nami.org"
API_P1 = f"{BASE}/wp-json/wp/v2/affiliate?per_page=100&page=1&_fields=id,slug,link,title"
ROOT = f"{BASE}/find-your-local-nami"
FETCHED = datetime(2026, 11, 20, 6, tzinfo=UTC)


def make_page(
    url: str, body: bytes | str, headers: dict[str, str] | None = None, **context: Any
) -> Page:
    """A page built inline (for cases the sample does not hold)."""
    data = body.encode("utf-8") if isinstance(body, str) else body
    return Page(url, 200, headers or {}, data, FETCHED, context=context)


def api_page(entries: list[Any], page: int = 1, total_pages: int | None = None) -> Page:
    """An API page holding `entries`, optionally with the X-WP-TotalPages header."""
    headers = {"Content-Type": "application/json; charset=UTF-8"}
    if total_pages is not None:
        headers["X-WP-TotalPages"] = str(total_pages)
    url = f"{BASE}/wp-json/wp/v2/affiliate?per_page=100&page={page}&_fields=id,slug,link,title"
    return make_page(url, json.dumps(entries), headers)


def entry(
    n: int, path: str = "kentucky/nami-test-{n}/", title: str = "NAMI Test {n}"
) -> dict[str, Any]:
    """One API entry, as WordPress returns it with _fields=id,slug,link,title."""
    path = path.format(n=n)
    slug = path.strip("/").split("/")[-1]
    return {
        "id": n,
        "slug": slug,
        "link": f"{ROOT}/{path}",
        "title": {"rendered": title.format(n=n)},
    }


def profile(body: str, path: str = "kentucky/nami-test/", **context: Any) -> ParsedListing:
    """The one listing of a profile page built inline."""
    page = make_page(
        f"{ROOT}/{path}", body, {"Content-Type": "text/html; charset=UTF-8"}, **context
    )
    listings = list(Nami(BASE).parse(page))
    assert len(listings) == 1
    return listings[0]


def label(text: str) -> str:
    """A contact-block label as the theme writes it."""
    return f'<dt class="h6 affiliate-contact-information__item-label">{text}</dt>'


def contact_page(items: str, h1: str = "NAMI Test") -> str:
    """A minimal profile page with a contact block of the given <dt>/<dd> items."""
    block = f'<dl class="affiliate-contact-information__content">{items}</dl>'
    return f"<html><body><main><h1>{h1}</h1>{block}</main></body></html>"

"""Reading XML sitemaps (sitemaps.org): page URLs of a <urlset>, child sitemaps of a <sitemapindex>."""

from dataclasses import dataclass, field

from bs4 import BeautifulSoup

from scrapers.page import Page
from scrapers.sources.text import clean


class NotASitemap(ValueError):
    """A page that is not a sitemap (no <urlset> or <sitemapindex> root)."""


@dataclass(frozen=True)
class Sitemap:
    """What a sitemap lists: page URLs (with lastmod when given) and child sitemaps."""

    pages: list[tuple[str, str | None]] = field(default_factory=list)
    children: list[str] = field(default_factory=list)


def read_sitemap(page: Page) -> Sitemap:
    """The <loc> of each <url> (not image:loc) and each <sitemap> of a sitemap page."""
    try:
        soup = BeautifulSoup(page.body, "xml")
    except ValueError as exc:  # lxml refuses an XML declaration naming an impossible encoding
        raise NotASitemap(f"{page.url} cannot be read as XML: {exc}") from exc
    root = next((tag for tag in soup.find_all(True, recursive=False)), None)
    if root is None or root.name not in ("urlset", "sitemapindex"):
        raise NotASitemap(f"no <urlset> or <sitemapindex> in {page.url}")
    pages, children = [], []
    for entry in root.find_all(["url", "sitemap"], recursive=False):
        loc = entry.find("loc", recursive=False)  # an <image:loc> sits deeper, inside <image:image>
        if loc is None or not clean(loc.get_text()):
            continue
        if entry.name == "sitemap":
            children.append(clean(loc.get_text()))
        else:
            lastmod = entry.find("lastmod", recursive=False)
            pages.append((clean(loc.get_text()), clean(lastmod.get_text()) if lastmod else None))
    return Sitemap(pages, children)

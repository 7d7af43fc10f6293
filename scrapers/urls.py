"""URL helpers of the fetch layer and the parsers (canonical form: schemas/urls.py)."""

from urllib.parse import urljoin, urlsplit

from schemas.urls import authority


def host_of(url: str) -> str:
    """Host (with a non-default port) of a URL, the unit of politeness."""
    return authority(urlsplit(url))


def absolute_url(base: str, href: str) -> str:
    """Resolve a link against the page it was found on."""
    return urljoin(base, href.strip())

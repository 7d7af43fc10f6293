"""URL helpers of the fetch layer and the parsers (canonical form: schemas/urls.py)."""

from urllib.parse import urljoin, urlsplit

from schemas.urls import authority, bare_domain_url


def host_of(url: str) -> str:
    """Host (with a non-default port) of a URL, the unit of politeness."""
    return authority(urlsplit(url))


def absolute_url(base: str, href: str) -> str:
    """Resolve a link against the page it was found on; a link that starts with a domain and has no
    scheme ("example.org", "www.example.org/chapter") is that site, never a path on the page's host."""
    return bare_domain_url(href) or urljoin(base, href.strip())

"""URL helpers of the fetch layer and the parsers (canonical form: schemas/urls.py)."""

import re
from collections.abc import Iterable
from urllib.parse import urljoin, urlsplit

from schemas.urls import authority, bare_domain_url

MIRRORED_HOST = re.compile(r"[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?")  # a host as a mirror's first path segment


def host_of(url: str) -> str:
    """Host (with a non-default port) of a URL, the unit of politeness."""
    return authority(urlsplit(url))


def politeness_host(url: str, mirrors: Iterable[str] = ()) -> str:
    """The host a request is polite to: under a mirror (one of `mirrors`, base URLs serving other
    hosts as <mirror>/<host>/<path>, see Source.mirrored) the live host it stands for, else its own."""
    for mirror in mirrors:
        rest = url[len(mirror) + 1:] if url.startswith(mirror + "/") else ""
        first, slash, _path = rest.partition("/")
        if slash and MIRRORED_HOST.fullmatch(first):
            return first
    return host_of(url)


def absolute_url(base: str, href: str) -> str:
    """Resolve a link against the page it was found on; a link that starts with a domain and has no
    scheme ("example.org", "www.example.org/chapter") is that site, never a path on the page's host."""
    return bare_domain_url(href) or urljoin(base, href.strip())

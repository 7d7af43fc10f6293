"""URL canonicalization, shared by the fetch layer, replay and the parsers."""

from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """Canonical form used to match URLs: lower scheme/host, no default port, sorted query, no fragment."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = _bracketed((parts.hostname or "").lower())
    netloc = host
    if parts.port and parts.port != DEFAULT_PORTS.get(scheme):
        netloc = f"{host}:{parts.port}"
    if parts.username:
        netloc = f"{parts.username}@{netloc}"
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True)))
    return urlunsplit((scheme, netloc, parts.path or "/", query, ""))


def host_of(url: str) -> str:
    """Host (with a non-default port) of a URL, the unit of politeness."""
    parts = urlsplit(url)
    host = _bracketed((parts.hostname or "").lower())
    if parts.port and parts.port != DEFAULT_PORTS.get(parts.scheme.lower()):
        return f"{host}:{parts.port}"
    return host


def _bracketed(host: str) -> str:
    """An IPv6 address host in brackets, as a URL writes it ([::1]); other hosts unchanged."""
    return f"[{host}]" if ":" in host else host


def absolute_url(base: str, href: str) -> str:
    """Resolve a link against the page it was found on."""
    return urljoin(base, href.strip())


def is_http_url(url: str | None) -> bool:
    """True for an absolute http(s) URL with a host."""
    if not url:
        return False
    parts = urlsplit(url.strip())
    return parts.scheme.lower() in DEFAULT_PORTS and bool(parts.hostname)

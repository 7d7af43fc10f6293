"""Canonical URLs: one set of rules for replay matching (scrapers) and published values (warehouse)."""

import re
from functools import cache
from urllib.parse import SplitResult, parse_qsl, urlencode, urlsplit, urlunsplit

from publicsuffixlist import PublicSuffixList

DEFAULT_PORTS = {"http": 80, "https": 443}
# A link that starts with a host name ("www.example.org/chapter", "example.org:8080"): dotted labels.
_LEADING_HOST = re.compile(
    r"(?P<host>(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]*[a-z])(?::\d{1,5})?(?:[/?#]|$)", re.I
)


def canonical_url(url: str, *, sort_query: bool = True, keep_userinfo: bool = True) -> str:
    """Lower scheme/host, no default port or fragment, "/" for no path; the query sorted if `sort_query`,
    the user name (never a password) kept if `keep_userinfo`; ValueError for an unreadable port or host."""
    parts = urlsplit(url.strip())
    netloc = authority(parts)
    if keep_userinfo and parts.username:
        netloc = f"{parts.username}@{netloc}"
    query = urlencode(sorted(parse_qsl(parts.query, keep_blank_values=True))) if sort_query else parts.query
    return urlunsplit((parts.scheme.lower(), netloc, parts.path or "/", query, ""))


def authority(parts: SplitResult) -> str:
    """Lowercase host (an IPv6 address in brackets) and its port unless the scheme's default."""
    host = bracketed((parts.hostname or "").lower())
    if parts.port and parts.port != DEFAULT_PORTS.get(parts.scheme.lower()):
        return f"{host}:{parts.port}"
    return host


def bracketed(host: str) -> str:
    """An IPv6 address host in brackets, as a URL writes it ([::1]); other hosts unchanged."""
    return f"[{host}]" if ":" in host else host


def is_http_url(url: str | None) -> bool:
    """True for an absolute http(s) URL with a host."""
    if not url:
        return False
    parts = urlsplit(url.strip())
    return parts.scheme.lower() in DEFAULT_PORTS and bool(parts.hostname)


def bare_domain_url(href: str | None) -> str | None:
    """The https URL a link written without a scheme stands for ("www.example.org/chapter" ->
    "https://www.example.org/chapter"), when it starts with a domain under a known public suffix;
    None otherwise ("chapter.html", "groups.php?id=3" and "/about" are relative links)."""
    text = (href or "").strip()
    match = _LEADING_HOST.match(text)
    if match is None or _public_suffixes().privatesuffix(match["host"].lower()) is None:
        return None
    return "https://" + text


@cache
def _public_suffixes() -> PublicSuffixList:
    """The Public Suffix List the package ships (ICANN and private), no unknown suffix accepted."""
    return PublicSuffixList(accept_unknown=False)

"""robots.txt per host (protego), with RFC 9309's rules for unreachable files."""

import threading
from collections.abc import Callable
from urllib.parse import urlsplit

from protego import Protego

from scrapers.urls import host_of

ALLOW_ALL = Protego.parse("")
DISALLOW_ALL = Protego.parse("User-agent: *\nDisallow: /")


def rules_for(status: int | None, body: bytes) -> Protego:
    """RFC 9309: 2xx parse the file; 4xx means no rules; 5xx or unreachable means disallow all.

    429 (too many requests) counts as unreachable, not as "no rules".
    """
    if status is None or status >= 500 or status == 429:
        return DISALLOW_ALL
    if 400 <= status < 500:
        return ALLOW_ALL
    return Protego.parse(body.decode("utf-8", errors="replace"))


class RobotsRules:
    """Fetches each host's robots.txt once (through `fetch`) and answers for that host's URLs."""

    def __init__(self, fetch: Callable[[str], tuple[int | None, bytes, str | None]], user_agent: str):
        self._fetch = fetch
        self.agent = user_agent.split("/")[0]
        self._rules: dict[str, Protego] = {}
        self.statuses: dict[str, int | None] = {}
        self._unreachable: dict[str, str] = {}  # host -> the network error that kept its robots.txt away
        self._lock = threading.Lock()
        self._host_locks: dict[str, threading.Lock] = {}  # one robots.txt fetch per host at a time

    def _for(self, url: str) -> Protego:
        """The rules of a URL's host, fetched on first use (other hosts' fetches go on meanwhile)."""
        host = host_of(url)
        with self._lock:
            lock = self._host_locks.setdefault(host, threading.Lock())
        with lock:
            if host not in self._rules:
                scheme = urlsplit(url).scheme
                status, body, error = self._fetch(f"{scheme}://{host}/robots.txt")
                self.statuses[host] = status
                if error:
                    self._unreachable[host] = error
                self._rules[host] = rules_for(status, body)
            return self._rules[host]

    def allowed(self, url: str) -> bool:
        """May this project's crawler fetch the URL?"""
        if urlsplit(url).path == "/robots.txt":
            return True
        return self._for(url).can_fetch(url, self.agent)

    def unreachable(self, url: str) -> str | None:
        """The network error (DNS, connection) that kept the URL's host's robots.txt away, if any."""
        return self._unreachable.get(host_of(url))

    def why(self, url: str) -> str:
        """Why a URL is disallowed: an unreachable robots.txt, or its rules."""
        status = self.statuses.get(host_of(url))
        if status is None:
            return "robots.txt unreachable: the host is treated as disallowed (RFC 9309)"
        if status >= 500 or status == 429:
            return f"robots.txt answered HTTP {status}: the host is treated as disallowed (RFC 9309)"
        return "disallowed by its rules"

    def crawl_delay(self, host: str) -> float | None:
        """Crawl-delay the host asked for, once its robots.txt is known (never fetches)."""
        rules = self._rules.get(host)
        delay = rules.crawl_delay(self.agent) if rules else None
        return float(delay) if delay else None

"""robots.txt per host (protego), with RFC 9309's rules for unreachable files."""

import threading
from collections.abc import Callable
from urllib.parse import urlsplit

from protego import Protego

from scrapers.urls import host_of

ALLOW_ALL = Protego.parse("")
DISALLOW_ALL = Protego.parse("User-agent: *\nDisallow: /")


def rules_for(status: int | None, body: bytes) -> Protego:
    """RFC 9309: 2xx parse the file; 4xx means no rules; 5xx or unreachable means disallow all."""
    if status is None or status >= 500:
        return DISALLOW_ALL
    if 400 <= status < 500:
        return ALLOW_ALL
    return Protego.parse(body.decode("utf-8", errors="replace"))


class RobotsRules:
    """Fetches each host's robots.txt once (through `fetch`) and answers for that host's URLs."""

    def __init__(self, fetch: Callable[[str], tuple[int | None, bytes]], user_agent: str):
        self._fetch = fetch
        self.agent = user_agent.split("/")[0]
        self._rules: dict[str, Protego] = {}
        self._lock = threading.Lock()

    def _for(self, url: str) -> Protego:
        """The rules of a URL's host, fetched on first use."""
        host = host_of(url)
        with self._lock:
            if host not in self._rules:
                scheme = urlsplit(url).scheme
                self._rules[host] = rules_for(*self._fetch(f"{scheme}://{host}/robots.txt"))
            return self._rules[host]

    def allowed(self, url: str) -> bool:
        """May this project's crawler fetch the URL?"""
        if urlsplit(url).path == "/robots.txt":
            return True
        return self._for(url).can_fetch(url, self.agent)

    def crawl_delay(self, host: str) -> float | None:
        """Crawl-delay the host asked for, once its robots.txt is known (never fetches)."""
        rules = self._rules.get(host)
        delay = rules.crawl_delay(self.agent) if rules else None
        return float(delay) if delay else None

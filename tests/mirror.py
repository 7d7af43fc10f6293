"""A loopback mirror of the sample snapshot: serves each saved page at its path, with ETags."""

import hashlib
from urllib.parse import urlsplit

from werkzeug import Request, Response

from schemas.urls import canonical_url
from scrapers.sample import load_manifest, sample_sources
from scrapers.urls import host_of


def mirror_key(url: str) -> str:
    """Path and sorted query of a URL: what the mirror matches on (hosts differ)."""
    parts = urlsplit(canonical_url(url))
    return parts.path + (f"?{parts.query}" if parts.query else "")


class SampleMirror:
    """A werkzeug handler answering requests for any sample page; it counts and can fail on demand."""

    def __init__(self, sources: list[str] | None = None):
        self.pages = {}
        for source in sources or sample_sources():
            for response in load_manifest(source):
                self.pages[mirror_key(response.url)] = response
                # Sources of many hosts (Meeting Guide feeds) are mirrored as /<host><path>.
                self.pages["/" + host_of(response.url) + mirror_key(response.url)] = response
        self.requests: list[Request] = []
        self.failing: set[str] = set()  # path prefixes answered with 500
        self.fail_times: dict[str, int] = {}  # path prefix -> how many more 500s before success

    def status_of(self, request: Request) -> int:
        """The status the mirror answers a request with (404 for an unknown path)."""
        saved = self.pages.get(mirror_key(request.url))
        return saved.status if saved else 404

    def __call__(self, request: Request) -> Response:
        self.requests.append(request)
        key = mirror_key(request.url)
        if request.path == "/robots.txt":
            return Response("", status=404)
        if any(request.path.startswith(prefix) for prefix in self.failing):
            return Response("server error", status=500)
        for prefix, left in self.fail_times.items():
            if request.path.startswith(prefix) and left > 0:
                self.fail_times[prefix] = left - 1
                return Response("server error", status=503)
        if key not in self.pages:
            return Response("not found", status=404)
        saved = self.pages[key]
        etag = '"' + hashlib.sha256(saved.body).hexdigest()[:16] + '"'
        if request.headers.get("If-None-Match") == etag:
            return Response(status=304, headers={"ETag": etag})
        headers = {k: v for k, v in saved.headers.items() if k.lower() != "content-length"}
        return Response(saved.body, status=saved.status, headers={**headers, "ETag": etag})

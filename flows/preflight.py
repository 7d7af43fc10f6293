"""The build's checks that need no build: run before Prefect starts, so a bad option fails in a second."""

import socket
from pathlib import Path
from urllib.parse import urlsplit

from flows.plan import check_options
from schemas.errors import ServiceUnavailable, SupportDirError
from scrapers.registry import SOURCE_CLASSES, get_source

DASK_CONNECT_TIMEOUT_S = 3.0


class BadOption(SupportDirError):
    """An option whose value cannot be used (a missing file, an address without a port)."""


def check_build(sources: list[str] | None, accept_drop: list[str] | None, decisions: Path | None,
                default_decisions: Path) -> None:
    """Known sources whose settings and files read (every source when none is named), a decisions file
    that exists if one was named and parses, known --accept-drop."""
    for name in sources or SOURCE_CLASSES:
        get_source(name)
    if decisions is not None and not decisions.exists():
        raise BadOption(f"--decisions {decisions}: no such file")
    check_options(accept_drop, decisions or default_decisions)


def archived_sources(replay: list[Path], names: list[str]) -> tuple[list[str], list[str]]:
    """The sources whose start URLs the replayed archive holds (any one of them), and the others."""
    from warcio.exceptions import ArchiveLoadFailed

    from schemas.urls import canonical_url
    from scrapers.replay import index_warcs, warc_files

    files = warc_files(replay)
    try:
        index = index_warcs(files)
    except ArchiveLoadFailed as exc:
        raise BadOption(f"--replay: not a WARC archive: {exc}") from None
    held = [n for n in names if any(canonical_url(u) in index for u in get_source(n).start_urls())]
    if not held:
        raise BadOption(f"--replay {', '.join(map(str, replay))}: holds no start URL of any source "
                        f"({', '.join(names)})")
    return held, [n for n in names if n not in held]


def check_dask(address: str | None) -> None:
    """The dask extra is installed and the scheduler at `address` (if any) accepts a TCP connection."""
    import importlib.util

    from flows.runners import MissingExtra

    if importlib.util.find_spec("prefect_dask") is None:
        raise MissingExtra("--task-runner dask needs the dask extra: pip install 'supportdir[dask]'")
    if not address:
        return
    parts = urlsplit(address if "://" in address else f"tcp://{address}")
    try:
        host, port = parts.hostname, parts.port
    except ValueError:
        host = port = None
    if parts.scheme not in ("tcp", "tls") or not host or not port:
        raise BadOption(f"--dask-address {address}: expected tcp://HOST:PORT (e.g. tcp://10.0.0.5:8786)")
    try:
        socket.create_connection((host, port), timeout=DASK_CONNECT_TIMEOUT_S).close()
    except OSError as exc:
        raise ServiceUnavailable(f"the Dask scheduler at {address} does not answer ({exc}); "
                                 "start it or check --dask-address") from None

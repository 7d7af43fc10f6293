"""The fetch layer's connections: each host resolved once, checked, and connected to by that address;
and a total deadline per request, enforced by one watchdog thread that shuts the socket down.

Resolving once closes the DNS-rebinding gap between the address check and the connect: the
connection never asks DNS again, so it goes to the address that was checked, while the Host
header, TLS SNI and the certificate check still use the host name (urllib3 keeps `host`).
"""

import heapq
import ipaddress
import itertools
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import ClassVar

from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import NameResolutionError

from schemas.errors import AddressRefused
from schemas.urls import DEFAULT_PORTS, bracketed

SockAddr = tuple  # (address, port) or, for IPv6, (address, port, flowinfo, scope_id)


def is_public(address: str) -> bool:
    """True for a globally routable unicast address (IPv4-mapped IPv6 judged as its IPv4)."""
    ip = ipaddress.ip_address(address.split("%")[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


class AddressPolicy:
    """Resolves each host once per fetcher, refuses non-global addresses, and pins the answer."""

    def __init__(self, allow_private: bool = False, private_hosts: frozenset[str] = frozenset()):
        self.allow_private = allow_private
        self.private_hosts = private_hosts
        self._pinned: dict[tuple[str, int], SockAddr] = {}
        self._lock = threading.Lock()
        self._host_locks: dict[tuple[str, int], threading.Lock] = {}  # one look-up per host at a time

    def address(self, host: str, port: int, scheme: str) -> SockAddr:
        """The checked address to connect to (resolved on first use; raises AddressRefused).

        Other hosts' look-ups go on meanwhile: a crawl fetches several hosts at once."""
        host = host.strip("[]")
        with self._lock:
            lock = self._host_locks.setdefault((host, port), threading.Lock())
        with lock:
            if (host, port) not in self._pinned:
                infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
                if not infos:
                    raise socket.gaierror(f"no address for {host}")
                if not self._may_be_private(host, port, scheme):
                    refused = [info[4][0] for info in infos if not is_public(info[4][0])]
                    if refused:
                        raise AddressRefused(f"{scheme}://{bracketed(host)}",
                                             f"resolves to a private or loopback address ({refused[0]})")
                self._pinned[(host, port)] = infos[0][4]
            return self._pinned[(host, port)]

    def _may_be_private(self, host: str, port: int, scheme: str) -> bool:
        """True when a setting allows this host (host[:port], as host_of writes it) to be private."""
        key = bracketed(host.lower()) + ("" if port == DEFAULT_PORTS.get(scheme) else f":{port}")
        return self.allow_private or key in self.private_hosts


class _Pinned:
    """Mixin of a urllib3 connection: connect to the policy's checked address; watch the deadline."""

    policy: ClassVar[AddressPolicy]
    scheme: ClassVar[str]

    def _new_conn(self) -> socket.socket:
        """A socket to the checked address of the host (no second DNS look-up)."""
        try:
            sockaddr = self.policy.address(self.host, self.port, self.scheme)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc
        real_dns_host = self._dns_host
        self._dns_host = sockaddr[0]  # an address literal: create_connection resolves nothing
        try:
            sock = super()._new_conn()
        finally:
            self._dns_host = real_dns_host
        _watch(self)
        return sock

    def request(self, *args, **kwargs) -> None:
        """Send a request on this connection, under the current deadline (a reused one too)."""
        _watch(self)
        super().request(*args, **kwargs)


def pinned_pools(policy: AddressPolicy) -> dict[str, type[HTTPConnectionPool]]:
    """urllib3 pool classes by scheme whose connections go to the addresses `policy` checked."""
    http = type("PinnedHTTPConnection", (_Pinned, HTTPConnection), {"policy": policy, "scheme": "http"})
    https = type("PinnedHTTPSConnection", (_Pinned, HTTPSConnection), {"policy": policy, "scheme": "https"})
    return {
        "http": type("PinnedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http}),
        "https": type("PinnedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https}),
    }


# --- the request deadline -----------------------------------------------------------------------


class Deadline:
    """One request's deadline; at expiry the connection in use is shut down (a blocked read ends)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self.at = time.monotonic() + seconds
        self.expired = False
        self.done = False
        self._conn: HTTPConnection | None = None
        self._lock = threading.Lock()

    def watch(self, conn: HTTPConnection) -> None:
        """The connection this request uses (shut down if it expires)."""
        with self._lock:
            self._conn = conn
            expired = self.expired
        if expired:
            _shut(conn)

    def expire(self) -> None:
        """Mark expired and shut the connection's socket down."""
        with self._lock:
            if self.done:
                return
            self.expired = True
            conn = self._conn
        if conn is not None:
            _shut(conn)


def _shut(conn: HTTPConnection) -> None:
    """Shut a connection's socket down for reading and writing (the reader gets EOF or an error)."""
    sock = getattr(conn, "sock", None)
    if sock is not None:
        with suppress(OSError):  # the TCP socket under TLS too: the reading thread keeps its TLS state
            socket.socket.shutdown(sock, socket.SHUT_RDWR)


class Watchdog:
    """One daemon thread that expires deadlines when their time comes."""

    def __init__(self) -> None:
        self._heap: list[tuple[float, int, Deadline]] = []
        self._counter = itertools.count()
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    def arm(self, deadline: Deadline) -> None:
        """Expire `deadline` at its time unless it is done by then."""
        with self._cond:
            heapq.heappush(self._heap, (deadline.at, next(self._counter), deadline))
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="fetch-deadlines", daemon=True)
                self._thread.start()
            self._cond.notify()

    def _run(self) -> None:
        """Wait for the earliest deadline; expire it if its request is still going."""
        while True:
            with self._cond:
                while self._heap and self._heap[0][2].done:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._cond.wait()
                    continue
                wait = self._heap[0][0] - time.monotonic()
                if wait > 0:
                    self._cond.wait(wait)
                    continue
                due = heapq.heappop(self._heap)[2]
            due.expire()


WATCHDOG = Watchdog()
_current = threading.local()


def _watch(conn: HTTPConnection) -> None:
    """Put the calling thread's current request deadline (if any) on this connection."""
    deadline = getattr(_current, "deadline", None)
    if deadline is not None:
        deadline.watch(conn)


@contextmanager
def deadline(seconds: float) -> Iterator[Deadline]:
    """Bound the requests this thread makes inside the block to `seconds` in total."""
    current = Deadline(seconds)
    _current.deadline = current
    WATCHDOG.arm(current)
    try:
        yield current
    finally:
        with current._lock:
            current.done = True
        _current.deadline = None


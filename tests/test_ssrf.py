"""The SSRF guard: only globally routable addresses, and the connection goes to the address checked."""

import socket
from dataclasses import replace

import pytest
import urllib3.util.connection

from schemas.errors import FetchRefused
from scrapers.transport import is_public
from tests import faults
from tests.faults import FaultServer

PUBLIC = "93.184.215.14"
REAL_GETADDRINFO = socket.getaddrinfo
REAL_CONNECT = urllib3.util.connection.create_connection


@pytest.mark.parametrize("address", [
    "100.64.0.1", "100.127.255.254",  # shared address space (carrier-grade NAT, some cloud metadata)
    "127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0",
    "192.0.2.1", "198.18.0.1", "240.0.0.1", "255.255.255.255", "224.0.0.1",
    "::1", "::", "fe80::1", "fc00::1", "fd00:ec2::254", "::ffff:127.0.0.1", "::ffff:100.64.0.1",
])
def test_addresses_that_are_not_globally_routable_are_refused(address):
    assert not is_public(address)


@pytest.mark.parametrize("address", [PUBLIC, "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_allowed(address):
    assert is_public(address)


class Resolver:
    """A fake DNS: `answers` for one host name, in turn (the last repeats); others resolve for real."""

    def __init__(self, host: str, *answers: str):
        self.host, self.answers, self.asked = host, list(answers), 0

    def __call__(self, host, port, *args, **kwargs):
        if host != self.host:
            return REAL_GETADDRINFO(host, port, *args, **kwargs)
        self.asked += 1
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (answer, port))]


class Connector:
    """Records every address a connection is opened to; PUBLIC is routed to the local test server."""

    def __init__(self, server: FaultServer):
        self.server, self.addresses = server, []

    def __call__(self, address, *args, **kwargs):
        self.addresses.append(address[0])
        if address[0] == PUBLIC:
            return REAL_CONNECT(("127.0.0.1", int(self.server.host.rsplit(":", 1)[1])), *args, **kwargs)
        raise ConnectionRefusedError(f"the test refuses to connect to {address[0]}")


@pytest.fixture
def server():
    with FaultServer() as running:
        yield running


def test_a_host_in_the_shared_address_space_is_refused_before_any_connection(server, make_fetcher,
                                                                               monkeypatch):
    connector = Connector(server)
    monkeypatch.setattr(socket, "getaddrinfo", Resolver("metadata.test", "100.64.0.1"))
    monkeypatch.setattr(urllib3.util.connection, "create_connection", connector)
    fetcher = make_fetcher(config=replace(make_fetcher().config, allow_private=False))
    with pytest.raises(FetchRefused, match=r"private or loopback address \(100\.64\.0\.1\)"):
        fetcher.get("http://metadata.test/latest/meta-data/")
    assert connector.addresses == []


def test_dns_rebinding_never_reaches_the_second_answer(server, make_fetcher, monkeypatch):
    """Public at check time, 127.0.0.1 afterwards: every connection goes to the address checked."""
    resolver, connector = Resolver("rebind.test", PUBLIC, "127.0.0.1"), Connector(server)
    monkeypatch.setattr(socket, "getaddrinfo", resolver)
    monkeypatch.setattr(urllib3.util.connection, "create_connection", connector)
    server.script("/page", faults.ok(b"<p>public</p>"))
    port = server.host.rsplit(":", 1)[1]
    fetcher = make_fetcher(config=replace(make_fetcher().config, allow_private=False))
    for _ in range(2):
        assert fetcher.get(f"http://rebind.test:{port}/page").body == b"<p>public</p>"
    assert resolver.asked == 1  # the answer checked is the one used, for robots.txt and both pages
    assert connector.addresses and set(connector.addresses) == {PUBLIC}
    assert {r.headers["Host"] for r in server.requests} == {f"rebind.test:{port}"}  # Host kept


def test_a_mirror_host_may_be_loopback_and_a_redirect_off_it_may_not(server, make_fetcher):
    with FaultServer() as other:
        server.script("/fine", faults.ok(b"ok"))
        server.script("/away", faults.redirect(other.url("/x")))
        config = replace(make_fetcher().config, allow_private=False, private_hosts=frozenset({server.host}))
        fetcher = make_fetcher(config=config)
        assert fetcher.get(server.url("/fine")).body == b"ok"
        with pytest.raises(FetchRefused, match="private or loopback"):
            fetcher.get(server.url("/away"))
        assert other.requests == []

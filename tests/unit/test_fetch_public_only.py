"""The full-page fetcher's guard against server-side request forgery: public addresses only."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from streams.sources.fetch import Fetcher, FetchFailed, Limits, PublicOnlyTransport, is_public
from tests.support import in_thread

LIMITS = Limits("newsradar-test", 5.0, 1 << 20, 3)


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.215.14", True),
        ("2606:4700::1111", True),
        ("127.0.0.1", False),
        ("::1", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("169.254.169.254", False),  # the cloud metadata service
        ("100.64.0.1", False),  # carrier-grade NAT
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("fd00::1", False),
        ("fe80::1%eth0", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:10.0.0.1", False),
    ],
)
def test_only_globally_routable_unicast_addresses_are_public(address: str, public: bool):
    assert is_public(address) is public


class _Page(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        body = b"<html><body>an intranet page</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def loopback_page() -> Iterator[str]:
    with in_thread(ThreadingHTTPServer(("127.0.0.1", 0), _Page)) as server:
        yield f"http://127.0.0.1:{server.server_address[1]}/story"


def test_a_loopback_page_is_refused_by_the_guard_and_fetched_without_it(loopback_page: str):
    guarded = Fetcher(LIMITS, transport=PublicOnlyTransport())
    with pytest.raises(FetchFailed) as refused:
        guarded.get(loopback_page)
    assert refused.value.outcome == "network_error"
    assert "not a public address" in refused.value.detail
    open_fetcher = Fetcher(LIMITS)
    assert open_fetcher.get(loopback_page).status == 200
    guarded.close()
    open_fetcher.close()


def _resolving_to(*addresses: str):
    def resolve(host: str, port: int, **_: Any) -> list[tuple[Any, ...]]:
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port)) for a in addresses]

    return resolve


def test_a_name_with_any_private_address_is_refused_before_connecting():
    """DNS that answers a public and a private address must not get the private one tried."""
    guarded = Fetcher(LIMITS, transport=PublicOnlyTransport(_resolving_to("8.8.8.8", "10.0.0.7")))
    with pytest.raises(FetchFailed, match="not a public address"):
        guarded.get("http://news.example/story")
    metadata = Fetcher(LIMITS, transport=PublicOnlyTransport(_resolving_to("169.254.169.254")))
    with pytest.raises(FetchFailed, match="not a public address"):
        metadata.get("http://metadata.example/latest/meta-data/")

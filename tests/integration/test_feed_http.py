"""The feed fetcher against a real HTTP server on loopback serving our feed fixtures.

No broker needed: these tests are about HTTP behaviour (conditional GET, redirects,
timeouts, size limits, robots.txt). `FeedServer` is also used by test_feed_poller.py.
"""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from streams.sources.fetch import Fetcher, FetchFailed, Limits
from streams.sources.robots import Robots
from tests.support import in_thread

FEEDS = Path(__file__).parents[1] / "fixtures" / "feeds"
AGENT = "newsradar-test/1.0 (+loopback)"
HUGE_BYTES = 2 * 1024 * 1024
SLOW_SECONDS = 5.0


class FeedServer(ThreadingHTTPServer):
    """Serves a folder of feed fixtures on 127.0.0.1, plus routes that misbehave on purpose."""

    daemon_threads = True

    def __init__(self, root: Path) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.root = root
        self.requests: list[tuple[str, dict[str, str]]] = []
        self.release = threading.Event()  # ends the slow routes when the test is over

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def paths(self) -> list[str]:
        return [path for path, _ in self.requests]


class _Handler(BaseHTTPRequestHandler):
    server: FeedServer

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: the tests read `server.requests` instead."""

    def do_GET(self) -> None:
        self.server.requests.append((self.path, dict(self.headers.items())))
        route = getattr(
            self, "route_" + self.path.strip("/").replace("-", "_").replace(".", "_"), None
        )
        if route is not None:
            route()
        else:
            self._file()

    def _file(self) -> None:
        file = (self.server.root / self.path.lstrip("/")).resolve()
        if not file.is_file() or self.server.root.resolve() not in file.parents:
            self._send(404, b"not found", "text/plain")
            return
        kind = {".html": "text/html; charset=utf-8", ".txt": "text/plain"}.get(file.suffix)
        self._send(200, file.read_bytes(), kind or "application/rss+xml")

    def _send(self, status: int, body: bytes, kind: str, headers: dict[str, str] | None = None):
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def route_conditional_xml(self) -> None:
        validators = {"ETag": '"river-1"', "Last-Modified": "Mon, 02 Feb 2026 07:00:00 GMT"}
        if self.headers.get("If-None-Match") == '"river-1"':
            self.send_response(304)
            self.send_header("ETag", validators["ETag"])
            self.end_headers()
            return
        body = (self.server.root / "conditional.xml").read_bytes()
        self._send(200, body, "application/rss+xml", validators)

    def route_old_feed(self) -> None:
        self._send(301, b"", "text/plain", {"Location": "/moved.xml"})

    def route_loop(self) -> None:
        self._send(302, b"", "text/plain", {"Location": "/loop"})

    def route_slow_xml(self) -> None:
        """No answer at all for SLOW_SECONDS (or until the test ends)."""
        self.server.release.wait(SLOW_SECONDS)
        self._send(200, (self.server.root / "rss.xml").read_bytes(), "application/rss+xml")

    def route_drip_xml(self) -> None:
        """Headers at once, then one byte every 0.1 s: each read is quick, the whole is not."""
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.end_headers()
        for byte in (self.server.root / "rss.xml").read_bytes()[:60]:
            if self.server.release.wait(0.1) or not self._write(bytes([byte])):
                return

    def route_huge_xml(self) -> None:
        """A declared size over any sane limit."""
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.send_header("Content-Length", str(HUGE_BYTES))
        self.end_headers()
        self._stream_items(HUGE_BYTES)

    def route_huge_undeclared_xml(self) -> None:
        """The same without Content-Length (the body ends when the connection closes)."""
        self.send_response(200)
        self.send_header("Content-Type", "application/rss+xml")
        self.end_headers()
        self._stream_items(HUGE_BYTES)

    def route_unavailable(self) -> None:
        self._send(503, b"busy", "text/plain", {"Retry-After": "120"})

    def _stream_items(self, total: int) -> None:
        item = b"<item><title>Filler</title><description>" + b"x" * 1000 + b"</description></item>"
        sent = 0
        self._write(b'<?xml version="1.0"?><rss version="2.0"><channel><title>Huge</title>')
        while sent < total and self._write(item):
            sent += len(item)

    def _write(self, data: bytes) -> bool:
        try:
            self.wfile.write(data)
            self.wfile.flush()
            return True
        except (BrokenPipeError, ConnectionResetError):
            return False


@contextmanager
def serving(tmp_path: Path) -> Iterator[FeedServer]:
    """A FeedServer over a copy of the fixtures (a test may edit its copy), always stopped."""
    root = tmp_path / "site"
    shutil.copytree(FEEDS, root)
    with in_thread(FeedServer(root), poll_interval=0.05) as server:
        try:
            yield server
        finally:
            server.release.set()  # ends the slow routes, whose threads would outlive it


@pytest.fixture
def feed_server(tmp_path: Path) -> Iterator[FeedServer]:
    with serving(tmp_path) as server:
        yield server


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    fetcher = Fetcher(Limits(AGENT, timeout=1.5, max_bytes=256 * 1024, max_redirects=3))
    yield fetcher
    fetcher.close()


def test_a_normal_feed_is_fetched_with_our_user_agent(feed_server, fetcher):
    fetched = fetcher.get(feed_server.base + "/atom.xml")
    assert fetched.status == 200 and b"Valley Courier" in fetched.body
    assert feed_server.requests[0][1]["User-Agent"] == AGENT


def test_a_conditional_get_is_answered_304(feed_server, fetcher):
    first = fetcher.get(feed_server.base + "/conditional.xml")
    again = fetcher.get(
        feed_server.base + "/conditional.xml", {"If-None-Match": first.header("etag") or ""}
    )
    assert (first.status, again.status, again.body) == (200, 304, b"")
    assert first.header("last-modified") == "Mon, 02 Feb 2026 07:00:00 GMT"


def test_a_redirect_is_followed_and_reported_as_a_move(feed_server, fetcher):
    fetched = fetcher.get(feed_server.base + "/old-feed")
    assert fetched.status == 200 and fetched.url == feed_server.base + "/moved.xml"
    assert fetched.moved_permanently


def test_a_redirect_loop_stops_at_the_limit(feed_server, fetcher):
    with pytest.raises(FetchFailed) as failed:
        fetcher.get(feed_server.base + "/loop")
    assert failed.value.outcome == "redirects"
    assert feed_server.paths().count("/loop") == 4  # the request and 3 redirects


@pytest.mark.parametrize("path", ["/slow.xml", "/drip.xml"])
def test_a_server_that_does_not_answer_in_time_is_cut_off(feed_server, fetcher, path):
    started = time.monotonic()
    with pytest.raises(FetchFailed) as failed:
        fetcher.get(feed_server.base + path)
    assert failed.value.outcome == "timeout"
    assert time.monotonic() - started < SLOW_SECONDS - 1  # well before the server would answer


@pytest.mark.parametrize("path", ["/huge.xml", "/huge-undeclared.xml"])
def test_a_huge_response_is_refused_without_reading_it_all(feed_server, fetcher, path):
    with pytest.raises(FetchFailed) as failed:
        fetcher.get(feed_server.base + path)
    assert failed.value.outcome == "too_large"


def test_an_error_status_is_returned_with_its_retry_after(feed_server, fetcher):
    fetched = fetcher.get(feed_server.base + "/unavailable")
    assert fetched.status == 503 and fetched.header("retry-after") == "120"


def test_nothing_listening_is_a_network_error(fetcher):
    with pytest.raises(FetchFailed) as failed:
        fetcher.get("http://127.0.0.1:9/feed.xml")
    assert failed.value.outcome == "network_error"


def test_robots_txt_is_fetched_once_per_site_and_obeyed(feed_server, fetcher):
    robots = Robots(fetcher, cache_seconds=3600)
    assert robots.allowed(feed_server.base + "/pages/bus-route.html")
    assert not robots.allowed(feed_server.base + "/private/ferry-fares.html")
    assert feed_server.paths() == ["/robots.txt"]

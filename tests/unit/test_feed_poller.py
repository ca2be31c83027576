"""The poller loop with fakes: an httpx MockTransport for the web, in-memory sink and store."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from prometheus_client import CollectorRegistry

from schemas import RawArticle
from streams.metrics import Metrics
from streams.sources.feeds import FeedSpec, FeedState
from streams.sources.fetch import Fetcher, Limits
from streams.sources.poller import FeedPoller, PollOptions, PublishFailed
from streams.sources.robots import Robots

FEEDS = Path(__file__).parents[1] / "fixtures" / "feeds"
AGENT = "newsradar-test/1.0"
NOW = datetime(2026, 2, 2, 9, 0, tzinfo=UTC)


class Web:
    """Answers by path from the fixtures; remembers every request."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.status: dict[str, int] = {}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path
        if path in self.status:
            return httpx.Response(self.status[path], headers={"Retry-After": "30"})
        if path == "/conditional.xml" and request.headers.get("If-None-Match") == '"v1"':
            return httpx.Response(304)
        file = FEEDS / path.lstrip("/")
        if not file.is_file():
            return httpx.Response(404)
        kind = "text/html; charset=utf-8" if file.suffix == ".html" else "application/rss+xml"
        return httpx.Response(
            200, content=file.read_bytes(), headers={"ETag": '"v1"', "Content-Type": kind}
        )

    def paths(self) -> list[str]:
        return [r.url.path for r in self.requests]


class Sink:
    def __init__(self) -> None:
        self.published: list[RawArticle] = []
        self.fail = False

    def publish(self, articles: list[RawArticle]) -> None:
        if self.fail:
            raise PublishFailed("broker down")
        self.published.extend(articles)


class Store:
    def __init__(self) -> None:
        self.states: dict[str, FeedState] = {}

    def save(self, state: FeedState) -> None:
        self.states[state.url] = state


@pytest.fixture
def web() -> Web:
    return Web()


@pytest.fixture
def metrics() -> Metrics:
    return Metrics(CollectorRegistry())


def _poller(web, metrics, specs, sink, store, *, full_page=False, clock=lambda: 0.0):
    fetcher = Fetcher(Limits(AGENT, 5.0, 1 << 20, 3), transport=httpx.MockTransport(web))
    return FeedPoller(
        specs,
        states=dict(store.states),
        fetcher=fetcher,
        sink=sink,
        store=store,
        options=PollOptions(
            interval=600, max_backoff=3600, forget_after_days=90, full_page=full_page
        ),
        metrics=metrics,
        robots=Robots(fetcher, 3600) if full_page else None,
        clock=clock,
        now=lambda: NOW,
        jitter=lambda: 0.5,
    )


def _spec(name: str, interval: float | None = None) -> FeedSpec:
    return FeedSpec(f"http://feeds.test/{name}", interval)


def _count(metrics: Metrics, name: str, outcome: str) -> float:
    return metrics.registry.get_sample_value(name, {"outcome": outcome}) or 0.0


def test_new_entries_are_published_once_and_an_unchanged_feed_costs_a_304(web, metrics):
    sink, store = Sink(), Store()
    poller = _poller(web, metrics, [_spec("rss.xml"), _spec("conditional.xml")], sink, store)
    first = poller.poll_all_once()
    second = poller.poll_all_once()
    assert [(r.outcome, r.published) for r in first] == [("ok", 3), ("ok", 2)]
    assert [(r.outcome, r.published, r.seen) for r in second] == [
        ("ok", 0, 3),
        ("not_modified", 0, 0),
    ]
    assert len(sink.published) == 5 and len({a.id for a in sink.published}) == 5
    assert web.requests[-1].headers["If-None-Match"] == '"v1"'
    assert web.requests[0].headers["User-Agent"] == AGENT
    assert _count(metrics, "newsradar_feed_fetches_total", "not_modified") == 1
    assert _count(metrics, "newsradar_feed_entries_total", "seen") == 3


def test_a_restarted_poller_with_the_saved_state_publishes_nothing_again(web, metrics):
    store = Store()
    _poller(web, metrics, [_spec("rss.xml"), _spec("atom.xml")], Sink(), store).poll_all_once()
    again = Sink()
    _poller(web, metrics, [_spec("rss.xml"), _spec("atom.xml")], again, store).poll_all_once()
    assert again.published == [] and set(store.states) == {
        _spec("rss.xml").url,
        _spec("atom.xml").url,
    }


def test_a_story_listed_in_two_feeds_is_published_once(web, metrics):
    sink = Sink()
    results = _poller(
        web, metrics, [_spec("rss.xml"), _spec("repeats.xml")], sink, Store()
    ).poll_all_once()
    assert [r.published for r in results] == [3, 1]  # repeats.xml: one twice, one from rss.xml
    assert len({a.id for a in sink.published}) == len(sink.published) == 4


def test_a_failed_publish_does_not_advance_the_state_so_the_entries_come_again(web, metrics):
    sink, store = Sink(), Store()
    poller = _poller(web, metrics, [_spec("rss.xml")], sink, store)
    sink.fail = True
    (failed,) = poller.poll_all_once()
    assert failed.outcome == "publish_error" and store.states == {}
    sink.fail = False
    (retried,) = poller.poll_all_once()
    assert retried.published == 3


def test_errors_back_off_exponentially_and_success_resets(web, metrics):
    web.status["/rss.xml"] = 503
    poller = _poller(web, metrics, [_spec("rss.xml")], Sink(), Store())
    delays = [poller.poll_all_once()[0].delay for _ in range(4)]
    assert delays == [900.0, 1800.0, 2700.0, 2700.0]  # 3/4 of 1200, 2400, 3600 (cap), cap
    del web.status["/rss.xml"]
    assert poller.poll_all_once()[0].delay == 600.0
    assert _count(metrics, "newsradar_feed_fetches_total", "http_error") == 4


def test_each_feed_is_polled_on_its_own_interval(web, metrics):
    now = [0.0]
    stop = threading.Event()

    def wait(seconds: float) -> None:
        now[0] += seconds
        if now[0] >= 1800:
            stop.set()

    specs = [_spec("rss.xml"), _spec("atom.xml", interval=300)]
    poller = _poller(web, metrics, specs, Sink(), Store(), clock=lambda: now[0])
    poller.run(stop, wait=wait)
    # rss.xml's own <ttl> (60 s) is shorter than the default 600 s, which wins.
    assert web.paths().count("/rss.xml") == 3  # at 0, 600, 1200
    assert web.paths().count("/atom.xml") == 6  # at 0, 300, ..., 1500


def test_full_page_fetches_allowed_pages_and_falls_back_to_the_entry(web, metrics):
    sink = Sink()
    poller = _poller(web, metrics, [_spec("feed-with-pages.xml")], sink, Store(), full_page=True)
    (result,) = poller.poll_all_once()
    bus, fares, gone = sink.published
    assert result.published == 3
    assert "number 7 bus" in bus.html and bus.title == "New bus route reaches the north shore"
    assert fares.html == "Summary: ferry fares." and gone.html == "Summary: this page is missing."
    assert "/private/ferry-fares.html" not in web.paths()
    assert web.paths().count("/robots.txt") == 1  # cached for the site
    assert _count(metrics, "newsradar_page_fetches_total", "robots_disallowed") == 1
    assert _count(metrics, "newsradar_page_fetches_total", "ok") == 1

"""The feed poller: fetch each feed when it is due, publish its new entries, remember them.

The decisions (what is new, when to poll next, what counts as malformed) live in
streams/sources/feeds.py; this module is the I/O around them, with the fetcher, the
article sink, the state store, the clocks and the random source injected so a unit test
can run the loop with fakes.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from kafka import KafkaProducer
from kafka.errors import KafkaError

from schemas import RawArticle
from streams.metrics import Metrics
from streams.rejection import Rejected
from streams.sources.feeds import (
    FeedSpec,
    FeedState,
    conditional_headers,
    next_delay,
    parse_feed,
    retry_after_seconds,
    take_new,
    with_validators,
)
from streams.sources.fetch import Fetched, Fetcher, FetchFailed, decode_html
from streams.sources.kafka_out import Deliveries, send_article
from streams.sources.robots import Robots

log = logging.getLogger(__name__)

PUBLISH_TIMEOUT_S = 60.0


class PublishFailed(RuntimeError):
    """Kafka did not acknowledge every article of a poll; the feed's state is not advanced."""


class ArticleSink(Protocol):
    def publish(self, articles: list[RawArticle]) -> None:
        """Return once every article is acknowledged; raise PublishFailed otherwise."""


class StateStore(Protocol):
    def save(self, state: FeedState) -> None:
        """Persist one feed's state durably before returning."""


@dataclass(frozen=True, slots=True)
class PollOptions:
    """The poller's policy, from settings.sources (interval is the default per feed)."""

    interval: float
    max_backoff: float
    forget_after_days: int
    full_page: bool = False


@dataclass(frozen=True, slots=True)
class PollResult:
    """What one poll of one feed did; `outcome` is the metric label."""

    url: str
    outcome: str
    published: int = 0
    seen: int = 0
    delay: float = 0.0
    detail: str = ""

    @property
    def failed(self) -> bool:
        return self.outcome not in ("ok", "not_modified")


class KafkaArticleSink:
    """Articles to the raw topic keyed by id (acks=all); returns after the broker acknowledged."""

    def __init__(self, producer: KafkaProducer, topic: str) -> None:
        self._producer = producer
        self._topic = topic

    def publish(self, articles: list[RawArticle]) -> None:
        deliveries = Deliveries()
        now = datetime.now(UTC)
        for article in articles:
            send_article(self._producer, self._topic, article, now, deliveries)
        try:
            self._producer.flush(timeout=PUBLISH_TIMEOUT_S)
        except KafkaError as error:
            raise PublishFailed(f"{type(error).__name__}: {error}") from error
        if deliveries.failed:
            raise PublishFailed("; ".join(deliveries.errors))


class _SeenIndex:
    """How many feeds' states hold each article id: "seen in some feed" in O(1)."""

    def __init__(self, states: Iterable[FeedState]) -> None:
        self._counts: Counter[str] = Counter()
        for state in states:
            self._counts.update(state.seen.keys())

    def __contains__(self, article_id: object) -> bool:
        return self._counts.get(article_id, 0) > 0  # type: ignore[call-overload]

    def replace(self, old: FeedState | None, new: FeedState) -> None:
        if old is not None:
            self._counts.subtract(old.seen.keys() - new.seen.keys())
        self._counts.update(new.seen.keys() - (old.seen.keys() if old else set()))


class FeedPoller:
    """Polls a list of feeds, each on its own schedule, until stopped (or once each)."""

    def __init__(
        self,
        feeds: list[FeedSpec],
        *,
        states: dict[str, FeedState],
        fetcher: Fetcher,
        sink: ArticleSink,
        store: StateStore,
        options: PollOptions,
        metrics: Metrics,
        robots: Robots | None = None,
        pages: Fetcher | None = None,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self.feeds = list({spec.url: spec for spec in feeds}.values())
        self._states = dict(states)
        self._index = _SeenIndex(self._states.values())
        self._failures: dict[str, int] = {}
        self._fetcher, self._sink, self._store = fetcher, sink, store
        self._pages = pages or fetcher  # entries' pages: public addresses only, in production
        self._options, self._metrics, self._robots = options, metrics, robots
        self._clock, self._now, self._jitter = clock, now, jitter

    def run(self, stop: threading.Event, wait: Callable[[float], object] | None = None) -> None:
        """Poll whichever feed is due next, sleeping in between, until `stop` is set."""
        sleep = wait or stop.wait
        due = {spec.url: self._clock() for spec in self.feeds}
        while self.feeds and not stop.is_set():
            spec = min(self.feeds, key=lambda s: due[s.url])
            pause = due[spec.url] - self._clock()
            if pause > 0:
                sleep(pause)
                continue
            result = self.poll(spec)
            log.info("%s: %s", spec.url, summary(result))
            due[spec.url] = self._clock() + result.delay

    def poll_all_once(self) -> list[PollResult]:
        return [self.poll(spec) for spec in self.feeds]

    def poll(self, spec: FeedSpec) -> PollResult:
        """Fetch one feed, publish its new entries, then remember them; never raises."""
        state = self._states.get(spec.url) or FeedState(url=spec.url)
        try:
            fetched = self._fetcher.get(spec.url, conditional_headers(state))
        except FetchFailed as failed:
            return self._finish(spec, failed.outcome, detail=failed.detail)
        if fetched.status == 304:
            return self._finish(spec, "not_modified")
        if not 200 <= fetched.status < 300:
            retry = retry_after_seconds(fetched.header("retry-after"), self._now())
            return self._finish(spec, "http_error", detail=f"HTTP {fetched.status}", retry=retry)
        if fetched.moved_permanently:
            log.warning("feed %s moved permanently to %s: update the list", spec.url, fetched.url)
        return self._take(spec, state, fetched)

    def _take(self, spec: FeedSpec, state: FeedState, fetched: Fetched) -> PollResult:
        parsed = parse_feed(fetched.body, fetched.url, fetched.header("content-type"))
        if isinstance(parsed, Rejected):
            return self._finish(spec, parsed.reason, detail=parsed.detail)
        updated = with_validators(state, fetched.header("etag"), fetched.header("last-modified"))
        updated, new = take_new(
            updated,
            parsed.articles,
            self._now().date(),
            self._options.forget_after_days,
            self._index,
        )
        if self._options.full_page:
            new = [self._full_page(article) for article in new]
        try:
            self._sink.publish(new)
            if updated != self._states.get(spec.url):
                self._store.save(updated)
        except (PublishFailed, KafkaError) as error:
            return self._finish(spec, "publish_error", detail=str(error))
        self._index.replace(self._states.get(spec.url), updated)
        self._states[spec.url] = updated
        seen = len(parsed.articles) - len(new)
        self._metrics.feed_entries.labels("published").inc(len(new))
        self._metrics.feed_entries.labels("seen").inc(seen)
        return self._finish(spec, "ok", published=len(new), seen=seen, ttl=parsed.ttl_seconds)

    def _finish(
        self,
        spec: FeedSpec,
        outcome: str,
        *,
        published: int = 0,
        seen: int = 0,
        detail: str = "",
        retry: float | None = None,
        ttl: float | None = None,
    ) -> PollResult:
        """Count the outcome and work out when this feed is due again."""
        self._metrics.feed_fetches.labels(outcome).inc()
        ok = outcome in ("ok", "not_modified")
        failures = 0 if ok else self._failures.get(spec.url, 0) + 1
        self._failures[spec.url] = failures
        delay = next_delay(
            spec.interval or self._options.interval,
            failures,
            self._jitter(),
            self._options.max_backoff,
            retry_after=retry,
            ttl=ttl,
        )
        return PollResult(spec.url, outcome, published, seen, delay, detail)

    def _full_page(self, article: RawArticle) -> RawArticle:
        """The entry's page as HTML when robots.txt allows and it answers; else the entry."""
        if not article.url or self._robots is None:
            return article
        if not self._robots.allowed(article.url):
            self._metrics.page_fetches.labels("robots_disallowed").inc()
            return article
        try:
            page = self._pages.get(article.url)
        except FetchFailed:
            self._metrics.page_fetches.labels("error").inc()
            return article
        content_type = page.header("content-type") or ""
        if not 200 <= page.status < 300 or "html" not in content_type.lower():
            self._metrics.page_fetches.labels("error").inc()
            return article
        self._metrics.page_fetches.labels("ok").inc()
        return article.model_copy(
            update={"html": decode_html(page.body, content_type), "text": None}
        )


def summary(result: PollResult) -> str:
    """One readable line about a poll, for logs and `newsradar feed --once`."""
    parts = [result.outcome]
    if result.outcome == "ok":
        parts.append(f"{result.published} new, {result.seen} seen")
    if result.detail:
        parts.append(result.detail)
    parts.append(f"next poll in {result.delay:.0f}s")
    return "; ".join(parts)

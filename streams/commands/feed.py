"""`newsradar feed`: poll RSS/Atom feeds and publish their new entries to the raw topic."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from pathlib import Path
from typing import Any

from streams.settings import Settings
from streams.sources.feeds import FeedSpec

NAME = "feed"
HELP = "poll RSS/Atom feeds (URLs or OPML files) and publish new entries"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "feeds",
        nargs="*",
        metavar="URL|OPML",
        help="feed URLs or OPML files (default: NEWSRADAR_SOURCES__FEEDS)",
    )
    parser.add_argument(
        "--once", action="store_true", help="poll each feed once and exit (1 if any failed)"
    )
    parser.add_argument(
        "--interval", type=float, help="seconds between polls of a feed without its own interval"
    )
    parser.add_argument(
        "--full-page",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="fetch each new entry's page (robots.txt permitting) and publish it as HTML",
    )


def feed_specs(arguments: list[str]) -> list[FeedSpec]:
    """URLs as they are; any other argument is an OPML file whose feeds are read."""
    from streams.rejection import Rejected
    from streams.sources.opml import parse_opml

    specs: list[FeedSpec] = []
    for argument in arguments:
        if argument.startswith(("http://", "https://")):
            specs.append(FeedSpec(argument))
            continue
        try:
            parsed = parse_opml(Path(argument).read_bytes())
        except OSError as error:
            raise SystemExit(f"newsradar: cannot read feed list: {error}") from None
        if isinstance(parsed, Rejected):
            raise SystemExit(f"newsradar: {argument}: {parsed.detail}")
        specs.extend(parsed)
    return specs


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Poll the feeds given, or the configured ones."""
    specs = feed_specs(args.feeds or settings.sources.feed_list())
    if not specs:
        raise SystemExit(
            "newsradar: no feeds: give URLs or OPML files, or set NEWSRADAR_SOURCES__FEEDS"
        )
    return poll_feeds(
        settings, specs, once=args.once, interval=args.interval, full_page=args.full_page
    )


def poll_feeds(
    settings: Settings,
    specs: list[FeedSpec],
    *,
    once: bool = False,
    interval: float | None = None,
    full_page: bool | None = None,
) -> int:
    """Load the seen-entry state, then poll once or until SIGTERM/SIGINT (also for a feeder)."""
    if settings.sources.feed_metrics_port:
        from prometheus_client import start_http_server

        start_http_server(settings.sources.feed_metrics_port, addr=settings.web.host)
    poller, close = _build(settings, specs, interval, full_page)
    try:
        return _poll_once(poller) if once else _poll_forever(poller)
    finally:
        close()


def _build(
    settings: Settings, specs: list[FeedSpec], interval: float | None, full_page: bool | None
) -> tuple[Any, Any]:
    from streams.kafka_admin import require_topics
    from streams.metrics import METRICS
    from streams.sources.feed_state import KafkaFeedStates
    from streams.sources.fetch import Fetcher, Limits, PublicOnlyTransport
    from streams.sources.kafka_out import raw_producer
    from streams.sources.poller import FeedPoller, KafkaArticleSink, PollOptions
    from streams.sources.robots import Robots

    require_topics(settings, settings.topics.raw)  # the poller creates only its own state topic
    sources = settings.sources
    full_page = sources.feed_full_page if full_page is None else full_page
    store = KafkaFeedStates(settings)
    store.ensure_topic()
    states = store.load()
    limits = Limits(
        sources.user_agent,
        sources.fetch_timeout_seconds,
        sources.fetch_max_bytes,
        sources.fetch_max_redirects,
    )
    fetcher = Fetcher(limits)
    # Feeds are the operator's choice; pages (and their robots.txt) are the entries' choice.
    guard = None if sources.fetch_private_addresses else PublicOnlyTransport()
    pages = Fetcher(limits, transport=guard)
    producer = raw_producer(settings)
    options = PollOptions(
        interval=interval or sources.feed_interval_seconds,
        max_backoff=sources.feed_max_backoff_seconds,
        forget_after_days=sources.feed_forget_after_days,
        full_page=full_page,
    )
    poller = FeedPoller(
        specs,
        states=states,
        fetcher=fetcher,
        sink=KafkaArticleSink(producer, settings.topics.raw),
        store=store,
        options=options,
        metrics=METRICS,
        robots=Robots(pages, sources.robots_cache_seconds) if full_page else None,
        pages=pages,
    )

    def close() -> None:
        fetcher.close()
        pages.close()
        producer.close()
        store.close()

    return poller, close


def _poll_once(poller: Any) -> int:
    from streams.sources.poller import summary

    results = poller.poll_all_once()
    for result in results:
        print(f"{result.url}: {summary(result)}", file=sys.stderr)
    published = sum(result.published for result in results)
    failed = sum(1 for result in results if result.failed)
    print(f"published {published} new article(s); {failed} feed(s) failed", file=sys.stderr)
    return 1 if failed else 0


def _poll_forever(poller: Any) -> int:
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    poller.run(stop)
    return 0

"""`newsradar sink webhook URL` / `newsradar sink alertmanager URL`: forward alerts, losing none.

Each sink is a consumer group of its own on the alert topic (`<app id>-sink-<kind>` unless
--group is given). An alert's offset is committed only after the receiver took it; while
the receiver is down the sink backs off and keeps its group membership alive, and a
restarted sink resumes at the first alert not yet delivered.
"""

from __future__ import annotations

import argparse
import logging
import signal
from collections.abc import Callable
from datetime import timedelta
from types import FrameType

from kafka import KafkaConsumer, TopicPartition
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import CommitFailedError
from kafka.structs import OffsetAndMetadata

from schemas import Alert
from schemas.vocabulary import ALERT_KINDS, SEVERITIES
from streams.alerting.sinks import (
    AlertmanagerSink,
    Attempt,
    Backoff,
    Filter,
    Sink,
    WebhookSink,
    deliver_until_done,
)
from streams.codec import decode
from streams.commands.inputs import utcnow
from streams.kafka_admin import connect
from streams.metrics import METRICS
from streams.rejection import Rejected
from streams.settings import Settings

NAME = "sink"
HELP = "deliver alerts to a webhook or to Alertmanager, committing only what was delivered"
KINDS = ALERT_KINDS

log = logging.getLogger(__name__)
Stopping = Callable[[], bool]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("kind", choices=("webhook", "alertmanager"), help="what to deliver to")
    parser.add_argument("url", help="webhook URL, or Alertmanager's base URL")
    parser.add_argument("--group", help="consumer group (default: <app id>-sink-<kind>)")
    parser.add_argument("--min-severity", choices=SEVERITIES, default="info")
    parser.add_argument(
        "--kind", dest="kinds", action="append", choices=KINDS, help="only this kind (repeatable)"
    )
    parser.add_argument("--max", type=int, help="exit after delivering this many alerts")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Deliver alerts until stopped (SIGTERM/SIGINT) or --max were delivered."""
    sink = _sink(args, settings)
    group = args.group or f"{settings.worker.app_id}-sink-{args.kind}"
    consumer = connect(
        KafkaConsumer,
        settings,
        f"sink-{args.kind}",
        settings.topics.alerts,
        group_id=group,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        max_poll_records=50,
    )
    if settings.sink.metrics_port:
        from prometheus_client import start_http_server

        start_http_server(settings.sink.metrics_port, addr=settings.web.host)
    stopping = _stop_on_signals()
    backoff = Backoff(settings.sink.retry_initial_seconds, settings.sink.retry_max_seconds)
    wanted = Filter(args.min_severity, frozenset(args.kinds or ()))
    delivered = 0
    try:
        while not stopping() and not (args.max and delivered >= args.max):
            delivered += _one_poll(consumer, sink, wanted, backoff, stopping)
    finally:
        consumer.close()
    log.info("%s sink: %d alert(s) delivered", args.kind, delivered)
    return 0


def _sink(args: argparse.Namespace, settings: Settings) -> Sink:
    timeout = settings.sink.timeout_seconds
    if args.kind == "webhook":
        return WebhookSink(args.url, timeout)
    resolve = timedelta(hours=settings.sink.resolve_after_hours)
    return AlertmanagerSink(args.url, timeout, resolve)


def _one_poll(
    consumer: KafkaConsumer, sink: Sink, wanted: Filter, backoff: Backoff, stopping: Stopping
) -> int:
    """Deliver one batch in order, committing after each alert; stop early on a stop signal."""
    delivered = 0
    for tp, records in consumer.poll(timeout_ms=1000).items():
        for record in records:
            if stopping():
                consumer.seek(tp, record.offset)  # not delivered: the next owner starts here
                return delivered
            if _forward(consumer, sink, record, wanted, backoff, stopping):
                delivered += 1
            _commit(consumer, tp, record.offset + 1)
    return delivered


def _forward(
    consumer: KafkaConsumer,
    sink: Sink,
    record: ConsumerRecord,
    wanted: Filter,
    backoff: Backoff,
    stopping: Stopping,
) -> bool:
    alert = decode(Alert, record.value)
    if isinstance(alert, Rejected):
        log.error(
            "%s sink: unreadable alert at offset %s: %s", sink.name, record.offset, alert.reason
        )
        return False
    if not wanted.wants(alert):
        return False

    def counted(attempt: Attempt) -> None:
        METRICS.sink_deliveries.labels(sink.name, attempt.outcome).inc()

    attempt = deliver_until_done(
        sink,
        alert,
        backoff,
        on_attempt=counted,
        sleep=lambda seconds: _wait_alive(consumer, seconds),
        give_up=stopping,
    )
    if attempt.outcome == "rejected":
        log.error("%s sink: alert %s refused for good (%s)", sink.name, alert.id, attempt.detail)
        return False
    if attempt.outcome == "retried":  # stopping: leave it for the next run
        raise SystemExit(0)
    METRICS.sink_delivery_seconds.labels(sink.name).observe(
        max(0.0, (utcnow() - alert.alerted).total_seconds())
    )
    return True


def _wait_alive(consumer: KafkaConsumer, seconds: float) -> None:
    """Wait without fetching, but polling, so the group does not think this sink died."""
    assigned = consumer.assignment()
    consumer.pause(*assigned)
    try:
        consumer.poll(timeout_ms=int(seconds * 1000))
    finally:
        consumer.resume(*assigned)


def _commit(consumer: KafkaConsumer, tp: TopicPartition, offset: int) -> None:
    try:
        consumer.commit({tp: OffsetAndMetadata(offset, "", -1)})
    except CommitFailedError:
        # The partition moved to another sink during a long outage: it redelivers (same id).
        log.warning("commit of %s@%d failed after a rebalance", tp, offset)


def _stop_on_signals() -> Stopping:
    stop = {"now": False}

    def handler(signum: int, frame: FrameType | None) -> None:
        stop["now"] = True

    signal.signal(signal.SIGTERM, handler)
    signal.signal(signal.SIGINT, handler)
    return lambda: stop["now"]

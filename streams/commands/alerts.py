"""`newsradar alerts`: read the alert topic, readable or as JSON lines."""

from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime

from kafka import KafkaConsumer, TopicPartition

from schemas import Alert
from streams.codec import decode
from streams.rejection import Rejected
from streams.settings import Settings

TOPIC_WAIT_S = 10.0

NAME = "alerts"
HELP = "print alerts from the alert topic"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--follow", action="store_true", help="wait for new alerts")
    parser.add_argument("--json", action="store_true", help="one JSON object per line")
    parser.add_argument("--topic", help="only alerts of this topic id")
    parser.add_argument("--max", type=int, help="exit after this many alerts")
    parser.add_argument("--timeout", type=float, help="exit after this many seconds")
    parser.add_argument(
        "--from-beginning", action="store_true", help="with --follow, start at the oldest alert"
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Print alerts; exit after --max alerts, after --timeout, or (without --follow) at the end."""
    deadline = time.monotonic() + args.timeout if args.timeout else None
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka.servers(),
        client_id=settings.kafka.client_id,
        group_id=None,
        enable_auto_commit=False,
    )
    try:
        # Without --follow nobody waits for the topic to appear: give it a few seconds.
        wait_until = deadline or (None if args.follow else time.monotonic() + TOPIC_WAIT_S)
        partitions = _assign(consumer, settings.topics.alerts, wait_until)
        if args.follow and not args.from_beginning:
            consumer.seek_to_end(*partitions)
        else:
            consumer.seek_to_beginning(*partitions)
        end = None if args.follow else consumer.end_offsets(partitions)
        count = _print_alerts(consumer, args, deadline, end)
    finally:
        consumer.close()
    return 3 if args.max and count < args.max else 0


def _assign(consumer: KafkaConsumer, topic: str, deadline: float | None) -> list[TopicPartition]:
    """Assign every partition of the topic, waiting (bounded) for it to exist."""
    while True:
        ids = consumer.partitions_for_topic(topic)
        if ids:
            partitions = [TopicPartition(topic, p) for p in sorted(ids)]
            consumer.assign(partitions)
            return partitions
        if deadline is not None and time.monotonic() > deadline:
            raise SystemExit(f"newsradar: topic {topic} does not exist")
        time.sleep(0.5)


def _print_alerts(
    consumer: KafkaConsumer,
    args: argparse.Namespace,
    deadline: float | None,
    end: dict[TopicPartition, int] | None,
) -> int:
    count = 0
    while not (args.max and count >= args.max):
        if deadline is not None and time.monotonic() > deadline:
            break
        if end is not None and all(consumer.position(tp) >= off for tp, off in end.items()):
            break
        for records in consumer.poll(timeout_ms=500).values():
            for record in records:
                alert = decode(Alert, record.value)
                if isinstance(alert, Rejected):
                    print(
                        f"unreadable alert at offset {record.offset}: {alert.reason}",
                        file=sys.stderr,
                    )
                elif not args.topic or alert.topic == args.topic:
                    print(alert.model_dump_json() if args.json else format_alert(alert), flush=True)
                    count += 1
                if args.max and count >= args.max:
                    return count
    return count


def format_alert(alert: Alert) -> str:
    """A readable block for a person watching the terminal."""
    terms = sorted({e.matched.casefold() for e in alert.evidence})
    lines = [
        f"[{alert.severity.upper()}] {alert.topic} ({alert.score:.2f})  {alert.title}",
        f"  {alert.summary}",
        f"  evidence: {', '.join(terms[:12])}",
        f"  article {alert.article_id}  published {_when(alert.published)}  alert {alert.id}",
    ]
    if alert.url:
        lines.insert(2, f"  {alert.url}")
    return "\n".join(lines)


def _when(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else "unknown"

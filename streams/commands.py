"""The CLI's client commands: publish, process and alerts."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from kafka import KafkaConsumer, KafkaProducer, TopicPartition

from schemas import Alert
from streams.classification.logic import compile_taxonomy
from streams.classification.taxonomy import load_taxonomy
from streams.codec import decode
from streams.pipeline import process_article
from streams.rejection import Rejected
from streams.settings import Settings
from streams.sources.files import Item, read_paths


def _now() -> datetime:
    return datetime.now(UTC)


def _items(paths: list[str]) -> Iterator[Item]:
    try:
        yield from read_paths(paths, sys.stdin.buffer)
    except OSError as error:
        raise SystemExit(f"newsradar: cannot read input: {error}") from None


def publish(args: argparse.Namespace, settings: Settings) -> int:
    """Publish each article to the raw topic keyed by its id; report unreadable ones."""
    producer = KafkaProducer(
        bootstrap_servers=settings.kafka.servers(), client_id=settings.kafka.client_id, acks="all"
    )
    sent = failed = 0
    try:
        for item in _items(args.paths):
            if isinstance(item.article, Rejected):
                failed += 1
                print(
                    f"skipped {item.where}: {item.article.reason}: {item.article.detail}",
                    file=sys.stderr,
                )
                continue
            article = item.article.model_copy(update={"ingested": item.article.ingested or _now()})
            producer.send(
                settings.topics.raw,
                key=article.id.encode(),
                value=article.model_dump_json().encode(),
            )
            sent += 1
        producer.flush()
    finally:
        producer.close()
    print(
        f"published {sent} article(s) to {settings.topics.raw}; {failed} skipped", file=sys.stderr
    )
    return 1 if failed else 0


def process(args: argparse.Namespace, settings: Settings) -> int:
    """Every stage in this process: one JSON line per surviving article (or per alert)."""
    taxonomy = compile_taxonomy(load_taxonomy(Path(args.taxonomy or settings.taxonomy_path)))
    for item in _items(args.paths):
        if isinstance(item.article, Rejected):
            print(
                f"dropped {item.where}: {item.article.reason}: {item.article.detail}",
                file=sys.stderr,
            )
            continue
        outcome = process_article(item.article, taxonomy, now=_now())
        if outcome.rejected is not None:
            print(
                f"dropped {outcome.article_id} ({item.where}): {outcome.rejected.reason}",
                file=sys.stderr,
            )
        elif args.alerts:
            for alert in outcome.alerts:
                print(alert.model_dump_json())
        elif outcome.classified is not None:
            print(outcome.classified.model_dump_json())
    return 0


def alerts(args: argparse.Namespace, settings: Settings) -> int:
    """Print alerts; exit after --max alerts, after --timeout, or (without --follow) at the end."""
    deadline = time.monotonic() + args.timeout if args.timeout else None
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka.servers(),
        client_id=settings.kafka.client_id,
        group_id=None,
        enable_auto_commit=False,
    )
    try:
        partitions = _assign(consumer, settings.topics.alerts, deadline)
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

"""`newsradar publish`: articles from files or stdin onto the raw topic."""

from __future__ import annotations

import argparse
import sys

from kafka import KafkaProducer

from streams.commands.inputs import items, utcnow
from streams.rejection import Rejected
from streams.settings import Settings

NAME = "publish"
HELP = "publish articles to the raw topic"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH", help="files, or - for stdin")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Publish each article keyed by its id; report unreadable ones and exit 1 if any."""
    producer = KafkaProducer(
        bootstrap_servers=settings.kafka.servers(), client_id=settings.kafka.client_id, acks="all"
    )
    sent = failed = 0
    try:
        for item in items(args.paths):
            if isinstance(item.article, Rejected):
                failed += 1
                print(
                    f"skipped {item.where}: {item.article.reason}: {item.article.detail}",
                    file=sys.stderr,
                )
                continue
            article = item.article.model_copy(
                update={"ingested": item.article.ingested or utcnow()}
            )
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

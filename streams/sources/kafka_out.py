"""Writing RawArticles to the raw topic with kafka-python, keyed by article id, acks=all.

Shared by `newsradar publish` and the feed poller (and `kafka_record` by the HTTP ingest
service) so every source keys, stamps and acknowledges an article the same way. The key
is the article's deterministic id, so publishing the same article twice lands on the
same partition under the same key, where the clean stage recognises it as a repeat.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaError

from schemas import RawArticle
from streams.kafka_admin import connect
from streams.settings import Settings

log = logging.getLogger(__name__)

#: Large batches and a linger that lets them fill: a bulk load wants throughput, not latency.
BULK_TUNING: dict[str, Any] = {"linger_ms": 50, "batch_size": 512 * 1024}


def raw_producer(settings: Settings, **tuning: Any) -> KafkaProducer:
    """An idempotent acks=all producer; kafka-python's own client metrics are off (they cost).

    Its request limit is the worker's (NEWSRADAR_KAFKA__MAX_REQUEST_BYTES): a raw record
    larger than the worker can send on is refused here, where the publisher sees why."""
    return connect(
        KafkaProducer,
        settings,
        "",
        acks="all",
        metrics_enabled=False,
        max_request_size=settings.kafka.max_request_bytes,
        **tuning,
    )


def kafka_record(article: RawArticle, now: datetime) -> tuple[bytes, bytes]:
    """(key, value) of an article on the raw topic: its id, and its JSON stamped `ingested`.

    An article that already carries `ingested` keeps it (a replayed dump keeps its times).
    """
    stamped = article if article.ingested else article.model_copy(update={"ingested": now})
    return stamped.id.encode(), stamped.model_dump_json().encode()


@dataclass
class Deliveries:
    """Counts of articles handed to the producer and of those the broker refused or lost."""

    sent: int = 0
    failed: int = 0
    errors: list[str] = field(default_factory=list)

    def failure(self, error: Exception) -> None:
        self.failed += 1
        if len(self.errors) < 5:
            self.errors.append(f"{type(error).__name__}: {error}")

    @property
    def acknowledged(self) -> int:
        """Meaningful after flush(): every future has then succeeded or failed."""
        return self.sent - self.failed


def send_article(
    producer: KafkaProducer,
    topic: str,
    article: RawArticle,
    now: datetime,
    deliveries: Deliveries,
) -> None:
    """Send one article keyed by its id, stamped `ingested` unless the source already did."""
    key, value = kafka_record(article, now)
    try:
        future = producer.send(topic, key=key, value=value)
    except KafkaError as error:  # e.g. a record larger than max_request_size
        deliveries.sent += 1
        deliveries.failure(error)
        return
    deliveries.sent += 1
    future.add_errback(deliveries.failure)

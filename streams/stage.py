"""What every agent does around its stage logic: count, time, and dead-letter failures.

An exception that escaped an agent would lose the event and stop the agent, so each
record is processed inside `guarded`, which turns a failure into a dead letter.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from datetime import UTC, datetime

from faust.types import EventT

from streams import topics
from streams.codec import M, decode
from streams.deadletters import Headers, Origin, dead_letter, fitted, kafka_headers
from streams.metrics import METRICS, Metrics
from streams.rejection import Rejected

log = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


def record_time(event: EventT) -> datetime:
    """When Kafka took the record in: the entry time of an article whose publisher set none."""
    timestamp = getattr(event.message, "timestamp", None)
    return datetime.fromtimestamp(timestamp, UTC) if timestamp else utcnow()


def origin(event: EventT) -> Origin:
    message = event.message
    return Origin(
        topic=getattr(message, "topic", None),
        partition=getattr(message, "partition", None),
        offset=getattr(message, "offset", None),
        key=event.key if isinstance(event.key, bytes) else None,
    )


def headers(event: EventT) -> Headers:
    """The record's Kafka headers in order, repeated keys kept: the message's own list
    first, as Faust's event.headers is a dict."""
    return kafka_headers(getattr(event.message, "headers", None) or event.headers)


def _letter_limit(key: bytes | None) -> int:
    """The largest dead letter the producer sends: its request limit, less the key and
    room for the record's own framing."""
    limit = int(topics.dead_letters.app.conf.producer_max_request_size)
    return limit - len(key or b"") - 1024


class Guard:
    """Handed to the agent body: reports what happened to the record."""

    def __init__(self, stage: str, event: EventT, metrics: Metrics) -> None:
        self.stage, self.event, self.metrics = stage, event, metrics

    def passed(self) -> None:
        self.metrics.articles_out.labels(self.stage).inc()

    async def decode(self, model: type[M]) -> M | None:
        """The record as `model`, or None once it has been dead-lettered as undecodable."""
        decoded = decode(model, self.event.value)
        if isinstance(decoded, Rejected):
            await self.reject(decoded)
            return None
        return decoded

    async def reject(self, rejected: Rejected, exception_type: str | None = None) -> None:
        """Send the record to the dead-letter topic with why, where from, key and headers."""
        where = replace(origin(self.event), headers=headers(self.event))
        letter = dead_letter(
            self.stage,
            rejected,
            self.event.value,
            where,
            now=utcnow(),
            exception_type=exception_type,
        )
        value = fitted(letter, self.event.value or b"", _letter_limit(where.key))
        await topics.dead_letters.send(key=where.key, value=value)
        self.metrics.dead_letters.labels(self.stage, rejected.reason).inc()
        log.warning(
            "%s: dead letter (%s) topic=%s partition=%s offset=%s: %s",
            self.stage,
            rejected.reason,
            where.topic,
            where.partition,
            where.offset,
            rejected.detail,
        )


@asynccontextmanager
async def guarded(stage: str, event: EventT, metrics: Metrics = METRICS) -> AsyncIterator[Guard]:
    """Count the record in, time it, and dead-letter it if the stage raises."""
    metrics.articles_in.labels(stage).inc()
    guard = Guard(stage, event, metrics)
    started = time.perf_counter()
    try:
        yield guard
    except Exception as error:
        log.exception("%s: unexpected failure", stage)
        await guard.reject(Rejected("internal_error", repr(error)[:500]), type(error).__name__)
    finally:
        metrics.processing_seconds.labels(stage).observe(time.perf_counter() - started)

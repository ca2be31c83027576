"""Alerts already on the alert topic that the alert state never recorded: not sent twice.

The agent sends a match's alerts, waits until Kafka has them, then writes the state (and,
last, the partition's `AlertMark`). A worker killed between the two has published alerts
its state does not know of; the match is delivered again and would raise them again, with
the same ids, as duplicates. Kafka transactions would make the two writes one, but Faust's
exactly_once sends records to topics no agent reads (the alert topic among them) outside
its transactions (README: Delivery guarantees), so the log itself is the record instead.

Alert partition p is written only by whoever owns match partition p, one owner at a time,
so after p's mark it holds exactly such alerts. The first time a worker handles a match
of partition p after an assignment, it reads that tail once; the ids found there are not
sent again. A revoke forgets what was read, as another worker may write p meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable

from aiokafka import AIOKafkaConsumer, TopicPartition

from streams.kafka_security import client_security
from streams.settings import KafkaSettings

log = logging.getLogger(__name__)

#: Bounds one read of a tail; a tail is a few alerts, so hitting this means Kafka is away.
READ_TIMEOUT_MS = 60_000
#: The most a whole tail read may take (a tail is a few alerts) before it is tried again.
TAIL_READ_S = 30.0
#: Between attempts while Kafka is away: the matches wait, as they would for Kafka anyway.
RETRY_SECONDS = (1.0, 2.0, 5.0, 10.0, 30.0)


class PublishedTails:
    """Per alert partition: the ids on it after the state's mark, read once per assignment."""

    def __init__(self, kafka: KafkaSettings, topic: str) -> None:
        self.kafka, self.topic = kafka, topic
        self._ids: dict[int, frozenset[str]] = {}

    def forget(self, partitions: Iterable[int] | None = None) -> None:
        """Partitions revoked (None: all): read their tails again when they come back."""
        for partition in list(self._ids) if partitions is None else partitions:
            self._ids.pop(partition, None)

    async def ids(self, partition: int, mark: int) -> frozenset[str]:
        """The alert ids on `partition` from offset `mark` to its end when first asked."""
        if partition not in self._ids:
            self._ids[partition] = await self._read_retrying(partition, mark)
            if self._ids[partition]:
                log.info(
                    "alert: %d alert(s) on %s partition %d after offset %d were published "
                    "before a restart and not recorded; they will not be sent again",
                    len(self._ids[partition]),
                    self.topic,
                    partition,
                    mark,
                )
        return self._ids[partition]

    async def _read_retrying(self, partition: int, mark: int) -> frozenset[str]:
        """Read until it works: a match must not be dead-lettered because Kafka blinked."""
        attempt = 0
        while True:
            try:
                # Bounded as a whole: a client that never finishes starting or never answers
                # (seen once: the agent, and so every alert, waited minutes) is retried.
                return await asyncio.wait_for(self._read(partition, mark), timeout=TAIL_READ_S)
            except Exception as error:  # aiokafka raises several kinds while Kafka is away
                wait = RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)]
                log.warning(
                    "alert: reading %s partition %d failed (%r); retrying in %gs",
                    self.topic,
                    partition,
                    error,
                    wait,
                )
                attempt += 1
                await asyncio.sleep(wait)

    async def _read(self, partition: int, mark: int) -> frozenset[str]:
        tp = TopicPartition(self.topic, partition)
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.kafka.servers(),
            client_id=f"{self.kafka.client_id}-alert-tail",
            group_id=None,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            request_timeout_ms=READ_TIMEOUT_MS // 2,
            **client_security(self.kafka),
        )
        await consumer.start()
        try:
            consumer.assign([tp])
            end = (await consumer.end_offsets([tp]))[tp]
            consumer.seek(tp, mark)
            return await _keys_until(consumer, tp, end)
        finally:
            await consumer.stop()


async def _keys_until(consumer: AIOKafkaConsumer, tp: TopicPartition, end: int) -> frozenset[str]:
    """The keys (alert ids) from the consumer's position up to offset `end`."""
    keys: set[str] = set()
    while await consumer.position(tp) < end:
        batches = await consumer.getmany(tp, timeout_ms=READ_TIMEOUT_MS)
        if not batches:
            raise TimeoutError(f"reading {tp.topic} partition {tp.partition} up to {end}")
        keys.update(r.key.decode() for r in batches.get(tp, ()) if r.key and r.offset < end)
    return frozenset(keys)

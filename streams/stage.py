"""What every agent does around its step: read a batch, send what it made, count.

The agents only move bytes: `records` turns a batch of Faust events into the steps' plain
records, `publish` sends a batch's outputs and its dead letters and waits until Kafka has
every one (a record Kafka is slow to take is sent again, with backoff, until it is: the
batch's input offsets are acknowledged only after this), and `count` moves the metrics.
Records go through aiokafka's producer itself, not a Faust topic's `send`, and as batches:
one batch, and one future, per topic partition a batch of outputs writes, not one future
per record (the worker sends about six records per article).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple, cast

from faust.serializers import codecs
from faust.tables.base import Collection
from faust.types import TP, AppT, EventT, TableT

from streams import metrics as _metrics
from streams.codec import FRAMING_BYTES, too_large
from streams.deadletters import Headers, Origin, dead_letter, fitted, kafka_headers
from streams.metrics import Metrics
from streams.rejection import Rejected
from streams.steps import Output, Record, Verdict

log = logging.getLogger(__name__)

#: Seconds between attempts while Kafka does not take a record (it is away, or electing).
RETRY_SECONDS = (0.5, 1.0, 2.0, 5.0, 10.0)


def utcnow() -> datetime:
    return datetime.now(UTC)


def records(events: Sequence[EventT]) -> list[Record]:
    """The steps' view of a batch of Faust events: bytes, position, time, headers."""
    out = []
    for event in events:
        m = event.message
        out.append(
            Record(
                value=m.value,
                key=m.key if isinstance(m.key, bytes) else None,
                partition=m.partition,
                offset=m.offset,
                timestamp=m.timestamp or utcnow().timestamp(),
                headers=kafka_headers(m.headers),
                topic=m.topic,
            )
        )
    return out


def current(app: AppT, events: Sequence[EventT]) -> list[EventT]:
    """The events still ours: read in this consumer generation, from an assigned partition.

    A batch taken before a rebalance may hold records another worker now owns and reads
    again from its committed offset; handling them here too would write that partition's
    outputs from two workers at once. They are left unacknowledged (streams/consumer.py)."""
    generation = app.consumer_generation_id
    assigned = app.consumer.assignment()
    return [e for e in events if e.message.generation_id == generation and e.message.tp in assigned]


class Publisher:
    """Sends outputs to their Kafka topics and waits for every acknowledgement."""

    def __init__(self, app: AppT, topics: Mapping[str, str], deadletter_topic: str) -> None:
        self.app, self.topics, self.deadletter_topic = app, topics, deadletter_topic

    async def publish(self, stage: str, verdicts: Sequence[Verdict]) -> list[tuple[Output, Any]]:
        """Send every verdict's outputs, and a dead letter for each refused record; once
        Kafka has them all, return each output with its record metadata, in order.

        An output Kafka refuses for good (too large for a request, say) turns its record
        into a dead letter (`unpublishable`) instead: never lost, never the agent's end."""
        now = utcnow()
        for verdict in verdicts:
            self._refuse_too_large(verdict)
        outputs = [(v, self.topics[o.topic], o) for v in verdicts for o in v.outputs]
        letters = [self._letter(stage, v, now) for v in verdicts if v.rejected is not None]
        results = await self.send_all([(t, o) for _, t, o in outputs] + letters)
        refused: dict[int, Verdict] = {}
        for (verdict, topic, out), result in zip(outputs, results, strict=False):
            if isinstance(result, BaseException):
                verdict.rejected = Rejected(
                    "unpublishable", f"{topic} refused a {len(out.value)}-byte record: {result!r}"
                )
                verdict.dropped, verdict.exception_type = None, type(result).__name__
                refused[id(verdict)] = verdict
        if refused:
            more = await self.send_all([self._letter(stage, v, now) for v in refused.values()])
            if any(isinstance(r, BaseException) for r in more):
                raise RuntimeError(f"{stage}: a dead letter was refused: {more!r}")
        return [
            (o, r)
            for (v, _, o), r in zip(outputs, results, strict=False)
            if not isinstance(r, BaseException)
        ]

    def _refuse_too_large(self, verdict: Verdict) -> None:
        """A record the producer would refuse makes its input a dead letter, before anything
        of it is sent: subscribers see an article whole or not at all."""
        limit = int(self.app.conf.producer_max_request_size)
        for out in verdict.outputs:
            refused = too_large(out.value, out.key, limit, f"{out.topic} record")
            if refused is not None:
                verdict.outputs, verdict.rejected, verdict.dropped = [], refused, None
                return

    async def send_all(
        self, sends: Sequence[tuple[str, Output | StateRecord]], *, ordered: bool = False
    ) -> list[Any]:
        """Send, then wait; what failed for a reason that may pass is sent again, what
        failed for good is returned as its exception. `ordered`: a record sent again is
        sent again with every one after it, so on each partition the last record Kafka
        has is the last one asked for (state records: a key's older value never lands
        after its newer one)."""
        results: list[Any] = [None] * len(sends)
        pending = list(range(len(sends)))
        attempt = 0
        while pending:
            outcomes = await self._sent([sends[i] for i in pending])
            failed = []
            for i, outcome in zip(pending, outcomes, strict=True):
                if isinstance(outcome, BaseException) and _retriable(outcome):
                    failed.append(i)
                else:
                    results[i] = outcome
            if failed:
                if ordered:
                    failed = [i for i in pending if i >= failed[0]]
                wait = RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)]
                log.warning("%d record(s) not taken by Kafka; again in %gs", len(failed), wait)
                await asyncio.sleep(wait)
                attempt += 1
            pending = failed
        return results

    async def _sent(self, sends: Sequence[tuple[str, Output | StateRecord]]) -> list[Any]:
        """Each record's `Delivered`, or the exception its batch failed with.

        The records of one topic partition go as one batch (more when they outgrow a
        batch), in the order asked: Kafka numbers a batch's records from its first offset.
        aiokafka's `send` would make a future, a metadata object and a callback per record.
        """
        outcomes: list[Any] = [None] * len(sends)
        groups: dict[tuple[str, int], list[int]] = {}
        partitions = await self._partitions(sends)
        for index, ((topic, _), partition) in enumerate(zip(sends, partitions, strict=True)):
            if isinstance(partition, BaseException):
                outcomes[index] = partition
            else:
                groups.setdefault((topic, partition), []).append(index)
        waits: list[tuple[list[int], Awaitable[Any]]] = []
        for (topic, partition), indexes in groups.items():
            sent = await self._send_batches(topic, partition, [sends[i][1] for i in indexes])
            for start, count, future in sent:
                waits.append((indexes[start : start + count], future))
        firsts = await asyncio.gather(*(future for _, future in waits), return_exceptions=True)
        for (indexes, _), first in zip(waits, firsts, strict=True):
            for number, index in enumerate(indexes):
                outcomes[index] = (
                    first
                    if isinstance(first, BaseException)
                    else Delivered(first.topic, first.partition, first.offset + number)
                )
        return outcomes

    async def _partitions(
        self, sends: Sequence[tuple[str, Output | StateRecord]]
    ) -> list[int | BaseException]:
        """Each record's partition: the one it names, or the producer partitioner's for its
        key (as `send` would pick it); an exception when the topic's metadata never came."""
        producer = self._producer()
        known: dict[str, BaseException | None] = {}
        out: list[int | BaseException] = []
        for topic, record in sends:
            if record.partition is not None:
                out.append(record.partition)
                continue
            if topic not in known:
                try:
                    await producer.client._wait_on_metadata(topic)
                    known[topic] = None
                except Exception as error:  # e.g. no metadata for the topic within the timeout
                    known[topic] = error
            failure = known[topic]
            out.append(
                failure
                if failure is not None
                else producer._partition(topic, None, None, None, record.key, record.value)
            )
        return out

    async def _send_batches(
        self, topic: str, partition: int, records: Sequence[Output | StateRecord]
    ) -> list[tuple[int, int, Awaitable[Any]]]:
        """The records queued as batches of the producer's batch size, in order: for each,
        where it starts among `records`, how many it holds, and its future (the first
        record's metadata once Kafka has the batch). A failure before a batch is queued is
        that batch's result."""
        producer = self._producer()
        sent: list[tuple[int, int, Awaitable[Any]]] = []
        start = 0
        while start < len(records):
            batch, count = producer.create_batch(), 0
            for record in records[start:]:
                timestamp = int(record.timestamp * 1000) if record.timestamp else None
                headers = [(k, v or b"") for k, v in record.headers]
                if (
                    batch.append(
                        timestamp=timestamp, key=record.key, value=record.value, headers=headers
                    )
                    is None
                ):
                    break  # full: the rest go in the next batch (a batch takes one at least)
                count += 1
            if not count:  # aiokafka takes any first record; should one not fit, say so
                raise RuntimeError(f"{topic}: a record no batch takes")
            try:
                future = await producer.send_batch(batch, topic, partition=partition)
            except Exception as error:
                future = asyncio.get_running_loop().create_future()
                future.set_exception(error)
            sent.append((start, count, future))
            start += count
        return sent

    def _producer(self) -> Any:
        """aiokafka's producer beneath Faust's (started with the app)."""
        return cast(Any, self.app.producer)._ensure_producer()

    def _letter(self, stage: str, verdict: Verdict, now: datetime) -> tuple[str, Output]:
        record = verdict.record
        rejected = verdict.rejected or Rejected("internal_error")
        where = Origin(record.topic, record.partition, record.offset, record.key, record.headers)
        letter = dead_letter(
            verdict.stage or stage,
            rejected,
            record.value,
            where,
            now=now,
            exception_type=verdict.exception_type,
        )
        limit = int(self.app.conf.producer_max_request_size) - len(record.key or b"")
        value = fitted(letter, record.value or b"", limit - FRAMING_BYTES)
        log.warning(
            "%s: dead letter (%s) topic=%s partition=%s offset=%s: %s",
            verdict.stage or stage,
            rejected.reason,
            record.topic,
            record.partition,
            record.offset,
            rejected.detail,
        )
        return self.deadletter_topic, Output("deadletter", record.key or b"", value)


def _retriable(error: BaseException) -> bool:
    """Kafka away, a leader moving, a request timing out: it may pass, so try again."""
    return bool(getattr(error, "retriable", False)) or type(error).__name__ in (
        "KafkaTimeoutError",
        "KafkaConnectionError",
        "RequestTimedOutError",
    )


def count(
    stage: str,
    verdicts: Sequence[Verdict],
    seconds: float,
    *,
    read: int | None = None,
    passed: int | None = None,
    metrics: Metrics | None = None,
) -> None:
    """One stage's share of a batch: records in (`read`, default all) and passed on
    (`passed`, default those that passed), its dead letters and drops, its time per record.
    The metrics are the process's (`streams.metrics.METRICS`, looked up now: tests swap in
    a fresh registry)."""
    if not verdicts:
        return
    metrics = metrics or _metrics.METRICS
    read = len(verdicts) if read is None else read
    metrics.articles_in.labels(stage).inc(read)
    metrics.articles_out.labels(stage).inc(
        sum(v.passed for v in verdicts) if passed is None else passed
    )
    for verdict in verdicts:
        if (verdict.stage or stage) != stage:
            continue
        if verdict.rejected is not None:
            metrics.dead_letters.labels(stage, verdict.rejected.reason).inc()
        elif verdict.dropped is not None:
            metrics.observe_drop(stage, verdict.dropped.reason)
    if read:
        histogram = metrics.processing_seconds.labels(stage)
        for _ in range(read):
            histogram.observe(seconds / read)


@dataclass(frozen=True, slots=True)
class StateRecord:
    """One table write as its changelog record: `value` None deletes the key (a tombstone)."""

    key: bytes
    value: bytes | None
    partition: int
    timestamp: float | None = None
    headers: Headers = ()


class Delivered(NamedTuple):
    """Where Kafka put one record."""

    topic: str
    partition: int
    offset: int


class TableWriter:
    """Writes keys of a Faust table: in memory at once, and to its changelog as records the
    agent sends and waits for (`flush`) before it acknowledges the batch that made them.

    Faust's own path (`table[key] = value`, `send_changelog`) queues the record in Faust's
    producer buffer and returns. An offset commit flushes that buffer first, but the flush
    stops waiting once one send takes longer than 0.1 s (faust/transport/producer.py,
    `flush_atmost`), and a stopping worker drops what is still queued. So offsets could be
    committed ahead of the state they vouch for: in the rebalance fault scenario a worker
    leaving by SIGTERM had its matches committed while some of their state writes never
    reached the changelog, and the worker that took over never recorded those matches.
    Sent here and acknowledged before the input is, a state write never trails its offsets.

    Each key goes to the partition given, or the one `partition_of(key)` names: Faust's
    `table[key] = value` takes the partition of "the current event", which a batch of
    several partitions lacks.
    """

    def __init__(self, table: TableT, partition_of: Callable[[Any], int] | None = None) -> None:
        self.table, self.partition_of = cast(Collection, table), partition_of
        self.topic = table.changelog_topic.get_topic_name()
        self.pending: list[StateRecord] = []

    def __call__(self, key: Any, value: Any, partition: int | None = None) -> None:
        if partition is None:
            if self.partition_of is None:
                raise ValueError(f"{self.topic}: no partition for {key!r}")
            partition = self.partition_of(key)
        store, changelog = self.table.data, self.table.changelog_topic
        raw_key, _ = changelog.prepare_key(key, self.table.key_serializer)
        if value is None:
            if key in store:
                del store[key]
            raw = None
        else:
            store[key] = value
            raw, _ = changelog.prepare_value(value, self.table.value_serializer)
        self.pending.append(StateRecord(raw_key, raw, partition))

    async def flush(self, publisher: Publisher) -> None:
        """Send what was written since the last flush, in order, and wait until Kafka has it
        all. A record refused for good raises: the batch stays unacknowledged, read again."""
        records, self.pending = self.pending, []
        if not records:
            return
        results = await publisher.send_all([(self.topic, r) for r in records], ordered=True)
        refused = [r for r in results if isinstance(r, BaseException)]
        if refused:
            raise RuntimeError(
                f"{self.topic}: {len(refused)} state record(s) refused: {refused[0]!r}"
            )
        last: dict[TP, int] = {}
        for metadata in results:
            last[TP(metadata.topic, metadata.partition)] = metadata.offset
        for tp, offset in last.items():  # a store that keeps it (rocksdb) recovers from there
            self.table.data.set_persisted_offset(tp, offset)


class TableView(Mapping[Any, Any]):
    """A Faust table read straight from its store, as the steps read their state.

    `table[key]` and `table.get(key)` go through the table's sensors (the monitor counts
    every read) and, for a missing key, `__missing__` and a KeyError: several Python
    calls a read, and the alert step reads tens of keys a match. The memory store keeps
    its keys in a plain dict, read here directly; another store is read as it is."""

    def __init__(self, table: TableT) -> None:
        self.table = cast(Collection, table)

    def _keys(self) -> Mapping[Any, Any]:
        store = self.table.data
        inner = getattr(store, "data", None)
        return inner if type(inner) is dict else store

    def get(self, key: Any, default: Any = None) -> Any:
        return self._keys().get(key, default)

    def __getitem__(self, key: Any) -> Any:
        return self._keys()[key]

    def __contains__(self, key: object) -> bool:
        return key in self._keys()

    def __iter__(self) -> Iterator[Any]:
        return iter(self._keys())

    def __len__(self) -> int:
        return len(self._keys())


def table_values(name: str, dumps: Callable[[Any], bytes], loads: Callable[[bytes], Any]) -> type:
    """A table value type whose changelog bytes are `dumps(value)` and come back as
    `loads(bytes)`, values kept decoded in memory. Faust picks a table's changelog codec from
    `value_type._options.serializer` and rebuilds values with `value_type.from_data`; our
    states are pydantic models or plain classes, not faust.Record."""

    class Codec(codecs.Codec):
        def _dumps(self, obj: Any) -> bytes:
            return dumps(obj)

        def _loads(self, s: bytes) -> Any:
            return loads(s)

    codecs.register(name, Codec())

    class ValueType:
        class _options:  # the attribute name Faust reads
            serializer = name

        @classmethod
        def from_data(cls, data: Any, preferred_type: Any = None) -> Any:
            return data

    return ValueType


def by_partition(records_: Iterable[Record]) -> dict[int, list[Record]]:
    """A batch's records per partition, each in offset order."""
    groups: dict[int, list[Record]] = {}
    for record in records_:
        groups.setdefault(record.partition, []).append(record)
    return groups

"""The publisher sends a batch per topic partition (streams/stage.py: Publisher).

A stand-in for aiokafka's producer here: it builds aiokafka's own batches (so what fits in
one is aiokafka's rule) and numbers their records as a broker would, from the offset the
partition has reached. The real producer and broker are in the integration tests.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from types import SimpleNamespace
from typing import Any

from aiokafka.errors import NotLeaderForPartitionError
from aiokafka.partitioner import DefaultPartitioner
from aiokafka.producer.message_accumulator import BatchBuilder

from streams.stage import Delivered, Publisher, StateRecord
from streams.steps import Output

BATCH_BYTES = 4096


class Producer:
    """What the publisher asks of aiokafka's producer, recorded."""

    def __init__(self, failing: set[tuple[str, int]] = frozenset()) -> None:  # type: ignore[assignment]
        self.batches: list[tuple[str, int, list[Any]]] = []
        self.ends: dict[tuple[str, int], int] = defaultdict(int)
        self.failing = set(failing)
        self.client = SimpleNamespace(_wait_on_metadata=self._metadata)
        self.partitioner = DefaultPartitioner()

    async def _metadata(self, topic: str) -> None:
        return None

    def _partition(self, topic, partition, key, value, serialized_key, serialized_value):  # type: ignore[no-untyped-def]
        return self.partitioner(serialized_key, [0, 1, 2, 3], [0, 1, 2, 3])

    def create_batch(self) -> BatchBuilder:
        return BatchBuilder(BATCH_BYTES, 0, key_serializer=None, value_serializer=None)

    async def send_batch(self, batch: BatchBuilder, topic: str, *, partition: int) -> Any:
        future = asyncio.get_running_loop().create_future()
        if (topic, partition) in self.failing:
            self.failing.discard((topic, partition))  # fails once, then takes it
            future.set_exception(NotLeaderForPartitionError())
            return future
        batch._build()  # closes it: what aiokafka's sender would put on the wire
        records = _records(batch)
        self.batches.append((topic, partition, records))
        first = self.ends[(topic, partition)]
        self.ends[(topic, partition)] += len(records)
        future.set_result(SimpleNamespace(topic=topic, partition=partition, offset=first))
        return future


def _records(batch: BatchBuilder) -> list[Any]:
    from aiokafka.record.default_records import DefaultRecordBatch

    return [(r.key, r.value, r.timestamp, r.headers) for r in DefaultRecordBatch(batch._buffer)]


def publisher(producer: Producer) -> Publisher:
    app = SimpleNamespace(producer=SimpleNamespace(_ensure_producer=lambda: producer))
    return Publisher(app, {}, "news.deadletter")  # type: ignore[arg-type]


def out(key: str, partition: int | None = None, size: int = 10, **more: Any) -> Output:
    return Output("x", key.encode(), b"v" * size, partition=partition, **more)


def test_one_batch_per_topic_partition_each_record_numbered_in_it():
    producer = Producer()
    sends = [
        ("a", out("k1", 0)),
        ("a", out("k2", 1)),
        ("a", out("k3", 0)),
        ("b", out("k4", 0)),
        ("a", out("k5", 0)),
    ]
    results = asyncio.run(publisher(producer).send_all(sends))
    assert [(t, p, [r[0] for r in recs]) for t, p, recs in producer.batches] == [
        ("a", 0, [b"k1", b"k3", b"k5"]),
        ("a", 1, [b"k2"]),
        ("b", 0, [b"k4"]),
    ]
    assert results == [
        Delivered("a", 0, 0),
        Delivered("a", 1, 0),
        Delivered("a", 0, 1),
        Delivered("b", 0, 0),
        Delivered("a", 0, 2),
    ]


def test_a_keyed_record_goes_where_the_producers_partitioner_puts_it():
    producer = Producer()
    keys = [f"story-{n}" for n in range(40)]
    results = asyncio.run(publisher(producer).send_all([("a", out(k)) for k in keys]))
    expected = [producer._partition("a", None, None, None, k.encode(), None) for k in keys]
    assert [r.partition for r in results] == expected
    assert len({r.partition for r in results}) > 1  # the keys spread, as sent one by one


def test_what_outgrows_a_batch_goes_in_the_next_in_order_and_numbered_on():
    producer = Producer()
    sends = [("a", out(f"k{n}", 0, size=1500)) for n in range(5)]
    results = asyncio.run(publisher(producer).send_all(sends))
    sizes = [len(recs) for _, _, recs in producer.batches]
    assert len(sizes) > 1 and sum(sizes) == 5
    flat = [r[0] for _, _, recs in producer.batches for r in recs]
    assert flat == [f"k{n}".encode() for n in range(5)]
    assert [r.offset for r in results] == [0, 1, 2, 3, 4]


def test_a_record_larger_than_a_batch_still_goes_alone():
    producer = Producer()
    results = asyncio.run(
        publisher(producer).send_all([("a", out("big", 0, size=3 * BATCH_BYTES))])
    )
    assert results == [Delivered("a", 0, 0)]
    assert len(producer.batches[0][2][0][1]) == 3 * BATCH_BYTES


def test_time_and_headers_travel_with_each_record():
    producer = Producer()
    record = out("k", 2, timestamp=1_700_000_000.25, headers=(("origin", b"3:17"),))
    asyncio.run(publisher(producer).send_all([("a", record)]))
    ((_, _, [(key, _, timestamp, headers)]),) = producer.batches
    assert key == b"k" and timestamp == 1_700_000_000_250
    assert headers == [("origin", b"3:17")]


def test_a_failed_batch_is_sent_again_with_what_came_after_it_when_ordered(monkeypatch):
    """State records: partition 1's batch fails once; everything from its first record on
    goes again, so each partition's last record is the last one asked for."""
    monkeypatch.setattr("streams.stage.RETRY_SECONDS", (0.0,))
    producer = Producer(failing={("s", 1)})
    sends = [
        ("s", StateRecord(b"k0", b"0", 0)),
        ("s", StateRecord(b"k1", b"1", 1)),
        ("s", StateRecord(b"k2", b"2", 0)),
    ]
    results = asyncio.run(publisher(producer).send_all(sends, ordered=True))
    landed = [(p, [r[0] for r in recs]) for _, p, recs in producer.batches]
    assert landed == [(0, [b"k0", b"k2"]), (1, [b"k1"]), (0, [b"k2"])]
    assert results == [Delivered("s", 0, 0), Delivered("s", 1, 0), Delivered("s", 0, 2)]


def test_a_failed_batch_alone_is_sent_again_when_not_ordered(monkeypatch):
    monkeypatch.setattr("streams.stage.RETRY_SECONDS", (0.0,))
    producer = Producer(failing={("a", 1)})
    sends = [("a", out("k0", 0)), ("a", out("k1", 1)), ("a", out("k2", 0))]
    results = asyncio.run(publisher(producer).send_all(sends))
    assert [(p, len(recs)) for _, p, recs in producer.batches] == [(0, 2), (1, 1)]
    assert results == [Delivered("a", 0, 0), Delivered("a", 1, 0), Delivered("a", 0, 1)]

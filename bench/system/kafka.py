"""A benchmark's own corner of the broker: namespaced topics, processes in it, what they wrote.

Every figure comes from records' Kafka timestamps (CreateTime: stamped by the producing
client as it sends), so the benchmark's own consumers never stand in the way. A namespace's
processes run with the worker's own settings (partitions, log level, batches, fetch wait,
linger: the defaults of streams/settings.py) unless a benchmark passes others; only the
names (topics, consumer group, folders, ports) are the namespace's.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, ClassVar

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition

from bench.harness import REPO, cpu_seconds
from bench.system.processes import Pipeline, Worker, free_port, stop

POLL_S = 0.2


class Namespace(Pipeline):
    """bench/system/processes.py's isolated namespace, named for benchmarks, with the
    worker's default settings (not the tests' 2 partitions and short session timeout)."""

    PREFIX = "bench"
    TUNING: ClassVar[dict[str, str]] = {}


@contextlib.contextmanager
def namespace(
    bootstrap: str, workdir: Path, settings: dict[str, str] | None = None
) -> Iterator[Namespace]:
    """Fresh topics (created with `newsradar topics create`), deleted afterwards.

    `settings`: NEWSRADAR_* for every process of the namespace (the topics too)."""
    ns = Namespace(bootstrap, workdir, uuid.uuid4().hex[:10], dict(settings or {}))
    created = ns.cli("topics", "create")
    if created.returncode != 0:
        raise RuntimeError(f"newsradar topics create failed:\n{created.stderr[-2000:]}")
    try:
        yield ns
    finally:
        delete_topics(bootstrap, ns.suffix)


def delete_topics(bootstrap: str, suffix: str) -> None:
    """Every topic of the namespace, Faust's internal ones (changelogs, re-key topic) too."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        names = [name for name in admin.list_topics() if suffix in name]
        if names:
            admin.delete_topics(names)
    finally:
        admin.close()


@contextlib.contextmanager
def process(
    ns: Namespace,
    module: str,
    *args: str,
    name: str = "worker",
    env: dict[str, str] | None = None,
) -> Iterator[Worker]:
    """`python -m MODULE ARGS` in the namespace (its own /metrics port), always stopped.

    `env`: more settings for it (NEWSRADAR_...), after the namespace's own."""
    log_path = ns.workdir / f"{name}-{ns.suffix}.log"
    port = free_port()
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            env=ns.env(NEWSRADAR_WEB__PORT=str(port), **(env or {})),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=REPO,
        )
        try:
            yield Worker(proc, port, log_path)
        finally:
            stop(proc)


class Topics:
    """End offsets and record timestamps of the namespace's topics (one kafka-python consumer)."""

    def __init__(self, ns: Namespace) -> None:
        self.ns = ns
        self.consumer = KafkaConsumer(
            bootstrap_servers=ns.bootstrap, group_id=None, enable_auto_commit=False
        )

    def close(self) -> None:
        self.consumer.close()

    def partitions(self, field: str) -> list[TopicPartition]:
        topic = self.ns.topic(field)
        found = self.consumer.partitions_for_topic(topic) or set()
        return [TopicPartition(topic, p) for p in sorted(found)]

    def ends(self, field: str) -> dict[int, int]:
        offsets = self.consumer.end_offsets(self.partitions(field))
        return {tp.partition: offset for tp, offset in offsets.items()}

    def count(self, field: str) -> int:
        return sum(self.ends(field).values())

    def records(self, field: str, start: dict[int, int], end: dict[int, int]) -> list[Any]:
        """Every record between two sets of offsets (bounded: 120 s)."""
        wanted = {p: o for p, o in end.items() if o > start.get(p, 0)}
        if not wanted:
            return []
        topic = self.ns.topic(field)
        parts = [TopicPartition(topic, p) for p in wanted]
        self.consumer.assign(parts)
        for tp in parts:
            self.consumer.seek(tp, start.get(tp.partition, 0))
        out: list[Any] = []
        done: set[int] = set()
        deadline = time.monotonic() + 120
        while len(done) < len(parts) and time.monotonic() < deadline:
            for tp, batch in self.consumer.poll(timeout_ms=500).items():
                out.extend(r for r in batch if r.offset < wanted[tp.partition])
                if self.consumer.position(tp) >= wanted[tp.partition]:
                    done.add(tp.partition)
        self.consumer.unsubscribe()
        return out

    def first_timestamp(self, field: str, start: dict[int, int], end: dict[int, int]) -> float:
        """Seconds: the earliest timestamp among the first new record of each partition."""
        firsts = {p: start.get(p, 0) + 1 for p, o in end.items() if o > start.get(p, 0)}
        return min(r.timestamp for r in self.records(field, start, firsts)) / 1000

    def last_timestamp(self, field: str, start: dict[int, int], end: dict[int, int]) -> float:
        """Seconds: the latest timestamp among the last new record of each partition."""
        lasts = {p: o - 1 for p, o in end.items() if o > start.get(p, 0)}
        records = self.records(field, lasts, {p: end[p] for p in lasts})
        return max(r.timestamp for r in records) / 1000


def wait_for(
    counts: Callable[[], int], target: int, stall_s: float, deadline_s: float = 3600
) -> int:
    """Poll until `counts()` reaches `target`; give up after `stall_s` without progress."""
    last, last_change = -1, time.monotonic()
    give_up = time.monotonic() + deadline_s
    while time.monotonic() < give_up:
        now = counts()
        if now >= target:
            return now
        if now != last:
            last, last_change = now, time.monotonic()
        elif time.monotonic() - last_change > stall_s:
            return now
        time.sleep(POLL_S)  # polling a count the worker moves
    return counts()


def topics_count(topics: Topics, fields: tuple[str, ...], worker: Worker) -> Callable[[], int]:
    """The records on `fields` now; fails at once if the worker died."""

    def count() -> int:
        if not worker.alive():
            raise RuntimeError(f"the worker exited; log:\n{worker.log_text()[-3000:]}")
        return sum(topics.count(field) for field in fields)

    return count


def producer(bootstrap: str, *, bulk: bool) -> KafkaProducer:
    """acks=all like `newsradar publish`; `bulk`: its batching (bench/system/publish.py)."""
    from streams.sources.kafka_out import BULK_TUNING

    tuning = BULK_TUNING if bulk else {}
    return KafkaProducer(bootstrap_servers=bootstrap, acks="all", metrics_enabled=False, **tuning)


def send_all(
    ns: Namespace,
    records: list[tuple[bytes, bytes]],
    field: str = "raw",
    partition: int | None = None,
) -> float:
    """Preload: send as fast as the producer goes; seconds from first send to last ack."""
    sender = producer(ns.bootstrap, bulk=True)
    topic = ns.topic(field)
    try:
        started = time.perf_counter()
        for key, value in records:
            sender.send(topic, key=key, value=value, partition=partition)
        sender.flush(timeout=600)
        return time.perf_counter() - started
    finally:
        sender.close()


def idle_cores(worker: Worker, seconds: float) -> float:
    """The worker's CPU share while it has nothing to do (timers, heartbeats, commits)."""
    before, started = cpu_seconds(worker.process.pid), time.monotonic()
    time.sleep(seconds)  # watching an idle process, not waiting for a result
    return (cpu_seconds(worker.process.pid) - before) / (time.monotonic() - started)

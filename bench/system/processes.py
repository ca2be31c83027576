"""Run newsradar's CLI and worker as real processes against a real broker, in isolation.

Every test or benchmark gets its own topic names, consumer group and ports, so none sees
another's records; every process started is stopped. The system benchmarks and the
integration and e2e tests share this module (tests/processes.py re-exports it: tests may
import bench, bench never imports tests).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

TOPIC_FIELDS = ("raw", "clean", "classified", "matches", "alerts", "deadletter")
#: Partitions of a test pipeline's topics (NEWSRADAR_TOPICS__PARTITIONS of its processes).
PARTITIONS = 2


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Pipeline:
    """An isolated namespace on the broker: topic names, app id, ports, folders."""

    bootstrap: str
    workdir: Path
    suffix: str
    #: More NEWSRADAR_* settings for every process of this pipeline (e.g. SASL login).
    settings: dict[str, str] = field(default_factory=dict)
    #: What names the namespace's topics and consumer group.
    PREFIX: ClassVar[str] = "test"
    #: Settings a test pipeline's processes get beyond the names: fewer partitions, a dead
    #: worker noticed sooner, the INFO log a failing test shows.
    TUNING: ClassVar[dict[str, str]] = {
        "NEWSRADAR_WORKER__SESSION_TIMEOUT_SECONDS": "10",
        "NEWSRADAR_TOPICS__PARTITIONS": str(PARTITIONS),
        "NEWSRADAR_LOG_LEVEL": "INFO",
    }

    def topic(self, field: str) -> str:
        return f"{self.PREFIX}-{self.suffix}.{field}"

    @property
    def app_id(self) -> str:
        """Its workers' app id: their consumer group and the prefix of their internal topics."""
        return f"newsradar-{self.PREFIX}-{self.suffix}"

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSRADAR_")}
        env.update(
            NEWSRADAR_KAFKA__BOOTSTRAP=self.bootstrap,
            NEWSRADAR_WORKER__APP_ID=self.app_id,
            NEWSRADAR_WORKER__DATA_DIR=str(self.workdir / f"faust-{self.suffix}"),
            PYTHONUNBUFFERED="1",
            **self.TUNING,
        )
        env.update({f"NEWSRADAR_TOPICS__{f.upper()}": self.topic(f) for f in TOPIC_FIELDS})
        env.update(self.settings)
        env.update(extra)
        return env

    def create_topics(self, partitions: int = PARTITIONS) -> None:
        """The pipeline's topics, as `newsradar topics create` makes them. Brokers create no
        topic on first use (auto-creation is off, as in docker compose), so a test that
        publishes, reads or starts a worker needs them first. A worker of a pipeline made
        with more `partitions` is told so (NEWSRADAR_TOPICS__PARTITIONS)."""
        admin = KafkaAdminClient(bootstrap_servers=self.bootstrap)
        try:
            admin.create_topics([NewTopic(self.topic(f), partitions, 1) for f in TOPIC_FIELDS])
        finally:
            admin.close()

    def cli(
        self, *args: str, timeout: float = 120, stdin: bytes | None = None
    ) -> subprocess.CompletedProcess[str]:
        """Run `newsradar ARGS` to completion (bounded)."""
        return subprocess.run(
            [sys.executable, "-m", "streams", *args],
            env=self.env(),
            input=stdin.decode() if stdin else None,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    @contextmanager
    def worker(self, name: str = "worker", **extra: str) -> Iterator[Worker]:
        """A `newsradar worker` process with its own /metrics port, always stopped.

        `extra`: more NEWSRADAR_* settings for this worker.
        """
        port = free_port()
        log_path = self.workdir / f"{name}.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "streams", "worker"],
                env=self.env(NEWSRADAR_WEB__PORT=str(port), **extra),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                yield Worker(process, port, log_path)
            finally:
                stop(process)

    def produce(self, field: str, values: list[tuple[bytes | None, bytes]]) -> None:
        producer = KafkaProducer(bootstrap_servers=self.bootstrap, acks="all")
        try:
            for key, value in values:
                producer.send(self.topic(field), key=key, value=value)
            producer.flush(timeout=30)
        finally:
            producer.close()

    def read(self, field: str, count: int, timeout: float = 90) -> list[bytes]:
        """The first `count` values on a topic, waiting at most `timeout` seconds for them."""
        return read_topic(self.bootstrap, self.topic(field), count, timeout)


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    port: int
    log: Path

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")


def stop(process: subprocess.Popen[bytes], grace: float = 30) -> None:
    """SIGTERM, then SIGKILL if it has not exited within `grace` seconds."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)


def read_topic(bootstrap: str, topic: str, count: int, timeout: float) -> list[bytes]:
    """Values from the beginning of every partition until `count` arrived or time ran out."""
    consumer = KafkaConsumer(
        bootstrap_servers=bootstrap,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    deadline = time.monotonic() + timeout
    values: list[bytes] = []
    try:
        partitions = None
        while not partitions and time.monotonic() < deadline:
            partitions = consumer.partitions_for_topic(topic)
            if not partitions:
                time.sleep(0.2)
        if not partitions:
            return values
        consumer.assign([TopicPartition(topic, p) for p in partitions])
        while len(values) < count and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=300).values():
                values.extend(record.value for record in records)
    finally:
        consumer.close()
    return values


def new_pipeline(bootstrap: str, workdir: Path) -> Pipeline:
    """A fresh namespace whose topics do not exist yet."""
    return Pipeline(bootstrap, workdir, uuid.uuid4().hex[:10])


def pipeline_with_topics(bootstrap: str, workdir: Path) -> Pipeline:
    """A fresh namespace with its topics created: what most tests start from."""
    pipeline = new_pipeline(bootstrap, workdir)
    pipeline.create_topics()
    return pipeline

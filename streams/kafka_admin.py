"""kafka-python clients for the CLI: one place that says how to reach and log in to Kafka.

Every kafka-python client newsradar builds gets its address, client id and security
options (SASL, TLS: streams/kafka_security.py) from `client_config`, and is best built
with `connect`, which also turns a refused login into one clear line and exit 1.

Brokers here never create a topic on first use (docker compose and ops/kafka/local-broker
turn auto-creation off): `ensure_topics` creates them, and a command whose topic is missing
ends with one line saying which and how to create it (`require_topics`, `assign_topic`),
where a producer would wait a minute per record and a consumer for ever.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.admin import NewTopic
from kafka.consumer.fetcher import ConsumerRecord
from kafka.errors import KafkaError, TopicAlreadyExistsError

from streams.kafka_security import client_security, verify_access
from streams.settings import Settings

log = logging.getLogger(__name__)

Client = TypeVar("Client")

HOW_TO_CREATE = "create the topics with `newsradar topics create` (a worker does when it starts)"


#: How long one poll of a reading command waits for records.
POLL_MS = 500


def client_config(settings: Settings, role: str = "") -> dict[str, Any]:
    """Keyword arguments every kafka-python client needs: servers, client id, security.

    `role` names the client in the broker's logs and quotas (`newsradar-<role>`). The dict
    holds the password in clear: hand it to the client, never to a log.
    """
    client_id = f"{settings.kafka.client_id}-{role}" if role else settings.kafka.client_id
    return {
        "bootstrap_servers": settings.kafka.servers(),
        "client_id": client_id,
        **client_security(settings.kafka),
    }


def connect(
    client_type: type[Client], settings: Settings, role: str, *topics: str, **options: Any
) -> Client:
    """A kafka-python client (KafkaProducer, KafkaConsumer, KafkaAdminClient) of `role`.

    The first one logs in with aiokafka first (verify_access), so a wrong password or CA
    ends the process here, in seconds, with one line saying what to check (never the
    password), rather than after kafka-python's 30 s of retries and a traceback.
    """
    verify_access(settings.kafka)
    return client_type(*topics, **client_config(settings, role), **options)


def ensure_topics(
    settings: Settings, timeout_ms: int = 30_000, extra: Iterable[tuple[str, int]] = ()
) -> list[str]:
    """Create the pipeline's topics, and `extra` (name, partitions) ones, that do not exist
    yet; return the names created."""
    partitions = {name: settings.topics.partitions for name in settings.topics.all_names()}
    partitions.update(extra)
    admin = connect(KafkaAdminClient, settings, "admin", request_timeout_ms=timeout_ms)
    try:
        existing = set(admin.list_topics())
        wanted = [name for name in partitions if name not in existing]
        new = [
            NewTopic(name, partitions[name], settings.topics.replication_factor) for name in wanted
        ]
        if new:
            try:
                admin.create_topics(new, timeout_ms=timeout_ms)
            except TopicAlreadyExistsError:
                log.info("topics were created concurrently")
        return wanted
    finally:
        admin.close()


def missing_topics(names: Iterable[str]) -> str:
    """The line a command ends with when topics it needs do not exist."""
    listed = list(names)
    which = f"topic {listed[0]} does" if len(listed) == 1 else f"topics {', '.join(listed)} do"
    return f"newsradar: {which} not exist: {HOW_TO_CREATE}"


def unreachable(settings: Settings, error: BaseException) -> str:
    """The line a command ends with when no broker answered."""
    return (
        f"newsradar: cannot reach Kafka at {settings.kafka.bootstrap} "
        f"({error}); check NEWSRADAR_KAFKA__BOOTSTRAP"
    )


def require_topics(settings: Settings, *names: str) -> None:
    """End the command (one line, exit 1) unless every topic in `names` exists: a producer
    would otherwise block a minute on each record for a topic that is never created."""
    try:
        admin = connect(KafkaAdminClient, settings, "admin")
        try:
            existing = set(admin.list_topics())
        finally:
            admin.close()
    except KafkaError as error:
        raise SystemExit(unreachable(settings, error)) from None
    if missing := [name for name in names if name not in existing]:
        raise SystemExit(missing_topics(missing))


def assign_topic(
    consumer: KafkaConsumer, topic: str, deadline: float | None
) -> list[TopicPartition]:
    """Assign every partition of `topic`, waiting for it to exist until `deadline` (a
    monotonic time); past it the command ends naming the topic. Without a deadline (a
    command following the topic) it waits for as long as it takes, and says so once."""
    said = False
    while not (ids := consumer.partitions_for_topic(topic)):
        if deadline is not None and time.monotonic() > deadline:
            raise SystemExit(missing_topics([topic]))
        if deadline is None and not said:
            print(
                f"newsradar: waiting for topic {topic} to exist: {HOW_TO_CREATE}", file=sys.stderr
            )
            said = True
        time.sleep(0.5)
    partitions = [TopicPartition(topic, p) for p in sorted(ids)]
    consumer.assign(partitions)
    return partitions


def read_records(
    consumer: KafkaConsumer, end: dict[TopicPartition, int] | None, deadline: float | None
) -> Iterator[ConsumerRecord]:
    """The one way the commands read a topic: every record from the consumer's positions up
    to `end` (the partitions' end offsets when the reading started; None: on and on) or the
    `deadline` (a monotonic time), whichever comes first. A record that arrived after `end`
    is left for the next reader. `reached` says afterwards whether the end was reached."""
    while deadline is None or time.monotonic() < deadline:
        if end is not None and reached(consumer, end):
            return
        for records in consumer.poll(timeout_ms=POLL_MS).values():
            for record in records:
                tp = TopicPartition(record.topic, record.partition)
                if end is None or record.offset < end.get(tp, 0):
                    yield record


def reached(consumer: KafkaConsumer, end: dict[TopicPartition, int]) -> bool:
    return all(consumer.position(tp) >= offset for tp, offset in end.items())

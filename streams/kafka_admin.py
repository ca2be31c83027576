"""kafka-python clients for the CLI: one place that says how to reach and log in to Kafka.

Every kafka-python client newsradar builds gets its address, client id and security
options (SASL, TLS: streams/kafka_security.py) from `client_config`, and is best built
with `connect`, which also turns a refused login into one clear line and exit 1.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any, TypeVar

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from streams.kafka_security import client_security, verify_access
from streams.settings import Settings

log = logging.getLogger(__name__)

Client = TypeVar("Client")


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

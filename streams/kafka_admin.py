"""Topic administration with kafka-python: create every topic newsradar uses."""

from __future__ import annotations

import logging

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import TopicAlreadyExistsError

from streams.settings import Settings

log = logging.getLogger(__name__)


def ensure_topics(settings: Settings, timeout_ms: int = 30_000) -> list[str]:
    """Create the pipeline's topics that do not exist yet; return the names created."""
    admin = KafkaAdminClient(
        bootstrap_servers=settings.kafka.servers(),
        client_id=f"{settings.kafka.client_id}-admin",
        request_timeout_ms=timeout_ms,
    )
    try:
        existing = set(admin.list_topics())
        wanted = [name for name in settings.topics.all_names() if name not in existing]
        new = [
            NewTopic(name, settings.topics.partitions, settings.topics.replication_factor)
            for name in wanted
        ]
        if new:
            try:
                admin.create_topics(new, timeout_ms=timeout_ms)
            except TopicAlreadyExistsError:
                log.info("topics were created concurrently")
        return wanted
    finally:
        admin.close()

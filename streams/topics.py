"""Every Kafka topic newsradar uses, declared once: the pipeline graph on one screen.

Values are JSON bytes of the pydantic models in `schemas`; agents decode and encode them
themselves, so a malformed record reaches the agent and becomes a dead letter.
"""

from __future__ import annotations

from faust.types import TopicT

from streams.app import app, settings


def _topic(name: str) -> TopicT:
    return app.topic(
        name,
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
        partitions=settings.topics.partitions,
    )


raw_articles = _topic(settings.topics.raw)  # RawArticle, key: article id
clean_articles = _topic(settings.topics.clean)  # CleanArticle, key: article id
classified_articles = _topic(settings.topics.classified)  # ClassifiedArticle, key: article id
topic_matches = _topic(settings.topics.matches)  # TopicMatch, key: topic id
alerts = _topic(settings.topics.alerts)  # Alert, key: alert id
dead_letters = _topic(settings.topics.deadletter)  # DeadLetter, key: original key

"""`newsradar worker`: create the topics, load the agents, run Faust."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from streams.collector import tune_collector
from streams.settings import Settings

if TYPE_CHECKING:
    from faust import App

NAME = "worker"
HELP = "run the clean, classify and alert agents and /metrics"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No options: a worker is configured by NEWSRADAR_* settings."""


def run(args: argparse.Namespace, settings: Settings) -> int:
    # Importing the agent and page modules registers them with the app.
    import streams.alerting.agents
    import streams.classification.agents
    import streams.cleaning.agents
    import streams.web  # noqa: F401
    from streams.app import app
    from streams.kafka_admin import ensure_topics
    from streams.shutdown import BoundedStopWorker

    ensure_topics(settings, extra=internal_topics(app))
    tune_collector(settings.worker.gc_threshold)

    # A stop that cannot finish (Kafka gone) still ends the process, with exit 0.
    worker = BoundedStopWorker(app, loglevel=settings.log_level)
    # Faust's terminal spinner, at WARNING and above, turns the root logger to DEBUG for the
    # whole run so every log call can spin it: each debug line of aiokafka and Faust (several
    # per record) then builds a LogRecord. Without it the configured level holds.
    worker.spinner = None
    worker.execute_from_commandline()
    return 0


def internal_topics(app: App) -> list[tuple[str, int]]:
    """The internal topics agents read, as (name, partitions), where Faust would create them
    plain (no compaction, deletion or config of their own).

    Faust creates them as the worker starts, a few milliseconds before its consumer
    subscribes. On a cluster that has never had them, the group's first assignment can then
    miss one ("Ignoring missing topic"), and its agent reads nothing until the consumer next
    refreshes its metadata, five minutes later: seen as a fresh `docker compose up` raising
    no alert for five minutes, one start in three. Created before Faust starts, they are there.
    """
    from faust.types import TopicT

    wanted = []
    for agent in app.agents.values():
        topic = agent.channel
        if not isinstance(topic, TopicT) or not topic.internal:
            continue
        if topic.compacting or topic.deleting or topic.retention or topic.config:
            continue  # Faust's own declaration knows these settings
        partitions = topic.partitions or app.conf.topic_partitions
        wanted += [(name, partitions) for name in topic.topics]
    return wanted

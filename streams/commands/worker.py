"""`newsradar worker`: create the topics, load the agents, run Faust."""

from __future__ import annotations

import argparse

from streams.settings import Settings

NAME = "worker"
HELP = "run the clean, classify and alert agents and /metrics"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """No options: a worker is configured by NEWSRADAR_* settings."""


def run(args: argparse.Namespace, settings: Settings) -> int:
    from streams.kafka_admin import ensure_topics
    from streams.shutdown import BoundedStopWorker

    ensure_topics(settings)
    # Importing the agent and page modules registers them with the app.
    import streams.alerting.agents
    import streams.classification.agents
    import streams.cleaning.agents
    import streams.web  # noqa: F401
    from streams.app import app

    # A stop that cannot finish (Kafka gone) still ends the process, with exit 0.
    worker = BoundedStopWorker(app, loglevel=settings.log_level)
    # Faust's terminal spinner, at WARNING and above, turns the root logger to DEBUG for the
    # whole run so every log call can spin it: each debug line of aiokafka and Faust (several
    # per record) then builds a LogRecord. Without it the configured level holds.
    worker.spinner = None
    worker.execute_from_commandline()
    return 0

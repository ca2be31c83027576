"""`newsradar worker`: create the topics, load the agents, run Faust."""

from __future__ import annotations

from faust import Worker

from streams.kafka_admin import ensure_topics
from streams.settings import Settings


def run_worker(settings: Settings) -> int:
    ensure_topics(settings)
    # Importing the agent modules registers them with the app.
    import streams.alerting.agents
    import streams.classification.agents
    import streams.cleaning.agents
    import streams.web  # noqa: F401
    from streams.app import app

    worker = Worker(app, loglevel=settings.log_level)
    worker.execute_from_commandline()
    return 0

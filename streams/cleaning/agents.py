"""The clean agent: news.articles.raw -> the dedup topic (or news.deadletter).

It cleans each raw article and re-keys it by its dedup key (canonical URL or the words of
its text) onto the internal dedup topic, where the classify agent drops what was seen
within the window before classifying the rest (streams/classification/agents.py). Records
in are counted here; the clean stage's records out, once they passed the dedup, there.
"""

from __future__ import annotations

import time

from faust.types import StreamT

from streams import metrics, topics
from streams.app import app, settings
from streams.batching import batches
from streams.cleaning.configure import clean_options
from streams.stage import Publisher, count, current, records
from streams.steps import CLEAN_STAGE, CleanStep

STAGE = CLEAN_STAGE  # what the lag sensor calls this agent's input (streams/monitoring)
#: The clock of the per-article time budget (a fake one in tests).
CLOCK = time.monotonic
STEP = CleanStep(clean_options(settings.cleaning), lambda: CLOCK())
PUBLISHER = Publisher(app, topics.BY_STEP_NAME, settings.topics.deadletter)


@app.agent(topics.raw_articles)
async def clean_articles(stream: StreamT[bytes]) -> None:  # (article id, RawArticle)
    """Clean a batch of raw articles; pass each on keyed by its dedup key."""
    async for events in batches(stream, settings.worker.batch_size, settings.worker.batch_seconds):
        started = time.perf_counter()
        batch = STEP(records(current(app, events)))
        await PUBLISHER.publish(CLEAN_STAGE, batch.verdicts)
        for verdict in batch.verdicts:
            for removal in getattr(verdict.facts, "removed", ()):
                metrics.METRICS.cleaning_removals.labels(removal.rule).inc()
        # out: counted once the article passed the dedup, by the classify agent
        count(CLEAN_STAGE, batch.verdicts, time.perf_counter() - started, passed=0)

"""The classify agent: the dedup topic -> news.articles.clean, .classified, news.topic-matches.

One agent for two stages' rules, because no key changes between them: it drops an article
the clean stage saw within the window (its `seen` table), then classifies the rest and
publishes the clean article (for subscribers), its classification and one match per topic
it passed. Sparing a hop spares a send, a read and a decode of every article.
"""

from __future__ import annotations

import time

from faust.types import StreamT

from streams import metrics, topics
from streams.alerting.configure import alert_rules
from streams.app import app, settings
from streams.batching import batches
from streams.classification.watch import TaxonomyFile
from streams.cleaning.seen import forget
from streams.stage import Publisher, TableView, TableWriter, count, current, records
from streams.steps import CLASSIFY_STAGE, CLEAN_STAGE, Batch, DedupClassifyStep

STAGE = CLASSIFY_STAGE  # what the lag sensor calls this agent's input (streams/monitoring)
TAXONOMY_FILE = TaxonomyFile(settings.classification.taxonomy_path)
STEP = DedupClassifyStep(
    taxonomy=lambda: TAXONOMY_FILE.taxonomy,
    rules=alert_rules(settings.alerting),
    window=settings.cleaning.dedup_window_seconds,
)
PUBLISHER = Publisher(app, topics.BY_STEP_NAME, settings.topics.deadletter)

# b"partition:bucket" -> recent sightings (streams/cleaning/seen.py); each bucket is
# written only while handling its partition's records, so it lives in that partition.
seen = app.Table(
    "clean-seen-digests",
    key_type=bytes,  # bytes keys and values travel raw
    value_type=bytes,
    partitions=settings.topics.partitions,
)
write_seen = TableWriter(seen, lambda key: int(key.split(b":", 1)[0]))
SEEN = TableView(seen)  # what the step reads


@app.agent(topics.dedup)
async def classify_articles(stream: StreamT[bytes]) -> None:  # (dedup key, CleanArticle)
    """Drop duplicates, classify the rest; remember what passed once it is published."""
    async for events in batches(stream, settings.worker.batch_size, settings.worker.batch_seconds):
        started = time.perf_counter()
        batch = STEP(SEEN, records(current(app, events)))
        await PUBLISHER.publish(CLASSIFY_STAGE, batch.verdicts)
        # Remembered only once published: a failed send costs a repeat, never the article.
        for key, bucket in _published_only(batch).items():
            write_seen(key, bucket)
        _count(batch.verdicts, time.perf_counter() - started)
        await write_seen.flush(PUBLISHER)  # counted already: the records are out


def _published_only(batch: Batch) -> dict[bytes, bytes]:
    """The batch's sightings, less those of articles that passed the dedup but were never
    published (dead-lettered by the classify stage or refused by Kafka)."""
    changes = dict(batch.changes)
    for verdict in batch.verdicts:
        if verdict.rejected is not None and verdict.stage == CLASSIFY_STAGE:
            key, sighting = STEP.bucket_of(verdict.record)
            if key in changes:
                changes[key] = forget(changes[key], sighting.digest)
    return {k: v for k, v in changes.items() if v != SEEN.get(k, b"")}


def _count(verdicts: list, seconds: float) -> None:  # type: ignore[type-arg]
    passed = [v for v in verdicts if v.stage == CLASSIFY_STAGE]
    count(CLEAN_STAGE, verdicts, 0.0, read=0, passed=len(passed))
    count(CLASSIFY_STAGE, passed, seconds)
    for verdict in passed:
        for topic in getattr(verdict.facts, "topics", ()):
            metrics.METRICS.observe_match(topic.id, topic.score)


if settings.classification.reload_seconds > 0:

    @app.timer(interval=settings.classification.reload_seconds)
    async def reload_taxonomy() -> None:
        """An analyst's edit takes effect without a restart; a bad file is refused."""
        TAXONOMY_FILE.check()

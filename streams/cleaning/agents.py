"""The clean stage's agents: news.articles.raw -> news.articles.clean (or news.deadletter).

`clean_articles` cleans each raw article and re-keys it by its dedup key (canonical URL or
the words of its text) onto an internal topic. The raw topic is keyed by article id, and
one article can arrive under two ids (two tracking links, a re-sent text), so only after
the re-key does every sighting of a key reach the one partition, and the one shard of the
`seen` table, that remembers it. `drop_duplicates` reads that topic, drops what was seen
within the window, and publishes the rest keyed by article id again.

Both count as the clean stage: records in are counted once (by `clean_articles`), records
out once (by `drop_duplicates`), so in = out + dead letters + drops.
"""

from __future__ import annotations

import logging
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from faust.types import EventT, StreamT

from schemas import CleanArticle, RawArticle
from streams import topics
from streams.app import app, settings
from streams.budget import Budget
from streams.cleaning.configure import clean_options
from streams.cleaning.dedup import Seen, dedup_key
from streams.cleaning.logic import Dropped, clean, deduplicate, record_gate
from streams.metrics import METRICS
from streams.rejection import Rejected
from streams.stage import Guard, guarded, origin, record_time

log = logging.getLogger(__name__)

STAGE = "clean"
OPTIONS = clean_options(settings.cleaning)
WINDOW = settings.cleaning.dedup_window_seconds
_BUCKET = max(WINDOW, 1.0)
#: Header on the dedup topic naming the raw record (partition:offset) a sighting came from.
ORIGIN_HEADER = "newsradar-raw-origin"
#: The clock of the per-article time budget (a fake one in tests).
CLOCK = time.monotonic

# CleanArticle, key: dedup key. Internal: Faust creates it with the app's partition count.
dedup_topic = app.topic(
    f"{settings.worker.app_id}-clean-dedup",
    internal=True,
    key_type=bytes,
    value_type=bytes,
    key_serializer="raw",
    value_serializer="raw",
    partitions=settings.topics.partitions,
)
# dedup key -> [first article id, last seen]; windows of the dedup window's length, so the
# last sighting within it is in the current or the previous one; older windows expire.
seen = (
    app.Table("clean-seen", default=list, partitions=settings.topics.partitions)
    .tumbling(_BUCKET, expires=2 * _BUCKET)
    .relative_to_stream()
)


@app.agent(topics.raw_articles)
async def clean_articles(stream: StreamT[bytes]) -> None:
    """Decode and clean each raw article; pass it on keyed by its dedup key."""
    async for event in stream.events():
        async with guarded(STAGE, event) as guard:
            budget = Budget.start(OPTIONS.time_budget_seconds, CLOCK)
            if (too_big := record_gate(event.value, OPTIONS)) is not None:
                await guard.reject(too_big)
                continue
            raw = await guard.decode(RawArticle)
            if raw is None:
                continue
            cleaned = clean(raw, ingested=record_time(event), options=OPTIONS, budget=budget)
            if isinstance(cleaned, Rejected):
                await guard.reject(cleaned)
            elif isinstance(cleaned, Dropped):
                _dropped(cleaned, raw.id)
            else:
                await _rekeyed(cleaned, event)


@app.agent(dedup_topic)
async def drop_duplicates(stream: StreamT[bytes]) -> None:  # (dedup key, CleanArticle)
    """Drop an article seen within the window; publish the rest keyed by article id."""
    async for event in stream.events():
        async with _second_step(event) as guard:
            article = await guard.decode(CleanArticle)
            if article is None:
                continue
            key = (event.key or b"").decode()
            state, dropped = deduplicate(
                _last_seen(key),
                article,
                now=record_time(event),
                window=WINDOW,
                origin=_raw_origin(event),
            )
            if dropped is None:
                await topics.clean_articles.send(key=article.id.encode(), value=event.value)
                guard.passed()
            else:
                _dropped(dropped, article.id)
            # Remembered only once published: a failed send costs a repeat, never the article.
            seen[key] = [state.article_id, state.last_seen, state.origin]


async def _rekeyed(article: CleanArticle, event: EventT) -> None:
    """Onto the dedup topic, keeping the raw record's time: the window is measured in it."""
    for removal in article.removed:
        METRICS.cleaning_removals.labels(removal.rule).inc()
    where = origin(event)
    await dedup_topic.send(
        key=dedup_key(article).encode(),
        value=article.model_dump_json().encode(),
        timestamp=record_time(event).timestamp(),
        headers={ORIGIN_HEADER: f"{where.partition}:{where.offset}".encode()},
    )


def _raw_origin(event: EventT) -> str:
    """The raw record this sighting came from: a raw record cleaned twice (redelivered after
    a crash or a rebalance) is re-keyed twice, and must pass both times, not drop itself."""
    raw = (event.headers or {}).get(ORIGIN_HEADER)
    if isinstance(raw, bytes):
        return raw.decode(errors="replace")
    where = origin(event)
    return f"dedup:{where.partition}:{where.offset}"


def _last_seen(key: str) -> Seen | None:
    """The latest sighting in this window or the one before: all the window can reach."""
    values = [value for value in (seen[key].current(), seen[key].delta(_BUCKET)) if value]
    return max(
        (Seen(str(v[0]), float(v[1]), str(v[2]) if len(v) > 2 else "") for v in values),
        key=lambda s: s.last_seen,
        default=None,
    )


def _dropped(dropped: Dropped, article_id: str) -> None:
    METRICS.observe_drop(STAGE, dropped.reason)
    log.info("%s: dropped %s (%s): %s", STAGE, article_id, dropped.reason, dropped.detail)


@asynccontextmanager
async def _second_step(event: EventT) -> AsyncIterator[Guard]:
    """`guarded` for the dedup step: the record was counted in (and timed) by clean_articles."""
    guard = Guard(STAGE, event, METRICS)
    try:
        yield guard
    except Exception as error:
        log.exception("%s: unexpected failure in the dedup step", STAGE)
        await guard.reject(Rejected("internal_error", repr(error)[:500]), type(error).__name__)

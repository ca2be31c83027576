"""The clean agent: news.articles.raw -> the dedup topic (or news.deadletter).

It cleans each raw article and re-keys it by its dedup key (canonical URL or the words of
its text) onto the internal dedup topic, where the classify agent drops what was seen
within the window before classifying the rest (streams/classification/agents.py). Records
in are counted here; the clean stage's records out, once they passed the dedup, there.
What each outlet's articles taught the furniture model lives in the `furniture` table.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Iterable
from typing import Any

from faust.types import StreamT

from streams import metrics, topics
from streams.app import app, settings
from streams.batching import batches
from streams.cleaning.configure import clean_options
from streams.cleaning.furniture import OutletFurniture
from streams.stage import (
    Publisher,
    TableView,
    TableWriter,
    count,
    current,
    records,
    table_values,
)
from streams.steps import CLEAN_STAGE, CleanStep

STAGE = CLEAN_STAGE  # what the lag sensor calls this agent's input (streams/monitoring)
#: The clock of the per-article time budget (a fake one in tests).
CLOCK = time.monotonic
STEP = CleanStep(clean_options(settings.cleaning), lambda: CLOCK())
PUBLISHER = Publisher(app, topics.BY_STEP_NAME, settings.topics.deadletter)
#: Outlet states kept (one per outlet and raw partition, up to ~9 KB each): the least
#: recently used go beyond this, and relearn if their outlet comes back.
MAX_OUTLET_STATES = 10_000
#: A changed outlet state goes to the changelog at most this often (encoding one costs about
#: 0.15 ms, and a busy outlet changes with every batch); a crash loses at most this much of
#: an outlet's learning, never an article.
PERSIST_SECONDS = 30.0


FurnitureType = table_values(
    "newsradar-furniture",
    lambda state: state.encode(),  # its own bounded JSON (streams/cleaning/furniture.py)
    OutletFurniture.decode,
)


# "raw partition:outlet" -> OutletFurniture, written while handling that raw partition.
furniture = app.Table(
    "clean-furniture",
    key_type=str,
    value_type=FurnitureType,
    partitions=settings.topics.partitions,
)
write_furniture = TableWriter(furniture, lambda key: _partition(key))
FURNITURE = TableView(furniture)  # what the step reads
_used: OrderedDict[str, None] = OrderedDict()  # furniture keys, least recently written first
_persisted: dict[str, float] = {}  # key -> when its state last went to the changelog
_unsaved: set[str] = set()  # keys changed in memory since


@app.agent(topics.raw_articles)
async def clean_articles(stream: StreamT[bytes]) -> None:  # (article id, RawArticle)
    """Clean a batch of raw articles; pass each on keyed by its dedup key."""
    async for events in batches(stream, settings.worker.batch_size, settings.worker.batch_seconds):
        started = time.perf_counter()
        batch = STEP(FURNITURE, records(current(app, events)))
        await PUBLISHER.publish(CLEAN_STAGE, batch.verdicts)
        _keep_furniture(batch.changes, time.monotonic())
        _forget_beyond_the_bound(batch.changes)
        for verdict in batch.verdicts:
            for removal in getattr(getattr(verdict.facts, "article", None), "removed", ()):
                metrics.METRICS.cleaning_removals.labels(removal.rule).inc()
        # out: counted once the article passed the dedup, by the classify agent
        count(CLEAN_STAGE, batch.verdicts, time.perf_counter() - started, passed=0)
        await write_furniture.flush(PUBLISHER)  # counted already: the records are out


def _keep_furniture(changes: dict[str, OutletFurniture], now: float) -> None:
    """The batch's states in memory at once, in the changelog once PERSIST_SECONDS passed
    since the key's last write (the rest by `persist_furniture`)."""
    for key, state in changes.items():
        if now - _persisted.get(key, -PERSIST_SECONDS) >= PERSIST_SECONDS:
            write_furniture(key, state)
            _persisted[key] = now
            _unsaved.discard(key)
        else:
            furniture.data[key] = state
            _unsaved.add(key)


@app.timer(interval=PERSIST_SECONDS)
async def persist_furniture() -> None:
    await persist_unsaved()


async def persist_unsaved() -> None:
    """Write the states changed since their last write, of the partitions still owned."""
    raw = settings.topics.raw
    owned = {tp.partition for tp in app.consumer.assignment() if tp.topic == raw}
    now = time.monotonic()
    for key in list(_unsaved):
        state = furniture.data.get(key)
        if state is not None and _partition(key) in owned:
            write_furniture(key, state)
            _persisted[key] = now
    _unsaved.clear()
    await write_furniture.flush(PUBLISHER)


def _forget_beyond_the_bound(written: Iterable[str]) -> None:
    """Keep at most MAX_OUTLET_STATES keys of the partitions this worker owns: the least
    recently written are deleted (a key of another owner's partition is only forgotten
    here: its tombstone is that owner's to write)."""
    for key in written:
        _used[key] = None
        _used.move_to_end(key)
    if len(furniture.data) <= MAX_OUTLET_STATES:
        return
    raw = settings.topics.raw
    owned = {tp.partition for tp in app.consumer.assignment() if tp.topic == raw}
    restored = [k for k in furniture.data if k not in _used and _partition(k) in owned]
    for key in restored:  # what the changelog restored, older than anything written since
        _used[key] = None
        _used.move_to_end(key, last=False)
    while len(_used) > MAX_OUTLET_STATES:
        old, _ = _used.popitem(last=False)
        _persisted.pop(old, None)
        _unsaved.discard(old)
        if old in furniture.data and _partition(old) in owned:
            write_furniture(old, None)


def _partition(key: str) -> int:
    return int(key.split(":", 1)[0])


@app.on_partitions_revoked.connect
def _revoked(sender: Any, /, *revoked: Any, signal: Any, **kwargs: Any) -> None:
    _used.clear()
    _persisted.clear()
    _unsaved.clear()

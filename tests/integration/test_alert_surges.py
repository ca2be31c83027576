"""Surges against a real broker: a burst after a quiet hour surges once; its replay never.

The matches go straight onto the topic-matches topic, keyed by topic as the classify agent
keys them, so their order on the partition is the order written here (through the raw
topic, two partitions would interleave baseline and burst).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from schemas import TopicMatch
from streams.alerting.state import TopicState
from tests.integration.test_alert_stories import alerts, state_now
from tests.processes import Pipeline, Worker
from tests.support import wait_until
from tests.unit.alert_fixtures import match, unrelated_story

pytestmark = pytest.mark.integration


def _article(article_id: str, index: int, published: datetime, ingested: datetime) -> TopicMatch:
    return match(
        article_id,
        unrelated_story(index),
        title=f"Report {index}",
        published=published,
        ingested=ingested,
    )


def scenario(now: datetime, *, shift: timedelta, tag: str) -> list[TopicMatch]:
    """A quiet hour (one article every 5 minutes), then 50 articles in four minutes."""
    quiet = [
        _article(f"{tag}base{i}", i, now - timedelta(minutes=64 - 5 * i) - shift, now)
        for i in range(12)
    ]
    burst = [
        _article(f"{tag}burst{i}", 100 + i, now - timedelta(seconds=240 - 4 * i) - shift, now)
        for i in range(50)
    ]
    return quiet + burst


def wait_absorbed(pipeline: Pipeline, position: int, worker: Worker) -> None:
    """Until the alert state has taken in the match at this offset."""

    def absorbed() -> bool:
        topic = state_now(pipeline).get("t|russia-ukraine")
        return isinstance(topic, TopicState) and (topic.position or -1) >= position

    what = f"the match at offset {position} absorbed"
    wait_until(absorbed, 90, step=0.5, what=lambda: f"{what}\n{worker.log_text()[-3000:]}")


def test_a_replayed_burst_never_surges_and_a_live_one_surges_once(pipeline: Pipeline):
    now = datetime.now(UTC)
    replay = scenario(now, shift=timedelta(days=30), tag="old")
    live = scenario(now, shift=timedelta(0), tag="new")
    values = [(b"russia-ukraine", m.model_dump_json().encode()) for m in replay]
    with pipeline.worker() as worker:
        pipeline.produce("matches", values)
        wait_absorbed(pipeline, len(replay) - 1, worker)
        after_replay = alerts(pipeline)
        pipeline.produce(
            "matches", [(b"russia-ukraine", m.model_dump_json().encode()) for m in live]
        )
        wait_absorbed(pipeline, len(replay) + len(live) - 1, worker)
        everything = alerts(pipeline)
    assert [a for a in after_replay if a.kind == "surge"] == []
    (surge,) = [a for a in everything if a.kind == "surge"]
    assert surge.surge is not None and surge.surge.count >= 20
    assert surge.surge.window_end > now - timedelta(minutes=10)

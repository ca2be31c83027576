"""Exact duplicates against a real broker: a restarted worker still remembers what it saw.

The clean stage's memory of sightings lives in a table and its changelog topic; a new worker
process restores it from the changelog. The duplicate arrives under another raw key (a
tracking parameter in its URL), so it also has to cross the re-keying topic to meet the
table shard that remembers its canonical URL.
"""

from __future__ import annotations

import json

import pytest

from schemas import CleanArticle
from tests.processes import Pipeline, Worker, read_topic
from tests.support import metric, wait_until

pytestmark = pytest.mark.integration

BODY = (
    "The harbour authority confirmed on Tuesday that the northern ferry terminal will reopen "
    "next month after repairs to the storm-damaged pier were completed ahead of schedule."
)
OTHER = (
    "The city's bakeries reported record sales over the holiday weekend, with queues forming "
    "outside several shops before dawn on Saturday morning, the trade association said."
)


def _raw(url: str, title: str, text: str) -> tuple[bytes, bytes]:
    return url.encode(), json.dumps({"title": title, "text": text, "url": url}).encode()


def test_a_duplicate_after_a_worker_restart_is_still_dropped(pipeline: Pipeline):
    changelog = f"newsradar-test-{pipeline.suffix}-clean-seen-digests-changelog"
    with pipeline.worker("first") as worker:
        pipeline.produce("raw", [_raw("https://news.example/ferry", "Terminal reopens", BODY)])
        assert len(pipeline.read("clean", 1, timeout=120)) == 1, worker.log_text()[-3000:]
        # Stop only once the table's write reached Kafka: that is what a new worker restores.
        assert read_topic(pipeline.bootstrap, changelog, 1, timeout=60), worker.log_text()[-3000:]

    with pipeline.worker("second") as worker:
        # Produced once the worker has recovered: a record fetched during recovery and thrown
        # away by Faust is read again only after the transport's patience (30 s,
        # streams/consumer.py); that start-up case is not what this test is about.
        wait_until(
            lambda: _ready(worker), 120, what=lambda: f"its Ready line\n{worker.log_text()[-3000:]}"
        )
        pipeline.produce(
            "raw",
            [
                _raw("https://news.example/ferry?utm_source=feed", "Terminal reopens", BODY),
                _raw("https://news.example/bakeries", "Record bakery sales", OTHER),
            ],
        )
        # At least once: the tracking-link copy may be cleaned (and dropped) twice.
        dropped = wait_until(
            lambda: metric(
                worker.port, "newsradar_articles_dropped_total", reason="duplicate", stage="clean"
            ),
            120,
            step=0.5,
            ignoring=(OSError,),  # the web server not up yet
            what=lambda: f"a duplicate dropped: {_diagnosis(pipeline, worker)}",
        )
        assert dropped >= 1.0
        assert len(pipeline.read("clean", 2, 120)) >= 2, _diagnosis(pipeline, worker)
        # At least once: a raw record cleaned twice (a rebalance during start-up can do that)
        # may come out twice, under the same article id; the tracking-link copy never does.
        published = [CleanArticle.model_validate_json(v) for v in pipeline.read("clean", 9, 5)]
        by_url = {
            a.canonical_url: {b.id for b in published if b.canonical_url == a.canonical_url}
            for a in published
        }
        assert sorted(by_url) == [
            "https://news.example/bakeries",
            "https://news.example/ferry",
        ], _diagnosis(pipeline, worker)
        assert all(len(ids) == 1 for ids in by_url.values()), by_url
        assert worker.alive()


def _diagnosis(pipeline: Pipeline, worker: Worker) -> str:
    """What reached the clean topic, and the worker's last words: a counter at 0 says neither."""
    urls = [CleanArticle.model_validate_json(v).url for v in pipeline.read("clean", 3, 5)]
    return f"clean topic holds {urls}; worker log tail:\n{worker.log_text()[-4000:]}"


def _ready(worker: Worker) -> bool:
    assert worker.alive(), worker.log_text()[-3000:]
    return "[^Worker]: Ready" in worker.log_text()

"""The CLI's Kafka commands against a real broker, without a worker."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from kafka import KafkaConsumer

from schemas import Alert, RawArticle
from tests.processes import Pipeline

pytestmark = pytest.mark.integration


def test_topics_create_makes_every_topic_with_the_configured_partitions(pipeline: Pipeline):
    result = pipeline.cli("topics", "create")
    assert result.returncode == 0, result.stderr
    consumer = KafkaConsumer(bootstrap_servers=pipeline.bootstrap)
    try:
        for field in ("raw", "clean", "classified", "matches", "alerts", "deadletter"):
            assert consumer.partitions_for_topic(pipeline.topic(field)) == {0, 1}
    finally:
        consumer.close()
    again = pipeline.cli("topics", "create")
    assert again.returncode == 0 and "created 0 topic(s)" in again.stdout


def test_publishing_the_same_file_twice_uses_the_same_key(pipeline: Pipeline, seed_path):
    assert pipeline.cli("topics", "create").returncode == 0
    for _ in range(2):
        assert pipeline.cli("publish", str(seed_path)).returncode == 0
    records = [RawArticle.model_validate_json(v) for v in pipeline.read("raw", 2)]
    assert len(records) == 2
    assert records[0].id == records[1].id
    assert records[0].ingested is not None


def test_publish_reports_unreadable_lines_and_fails(pipeline: Pipeline):
    lines = b'{"title": "Fine", "text": "A body."}\nnot json\n'
    result = pipeline.cli("publish", "-", stdin=lines)
    assert result.returncode == 1
    assert "<stdin>:2: invalid_json" in result.stderr
    assert len(pipeline.read("raw", 1)) == 1


def _alert(n: int, topic: str) -> Alert:
    return Alert(
        id=f"a{n}",
        topic=topic,
        topic_name=topic,
        severity="high",
        score=0.9,
        article_id=f"art{n}",
        title=f"Title {n}",
        summary="Lead.",
        evidence=[],
        taxonomy_version="t",
        alerted=datetime(2026, 1, 1, tzinfo=UTC),
    )


def test_alerts_filters_by_topic_and_stops_at_max_or_at_the_end(pipeline: Pipeline):
    assert pipeline.cli("topics", "create").returncode == 0
    alerts = [_alert(n, "russia-ukraine" if n % 2 else "sport") for n in range(6)]
    pipeline.produce("alerts", [(a.id.encode(), a.model_dump_json().encode()) for a in alerts])

    everything = pipeline.cli("alerts", "--json")
    assert sorted(json.loads(x)["id"] for x in everything.stdout.splitlines()) == [
        a.id for a in alerts
    ]

    ru = pipeline.cli("alerts", "--json", "--topic", "russia-ukraine")
    assert {json.loads(x)["topic"] for x in ru.stdout.splitlines()} == {"russia-ukraine"}
    assert len(ru.stdout.splitlines()) == 3

    two = pipeline.cli("alerts", "--json", "--max", "2")
    assert two.returncode == 0 and len(two.stdout.splitlines()) == 2

    readable = pipeline.cli("alerts", "--max", "1")
    assert readable.stdout.startswith("[HIGH] ")

    waiting = pipeline.cli("alerts", "--follow", "--max", "1", "--timeout", "3")
    assert waiting.returncode == 3 and waiting.stdout == ""

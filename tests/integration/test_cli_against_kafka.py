"""The CLI's Kafka commands against a real broker, without a worker."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

import pytest
from kafka import KafkaAdminClient, KafkaConsumer

from schemas import Alert, RawArticle
from tests.processes import TOPIC_FIELDS, Pipeline, free_port, new_pipeline, stop
from tests.support import newsradar

pytestmark = pytest.mark.integration


def test_topics_create_makes_every_topic_with_the_configured_partitions(
    kafka_bootstrap: str, tmp_path: Path
):
    pipeline = new_pipeline(kafka_bootstrap, tmp_path)  # no topics yet
    result = pipeline.cli("topics", "create")
    assert result.returncode == 0, result.stderr
    consumer = KafkaConsumer(bootstrap_servers=pipeline.bootstrap)
    try:
        for field in ("raw", "clean", "classified", "matches", "alerts", "deadletter"):
            assert consumer.partitions_for_topic(pipeline.topic(field)) == {0, 1}
    finally:
        consumer.close()
    assert "created 6 topic(s)" in result.stdout
    again = pipeline.cli("topics", "create")
    assert again.returncode == 0 and "created 0 topic(s)" in again.stdout


def test_publishing_the_same_file_twice_uses_the_same_key(pipeline: Pipeline, seed_path):
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


# -- topics that do not exist (brokers never create one on first use) -----------------------

#: Each command that produces or consumes, and the pipeline topic it needs.
NEEDS = {
    "publish": (("publish", "-"), "raw"),
    "feed": (("feed", "--once", "http://127.0.0.1:9/feed.xml"), "raw"),
    "ingest": (("ingest", "--port", "{port}"), "raw"),
    "alerts": (("alerts", "--timeout", "2"), "alerts"),
    "deadletters": (("deadletters", "--timeout", "2"), "deadletter"),
    "replay": (("replay", "--from-deadletters", "--timeout", "30"), "deadletter"),
}


@pytest.mark.parametrize("command", sorted(NEEDS))
def test_a_command_whose_topic_is_missing_names_it_and_how_to_create_it(
    kafka_bootstrap: str, tmp_path: Path, command: str
):
    pipeline = new_pipeline(kafka_bootstrap, tmp_path)  # no topics
    args, field = NEEDS[command]
    port = str(free_port())
    line = b'{"title": "Quay", "text": "The quay reopens."}\n'
    result = pipeline.cli(*(a.format(port=port) for a in args), timeout=60, stdin=line)
    assert result.returncode == 1, result.stderr
    assert f"topic {pipeline.topic(field)} does not exist" in result.stderr
    assert "newsradar topics create" in result.stderr and "Traceback" not in result.stderr
    admin = KafkaAdminClient(bootstrap_servers=pipeline.bootstrap)
    try:  # and nothing created one by using it
        assert not {pipeline.topic(f) for f in TOPIC_FIELDS} & set(admin.list_topics())
    finally:
        admin.close()


def test_following_a_missing_topic_says_so_and_waits_for_it(kafka_bootstrap: str, tmp_path: Path):
    pipeline = new_pipeline(kafka_bootstrap, tmp_path)
    args = ["alerts", "--json", "--follow", "--from-beginning", "--max", "1"]
    process = subprocess.Popen(
        newsradar(*args),
        env=pipeline.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        said = _first_line(process.stderr, timeout=60)
        assert f"waiting for topic {pipeline.topic('alerts')}" in said
        assert "newsradar topics create" in said
        pipeline.create_topics()
        alert = _alert(1, "russia-ukraine")
        pipeline.produce("alerts", [(alert.id.encode(), alert.model_dump_json().encode())])
        out, _ = process.communicate(timeout=60)
        assert process.returncode == 0 and json.loads(out)["id"] == alert.id
    finally:
        stop(process)


def _first_line(stream: IO[str], timeout: float) -> str:
    """The stream's first line, or "" if none came in time (read in a thread: bounded)."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=lambda: lines.put(stream.readline()), daemon=True).start()
    try:
        return lines.get(timeout=timeout)
    except queue.Empty:
        return ""

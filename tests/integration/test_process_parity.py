"""`newsradar process` and a worker on a real broker make the same outputs from one corpus.

Both run the steps of streams/steps.py; this checks the wiring around them (agents, batches,
topics, tables) adds and loses nothing. One partition per topic, so the worker handles the
records in the order `process` does: which article founds a story depends on order.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from schemas import Alert, ClassifiedArticle, DeadLetter
from streams.alerting.configure import alert_rules
from streams.classification.logic import compile_taxonomy
from streams.classification.taxonomy import load_taxonomy
from streams.cleaning.configure import clean_options
from streams.pipeline import LocalPipeline
from streams.settings import DEFAULT_TAXONOMY, Settings
from tests.processes import Pipeline, new_pipeline
from tests.unit.alert_fixtures import copy_of_wire_story, unrelated_story

pytestmark = pytest.mark.integration

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=6)
OTHER_NEWS = (
    "The central bank held interest rates at four per cent on Thursday, and markets rose as "
    "bond yields fell; economists expect inflation to ease by the spring, the bank said.",
    "The football club confirmed its new manager after a week of talks, and supporters queued "
    "for season tickets as the league fixtures were published for the coming season.",
    "Hospitals reported fewer influenza admissions this winter after a vaccination campaign, "
    "and the health ministry said waiting lists for surgery had shortened since the autumn.",
)


def corpus() -> list[tuple[bytes, bytes]]:
    """Copies of one story across outlets, distinct stories on the topic, other news, an exact
    copy under another id and two records no stage can read, interleaved."""
    records: list[dict[str, Any] | bytes] = []
    for i in range(8):
        source, title, text = copy_of_wire_story(i)
        records.append(_raw(f"wire{i}", title, text, source, minutes=5 * i))
        records.append(_raw(f"other{i}", f"Report {i}", unrelated_story(i), "Metro Herald", i))
        records.append(_raw(f"news{i}", "Today", OTHER_NEWS[i % 3] + f" ({i})", "Daily Ledger", i))
    records.insert(5, {**_as_dict(records[0]), "id": "copy-of-wire0"})  # same URL and text
    records.insert(9, b"{this is not json")
    records.insert(14, {"id": "empty", "title": "Only a title", "text": " "})
    return [(_key(r), r if isinstance(r, bytes) else json.dumps(r).encode()) for r in records]


def _raw(article_id: str, title: str, text: str, source: str, minutes: int) -> dict[str, Any]:
    when = T0 + timedelta(minutes=minutes)
    return {
        "id": article_id,
        "title": title,
        "text": text,
        "source": source,
        "url": f"https://{source.lower().replace(' ', '')}.example/{article_id}",
        "published": when.isoformat(),
        "ingested": (when + timedelta(minutes=1)).isoformat(),
    }


def _as_dict(record: dict[str, Any] | bytes) -> dict[str, Any]:
    assert isinstance(record, dict)
    return record


def _key(record: dict[str, Any] | bytes) -> bytes:
    return str(record["id"]).encode() if isinstance(record, dict) else b"unreadable"


def in_process(records: list[tuple[bytes, bytes]]) -> dict[str, Any]:
    settings = Settings()
    pipeline = LocalPipeline(
        compile_taxonomy(load_taxonomy(DEFAULT_TAXONOMY)),
        options=clean_options(settings.cleaning),
        window=settings.cleaning.dedup_window_seconds,
        rules=alert_rules(settings.alerting),
    )
    outcomes = pipeline.run(records, datetime.now(UTC))
    classified = [v for o in outcomes for v in o.published.get("classified", [])]
    alerts = [v for o in outcomes for v in o.published.get("alerts", [])]
    refused = {(o.article_id or "unreadable", o.rejected.reason) for o in outcomes if o.rejected}
    return _summary(classified, alerts, refused)


def in_the_worker(
    pipeline: Pipeline, records: list[tuple[bytes, bytes]], expected: dict[str, Any]
) -> dict[str, Any]:
    pipeline.produce("raw", records)
    with pipeline.worker() as worker:
        classified = pipeline.read("classified", len(expected["classified"]), 120)
        alerts = pipeline.read("alerts", len(expected["alerts"]), 60)
        letters = pipeline.read("deadletter", len(expected["refused"]), 60)
        assert worker.alive(), worker.log_text()[-3000:]
    refused = {
        (letter.key or "unreadable", letter.reason)
        for letter in (DeadLetter.model_validate_json(v) for v in letters)
    }
    return _summary(classified, alerts, refused)


def _summary(
    classified: list[bytes], alerts: list[bytes], refused: set[tuple[str, str]]
) -> dict[str, Any]:
    articles = [ClassifiedArticle.model_validate_json(v) for v in classified]
    raised = [Alert.model_validate_json(v) for v in alerts]
    return {
        "classified": sorted((a.id, tuple((t.id, t.score) for t in a.topics)) for a in articles),
        "alerts": sorted((a.id, a.kind, a.story_id, a.article_count) for a in raised),
        "refused": sorted(refused),
    }


def test_process_and_the_worker_make_the_same_outputs(kafka_bootstrap: str, tmp_path: Path):
    pipeline = new_pipeline(kafka_bootstrap, tmp_path)
    pipeline.settings["NEWSRADAR_TOPICS__PARTITIONS"] = "1"
    created = pipeline.cli("topics", "create", timeout=60)
    assert created.returncode == 0, created.stderr
    records = corpus()
    expected = in_process(records)
    assert len(expected["classified"]) == len(records) - 3  # a copy dropped, two refused
    assert {kind for _, kind, _, _ in expected["alerts"]} >= {"story"}
    assert in_the_worker(pipeline, records, expected) == expected

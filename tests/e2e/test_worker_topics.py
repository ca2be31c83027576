"""A worker needs no topic to exist before it starts, on a broker that creates none itself."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from kafka import KafkaAdminClient

from schemas import ClassifiedArticle
from tests.processes import TOPIC_FIELDS, Pipeline, new_pipeline

pytestmark = pytest.mark.e2e

ARTICLE = {
    "title": "Ferries to the island resume",
    "text": "Ferry crossings to the island resumed on Monday after storm damage to the quay "
    "had been repaired by engineers working through the weekend.",
}


def _wait_for_topics(pipeline: Pipeline, timeout: float) -> set[str]:
    """The pipeline's topics that exist once all do, or when time ran out."""
    wanted = {pipeline.topic(field) for field in TOPIC_FIELDS}
    admin = KafkaAdminClient(bootstrap_servers=pipeline.bootstrap)
    try:
        deadline = time.monotonic() + timeout
        while (found := wanted & set(admin.list_topics())) != wanted:
            if time.monotonic() > deadline:
                break
            time.sleep(0.5)
        return found
    finally:
        admin.close()


def test_a_worker_creates_its_topics_and_runs(kafka_bootstrap: str, tmp_path: Path):
    pipeline = new_pipeline(kafka_bootstrap, tmp_path)  # no topics: the worker makes them
    with pipeline.worker() as worker:
        found = _wait_for_topics(pipeline, timeout=120)
        assert len(found) == len(TOPIC_FIELDS), worker.log_text()[-4000:]
        pipeline.produce("raw", [(b"ferries", json.dumps(ARTICLE).encode())])
        values = pipeline.read("classified", 1, timeout=150)
        assert values, f"nothing classified; worker log:\n{worker.log_text()[-4000:]}"
        assert ClassifiedArticle.model_validate_json(values[0]).title == ARTICLE["title"]
        assert worker.alive()

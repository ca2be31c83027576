"""A worker needs no topic to exist before it starts, on a broker that creates none itself."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from kafka import KafkaAdminClient

from schemas import ClassifiedArticle
from tests.processes import TOPIC_FIELDS, Pipeline, Worker, new_pipeline
from tests.support import wait_until

pytestmark = pytest.mark.e2e

ARTICLE = {
    "title": "Ferries to the island resume",
    "text": "Ferry crossings to the island resumed on Monday after storm damage to the quay "
    "had been repaired by engineers working through the weekend.",
}


def _wait_for_topics(pipeline: Pipeline, worker: Worker) -> None:
    wanted = {pipeline.topic(field) for field in TOPIC_FIELDS}
    admin = KafkaAdminClient(bootstrap_servers=pipeline.bootstrap)
    try:
        wait_until(
            lambda: wanted <= set(admin.list_topics()),
            120,
            step=0.5,
            what=lambda: f"the pipeline's topics; worker log:\n{worker.log_text()[-4000:]}",
        )
    finally:
        admin.close()


def test_a_worker_creates_its_topics_and_runs(kafka_bootstrap: str, tmp_path: Path):
    pipeline = new_pipeline(kafka_bootstrap, tmp_path)  # no topics: the worker makes them
    with pipeline.worker() as worker:
        _wait_for_topics(pipeline, worker)
        pipeline.produce("raw", [(b"ferries", json.dumps(ARTICLE).encode())])
        values = pipeline.read("classified", 1, timeout=150)
        assert values, f"nothing classified; worker log:\n{worker.log_text()[-4000:]}"
        assert ClassifiedArticle.model_validate_json(values[0]).title == ARTICLE["title"]
        assert worker.alive()

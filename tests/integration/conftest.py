from __future__ import annotations

from pathlib import Path

import pytest

from tests.processes import Pipeline, pipeline_with_topics


@pytest.fixture
def pipeline(kafka_bootstrap: str, tmp_path: Path) -> Pipeline:
    """Fresh topics (created) and consumer group on the real broker for this test."""
    return pipeline_with_topics(kafka_bootstrap, tmp_path)

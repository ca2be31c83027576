from __future__ import annotations

from pathlib import Path

import pytest

from tests.processes import Pipeline, new_pipeline


@pytest.fixture
def pipeline(kafka_bootstrap: str, tmp_path: Path) -> Pipeline:
    """Fresh topics and consumer group on the real broker for this test."""
    return new_pipeline(kafka_bootstrap, tmp_path)

"""Fixtures shared by every test layer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from tests.kafka_broker import kafka_broker
from tests.processes import Pipeline, pipeline_with_topics

# Property tests (tests/unit/test_fuzz.py): quick in CI; `--hypothesis-profile=long
# --timeout=0` hunts longer (minutes per test). No deadline: a shared CI machine's pauses
# are not what the tests look for.
hypothesis_settings.register_profile("ci", max_examples=200, deadline=None)
hypothesis_settings.register_profile("long", max_examples=5000, deadline=None)
hypothesis_settings.load_profile("ci")

FIXTURES = Path(__file__).parent / "fixtures"
SEED = FIXTURES / "seed-article.txt"


@pytest.fixture(scope="session")
def seed_path() -> Path:
    return SEED


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    """A real broker's bootstrap address (see tests/kafka_broker.py)."""
    with kafka_broker() as address:
        yield address


@pytest.fixture
def pipeline(kafka_bootstrap: str, tmp_path: Path) -> Pipeline:
    """Fresh topics (created) and consumer group on the real broker for this test."""
    return pipeline_with_topics(kafka_bootstrap, tmp_path)

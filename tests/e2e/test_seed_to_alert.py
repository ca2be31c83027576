"""The walking skeleton end to end: the seed article becomes one alert via a real broker."""

from __future__ import annotations

import json

import pytest

from schemas import Alert, ClassifiedArticle
from tests.processes import Pipeline
from tests.support import metric

pytestmark = pytest.mark.e2e


def _body_paragraphs(seed: str) -> list[str]:
    from streams.cleaning.text import normalize

    lines = [line for line in seed.split("\n") if line.strip()]
    return [normalize(x) for x in lines[1:] if x != lines[0] and x != "Similar Posts"]


def test_seed_published_to_a_worker_yields_exactly_one_alert(pipeline: Pipeline, seed_path):
    with pipeline.worker() as worker:
        published = pipeline.cli("publish", str(seed_path))
        assert published.returncode == 0, published.stderr

        follow = pipeline.cli(
            "alerts",
            "--json",
            "--follow",
            "--from-beginning",
            "--max",
            "1",
            "--timeout",
            "150",
            timeout=180,
        )
        assert follow.returncode == 0, (
            f"{follow.stderr}\n--- worker log ---\n{worker.log_text()[-4000:]}"
        )
        alert = Alert.model_validate_json(follow.stdout.strip())
        assert alert.topic == "russia-ukraine"
        assert alert.evidence and alert.score >= 0.9
        assert alert.title.startswith("Biden and Putin will call again")

        # The whole alert topic holds that one alert: read it to its end.
        everything = pipeline.cli("alerts", "--json")
        assert [json.loads(line)["id"] for line in everything.stdout.splitlines()] == [alert.id]

        (classified_bytes,) = pipeline.read("classified", 1)
        article = ClassifiedArticle.model_validate_json(classified_bytes)
        seed = seed_path.read_text(encoding="utf-8")
        assert article.text.split("\n\n") == _body_paragraphs(seed)
        assert "Similar Posts" not in article.text and alert.title not in article.text

        assert metric(worker.port, "newsradar_alerts_total") == 1.0
        assert metric(worker.port, "newsradar_articles_in_total", stage="clean") == 1.0
        assert worker.alive()

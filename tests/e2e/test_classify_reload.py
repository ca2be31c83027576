"""A running worker picks up an edited taxonomy without a restart, and refuses a bad one."""

from __future__ import annotations

from pathlib import Path

import pytest

from schemas import ClassifiedArticle, RawArticle
from tests.agents.test_classify_reload import quokka_taxonomy
from tests.processes import Pipeline
from tests.support import metric, wait_until

pytestmark = pytest.mark.e2e


def _wait_for(port: int, outcome: str, count: float, timeout: float = 30) -> None:
    wait_until(
        lambda: (metric(port, "newsradar_taxonomy_reloads_total", outcome=outcome) or 0) >= count,
        timeout,
        what=f"{count:g} {outcome} reload(s)",
    )


def _classify(pipeline: Pipeline, number: int) -> ClassifiedArticle:
    article = RawArticle(
        id=f"q{number}",
        title="Quokka spotted",
        text=f"A quokka was seen by the ferry terminal for the {number}th morning running.",
        url=f"https://news.example/quokka/{number}",
    )
    pipeline.produce("raw", [(article.id.encode(), article.model_dump_json().encode())])
    return ClassifiedArticle.model_validate_json(pipeline.read("classified", number)[-1])


def test_the_worker_reloads_an_edited_taxonomy(pipeline: Pipeline, tmp_path: Path):
    path = tmp_path / "taxonomy.yaml"
    path.write_text(quokka_taxonomy("1", "wombat*"), encoding="utf-8")
    settings = {
        "NEWSRADAR_CLASSIFICATION__TAXONOMY_PATH": str(path),
        "NEWSRADAR_CLASSIFICATION__RELOAD_SECONDS": "0.3",
    }
    with pipeline.worker(**settings) as worker:
        first = _classify(pipeline, 1)
        assert (first.taxonomy_version, first.topics) == ("1", [])

        path.write_text(quokka_taxonomy("2", "quokka*"), encoding="utf-8")
        _wait_for(worker.port, "loaded", 1)
        second = _classify(pipeline, 2)
        assert (second.taxonomy_version, [t.id for t in second.topics]) == ("2", ["quokkas"])

        path.write_text(quokka_taxonomy("3", "quokka* AND"), encoding="utf-8")
        _wait_for(worker.port, "refused", 1)
        third = _classify(pipeline, 3)
        assert third.taxonomy_version == "2"  # the old taxonomy kept running
        assert "query ends too early" in worker.log_text()
        assert worker.alive()

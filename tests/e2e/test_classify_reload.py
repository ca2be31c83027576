"""A running worker picks up an edited taxonomy without a restart, and refuses a bad one."""

from __future__ import annotations

import time
import urllib.request
from pathlib import Path

import pytest

from schemas import ClassifiedArticle, RawArticle
from tests.processes import Pipeline

pytestmark = pytest.mark.e2e


def _taxonomy(version: str, query: str) -> str:
    return (
        f'version: "{version}"\ntopics:\n  - id: quokkas\n    name: Quokkas\n'
        f'    threshold: 0.5\n    query: "{query}"\n'
    )


def _reloads(port: int, outcome: str) -> float:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
        text = response.read().decode()
    prefix = f'newsradar_taxonomy_reloads_total{{outcome="{outcome}"}}'
    values = [float(line.split()[-1]) for line in text.splitlines() if line.startswith(prefix)]
    return sum(values)


def _wait_for(port: int, outcome: str, count: float, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while _reloads(port, outcome) < count:
        assert time.monotonic() < deadline, f"no {outcome} reload within {timeout}s"
        time.sleep(0.2)


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
    path.write_text(_taxonomy("1", "wombat*"), encoding="utf-8")
    settings = {
        "NEWSRADAR_CLASSIFICATION__TAXONOMY_PATH": str(path),
        "NEWSRADAR_CLASSIFICATION__RELOAD_SECONDS": "0.3",
    }
    with pipeline.worker(**settings) as worker:
        first = _classify(pipeline, 1)
        assert (first.taxonomy_version, first.topics) == ("1", [])

        path.write_text(_taxonomy("2", "quokka*"), encoding="utf-8")
        _wait_for(worker.port, "loaded", 1)
        second = _classify(pipeline, 2)
        assert (second.taxonomy_version, [t.id for t in second.topics]) == ("2", ["quokkas"])

        path.write_text(_taxonomy("3", "quokka* AND"), encoding="utf-8")
        _wait_for(worker.port, "refused", 1)
        third = _classify(pipeline, 3)
        assert third.taxonomy_version == "2"  # the old taxonomy kept running
        assert "query ends too early" in worker.log_text()
        assert worker.alive()

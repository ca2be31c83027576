"""The classify agent's taxonomy file: reloaded when it changes, a bad file refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from schemas import ClassifiedArticle, CleanArticle
from streams.classification import agents
from streams.classification.agents import classify_articles
from streams.classification.watch import TaxonomyFile
from streams.metrics import Metrics
from tests.agents.conftest import put_all, run

QUOKKA = CleanArticle(id="q1", title="Quokka spotted", text="A quokka was seen near the ferry.")


def quokka_taxonomy(version: str, query: str) -> str:
    """A one-topic taxonomy file's text (also the e2e reload test's)."""
    return (
        f'version: "{version}"\ntopics:\n  - id: quokkas\n    name: Quokkas\n'
        f'    threshold: 0.5\n    query: "{query}"\n'
    )


def _write(path: Path, text: str) -> None:
    """Write and make sure the modification time moves, as an editor's save would."""
    before = path.stat().st_mtime_ns if path.exists() else 0
    path.write_text(text, encoding="utf-8")
    stat = path.stat()
    if stat.st_mtime_ns == before:  # coarse clocks: force a visible change
        os.utime(path, ns=(stat.st_atime_ns, before + 1_000_000))


@pytest.fixture
def watched(tmp_path: Path) -> tuple[TaxonomyFile, Path, Metrics]:
    path = tmp_path / "taxonomy.yaml"
    _write(path, quokka_taxonomy("1", "wombat*"))
    metrics = Metrics(CollectorRegistry())
    return TaxonomyFile(path, metrics), path, metrics


def _reloads(metrics: Metrics, outcome: str) -> float:
    value = metrics.registry.get_sample_value(
        "newsradar_taxonomy_reloads_total", {"outcome": outcome}
    )
    return value or 0.0


def test_an_unchanged_file_is_not_read_again(watched):
    taxonomy_file, _, metrics = watched
    assert taxonomy_file.check() is None
    assert _reloads(metrics, "loaded") == _reloads(metrics, "refused") == 0


def test_a_new_version_is_loaded_and_a_bad_file_refused(watched, caplog):
    taxonomy_file, path, metrics = watched
    _write(path, quokka_taxonomy("2", "quokka*"))
    assert taxonomy_file.check().outcome == "loaded"  # type: ignore[union-attr]
    assert taxonomy_file.taxonomy.version == "2"
    assert _reloads(metrics, "loaded") == 1
    info = metrics.registry.get_sample_value("newsradar_taxonomy_info", {"version": "2"})
    assert info == 1

    _write(path, quokka_taxonomy("3", "quokka* AND"))
    outcome = taxonomy_file.check()
    assert outcome is not None and outcome.outcome == "refused"
    assert f"{path}:6: topics[0] (quokkas).query: the query ends too early" in outcome.detail
    assert taxonomy_file.taxonomy.version == "2"  # the old one keeps running
    assert _reloads(metrics, "refused") == 1
    assert "still running version 2" in caplog.text

    _write(path, quokka_taxonomy("2", "wombat* OR quokka*"))
    outcome = taxonomy_file.check()
    assert outcome is not None and outcome.outcome == "refused"
    assert "bump the version" in outcome.detail


def test_the_agent_classifies_with_the_reloaded_taxonomy(
    app, sent, names, event_loop, watched, monkeypatch
):
    taxonomy_file, path, _ = watched
    monkeypatch.setattr(agents, "TAXONOMY_FILE", taxonomy_file)
    agents.seen.data.clear()
    first = QUOKKA.model_dump_json().encode()
    second = QUOKKA.model_copy(update={"id": "q2"}).model_dump_json().encode()

    run(event_loop, put_all(classify_articles, [first], key=b"k1"))
    _write(path, quokka_taxonomy("2", "quokka*"))
    taxonomy_file.check()  # what the worker's timer does every reload_seconds (see tests/e2e)
    run(event_loop, put_all(classify_articles, [second], key=b"k2"))
    before, after = (
        ClassifiedArticle.model_validate_json(v) for v in sent.values(names.classified)
    )
    assert (before.taxonomy_version, [t.id for t in before.topics]) == ("1", [])
    assert (after.taxonomy_version, [t.id for t in after.topics]) == ("2", ["quokkas"])
    assert sent.keys_of(names.matches) == [b"quokkas"]

"""`newsradar publish` of a directory tree, every format and gzip, against a real broker."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from schemas import RawArticle
from tests.processes import Pipeline

pytestmark = pytest.mark.integration


def _tree(root: Path) -> Path:
    (root / "2026" / "02").mkdir(parents=True)
    lines = [json.dumps({"title": f"Line {n}", "text": f"Body {n}."}) for n in range(5)]
    (root / "wire.jsonl").write_text("\n".join(lines[:3]) + "\n")
    (root / "2026" / "more.jsonl.gz").write_bytes(gzip.compress("\n".join(lines[3:]).encode()))
    (root / "2026" / "02" / "note.txt").write_text(
        "Quay works begin\n\nThe quay closes in March.\n"
    )
    page = "<html><head><title>Tram</title></head><body><p>The tram runs again.</p></body></html>"
    (root / "2026" / "02" / "page.html.gz").write_bytes(gzip.compress(page.encode()))
    (root / "2026" / "02" / "photo.jpg").write_bytes(b"\xff\xd8 not an article")
    return root


def test_a_tree_published_twice_gives_the_same_ids_and_keys(pipeline: Pipeline, tmp_path):
    root = _tree(tmp_path / "in")
    first = pipeline.cli("publish", str(root), "--progress")
    assert first.returncode == 0, first.stderr
    assert "published 7 article(s)" in first.stderr
    assert "articles" in first.stderr and "/s" in first.stderr  # the progress bar's rate
    assert pipeline.cli("publish", str(root)).returncode == 0
    records = [RawArticle.model_validate_json(v) for v in pipeline.read("raw", 14, timeout=60)]
    assert len(records) == 14
    ids = [r.id for r in records]
    assert len(set(ids)) == 7 and all(ids.count(i) == 2 for i in ids)
    assert {r.title for r in records} >= {"Line 0", "Line 4", "Quay works begin"}
    assert all(r.ingested is not None for r in records)


def test_a_corrupt_file_is_reported_and_the_rest_published(pipeline: Pipeline, tmp_path):
    root = _tree(tmp_path / "in")
    (root / "broken.jsonl.gz").write_bytes(b"\x1f\x8b\x08\x00 truncated")
    result = pipeline.cli("publish", str(root))
    assert result.returncode == 1
    assert "broken.jsonl.gz: unreadable" in result.stderr
    assert "published 7 article(s)" in result.stderr and "1 skipped" in result.stderr

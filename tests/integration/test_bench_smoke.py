"""The pipeline benchmarks run end to end against a real broker: `python -m bench.run --smoke`.

Tiny counts; no figure is asserted (speed is the benchmarks' business, not the tests'),
only that every benchmark ran, every article it sent came out, and the reports were written.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]


def _smoke(bootstrap: str, out: Path, *only: str) -> dict:
    """`python -m bench.run --smoke` (only the benchmarks named, if any): its figures."""
    command = ["bench.run", "--smoke", "--bootstrap", bootstrap, "--out", str(out)]
    result = subprocess.run(
        [sys.executable, "-m", *command, *(["--only", ",".join(only)] if only else [])],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return json.loads((out / "smoke.json").read_text())


def test_every_pipeline_benchmark_runs(kafka_bootstrap: str, tmp_path: Path):
    figures = _smoke(kafka_bootstrap, tmp_path)
    assert figures["ceiling"]["completed"] == [{"classified": 20}]
    assert figures["throughput"]["plain"]["completed"] == [{"classified": 10, "alerts": 10}]
    assert figures["throughput"]["html"]["completed"] == [{"classified": 2, "alerts": 2}]
    loads = figures["latency"]["loads"]
    assert loads and all(load["alerted"] == load["articles"] for load in loads)
    alert = figures["alert_stage"]
    assert alert["completed"] == [{"alerts": n} for n in alert["alerts_expected"]]
    ratio = figures["process_ratio"]
    assert ratio.get("skipped") or ratio["plain+html"]["worker"]["completed"]
    assert figures["rss"]["articles_done"] >= 20
    assert set(figures["stages"]["plain"]["steps_us"]) == set(figures["stages"]["html"]["steps_us"])
    summary = (tmp_path / "smoke.md").read_text()
    assert "| target | wanted |" in summary and "## End-to-end latency" in summary


def test_the_collector_benchmark_runs(kafka_bootstrap: str, tmp_path: Path):
    values = _smoke(kafka_bootstrap, tmp_path, "collector")["collector"]["values"]
    assert [v["value"] for v in values] == ["0", "700", "10000", "50000"]
    for value in values:
        assert value["cpu_ms_per_article"]["median"] > 0  # every worker cleared its batch
        assert all(passes >= 0 for passes in value["passes"])
    assert "## The cycle collector" in (tmp_path / "smoke.md").read_text()

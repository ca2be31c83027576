"""ops/grafana: the provisioned data source and dashboard fit together; every query parses.

Grafana itself does not run here; tests/e2e/test_prometheus_dashboard.py runs every query of
the dashboard against a real Prometheus scraping real workers.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
GRAFANA = REPO / "ops" / "grafana"
DASHBOARD_PATH = GRAFANA / "dashboards" / "newsradar.json"


def dashboard() -> dict[str, Any]:
    return dict(json.loads(DASHBOARD_PATH.read_text(encoding="utf-8")))


def panels() -> list[dict[str, Any]]:
    return [p for p in dashboard()["panels"] if p["type"] != "row"]


def dashboard_exprs() -> list[str]:
    """Every PromQL expression in the dashboard, in panel order."""
    return [t["expr"] for p in panels() for t in p["targets"]]


def test_the_dashboard_uses_the_provisioned_data_source():
    (source,) = yaml.safe_load((GRAFANA / "provisioning/datasources/prometheus.yml").read_text())[
        "datasources"
    ]
    assert source["type"] == "prometheus"
    for panel in panels():
        assert panel["datasource"] == {"type": "prometheus", "uid": source["uid"]}, panel["title"]
        for target in panel["targets"]:
            assert target["datasource"]["uid"] == source["uid"], panel["title"]


def test_the_dashboard_is_provisioned_from_the_folder_compose_mounts():
    (provider,) = yaml.safe_load((GRAFANA / "provisioning/dashboards/newsradar.yml").read_text())[
        "providers"
    ]
    compose = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))
    mounts = compose["services"]["grafana"]["volumes"]
    assert f"./ops/grafana/dashboards:{provider['options']['path']}:ro" in mounts


def test_panels_have_unique_ids_titles_and_descriptions():
    every = dashboard()["panels"]
    assert len({p["id"] for p in every}) == len(every)
    for panel in panels():
        assert panel["title"] and panel.get("description"), panel["id"]


@pytest.mark.parametrize(
    "row",
    [
        "Health at a glance",
        "Throughput per stage",
        "Drops and dead letters",
        "News",
        "Latency",
        "Lag and workers",
    ],
)
def test_the_dashboard_has_the_rows_the_readme_explains(row):
    assert row in [p["title"] for p in dashboard()["panels"] if p["type"] == "row"]
    assert f"**{row}**" in (REPO / "README.md").read_text(encoding="utf-8")


@pytest.mark.skipif(not shutil.which("promtool"), reason="promtool not installed")
def test_every_dashboard_query_parses(tmp_path):
    """promtool parses each query as the expression of a throwaway recording rule."""
    rules = [
        {"record": f"dashboard:query_{i}:check", "expr": e} for i, e in enumerate(dashboard_exprs())
    ]
    path = tmp_path / "dashboard-queries.yml"
    path.write_text(yaml.safe_dump({"groups": [{"name": "dashboard", "rules": rules}]}))
    result = subprocess.run(
        ["promtool", "check", "rules", str(path)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr

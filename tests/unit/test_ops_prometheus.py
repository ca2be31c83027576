"""ops/prometheus: configs and rules valid, every rule unit-tested, every name real.

promtool comes with Debian's `prometheus` package, which .ci/run installs; the tests that
run it skip only where it is absent.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import CollectorRegistry

from streams.metrics import Metrics

REPO = Path(__file__).resolve().parents[2]
PROMETHEUS = REPO / "ops" / "prometheus"
RULE_FILES = sorted((PROMETHEUS / "rules").glob("*.yml"))
RULE_TESTS = sorted((PROMETHEUS / "tests").glob("*.yml"))
DASHBOARD = REPO / "ops" / "grafana" / "dashboards" / "newsradar.json"

needs_promtool = pytest.mark.skipif(not shutil.which("promtool"), reason="promtool not installed")


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def rules(kind: str) -> list[dict[str, Any]]:
    """Every rule of `kind` ("record" or "alert") in ops/prometheus/rules."""
    return [r for f in RULE_FILES for g in load(f)["groups"] for r in g["rules"] if kind in r]


def promtool(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["promtool", *map(str, args)], capture_output=True, text=True, timeout=60, check=False
    )


def local_config(tmp_path: Path) -> Path:
    """prometheus-local.yml with its placeholders filled as ops/local-stack fills them."""
    targets = tmp_path / "workers.json"
    targets.write_text('[{"targets": ["127.0.0.1:6066"]}]', encoding="utf-8")
    text = (PROMETHEUS / "prometheus-local.yml").read_text(encoding="utf-8")
    text = text.replace("__TARGETS_FILE__", str(targets))
    text = text.replace("__ALERTMANAGER__", "127.0.0.1:9093")
    text = text.replace("__RULES_DIR__", str(PROMETHEUS / "rules"))
    path = tmp_path / "prometheus.yml"
    path.write_text(text, encoding="utf-8")
    return path


@needs_promtool
def test_the_compose_config_is_valid():
    result = promtool("check", "config", PROMETHEUS / "prometheus.yml")
    assert result.returncode == 0, result.stdout + result.stderr


@needs_promtool
def test_the_local_config_is_valid_once_filled_in(tmp_path):
    result = promtool("check", "config", local_config(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(RULE_FILES)} rule files found" in result.stdout


@needs_promtool
def test_the_rules_are_valid():
    result = promtool("check", "rules", *RULE_FILES)
    assert result.returncode == 0, result.stdout + result.stderr


@needs_promtool
def test_the_rule_unit_tests_pass():
    result = promtool("test", "rules", *RULE_TESTS)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("alert", [r["alert"] for r in rules("alert")])
def test_every_alerting_rule_has_a_unit_test(alert):
    tested = {
        case["alertname"]
        for path in RULE_TESTS
        for test in load(path)["tests"]
        for case in test.get("alert_rule_test", [])
        if case.get("exp_alerts")
    }
    assert alert in tested, f"no test in ops/prometheus/tests expects {alert} to fire"


@pytest.mark.parametrize("record", sorted({r["record"] for r in rules("record")}))
def test_every_recording_rule_has_a_unit_test(record):
    tested = {
        sample["labels"].split("{")[0]
        for path in RULE_TESTS
        for test in load(path)["tests"]
        for case in test.get("promql_expr_test", [])
        for sample in case.get("exp_samples", [])
    }
    assert record in tested, f"no test in ops/prometheus/tests checks the values of {record}"


@pytest.mark.parametrize("alert", rules("alert"), ids=lambda r: r["alert"])
def test_alerts_carry_the_labels_alertmanager_routes_on(alert):
    assert alert["labels"]["severity"] in {"critical", "warning"}
    assert alert["labels"]["category"] in {"pipeline", "news"}
    assert alert["annotations"]["summary"] and alert["annotations"]["description"]


_NAME = re.compile(r"\b(newsradar_[a-z0-9_]+|[a-z_]+:[a-z0-9_]+:[a-z0-9_]+)\b")


def exposed_names() -> set[str]:
    """Every sample name the workers expose (histograms' _bucket/_sum/_count included)."""
    metrics = Metrics(CollectorRegistry())
    names = set()
    for family in metrics.registry.collect():
        names |= {family.name, *(f"{family.name}{s}" for s in ("_total", "_bucket", "_sum"))}
        names |= {f"{family.name}_count", f"{family.name}_info"}
    return names


def expressions() -> list[str]:
    from tests.unit.test_ops_grafana import dashboard_exprs

    return [r["expr"] for r in rules("record") + rules("alert")] + dashboard_exprs()


@pytest.mark.parametrize("expr", expressions())
def test_every_name_an_expression_reads_exists(expr):
    recorded = {r["record"] for r in rules("record")}
    unknown = {n for n in _NAME.findall(expr) if n not in exposed_names() | recorded}
    assert not unknown, f"{expr!r} reads names nothing exposes or records: {sorted(unknown)}"


def test_compose_discovers_workers_by_dns_on_the_port_they_serve():
    compose = load(REPO / "docker-compose.yml")
    port = int(compose["services"]["worker"]["environment"]["NEWSRADAR_WEB__PORT"])
    (job,) = [
        j
        for j in load(PROMETHEUS / "prometheus.yml")["scrape_configs"]
        if j["job_name"] == "newsradar-worker"
    ]
    (dns,) = job["dns_sd_configs"]
    assert dns["names"] == ["worker"] and dns["type"] == "A" and dns["port"] == port


def test_both_variants_scrape_the_same_worker_job_with_the_same_rules(tmp_path):
    compose, local = load(PROMETHEUS / "prometheus.yml"), load(local_config(tmp_path))
    for config in (compose, local):
        assert "newsradar-worker" in {j["job_name"] for j in config["scrape_configs"]}
    assert [Path(p).name for p in compose["rule_files"]] == [
        Path(p).name for p in local["rule_files"]
    ]

"""ops/alertmanager on a real Alertmanager on loopback: a critical pipeline alert mutes the
news alerts, ours and those `newsradar sink` posts (its routes: tests/unit, by amtool).

Alertmanager comes with Debian's `prometheus-alertmanager` package, which .ci/run installs.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.support import ALERTMANAGER, alertmanager, alerts_in, wait_until

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not ALERTMANAGER, reason="alertmanager not installed"),
]

CONFIG = Path(__file__).resolve().parents[2] / "ops" / "alertmanager" / "alertmanager.yml"

NEWS = {
    "alertname": "NewsradarTopicSurging",
    "category": "news",
    "severity": "warning",
    "topic": "sport",
}
STORY = {
    "alertname": "NewsStory",
    "service": "newsradar",
    "severity": "high",
    "topic": "russia-ukraine",
    "story": "s1",
}
PIPELINE_DOWN = {
    "alertname": "NewsradarPipelineDown",
    "category": "pipeline",
    "severity": "critical",
    "job": "newsradar-worker",
}


def test_a_critical_pipeline_alert_mutes_the_news_alerts(tmp_path: Path):
    with alertmanager(CONFIG, tmp_path) as url:
        _post_alerts(url, [{"labels": NEWS}, {"labels": STORY}])
        _wait_for_state(url, "NewsradarTopicSurging", "active")
        _wait_for_state(url, "NewsStory", "active")

        _post_alerts(url, [{"labels": PIPELINE_DOWN}, {"labels": NEWS}, {"labels": STORY}])
        _wait_for_state(url, "NewsradarTopicSurging", "suppressed")
        _wait_for_state(url, "NewsStory", "suppressed")
        assert _states(url)["NewsradarPipelineDown"] == "active"


def _post_alerts(url: str, alerts: list[dict[str, Any]]) -> None:
    request = urllib.request.Request(
        f"{url}/api/v2/alerts",
        data=json.dumps(alerts).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


def _states(url: str) -> dict[str, str]:
    return {a["labels"]["alertname"]: a["status"]["state"] for a in alerts_in(url)}


def _wait_for_state(url: str, alertname: str, state: str) -> None:
    wait_until(
        lambda: _states(url).get(alertname) == state,
        20,
        what=lambda: f"{alertname} {state}; the states: {_states(url)}",
    )

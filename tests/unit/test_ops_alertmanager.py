"""ops/alertmanager: the config is valid, routes by category, severity and topic, and a
critical pipeline alert mutes the news alerts, ours and those `newsradar sink` posts
(checked on a real Alertmanager on loopback).

amtool and Alertmanager come with Debian's `prometheus-alertmanager` package (its binary is
`prometheus-alertmanager` there, `alertmanager` elsewhere), which .ci/run installs.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.processes import free_port

CONFIG = Path(__file__).resolve().parents[2] / "ops" / "alertmanager" / "alertmanager.yml"
ALERTMANAGER = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")

needs_amtool = pytest.mark.skipif(not shutil.which("amtool"), reason="amtool not installed")


def amtool(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["amtool", *args], capture_output=True, text=True, timeout=60, check=False
    )


@needs_amtool
def test_the_config_is_valid():
    result = amtool("check-config", str(CONFIG))
    assert result.returncode == 0, result.stdout + result.stderr


@needs_amtool
@pytest.mark.parametrize(
    ("labels", "receiver"),
    [
        ("alertname=NewsradarPipelineDown category=pipeline severity=critical", "ops-page"),
        ("alertname=NewsradarWorkerDown category=pipeline severity=warning", "ops-ticket"),
        (
            "alertname=NewsradarTopicSurging category=news severity=warning topic=russia-ukraine",
            "news-desk-russia-ukraine",
        ),
        ("alertname=NewsradarTopicSurging category=news severity=warning topic=sport", "news-desk"),
        (
            "alertname=NewsradarTopicSurging category=news severity=critical topic=sport",
            "news-desk-urgent",
        ),
        # What `newsradar sink` posts: no category, the taxonomy's severities.
        ("alertname=NewsStory service=newsradar severity=high topic=health", "news-desk-urgent"),
        (
            "alertname=NewsSurge service=newsradar severity=high topic=russia-ukraine",
            "news-desk-russia-ukraine",
        ),
        ("alertname=NewsDigest service=newsradar severity=low topic=sport", "news-desk"),
        ("alertname=SomethingElse", "ops-ticket"),
    ],
)
def test_routes_by_category_severity_and_topic(labels, receiver):
    result = amtool(
        "config",
        "routes",
        "test",
        f"--config.file={CONFIG}",
        f"--verify.receivers={receiver}",
        *labels.split(),
    )
    assert result.returncode == 0, result.stdout + result.stderr


@contextmanager
def alertmanager(workdir: Path) -> Iterator[str]:
    """A real Alertmanager on loopback with the repository's config; stopped by pid."""
    assert ALERTMANAGER
    port = free_port()
    process = subprocess.Popen(
        [
            ALERTMANAGER,
            f"--config.file={CONFIG}",
            f"--storage.path={workdir}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while not _ready(url):
            assert process.poll() is None and time.monotonic() < deadline, "not ready in 30s"
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/-/ready", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _post_alerts(url: str, alerts: list[dict[str, Any]]) -> None:
    request = urllib.request.Request(
        f"{url}/api/v2/alerts",
        data=json.dumps(alerts).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10):
        pass


def _states(url: str) -> dict[str, str]:
    with urllib.request.urlopen(f"{url}/api/v2/alerts", timeout=10) as response:
        alerts = json.load(response)
    return {a["labels"]["alertname"]: a["status"]["state"] for a in alerts}


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


@pytest.mark.skipif(not ALERTMANAGER, reason="alertmanager not installed")
def test_a_critical_pipeline_alert_mutes_the_news_alerts(tmp_path):
    with alertmanager(tmp_path) as url:
        _post_alerts(url, [{"labels": NEWS}, {"labels": STORY}])
        assert _wait_for_state(url, "NewsradarTopicSurging", "active")
        assert _wait_for_state(url, "NewsStory", "active")

        _post_alerts(url, [{"labels": PIPELINE_DOWN}, {"labels": NEWS}, {"labels": STORY}])
        assert _wait_for_state(url, "NewsradarTopicSurging", "suppressed")
        assert _wait_for_state(url, "NewsStory", "suppressed")
        assert _states(url)["NewsradarPipelineDown"] == "active"


def _wait_for_state(url: str, alertname: str, state: str, timeout: float = 20) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _states(url).get(alertname) == state:
            return True
        time.sleep(0.2)
    return False

"""ops/alertmanager: the config is valid and routes by category, severity and topic, as
amtool reads it (that a critical pipeline alert mutes the news alerts takes a running
Alertmanager: tests/integration/test_ops_alertmanager.py).

amtool comes with Debian's `prometheus-alertmanager` package, which .ci/run installs.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

CONFIG = Path(__file__).resolve().parents[2] / "ops" / "alertmanager" / "alertmanager.yml"

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

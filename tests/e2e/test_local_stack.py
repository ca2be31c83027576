"""`ops/local-stack`: the compose topology without Docker, up and down for real."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from schemas import Alert
from tests.processes import free_port

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
STACK = REPO / "ops" / "local-stack"


def _stack_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSRADAR_")}
    kafka_port = free_port()
    env.update(
        NEWSRADAR_STACK_STATE=str(tmp_path / "stack"),
        NEWSRADAR_KAFKA_STATE=str(tmp_path / "kafka"),
        NEWSRADAR_KAFKA_PORT=str(kafka_port),
        NEWSRADAR_KAFKA_CONTROLLER_PORT=str(free_port()),
        NEWSRADAR_KAFKA__BOOTSTRAP=f"127.0.0.1:{kafka_port}",
        NEWSRADAR_STACK_WEB_PORT=str(free_port()),
        NEWSRADAR_PROMETHEUS_PORT=str(free_port()),
        NEWSRADAR_ALERTMANAGER_PORT=str(free_port()),
        NEWSRADAR_WORKERS="2",
        NEWSRADAR_WORKER__SESSION_TIMEOUT_SECONDS="10",
        NEWSRADAR_PYTHON=sys.executable,
    )
    return env


def _stack(
    env: dict[str, str], *args: str, timeout: float = 240
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(STACK), *args], env=env, capture_output=True, text=True, timeout=timeout, check=False
    )


def _seed_alerted(env: dict[str, str]) -> bool:
    """The alert topic read to its end holds the seed's russia-ukraine alert."""
    alerts = subprocess.run(
        [sys.executable, "-m", "streams", "alerts", "--json", "--topic", "russia-ukraine"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    titles = [Alert.model_validate_json(line).title for line in alerts.stdout.splitlines()]
    return any(t.startswith("Biden and Putin will call again") for t in titles)


def _pids(state: Path) -> list[int]:
    return [int(p.read_text()) for p in state.glob("*.pid")]


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _targets_up(port: int) -> int:
    url = f"http://127.0.0.1:{port}/api/v1/targets"
    with urllib.request.urlopen(url, timeout=5) as response:
        targets = json.load(response)["data"]["activeTargets"]
    return sum(t["health"] == "up" for t in targets if t["labels"]["job"] == "newsradar-worker")


def _wait(predicate, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if predicate():
                return True
        except OSError:
            pass
        time.sleep(1)
    return False


def test_local_stack_runs_the_seed_to_an_alert_and_leaves_nothing_behind(tmp_path: Path):
    env = _stack_env(tmp_path)
    state = tmp_path / "stack"
    pids: list[int] = []
    try:
        up = _stack(env, "up")
        assert up.returncode == 0, up.stdout + up.stderr
        pids = _pids(state) + _pids(tmp_path / "kafka")
        assert _wait(lambda: _seed_alerted(env), 150), "no alert for the seed"
        if shutil.which("prometheus"):
            port = int(env["NEWSRADAR_PROMETHEUS_PORT"])
            assert _wait(lambda: _targets_up(port) == 2, 90), "workers not up in Prometheus"
        status = _stack(env, "status")
        assert "worker-1     running" in status.stdout and "worker-2     running" in status.stdout
    finally:
        down = _stack(env, "down", timeout=180)
    assert down.returncode == 0, down.stdout + down.stderr
    assert pids and not [pid for pid in pids if _alive(pid)]
    assert not list(state.glob("*.pid"))

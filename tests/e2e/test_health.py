"""`newsradar health` against a real worker: healthy while it consumes, failing when frozen."""

from __future__ import annotations

import os
import signal
import subprocess

import pytest

from tests.processes import Pipeline
from tests.support import wait_until

pytestmark = pytest.mark.e2e


def test_health_passes_for_a_consuming_worker_and_fails_for_a_frozen_one(pipeline: Pipeline):
    with pipeline.worker(NEWSRADAR_MONITORING__LAG_INTERVAL_SECONDS="1") as worker:
        url = f"http://127.0.0.1:{worker.port}/health"
        checks: list[subprocess.CompletedProcess[str]] = []

        def healthy() -> subprocess.CompletedProcess[str] | None:
            checks.append(pipeline.cli("health", "--url", url))
            return checks[-1] if checks[-1].returncode == 0 else None

        check = wait_until(
            healthy,
            90,
            step=1,
            what=lambda: (
                f"healthy: {checks[-1].stdout}{checks[-1].stderr}" + worker.log_text()[-2000:]
            ),
        )
        assert check.stdout.startswith("healthy: consuming")

        os.kill(worker.process.pid, signal.SIGSTOP)  # a frozen worker answers nothing
        try:
            frozen = pipeline.cli("health", "--url", url, "--timeout", "2")
        finally:
            os.kill(worker.process.pid, signal.SIGCONT)
        assert frozen.returncode == 1
        assert "unhealthy" in frozen.stderr + frozen.stdout

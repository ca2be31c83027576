"""A worker asked to stop exits 0 within its deadline, even when its broker has gone first.

Seen under Compose 1.29, which stopped Kafka together with the workers: Faust's stop then
waits for ever in aiokafka's fetcher, and Docker kills the worker (exit 137).
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from streams.shutdown import STOP_DEADLINE_S
from tests.kafka_broker import local_broker
from tests.processes import new_pipeline
from tests.support import wait_until

pytestmark = pytest.mark.e2e

#: What the test waits beyond the worker's own deadline before calling it hung.
MARGIN_S = 10.0


def test_sigterm_after_the_broker_is_gone_exits_0_within_the_deadline(
    tmp_path: Path, seed_path: Path
):
    with local_broker() as broker:
        pipeline = new_pipeline(broker.address, tmp_path)
        with pipeline.worker(NEWSRADAR_MONITORING__LAG_INTERVAL_SECONDS="1") as worker:
            # Consuming: the stage's lag is reported once partitions are assigned.
            wait_until(
                lambda: "newsradar_consumer_lag_messages{" in _metrics(worker.port),
                120,
                what=lambda: f"the lag metric\n{worker.log_text()[-3000:]}",
            )
            published = pipeline.cli("publish", str(seed_path))
            assert published.returncode == 0, published.stderr
            assert pipeline.read("alerts", 1, timeout=90), worker.log_text()[-3000:]

            stopped = broker.stop()
            assert stopped.returncode == 0, stopped.stderr
            time.sleep(2)  # bounded: let the fetcher meet the closed port, as in compose

            started = time.monotonic()
            os.killpg(worker.process.pid, signal.SIGTERM)
            try:
                status = worker.process.wait(STOP_DEADLINE_S + MARGIN_S)
            except subprocess.TimeoutExpired:
                pytest.fail(f"still running after SIGTERM:\n{worker.log_text()[-3000:]}")
            took = time.monotonic() - started
    print(f"\nworker stopped {took:.1f}s after SIGTERM, exit {status}")
    assert status == 0, worker.log_text()[-3000:]


def _metrics(port: int) -> str:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=2) as response:
            return str(response.read().decode())
    except OSError:
        return ""

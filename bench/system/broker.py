"""The broker the system benchmarks run against, found or started.

In order: `--bootstrap`; NEWSRADAR_TEST_KAFKA (the tests' variable); else
ops/kafka/local-broker of our own, in a temporary state folder on free ports, stopped and
deleted afterwards. Topics are never auto-created: each benchmark creates its own.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from bench.harness import REPO
from bench.system.processes import free_port

LOCAL_BROKER = REPO / "ops" / "kafka" / "local-broker"
START_TIMEOUT_S = 180


@contextlib.contextmanager
def broker(bootstrap: str | None = None) -> Iterator[str]:
    """A running broker's bootstrap address; one we started is stopped afterwards."""
    configured = bootstrap or os.environ.get("NEWSRADAR_TEST_KAFKA")
    if configured:
        yield configured
        return
    with local_broker() as address:
        yield address


@contextlib.contextmanager
def local_broker() -> Iterator[str]:
    """ops/kafka/local-broker in a temporary folder on free ports, always stopped."""
    with tempfile.TemporaryDirectory(prefix="newsradar-bench-kafka-") as state:
        # The jars `local-broker install` resolved for this checkout, so Maven is not asked.
        for resolved in (REPO / ".local" / "kafka").glob("classpath-*.txt"):
            shutil.copy(resolved, Path(state) / resolved.name)
        env = {
            **os.environ,
            "NEWSRADAR_KAFKA_STATE": state,
            "NEWSRADAR_KAFKA_PORT": str(free_port()),
            "NEWSRADAR_KAFKA_CONTROLLER_PORT": str(free_port()),
        }
        started = subprocess.run(
            [str(LOCAL_BROKER), "start"],
            env=env,
            capture_output=True,
            text=True,
            timeout=START_TIMEOUT_S,
            check=False,
        )
        try:
            if started.returncode != 0:
                raise RuntimeError(f"local broker did not start:\n{started.stdout}{started.stderr}")
            yield started.stdout.strip().splitlines()[-1]
        finally:
            subprocess.run(
                [str(LOCAL_BROKER), "stop"], env=env, timeout=60, check=False, capture_output=True
            )


def version(bootstrap: str) -> str:
    """The jar a broker on this machine runs (Kafka reports no version over the protocol)."""
    port = bootstrap.rsplit(":", 1)[-1]
    jars: set[str] = set()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            text = cmdline.read_bytes().decode(errors="replace")
            if "kafka.Kafka" in text:
                jars |= set(re.findall(r"kafka_2\.\d+-([\d.]+)\.jar", text))
    if len(jars) == 1:
        return f"{jars.pop()} (the jar of the Kafka process on this machine)"
    if jars:
        return f"one of {sorted(jars)} (several Kafka processes here; port {port})"
    return "unknown (not a process on this machine)"

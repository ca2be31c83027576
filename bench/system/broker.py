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
START_TIMEOUT_S = 240  # a JVM on two loaded cores can take minutes


@contextlib.contextmanager
def broker(bootstrap: str | None = None) -> Iterator[str]:
    """A running broker's bootstrap address; one we started is stopped afterwards."""
    configured = bootstrap or os.environ.get("NEWSRADAR_TEST_KAFKA")
    if configured:
        yield configured
        return
    with local_broker() as ours:
        yield ours.address


def _reuse_classpath(state: Path) -> None:
    """Start from the jars `local-broker install` resolved (as .ci/run does), not Maven again."""
    for resolved in (REPO / ".local" / "kafka").glob("classpath-*.txt"):
        shutil.copy(resolved, state / resolved.name)  # a fresh mtime: newer than the pom


class LocalBroker:
    """ops/kafka/local-broker on free ports in a state folder: start, stop, start again.

    `settings`: more NEWSRADAR_KAFKA_* variables (a SASL listener, say). The jars come from
    what `local-broker install` resolved (as .ci/run does), not from Maven again.
    """

    def __init__(self, state: Path, **settings: str) -> None:
        _reuse_classpath(state)
        self.state = state
        self.env = {
            **os.environ,
            "NEWSRADAR_KAFKA_STATE": str(state),
            "NEWSRADAR_KAFKA_PORT": str(free_port()),
            "NEWSRADAR_KAFKA_CONTROLLER_PORT": str(free_port()),
            "NEWSRADAR_KAFKA_START_TIMEOUT": str(START_TIMEOUT_S),
            "NEWSRADAR_KAFKA_STOP_TIMEOUT": "20",
            **settings,
        }
        #: The PLAINTEXT bootstrap address.
        self.address = f"127.0.0.1:{self.env['NEWSRADAR_KAFKA_PORT']}"

    def _run(self, command: str, timeout: float) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(LOCAL_BROKER), command],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def start(self) -> None:
        try:
            started = self._run("start", START_TIMEOUT_S + 60)
        except subprocess.TimeoutExpired:
            self.stop()  # the JVM runs in its own session: stopped by its pid file
            raise
        if started.returncode != 0:
            self.stop()
            raise RuntimeError(f"local broker did not start:\n{started.stdout}{started.stderr}")

    def stop(self) -> subprocess.CompletedProcess[str]:
        return self._run("stop", 60)


@contextlib.contextmanager
def local_broker(**settings: str) -> Iterator[LocalBroker]:
    """A broker of our own on free ports, in a temporary state folder, always stopped."""
    with tempfile.TemporaryDirectory(prefix="newsradar-kafka-") as state:
        broker = LocalBroker(Path(state), **settings)
        broker.start()
        try:
            yield broker
        finally:
            broker.stop()


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

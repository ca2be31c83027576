"""The README's Docker path, for real: `docker compose up -d` to `down -v` on a Docker engine.

The commands are read from the README's Docker section and run as written (with
`NEWSRADAR_TEST_COMPOSE=docker-compose`, Compose 1.29's spelling of them). Around them,
only the environment differs: a project name and host ports of the test's own, and where
Grafana's image is missing (no registry here) tests/docker/compose.no-grafana.yml in
COMPOSE_FILE. Where images cannot be pulled, tests/docker/build-images provides them.

Without a Docker engine this skips, unless NEWSRADAR_TEST_DOCKER=required (.ci/run sets it):
then it fails and says what is missing.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import threading
import time
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.e2e.test_prometheus_dashboard import ARTICLES as ALERTING_ARTICLES
from tests.e2e.test_prometheus_dashboard import _raw, wait_for_data
from tests.kafka_broker import KAFKA_IMAGE, kafka_broker
from tests.processes import free_port, read_topic
from tests.support import wait_until, within
from tests.unit.test_ops_grafana import dashboard_exprs

pytestmark = pytest.mark.e2e

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")
NO_GRAFANA = "tests/docker/compose.no-grafana.yml"
COMPOSE = shlex.split(os.environ.get("NEWSRADAR_TEST_COMPOSE", "docker compose"))
REQUIRED = os.environ.get("NEWSRADAR_TEST_DOCKER") == "required"
SEED_TITLE = "Biden and Putin will call again"
SERVICES = yaml.safe_load((REPO / "docker-compose.yml").read_text(encoding="utf-8"))["services"]
GRAFANA_IMAGE = SERVICES["grafana"]["image"]
#: Services with a healthcheck, and one-shots that must have exited 0.
HEALTHY = ("kafka", "worker", "prometheus", "alertmanager")
ONE_SHOTS = ("topics", "feeder")


def docker_section() -> str:
    start = README.index("### With Docker")
    return README[start : README.index("\n### ", start + 1)]


def readme_command(prefix: str) -> list[str]:
    """The README's Docker command that starts with `prefix`, as COMPOSE spells it."""
    lines = re.findall(r"^(docker compose [^#`\n]*?)\s*(?:#.*)?$", docker_section(), re.MULTILINE)
    lines += re.findall(r"`(docker compose [^`]*)`", docker_section())
    matches = [line for line in lines if line == prefix or line.startswith(prefix + " ")]
    assert matches, f"the README's Docker section has no `{prefix}`"
    return [*COMPOSE, *shlex.split(matches[0])[2:]]


def need(condition: bool, why: str) -> None:
    if condition:
        return
    if REQUIRED:
        pytest.fail(f"{why} (NEWSRADAR_TEST_DOCKER=required)")
    pytest.skip(f"{why}; NEWSRADAR_TEST_DOCKER=required makes this a failure (.ci/run sets it)")


def _docker_client() -> Any:
    import docker

    try:
        client = docker.from_env(timeout=60)
        client.ping()
    except Exception as error:
        need(False, f"no Docker engine answers ({error}): tests/docker/engine start")
    return client


@dataclass
class Stack:
    """One compose project of the test's own, always taken down."""

    client: Any
    name: str = field(default_factory=lambda: f"newsradar-e2e-{uuid.uuid4().hex[:8]}")
    ports: dict[str, int] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.ports = {
            name: free_port()
            for name in (
                "KAFKA_HOST_PORT",
                "PROMETHEUS_HOST_PORT",
                "ALERTMANAGER_HOST_PORT",
                "GRAFANA_HOST_PORT",
            )
        }
        files = ["docker-compose.yml"]
        if not _image_present(self.client, GRAFANA_IMAGE):
            files.append(NO_GRAFANA)
        # Compose's own variables and the file's defaults, not what this shell happens to set.
        inherited = {
            k: v for k, v in os.environ.items() if not k.startswith(("NEWSRADAR_", "COMPOSE_"))
        }
        self.env = {
            **inherited,
            "COMPOSE_PROJECT_NAME": self.name,
            "COMPOSE_FILE": os.pathsep.join(files),
            **{k: str(v) for k, v in self.ports.items()},
        }

    def run(
        self, command: list[str], timeout: float = 300, stdin: str | None = None
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            command,
            cwd=REPO,
            env=self.env,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert done.returncode == 0, f"{shlex.join(command)}:\n{done.stdout}\n{done.stderr}"
        return done

    def containers(self, service: str | None = None) -> list[Any]:
        label = f"com.docker.compose.project={self.name}"
        found = self.client.containers.list(all=True, filters={"label": label})
        for container in found:
            container.reload()
        return [c for c in found if service in (None, c.labels["com.docker.compose.service"])]

    def prometheus(self) -> str:
        return f"http://127.0.0.1:{self.ports['PROMETHEUS_HOST_PORT']}"

    def logs(self) -> str:
        tails = [
            f"--- {c.name} ({c.status})\n{c.logs(tail=40).decode(errors='replace')}"
            for c in self.containers()
        ]
        return "\n".join(tails)[-12000:]

    def leftovers(self) -> dict[str, list[str]]:
        label = {"label": f"com.docker.compose.project={self.name}"}
        return {
            "containers": [c.name for c in self.client.containers.list(all=True, filters=label)],
            "volumes": [v.name for v in self.client.volumes.list(filters=label)],
            "networks": [n.name for n in self.client.networks.list(filters=label)],
        }


@pytest.fixture
def stack() -> Iterator[Stack]:
    client = _docker_client()
    need(_compose_answers(), f"`{shlex.join(COMPOSE)} version` does not answer")
    missing = [ref for ref in _images_named() if not _image_present(client, ref)]
    need(not missing, f"images missing: {missing} (tests/docker/build-images)")
    project = Stack(client)
    try:
        yield project
    finally:
        subprocess.run(
            [*COMPOSE, "down", "-v", "--remove-orphans", "--timeout", "10"],
            cwd=REPO,
            env=project.env,
            capture_output=True,
            timeout=180,
            check=False,
        )
        for container in project.containers():  # one-offs a failed test left
            container.remove(force=True, v=True)


def _compose_answers() -> bool:
    try:
        done = subprocess.run([*COMPOSE, "version"], capture_output=True, timeout=30, check=False)
    except OSError:
        return False
    return done.returncode == 0


def _images_named() -> list[str]:
    """Every image docker-compose.yml pulls (newsradar:local is built) and the base image."""
    images = {spec["image"] for spec in SERVICES.values() if "build" not in spec}
    bases = re.findall(r"^FROM\s+(\S+)", (REPO / "Dockerfile").read_text(encoding="utf-8"), re.M)
    return sorted({*images, *bases} - {GRAFANA_IMAGE})


def _image_present(client: Any, ref: str) -> bool:
    from docker.errors import ImageNotFound

    try:
        client.images.get(ref)
    except ImageNotFound:
        return False
    return True


@pytest.mark.timeout(600)
def test_the_readme_docker_path_from_up_to_down(stack: Stack) -> None:
    clock = Clock()
    built = stack.run([*COMPOSE, "build"], timeout=600)
    assert "does not provide the extra" not in built.stdout + built.stderr
    # That warning shows only when the dependency layer is built, not when it is cached (CI
    # builds the image before the test: tests/docker/setup); the pip that would give it is in
    # the image either way.
    assert image_pip_version(stack) >= (25, 3)
    clock.lap("build")

    typed_up = time.time()
    stack.run(readme_command("docker compose up -d"))
    up = clock.lap("up -d")
    wait_until(
        lambda: all_healthy(stack), 240, what=lambda: f"health: {states(stack)}\n{stack.logs()}"
    )
    clock.lap("every service healthy")

    # Typed once everything is up, long after the demo set went through.
    seen = read_the_seed_alert(stack, readme_command("docker compose run --rm cli alerts"))
    on_screen = clock.lap("the seed alert on screen")
    alerted = seed_alerted_at(stack)

    stack.run(readme_command("docker compose up -d --scale worker=3"))
    wait_until(lambda: workers_scraped(stack) == 3, 120, what=lambda: f"3 workers: {states(stack)}")
    # Faust gives a worker at most ceil(4 partitions / 3 workers) = 2: two or three work.
    wait_until(lambda: partitions_owned_once_by(stack) >= 2, 120, what=stack.logs)
    clock.lap("3 workers scraped, the group settled")
    before = clean_in_by_instance(stack)
    # Alerts too, now that Prometheus scrapes: the demo set's went through before its first
    # scrape, and a quantile of rates needs an increase it saw.
    articles = invented(40) + "".join(json.dumps(_raw(a)) + "\n" for a in ALERTING_ARTICLES)
    stack.run([*COMPOSE, "run", "--rm", "-T", "cli", "publish", "-"], stdin=articles)
    wait_until(
        lambda: instances_that_moved(before, stack) >= 2,
        120,
        what=lambda: f"two workers cleaning: {before} -> {clean_in_by_instance(stack)}",
    )
    clock.lap("articles processed by more than one worker")

    wait_for_data(
        stack.prometheus(),
        dashboard_exprs(),
        timeout=150,
        what=lambda missing: f"data for {missing} ({clock})",
    )
    before_stop = clock.lap(f"all {len(dashboard_exprs())} dashboard queries answered")

    stack.run(readme_command("docker compose stop"), timeout=120)
    stopped = clock.lap("stop")
    exits = {c.name: (c.status, c.attrs["State"]["ExitCode"]) for c in stack.containers()}
    workers = [exits[c.name] for c in stack.containers("worker")]
    assert workers == [("exited", 0)] * 3, exits

    stack.run(readme_command("docker compose down -v"), timeout=180)
    clock.lap("down -v")
    assert stack.leftovers() == {"containers": [], "volumes": [], "networks": []}

    print(
        f"\n{shlex.join(COMPOSE)}: {clock}\n"
        f"seed alert raised {alerted - typed_up:.1f}s after `up -d` was typed,"
        f" on screen {seen:.1f}s after `alerts` was typed ({on_screen - up:.0f}s after up)\n"
        f"`stop` took {stopped - before_stop:.1f}s; exit codes {exits}"
    )


def test_the_tests_container_broker(monkeypatch: pytest.MonkeyPatch) -> None:
    """tests/kafka_broker.py's testcontainers path, with the same Kafka image compose runs."""
    client = _docker_client()
    need(_image_present(client, KAFKA_IMAGE), f"{KAFKA_IMAGE} missing (tests/docker/build-images)")
    monkeypatch.setenv("NEWSRADAR_TEST_BROKER", "container")
    monkeypatch.delenv("NEWSRADAR_TEST_KAFKA", raising=False)
    from kafka import KafkaProducer

    with kafka_broker() as bootstrap:
        producer = KafkaProducer(bootstrap_servers=bootstrap)
        producer.send("container-broker-check", b"served").get(timeout=30)
        producer.close()
        assert read_topic(bootstrap, "container-broker-check", 1, timeout=30) == [b"served"]
    label = {"ancestor": KAFKA_IMAGE}
    assert not client.containers.list(all=True, filters=label), "the container was left behind"


class Clock:
    """Seconds since the test started, lap by lap, for the figures the test prints."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.laps: list[tuple[str, float]] = []

    def lap(self, name: str) -> float:
        now = time.monotonic() - self.started
        self.laps.append((name, now))
        return now

    def __str__(self) -> str:
        return ", ".join(f"{name} at {at:.0f}s" for name, at in self.laps)


def states(stack: Stack) -> dict[str, tuple[str, str, int]]:
    return {
        c.name: (
            c.status,
            c.attrs["State"].get("Health", {}).get("Status", "-"),
            c.attrs["State"]["ExitCode"],
        )
        for c in stack.containers()
    }


def all_healthy(stack: Stack) -> bool:
    """Healthchecked services healthy, one-shots exited 0, and nothing else running."""
    containers = stack.containers()
    services = {c.labels["com.docker.compose.service"] for c in containers}
    if not {*HEALTHY, *ONE_SHOTS} <= services:
        return False
    for container in containers:
        service = container.labels["com.docker.compose.service"]
        state = container.attrs["State"]
        if service in ONE_SHOTS and (state["Status"] != "exited" or state["ExitCode"] != 0):
            return False
        if service in HEALTHY and state.get("Health", {}).get("Status") != "healthy":
            return False
    return True


def image_pip_version(stack: Stack) -> tuple[int, int]:
    """(major, minor) of the app image's pip: the one its build installed the dependencies with."""
    image = SERVICES["worker"]["image"]
    out = stack.client.containers.run(image, ["--version"], entrypoint="pip", remove=True)
    major, minor = out.decode().split()[1].split(".")[:2]
    return int(major), int(minor)


def read_the_seed_alert(stack: Stack, command: list[str], timeout: float = 90) -> float:
    """Run the README's `alerts` command until the seed's alert is on screen, then Ctrl-C it;
    the seconds it took to show."""
    started = time.monotonic()
    output: list[str] = []
    process = subprocess.Popen(
        command,
        cwd=REPO,
        env=stack.env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    reader = threading.Thread(target=_read_lines, args=(process.stdout, output), daemon=True)
    reader.start()
    shown = within(lambda: SEED_TITLE in " ".join("".join(output).split()), timeout)
    took = time.monotonic() - started
    one_offs = [c for c in stack.containers("cli") if c.status == "running"]
    diagnosis = "\n".join(
        f"--- {c.name}: {c.logs(tail=20).decode(errors='replace')}" for c in one_offs
    )
    # Ctrl-C in a terminal reaches the container's process through its TTY; without one
    # (as here), `docker compose run` would exit and leave the container running.
    for container in one_offs:
        container.kill(signal="SIGINT")
    try:
        status = process.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        status = process.wait(10)
    reader.join(10)
    assert shown, (
        f"{shlex.join(command)}: no seed alert in {timeout}s:\n{''.join(output)}\n{diagnosis}"
    )
    assert status == 0, f"{shlex.join(command)} ended by Ctrl-C with {status}:\n{''.join(output)}"
    wait_until(lambda: not stack.containers("cli"), 30, what="the --rm container to go")
    return took


def _read_lines(stream: Any, into: list[str]) -> None:
    for line in stream:
        into.append(line)


def seed_alerted_at(stack: Stack) -> float:
    """When the worker raised the seed's alert (the alert's own `alerted`), as a timestamp."""
    alerts = stack.run([*COMPOSE, "run", "--rm", "-T", "cli", "alerts", "--json"]).stdout
    times = [
        json.loads(line)["alerted"]
        for line in alerts.splitlines()
        if line.startswith("{") and json.loads(line)["title"].startswith(SEED_TITLE)
    ]
    assert times, alerts
    return datetime.fromisoformat(times[0]).astimezone(UTC).timestamp()


def query(stack: Stack, expr: str) -> list[dict[str, Any]]:
    url = f"{stack.prometheus()}/api/v1/query?{urllib.parse.urlencode({'query': expr})}"
    with urllib.request.urlopen(url, timeout=10) as response:
        return list(json.load(response)["data"]["result"])


def workers_scraped(stack: Stack) -> int:
    """Worker replicas Prometheus scrapes successfully; 0 unless it finds every one."""
    with urllib.request.urlopen(f"{stack.prometheus()}/api/v1/targets", timeout=10) as response:
        targets = json.load(response)["data"]["activeTargets"]
    up = [t for t in targets if t["labels"]["job"] == "newsradar-worker" and t["health"] == "up"]
    running = [c for c in stack.containers("worker") if c.status == "running"]
    return len(up) if len(up) == len(running) else 0


def partitions_owned_once_by(stack: Stack) -> int:
    """How many workers own partitions, once every partition has exactly one owner (each
    worker reports the lag of its own partitions); 0 while a rebalance is under way."""

    def count(expr: str) -> int:
        result = query(stack, f"count({expr})")
        return int(result[0]["value"][1]) if result else 0

    lag = "newsradar_consumer_lag_messages"
    if count(lag) != count(f"count by (kafka_topic, partition) ({lag})"):
        return 0
    return count(f"count by (instance) ({lag})")


def clean_in_by_instance(stack: Stack) -> dict[str, float]:
    expr = 'sum by (instance) (newsradar_articles_in_total{stage="clean"})'
    return {r["metric"]["instance"]: float(r["value"][1]) for r in query(stack, expr)}


def instances_that_moved(before: dict[str, float], stack: Stack) -> int:
    now = clean_in_by_instance(stack)
    return sum(value > before.get(instance, 0.0) for instance, value in now.items())


def invented(count: int) -> str:
    """JSON lines of made-up articles, each its own URL (so its own id, spread over partitions)."""
    run = uuid.uuid4().hex[:6]
    return "".join(
        json.dumps(
            {
                "title": f"Harbour town {run} opens ferry line {i}",
                "text": "The council said the new ferry line links the harbour with the islands "
                f"every hour from spring, and that tickets for line {i} go on sale next week. "
                "Fishermen welcomed the plan; some residents worry about parking near the quay.",
                "url": f"https://example.test/{run}/ferry/{i}",
                "source": "example.test",
            }
        )
        + "\n"
        for i in range(count)
    )

"""Where integration and e2e tests find a real Kafka broker.

In order: NEWSRADAR_TEST_KAFKA (a bootstrap address); a testcontainers Kafka when a
Docker engine answers; otherwise the project's local broker (ops/kafka/local-broker).
NEWSRADAR_TEST_BROKER=local or =container picks one of the last two whatever the engine:
.ci/run keeps the local broker for the ordinary tests (see there why), and
tests/e2e/test_docker_compose.py tests the container path by itself.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from bench.system.broker import START_TIMEOUT_S, local_broker
from tests.processes import free_port

KAFKA_IMAGE = "apache/kafka:4.4.0"  # the version ops/kafka pins


@contextmanager
def kafka_broker() -> Iterator[str]:
    """Yield a bootstrap address of a running broker, stopping it afterwards if we started it."""
    configured = os.environ.get("NEWSRADAR_TEST_KAFKA")
    choice = os.environ.get("NEWSRADAR_TEST_BROKER", "")
    if choice not in ("", "local", "container"):
        raise ValueError(f"NEWSRADAR_TEST_BROKER={choice!r}: expected 'local' or 'container'")
    if configured:
        yield configured
    elif choice == "container" or (not choice and docker_engine_answers()):
        with _container_broker() as address:
            yield address
    else:
        with _local_broker() as address:
            yield address


def docker_engine_answers() -> bool:
    try:
        import docker

        client = docker.from_env(timeout=3)
        return bool(client.ping())
    except Exception:
        return False


def _kafka_image_available() -> None:
    """The image is here or can be pulled; else say how to build it (no registry reachable)."""
    import docker

    client = docker.from_env(timeout=30)
    try:
        client.images.get(KAFKA_IMAGE)
    except docker.errors.ImageNotFound:
        try:
            client.images.pull(KAFKA_IMAGE)
        except docker.errors.APIError as error:
            raise RuntimeError(
                f"{KAFKA_IMAGE} is not here and cannot be pulled ({error.explanation}):"
                " build its stand-in with tests/docker/build-images"
            ) from error


@contextmanager
def _container_broker() -> Iterator[str]:
    from testcontainers.core.config import testcontainers_config
    from testcontainers.core.container import DockerContainer
    from testcontainers.core.waiting_utils import wait_for_logs

    _kafka_image_available()
    # Ryuk, testcontainers' reaper of containers a killed test run leaves, is an image of its
    # own that cannot be pulled where no registry is reachable; the `with` below removes the
    # container in every other case. TESTCONTAINERS_RYUK_DISABLED=false turns it back on.
    if "TESTCONTAINERS_RYUK_DISABLED" not in os.environ:
        testcontainers_config.ryuk_disabled = True
    port = free_port()  # advertised as-is, so the host port must equal it
    container = (
        DockerContainer(KAFKA_IMAGE)
        .with_env("KAFKA_NODE_ID", "1")
        .with_env("KAFKA_PROCESS_ROLES", "broker,controller")
        .with_env("KAFKA_LISTENERS", "PLAINTEXT://:9092,CONTROLLER://:9093")
        .with_env("KAFKA_ADVERTISED_LISTENERS", f"PLAINTEXT://127.0.0.1:{port}")
        .with_env("KAFKA_CONTROLLER_LISTENER_NAMES", "CONTROLLER")
        .with_env("KAFKA_CONTROLLER_QUORUM_VOTERS", "1@localhost:9093")
        .with_env("KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR", "1")
        .with_env("KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR", "1")
        .with_env("KAFKA_TRANSACTION_STATE_LOG_MIN_ISR", "1")
        .with_env("KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS", "0")
    )
    container.ports["9092"] = ("127.0.0.1", port)  # type: ignore[assignment]  # loopback only
    with container:
        wait_for_logs(container, "Kafka Server started", timeout=START_TIMEOUT_S)
        yield f"127.0.0.1:{port}"


@contextmanager
def _local_broker() -> Iterator[str]:
    with local_broker() as broker:
        yield broker.address

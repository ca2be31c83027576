"""SASL/SCRAM-SHA-512 over TLS against a broker of our own: the right login works end to end,
a wrong one ends the worker and the CLI in seconds with one clear line, and no password is
ever printed.

The broker is ops/kafka/local-broker with its opt-in SASL_SSL listener (users created at
format time, a CA made by keytool), on free ports in a temporary folder, stopped at the
end; the shared broker is not touched. Its PLAINTEXT listener (loopback) is only used by
the test itself to look at the topics.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from schemas import ClassifiedArticle
from tests.kafka_broker import local_broker
from tests.processes import Pipeline, free_port, new_pipeline, read_topic, stop
from tests.support import newsradar

pytestmark = pytest.mark.integration

USER = "newsradar-test"
#: A wrong login must end a process within this bound (it takes about a second of login
#: plus the interpreter's start); Faust and aiokafka alone would retry for ever.
FAIL_FAST_BOUND_S = 30


@dataclass(frozen=True)
class SaslBroker:
    plaintext: str  # for the test's own look at the topics
    sasl: str
    password: str
    ca_file: Path


@pytest.fixture(scope="module")
def sasl_broker() -> Iterator[SaslBroker]:
    password = f"pw-{uuid.uuid4().hex}"
    sasl_port = free_port()
    with local_broker(
        NEWSRADAR_KAFKA_SASL_USERS=f"{USER}:{password}",
        NEWSRADAR_KAFKA_SASL_PORT=str(sasl_port),
        NEWSRADAR_KAFKA_SASL_TLS="1",
    ) as broker:
        ca = broker.state / "tls" / "ca.pem"
        yield SaslBroker(broker.address, f"127.0.0.1:{sasl_port}", password, ca)


def _login(broker: SaslBroker, **overrides: str) -> dict[str, str]:
    return {
        "NEWSRADAR_KAFKA__SECURITY_PROTOCOL": "SASL_SSL",
        "NEWSRADAR_KAFKA__SSL_CAFILE": str(broker.ca_file),
        "NEWSRADAR_KAFKA__SASL_USERNAME": USER,
        **overrides,
    }


def test_the_right_login_runs_the_pipeline_and_shows_no_password(
    sasl_broker: SaslBroker, tmp_path: Path, seed_path: Path
):
    password_file = tmp_path / "kafka-password"
    password_file.write_text(sasl_broker.password + "\n")
    pipeline = new_pipeline(sasl_broker.sasl, tmp_path)
    pipeline.settings.update(
        _login(sasl_broker, NEWSRADAR_KAFKA__SASL_PASSWORD_FILE=str(password_file))
    )

    created = pipeline.cli("topics", "create")
    assert created.returncode == 0, created.stderr
    with pipeline.worker() as worker:
        published = pipeline.cli("publish", str(seed_path))  # while the worker starts
        assert published.returncode == 0, published.stderr
        values = read_topic(sasl_broker.plaintext, pipeline.topic("classified"), 1, timeout=60)
        metrics = _get(f"http://127.0.0.1:{worker.port}/metrics")
        log = worker.log_text()
    assert values, f"nothing classified; worker log:\n{log[-3000:]}"
    assert ClassifiedArticle.model_validate_json(values[0]).title
    for output in (created.stdout, created.stderr, published.stderr, log, metrics):
        assert sasl_broker.password not in output


def test_a_wrong_password_ends_worker_and_cli_fast_with_one_clear_line(
    sasl_broker: SaslBroker, tmp_path: Path
):
    wrong = f"wrong-{uuid.uuid4().hex}"
    pipeline = new_pipeline(sasl_broker.sasl, tmp_path)
    pipeline.settings.update(_login(sasl_broker, NEWSRADAR_KAFKA__SASL_PASSWORD=wrong))

    runs = {name: _start(pipeline, *args) for name, args in COMMANDS.items()}
    for name, (process, started) in runs.items():
        out, seconds = _finish(process, started)
        print(f"{name}: exit {process.returncode} after {seconds:.1f} s")
        assert process.returncode not in (0, None), f"{name} went on:\n{out}"
        expected = f"Kafka authentication failed for user '{USER}' (SCRAM-SHA-512)"
        assert expected in out, f"{name}:\n{out}"
        assert "NEWSRADAR_KAFKA__SASL_PASSWORD" in out
        assert wrong not in out and sasl_broker.password not in out
        assert "Traceback" not in out


def test_tls_without_the_broker_s_ca_is_refused_fast(sasl_broker: SaslBroker, tmp_path: Path):
    pipeline = new_pipeline(sasl_broker.sasl, tmp_path)
    pipeline.settings.update(_login(sasl_broker, NEWSRADAR_KAFKA__SASL_PASSWORD="irrelevant"))
    del pipeline.settings["NEWSRADAR_KAFKA__SSL_CAFILE"]  # the system's CAs do not know it
    process, started = _start(pipeline, "topics", "create")
    out, _ = _finish(process, started)
    assert process.returncode == 1
    assert "TLS with the Kafka broker" in out and "CERTIFICATE_VERIFY_FAILED" in out


def test_an_access_error_ends_the_process_with_its_one_line_and_exit_1():
    """What the commands above rely on: a KafkaAccessError that escapes is printed as its one
    line and the interpreter exits 1 (SystemExit semantics), with no traceback."""
    code = (
        "from streams.kafka_security import KafkaAccessError\n"
        "raise KafkaAccessError('newsradar: Kafka authentication failed for user x')\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert run.returncode == 1
    assert run.stderr.strip() == "newsradar: Kafka authentication failed for user x"


#: Each command that talks to Kafka through a different client (kafka-python's admin,
#: producer and consumer; Faust/aiokafka's worker behind its login check).
COMMANDS: dict[str, tuple[str, ...]] = {
    "worker": ("worker",),
    "topics create": ("topics", "create"),
    "publish": ("publish", "-"),
    "alerts": ("alerts", "--max", "1"),
}


def _start(pipeline: Pipeline, *args: str) -> tuple[subprocess.Popen[str], float]:
    process = subprocess.Popen(
        newsradar(*args),
        env=pipeline.env(NEWSRADAR_WEB__PORT=str(free_port())),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    return process, time.monotonic()


def _finish(process: subprocess.Popen[str], started: float) -> tuple[str, float]:
    """Its output and how long it ran; stopped (and the test failed) past the bound."""
    try:
        out, _ = process.communicate(
            timeout=max(1.0, started + FAIL_FAST_BOUND_S - time.monotonic())
        )
    except subprocess.TimeoutExpired:
        stop(process)  # type: ignore[arg-type]
        pytest.fail(f"still running after {FAIL_FAST_BOUND_S} s: {process.args}")
    return out, time.monotonic() - started


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return str(response.read().decode())

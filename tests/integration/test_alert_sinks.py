"""Sinks against a real broker and real receivers on loopback: nothing lost in an outage.

The alerts are produced onto the alert topic directly (the sink only reads that topic);
the webhook receiver is a local HTTP server that is down, then failing, then up; the
Alertmanager is Debian's `prometheus-alertmanager` binary on a free loopback port.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from kafka import KafkaAdminClient, KafkaProducer

from schemas import Alert
from streams.alerting.logic import AlertRules
from tests.integration.test_alert_stories import create_topics, wait_for
from tests.processes import Pipeline, free_port, stop
from tests.unit.alert_fixtures import match, unrelated_story
from tests.unit.test_alert_surges import burst, quiet_baseline
from tests.unit.test_alerting import Run, _copies

pytestmark = pytest.mark.integration


def some_alerts(count: int) -> list[Alert]:
    run = Run()
    run.feed(*[match(f"sink{i}", unrelated_story(i), title=f"Report {i}") for i in range(count)])
    return run.alerts


def produce_alerts(pipeline: Pipeline, alerts: list[Alert], partition: int | None = None) -> None:
    """Onto the alert topic keyed by id; `partition` as the agent does, one per news topic."""
    producer = KafkaProducer(bootstrap_servers=pipeline.bootstrap, acks="all")
    try:
        for a in alerts:
            value = a.model_dump_json().encode()
            producer.send(
                pipeline.topic("alerts"), key=a.id.encode(), value=value, partition=partition
            )
        producer.flush(timeout=30)
    finally:
        producer.close()


class Receiver(ThreadingHTTPServer):
    """A webhook endpoint that answers 503 to its first `failures` requests."""

    def __init__(self, port: int, failures: int) -> None:
        self.failures, self.received, self.refused = failures, [], 0
        super().__init__(("127.0.0.1", port), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.server.failures > 0:
            self.server.failures -= 1
            self.server.refused += 1
            self.send_response(503)
        else:
            alert = Alert.model_validate_json(body)
            assert self.headers["Idempotency-Key"] == alert.id
            self.server.received.append(alert.id)
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def receiver(port: int, failures: int) -> Iterator[Receiver]:
    server = Receiver(port, failures)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def sink(pipeline: Pipeline, *args: str) -> Iterator[subprocess.Popen[bytes]]:
    log = (pipeline.workdir / "sink.log").open("ab")
    env = pipeline.env(
        NEWSRADAR_SINK__RETRY_INITIAL_SECONDS="0.2",
        NEWSRADAR_SINK__RETRY_MAX_SECONDS="1",
        NEWSRADAR_SINK__TIMEOUT_SECONDS="2",
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "streams", "sink", *args],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        stop(process)
        log.close()


def sink_log(pipeline: Pipeline) -> str:
    return (pipeline.workdir / "sink.log").read_text(errors="replace")


def test_a_webhook_down_for_a_while_gets_every_alert_once_it_is_back(pipeline: Pipeline):
    create_topics(pipeline)
    first, second = some_alerts(6), some_alerts(9)[6:]
    produce_alerts(pipeline, first)
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    with sink(pipeline, "webhook", url):
        # Down: nothing listens on the port, every attempt is refused and retried.
        wait_for(lambda: sink_log(pipeline).count("not delivered") >= 3, 60, "retries")
        with receiver(port, failures=3) as server:  # then up, but failing at first
            wait_for(lambda: len(server.received) >= 6, 60, f"delivery\n{sink_log(pipeline)}")
    assert sorted(server.received) == sorted(a.id for a in first)  # 2 partitions: any order
    assert server.refused == 3
    # Offsets were committed as alerts were delivered: nothing of the first six is left to
    # deliver again, so a new sink run sends only the new ones.
    assert committed(pipeline, f"newsradar-test-{pipeline.suffix}-sink-webhook") == len(first)
    produce_alerts(pipeline, second)
    with sink(pipeline, "webhook", url), receiver(port, failures=0) as server:
        wait_for(lambda: len(server.received) >= 3, 60, f"the rest\n{sink_log(pipeline)}")
    assert sorted(server.received) == sorted(a.id for a in second)


def committed(pipeline: Pipeline, group: str) -> int:
    """How many alerts the group has committed past, over the alert topic's partitions."""
    admin = KafkaAdminClient(bootstrap_servers=pipeline.bootstrap)
    try:
        offsets = admin.list_group_offsets({group: None})[group]
    finally:
        admin.close()
    return sum(o.offset for tp, o in offsets.items() if tp.topic == pipeline.topic("alerts"))


ALERTMANAGER = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")


@contextmanager
def alertmanager(workdir: Path) -> Iterator[str]:
    config = workdir / "alertmanager.yml"
    config.write_text("route:\n  receiver: nobody\nreceivers:\n  - name: nobody\n")
    port = free_port()
    assert ALERTMANAGER is not None
    log = (workdir / "alertmanager.log").open("wb")
    process = subprocess.Popen(
        [
            ALERTMANAGER,
            f"--config.file={config}",
            f"--storage.path={workdir / 'am-data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: _ready(base), 30, "alertmanager ready")
        yield base
    finally:
        stop(process)
        log.close()


def _ready(base: str) -> bool:
    try:
        with urllib.request.urlopen(f"{base}/-/ready", timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


def _active(base: str) -> list[dict]:  # type: ignore[type-arg]
    with urllib.request.urlopen(f"{base}/api/v2/alerts", timeout=5) as response:
        return list(json.load(response))


@pytest.mark.skipif(
    ALERTMANAGER is None, reason="Debian's prometheus-alertmanager is not installed"
)
def test_alertmanager_gets_one_alert_per_story_and_the_surge(pipeline: Pipeline):
    run = Run(AlertRules(outlets_to_escalate=0))
    run.feed(*_copies(10, spacing_minutes=8))  # a story and two updates
    surges = Run()
    surges.feed(*quiet_baseline(), *burst())
    (surge,) = [a for a in surges.alerts if a.kind == "surge"]
    create_topics(pipeline)
    produce_alerts(pipeline, [*run.alerts, surge], partition=1)
    with alertmanager(pipeline.workdir) as base, sink(pipeline, "alertmanager", base):
        wait_for(lambda: len(_active(base)) >= 2, 60, f"alerts\n{sink_log(pipeline)}")
        wait_for(
            lambda: any(a["annotations"].get("articles") == "9" for a in _active(base)),
            30,
            "the last update",
        )
        active = _active(base)
    by_name = {a["labels"]["alertname"]: a for a in active}
    assert sorted(by_name) == ["NewsStory", "NewsSurge"] and len(active) == 2
    story = by_name["NewsStory"]
    assert story["labels"]["story"] == run.alerts[0].story_id
    assert story["labels"]["severity"] == "high" and story["labels"]["topic"] == "russia-ukraine"
    assert story["annotations"]["kind"] == "story-update"
    assert by_name["NewsSurge"]["labels"]["severity"] == "critical"


def test_the_alerts_command_filters_by_kind_and_severity(pipeline: Pipeline):
    run = Run()
    run.feed(*_copies(10, spacing_minutes=8))  # story (high), updates (critical: 5+ outlets)
    create_topics(pipeline)
    produce_alerts(pipeline, run.alerts)
    updates = pipeline.cli("alerts", "--json", "--kind", "story-update")
    loud = pipeline.cli("alerts", "--json", "--min-severity", "critical")
    readable = pipeline.cli("alerts", "--kind", "story")
    assert updates.returncode == loud.returncode == readable.returncode == 0, updates.stderr
    kinds = [json.loads(line)["kind"] for line in updates.stdout.splitlines()]
    assert kinds == ["story-update", "story-update"]
    assert {json.loads(line)["severity"] for line in loud.stdout.splitlines()} == {"critical"}
    assert readable.stdout.startswith("[HIGH] story · Russia–Ukraine tensions")
    assert "\x1b[" not in readable.stdout  # no colour codes into a pipe

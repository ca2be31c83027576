"""Sinks against a real broker and real receivers on loopback: nothing lost in an outage.

The alerts are produced onto the alert topic directly (the sink only reads that topic);
the webhook receiver is a local HTTP server that is down, then failing, then up; the
Alertmanager is Debian's `prometheus-alertmanager` binary on a free loopback port.
"""

from __future__ import annotations

import json
import subprocess
from contextlib import AbstractContextManager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from kafka import KafkaProducer

from schemas import Alert
from streams.alerting.logic import AlertRules
from tests import support
from tests.processes import Pipeline, free_port
from tests.support import alerts_in, in_thread, newsradar, running, wait_until
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


def receiver(port: int, failures: int) -> AbstractContextManager[Receiver]:
    return in_thread(Receiver(port, failures))


def sink(pipeline: Pipeline, *args: str) -> AbstractContextManager[subprocess.Popen[bytes]]:
    env = pipeline.env(
        NEWSRADAR_SINK__RETRY_INITIAL_SECONDS="0.2",
        NEWSRADAR_SINK__RETRY_MAX_SECONDS="1",
        NEWSRADAR_SINK__TIMEOUT_SECONDS="2",
    )
    return running(newsradar("sink", *args), pipeline.workdir / "sink.log", env=env)


def sink_log(pipeline: Pipeline) -> str:
    return (pipeline.workdir / "sink.log").read_text(errors="replace")


def test_a_webhook_down_for_a_while_gets_every_alert_once_it_is_back(pipeline: Pipeline):
    first, second = some_alerts(6), some_alerts(9)[6:]
    produce_alerts(pipeline, first)
    port = free_port()
    url = f"http://127.0.0.1:{port}/hook"
    with sink(pipeline, "webhook", url):
        # Down: nothing listens on the port, every attempt is refused and retried.
        wait_until(lambda: sink_log(pipeline).count("not delivered") >= 3, 60, what="retries")
        with receiver(port, failures=3) as server:  # then up, but failing at first
            wait_until(
                lambda: len(server.received) >= 6,
                60,
                what=lambda: f"delivery\n{sink_log(pipeline)}",
            )
    assert sorted(server.received) == sorted(a.id for a in first)  # 2 partitions: any order
    assert server.refused == 3
    # Offsets were committed as alerts were delivered: nothing of the first six is left to
    # deliver again, so a new sink run sends only the new ones.
    assert committed(pipeline, f"newsradar-test-{pipeline.suffix}-sink-webhook") == len(first)
    produce_alerts(pipeline, second)
    with sink(pipeline, "webhook", url), receiver(port, failures=0) as server:
        wait_until(
            lambda: len(server.received) >= 3, 60, what=lambda: f"the rest\n{sink_log(pipeline)}"
        )
    assert sorted(server.received) == sorted(a.id for a in second)


def committed(pipeline: Pipeline, group: str) -> int:
    """How many alerts the group has committed past, over the alert topic's partitions."""
    offsets = support.committed_offsets(pipeline.bootstrap, group)
    return sum(offset for tp, offset in offsets.items() if tp.topic == pipeline.topic("alerts"))


def alertmanager(workdir: Path) -> AbstractContextManager[str]:
    """One that routes every alert to a receiver that sends nothing: the test reads its API."""
    config = workdir / "alertmanager.yml"
    config.write_text("route:\n  receiver: nobody\nreceivers:\n  - name: nobody\n")
    return support.alertmanager(config, workdir)


@pytest.mark.skipif(
    support.ALERTMANAGER is None, reason="Debian's prometheus-alertmanager is not installed"
)
def test_alertmanager_gets_one_alert_per_story_and_the_surge(pipeline: Pipeline):
    run = Run(AlertRules(outlets_to_escalate=0))
    run.feed(*_copies(10, spacing_minutes=8))  # a story and two updates
    surges = Run()
    surges.feed(*quiet_baseline(), *burst())
    (surge,) = [a for a in surges.alerts if a.kind == "surge"]
    produce_alerts(pipeline, [*run.alerts, surge], partition=1)
    with alertmanager(pipeline.workdir) as base, sink(pipeline, "alertmanager", base):
        wait_until(
            lambda: len(alerts_in(base)) >= 2, 60, what=lambda: f"alerts\n{sink_log(pipeline)}"
        )
        wait_until(
            lambda: any(a["annotations"].get("articles") == "9" for a in alerts_in(base)),
            30,
            what="the last update",
        )
        active = alerts_in(base)
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

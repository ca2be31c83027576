"""Sinks without a network: verdicts, retries with backoff, Alertmanager's payload, filters."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from schemas import Alert
from streams.alerting.logic import AlertRules
from streams.alerting.sinks import (
    Attempt,
    Backoff,
    Filter,
    alertmanager_alert,
    deliver_until_done,
    verdict,
)
from tests.unit.test_alerting import Run, _copies


def _story_alerts() -> list[Alert]:
    run = Run(AlertRules(outlets_to_escalate=0))  # severity stays "high" as the story grows
    run.feed(*_copies(10, spacing_minutes=8))
    return run.alerts


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        (200, "delivered"),
        (202, "delivered"),
        (503, "retried"),
        (429, "retried"),
        (500, "retried"),
        (400, "rejected"),
        (404, "rejected"),
    ],
)
def test_status_verdicts(status, outcome):
    assert verdict(status) == outcome


@dataclass
class FlakySink:
    """Refuses `failures` times, then takes every alert."""

    failures: int
    name: str = "fake"
    received: list[str] = field(default_factory=list)

    def deliver(self, alert: Alert) -> Attempt:
        if self.failures:
            self.failures -= 1
            return Attempt("retried", "HTTP 503")
        self.received.append(alert.id)
        return Attempt("delivered", "HTTP 200")


def test_delivery_retries_with_exponential_backoff_until_the_receiver_is_back():
    sink, sleeps, attempts = FlakySink(failures=5), [], []
    alert = _story_alerts()[0]
    result = deliver_until_done(
        sink, alert, Backoff(1.0, 8.0), on_attempt=attempts.append, sleep=sleeps.append
    )
    assert result.outcome == "delivered" and sink.received == [alert.id]
    assert sleeps == [1.0, 2.0, 4.0, 8.0, 8.0]
    assert [a.outcome for a in attempts] == ["retried"] * 5 + ["delivered"]


def test_a_stopping_sink_gives_up_without_delivering():
    sink = FlakySink(failures=100)
    result = deliver_until_done(
        sink,
        _story_alerts()[0],
        Backoff(1, 2),
        on_attempt=lambda a: None,
        sleep=lambda s: None,
        give_up=lambda: True,
    )
    assert result.outcome == "retried" and sink.received == []


def test_a_story_and_its_updates_are_one_alertmanager_alert():
    """Same labels: an update refreshes the alert (a louder story would page at its level)."""
    story, update, _ = _story_alerts()
    delivered = story.alerted + timedelta(minutes=5)
    first, second = (alertmanager_alert(a, timedelta(hours=6), delivered) for a in (story, update))
    assert first["labels"] == second["labels"]
    assert first["labels"] == {
        "alertname": "NewsStory",
        "service": "newsradar",
        "topic": "russia-ukraine",
        "severity": story.severity,
        "story": story.story_id,
    }
    assert (
        second["annotations"]["articles"] == "5" and second["annotations"]["kind"] == "story-update"
    )
    assert first["startsAt"] == story.alerted.isoformat()
    assert first["endsAt"] == (delivered + timedelta(hours=6)).isoformat()
    assert first["generatorURL"] == "https://example.org/copy0"


@pytest.mark.parametrize(
    ("wanted", "expected"),
    [
        (Filter(), True),
        (Filter(min_severity="critical"), False),
        (Filter(kinds=frozenset({"surge"})), False),
        (Filter(min_severity="high", kinds=frozenset({"story"})), True),
    ],
)
def test_filters(wanted, expected):
    assert wanted.wants(_story_alerts()[0]) is expected

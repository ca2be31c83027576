"""Where alerts go besides the topic: a generic webhook and Alertmanager's v2 API.

Each sink reads the alert topic with its own consumer group and commits an alert's offset
only once the receiver has taken it, so an outage of the receiver loses nothing: the sink
retries with exponential backoff and, if it is restarted meanwhile, starts again from the
first undelivered alert. Delivery is at least once; receivers deduplicate by alert id
(sent as the `Idempotency-Key` header; Alertmanager deduplicates by labels itself).
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, Protocol

from schemas import Alert
from streams.alerting.severity import at_least

log = logging.getLogger(__name__)

Delivery = Literal["delivered", "retried", "rejected"]
#: Statuses worth retrying: the receiver is busy, restarting or behind a failing proxy.
RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class Attempt:
    outcome: Delivery
    detail: str = ""


class Sink(Protocol):
    @property
    def name(self) -> str: ...

    def deliver(self, alert: Alert) -> Attempt: ...


def verdict(status: int) -> Delivery:
    """2xx delivered; busy or broken receivers retried; any other refusal is final."""
    if 200 <= status < 300:
        return "delivered"
    return "retried" if status in RETRY_STATUSES else "rejected"


def post_json(url: str, body: bytes, headers: dict[str, str], timeout: float) -> Attempt:
    """One POST; a connection failure is worth retrying like a 503."""
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Attempt(verdict(response.status), f"HTTP {response.status}")
    except urllib.error.HTTPError as error:
        return Attempt(verdict(error.code), f"HTTP {error.code}")
    except (urllib.error.URLError, OSError) as error:
        return Attempt("retried", f"{type(error).__name__}: {error}")


@dataclass(frozen=True)
class WebhookSink:
    """POSTs each alert's JSON, as on the alert topic."""

    url: str
    timeout: float = 10.0
    name: str = "webhook"

    def deliver(self, alert: Alert) -> Attempt:
        headers = {"Idempotency-Key": alert.id, "X-Newsradar-Kind": alert.kind}
        return post_json(self.url, alert.model_dump_json().encode(), headers, self.timeout)


def alertmanager_alert(alert: Alert, resolve_after: timedelta, now: datetime) -> dict[str, Any]:
    """Alertmanager's postable alert. A story and its updates share labels (not the kind),
    so an update refreshes the same Alertmanager alert instead of paging again; severity
    and topic are labels for routing, silences and inhibition. It resolves `resolve_after`
    its delivery: an alert held back by an outage still fires when it arrives."""
    labels = {
        "alertname": _alertname(alert),
        "service": "newsradar",
        "topic": alert.topic,
        "severity": alert.severity,
    }
    if alert.story_id and alert.kind != "surge":
        labels["story"] = alert.story_id
    annotations = {
        "summary": alert.title,
        "description": alert.summary,
        "articles": str(alert.article_count),
        "outlets": ", ".join(alert.outlets[:10]),
        "reasons": "; ".join(alert.reasons),
        "alert_id": alert.id,
        "kind": alert.kind,
    }
    posted: dict[str, Any] = {
        "labels": labels,
        "annotations": {k: v for k, v in annotations.items() if v},
        "startsAt": alert.alerted.isoformat(),
        "endsAt": (max(alert.alerted, now) + resolve_after).isoformat(),
    }
    if alert.url:
        posted["generatorURL"] = alert.url
    return posted


def _alertname(alert: Alert) -> str:
    return {"surge": "NewsSurge", "digest": "NewsDigest"}.get(alert.kind, "NewsStory")


@dataclass(frozen=True)
class AlertmanagerSink:
    """POSTs each alert to Alertmanager's `/api/v2/alerts`."""

    base_url: str
    timeout: float = 10.0
    resolve_after: timedelta = timedelta(hours=6)
    name: str = "alertmanager"

    def deliver(self, alert: Alert) -> Attempt:
        posted = alertmanager_alert(alert, self.resolve_after, datetime.now(UTC))
        body = json.dumps([posted]).encode()
        return post_json(self.base_url.rstrip("/") + "/api/v2/alerts", body, {}, self.timeout)


@dataclass(frozen=True)
class Filter:
    """Which alerts a sink forwards; the others are passed over (and committed)."""

    min_severity: str = "info"
    kinds: frozenset[str] = frozenset()

    def wants(self, alert: Alert) -> bool:
        kind_ok = not self.kinds or alert.kind in self.kinds
        return kind_ok and at_least(alert.severity, self.min_severity)


@dataclass
class Backoff:
    """Exponential backoff between failed attempts, reset by a success."""

    initial: float
    maximum: float
    current: float = 0.0

    def next_delay(self) -> float:
        self.current = min(self.maximum, self.current * 2 if self.current else self.initial)
        return self.current

    def reset(self) -> None:
        self.current = 0.0


def deliver_until_done(
    sink: Sink,
    alert: Alert,
    backoff: Backoff,
    *,
    on_attempt: Callable[[Attempt], None],
    sleep: Callable[[float], None] = time.sleep,
    give_up: Callable[[], bool] = lambda: False,
) -> Attempt:
    """Try until delivered or refused for good; `give_up` ends it (to stop the process).

    `sleep` is where the caller keeps its Kafka consumer alive while the receiver is down.
    """
    while True:
        attempt = sink.deliver(alert)
        on_attempt(attempt)
        if attempt.outcome != "retried" or give_up():
            backoff.reset()
            return attempt
        delay = backoff.next_delay()
        log.warning(
            "%s: alert %s not delivered (%s); retry in %.1fs",
            sink.name,
            alert.id,
            attempt.detail,
            delay,
        )
        sleep(delay)

"""Every Prometheus metric newsradar exports, defined once against an injectable registry.

Names follow `newsradar_<noun>_<unit>`; labels come from small fixed sets (stage, reason,
topic, kind, severity), never article ids, URLs or source domains.
"""

from __future__ import annotations

import platform
from collections.abc import Iterable, Mapping
from datetime import datetime
from importlib import metadata
from itertools import product
from typing import TYPE_CHECKING, Any

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    generate_latest,
)

from schemas.vocabulary import ALERT_KINDS, DEAD_LETTER_REASONS, DROP_REASONS, SEVERITIES, STAGES

if TYPE_CHECKING:
    from schemas import Alert

#: Seconds from ingestion to alert: sub-second when healthy, minutes when lagging.
LATENCY_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0)
#: Seconds from publication to alert: feeds deliver minutes to days late.
FRESHNESS_BUCKETS = (60, 300, 900, 1800, 3600, 10800, 21600, 43200, 86400, 172800, 604800)
SCORE_BUCKETS = (0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


class Metrics:
    """The pipeline's metrics; tests pass a fresh CollectorRegistry."""

    def __init__(self, registry: CollectorRegistry = REGISTRY) -> None:
        self.registry = registry
        self._known: dict[tuple[int, tuple[str, ...]], Any] = {}  # see `_series`
        self.articles_in = Counter(
            "newsradar_articles_in_total", "Records a stage read.", ["stage"], registry=registry
        )
        self.articles_out = Counter(
            "newsradar_articles_out_total",
            "Records a stage passed on.",
            ["stage"],
            registry=registry,
        )
        self.dead_letters = Counter(
            "newsradar_dead_letters_total",
            "Records a stage refused, sent to the dead-letter topic.",
            ["stage", "reason"],
            registry=registry,
        )
        self.topic_matches = Counter(
            "newsradar_topic_matches_total",
            "Articles that passed a topic's threshold.",
            ["topic"],
            registry=registry,
        )
        self.alerts = Counter(
            "newsradar_alerts_total",
            "Alerts published.",
            ["topic", "kind", "severity"],
            registry=registry,
        )
        self.processing_seconds = Histogram(
            "newsradar_processing_seconds",
            "Time a stage spent on one record.",
            ["stage"],
            buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
            registry=registry,
        )
        self.dropped = Counter(
            "newsradar_articles_dropped_total",
            "Records a stage deliberately did not pass on (not an error), by reason.",
            ["stage", "reason"],
            registry=registry,
        )
        self.cleaning_removals = Counter(
            "newsradar_cleaning_removals_total",
            "Lines and spans the clean stage removed from articles, by rule (a fixed set).",
            ["rule"],
            registry=registry,
        )
        self.match_score = Histogram(
            "newsradar_match_score_ratio",
            "Classification score of articles that passed a topic's threshold.",
            ["topic"],
            buckets=SCORE_BUCKETS,
            registry=registry,
        )
        self.end_to_end_latency = Histogram(
            "newsradar_end_to_end_latency_seconds",
            "Time from an article's ingestion to its alert.",
            ["topic"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        self.freshness = Histogram(
            "newsradar_freshness_seconds",
            "Age of an article (now minus published) when it was alerted.",
            ["topic"],
            buckets=FRESHNESS_BUCKETS,
            registry=registry,
        )
        self.consumer_lag_messages = Gauge(
            "newsradar_consumer_lag_messages",
            "Records on a partition this worker has not processed yet.",
            ["stage", "kafka_topic", "partition"],
            registry=registry,
        )
        self.consumer_lag_seconds = Gauge(
            "newsradar_consumer_lag_seconds",
            "How far behind this worker is on a partition: 0 when caught up.",
            ["stage", "kafka_topic", "partition"],
            registry=registry,
        )
        # Sources: the feed poller and the HTTP ingest service (streams/sources).
        self.feed_fetches = Counter(
            "newsradar_feed_fetches_total",
            "Feed polls by outcome (ok, not_modified, timeout, too_large, malformed, ...).",
            ["outcome"],
            registry=registry,
        )
        self.feed_entries = Counter(
            "newsradar_feed_entries_total",
            "Feed entries read: published as new, or skipped as already seen.",
            ["outcome"],
            registry=registry,
        )
        self.page_fetches = Counter(
            "newsradar_page_fetches_total",
            "Article pages fetched for full-page mode, by outcome.",
            ["outcome"],
            registry=registry,
        )
        self.ingest_requests = Counter(
            "newsradar_ingest_requests_total",
            "HTTP ingest requests by response status.",
            ["status"],
            registry=registry,
        )
        self.ingest_articles = Counter(
            "newsradar_ingest_articles_total",
            "Articles the HTTP ingest service published (acknowledged by Kafka).",
            registry=registry,
        )
        for outcome in ("ok", "not_modified", "timeout", "too_large", "malformed", "http_error"):
            self.feed_fetches.labels(outcome)
        for outcome in ("published", "seen"):
            self.feed_entries.labels(outcome)
        for status in ("202", "401", "413", "422", "503"):
            self.ingest_requests.labels(status)
        # The alert stage's state (streams/alerting) and the alert sinks (newsradar sink).
        self.story_articles = Counter(
            "newsradar_story_articles_total",
            "Topic matches by what they did to a story: new, joined, duplicate, redelivered.",
            ["topic", "outcome"],
            registry=registry,
        )
        self.live_stories = Gauge(
            "newsradar_stories",
            "Stories held in the alert state (bounded by age and max_stories_per_topic).",
            ["topic"],
            registry=registry,
        )
        self.sink_deliveries = Counter(
            "newsradar_sink_deliveries_total",
            "Alert deliveries by a sink: delivered, retried (will try again), rejected (4xx).",
            ["sink", "outcome"],
            registry=registry,
        )
        self.sink_delivery_seconds = Histogram(
            "newsradar_sink_delivery_seconds",
            "Time from an alert's creation to its delivery by a sink.",
            ["sink"],
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        for sink in ("webhook", "alertmanager"):
            for outcome in ("delivered", "retried", "rejected"):
                self.sink_deliveries.labels(sink, outcome)
        self.build = Info("newsradar_build", "The running newsradar build.", registry=registry)
        self.taxonomy = Info("newsradar_taxonomy", "The taxonomy in use.", registry=registry)
        self.taxonomy_reloads = Counter(
            "newsradar_taxonomy_reloads_total",
            "Changed taxonomy files the worker loaded, or refused (the old one kept running).",
            ["outcome"],
            registry=registry,
        )
        for outcome in ("loaded", "refused"):
            self.taxonomy_reloads.labels(outcome)
        self.build.info(_build_labels())
        for stage in STAGES:
            self.articles_in.labels(stage)
            self.articles_out.labels(stage)
            self.processing_seconds.labels(stage)
            for reason in DEAD_LETTER_REASONS[stage]:
                self.dead_letters.labels(stage, reason)
            for drop in DROP_REASONS.get(stage, ()):
                self.dropped.labels(stage, drop)

    def _series(self, metric: Any, *labels: str) -> Any:
        """`metric.labels(*labels)`, looked up once: a lookup validates and locks, about
        1.5 µs, and the counts of every match and alert took three or four of them. Only
        for series never removed (topics, kinds, severities: not the lag gauges)."""
        key = (id(metric), labels)
        series = self._known.get(key)
        if series is None:
            series = self._known[key] = metric.labels(*labels)
        return series

    def observe_match(self, topic: str, score: float) -> None:
        """Count an article that passed a topic's threshold, and where its score fell."""
        self._series(self.topic_matches, topic).inc()
        self._series(self.match_score, topic).observe(score)

    def observe_alert(self, alert: Alert, now: datetime) -> None:
        """Count a published alert; time it from ingestion and from publication."""
        self._series(self.alerts, alert.topic, alert.kind, alert.severity).inc()
        if alert.ingested is not None:
            latency = _seconds_between(alert.ingested, now)
            self._series(self.end_to_end_latency, alert.topic).observe(latency)
        if alert.published is not None:
            latency = _seconds_between(alert.published, now)
            self._series(self.freshness, alert.topic).observe(latency)

    def observe_story_steps(
        self, outcomes: Mapping[tuple[str, str], int], live_stories: Mapping[str, int]
    ) -> None:
        """What a batch's matches did to their topics' stories (matches by topic and
        outcome), and how many stories each topic's state holds after it."""
        for (topic, outcome), matches in outcomes.items():
            self.story_articles.labels(topic, outcome).inc(matches)
        for topic, live in live_stories.items():
            self.live_stories.labels(topic).set(live)

    def observe_drop(self, stage: str, reason: str) -> None:
        """A record deliberately not passed on (a duplicate, ...): not a dead letter."""
        self.dropped.labels(stage, reason).inc()

    def set_taxonomy(self, version: str, topics: Iterable[str] = ()) -> None:
        """The taxonomy in use. Its topics' series start at 0: a series born with its first
        observation already counted would hide that observation from rate()."""
        self.taxonomy.info({"version": version})
        for topic in topics:
            for metric in (self.topic_matches, self.match_score, self.end_to_end_latency):
                metric.labels(topic)
            self.freshness.labels(topic)
            for kind, severity in product(ALERT_KINDS, SEVERITIES):
                self.alerts.labels(topic, kind, severity)

    def exposition(self) -> bytes:
        """The text format Prometheus scrapes."""
        return generate_latest(self.registry)


def _seconds_between(earlier: datetime, later: datetime) -> float:
    """Never negative: clocks of publishers and sources may run ahead of ours."""
    return max(0.0, (later - earlier).total_seconds())


def _build_labels() -> dict[str, str]:
    try:
        version = metadata.version("newsradar")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return {"version": version, "python": platform.python_version()}


#: The process's metrics, on the default registry the worker's /metrics serves.
METRICS = Metrics()

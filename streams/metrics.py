"""Every Prometheus metric newsradar exports, defined once against an injectable registry.

Names follow `newsradar_<noun>_<unit>`; labels come from small fixed sets (stage, reason,
topic, kind, severity), never article ids, URLs or source domains.
"""

from __future__ import annotations

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest

STAGES = ("clean", "classify", "alert")


class Metrics:
    """The pipeline's metrics; tests pass a fresh CollectorRegistry."""

    def __init__(self, registry: CollectorRegistry = REGISTRY) -> None:
        self.registry = registry
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
        self.cleaning_removals = Counter(
            "newsradar_cleaning_removals_total",
            "Lines and spans the clean stage removed from articles, by rule (a fixed set).",
            ["rule"],
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
        for stage in STAGES:
            self.articles_in.labels(stage)
            self.articles_out.labels(stage)
            self.processing_seconds.labels(stage)

    def exposition(self) -> bytes:
        """The text format Prometheus scrapes."""
        return generate_latest(self.registry)


#: The process's metrics, on the default registry the worker's /metrics serves.
METRICS = Metrics()

"""streams/metrics.py: what each observation records, and the naming and label discipline."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import get_args

import pytest
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, Info
from prometheus_client.metrics import MetricWrapperBase

from schemas import Alert
from schemas.vocabulary import SEVERITIES, STAGES
from streams.metrics import Metrics

NOW = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)

#: Labels from small fixed sets (STYLE.md): the stages, outcomes and reasons the code names,
#: the taxonomy's topics, alert kinds and severities, the alert sinks (webhook, alertmanager),
#: the HTTP statuses the ingest service itself answers with, the cleaning rules; and, for
#: consumer lag only, Kafka's coordinates (the configured topics and their partitions).
#: Never ids, URLs, titles or source domains: they would grow without bound.
ALLOWED_LABELS = {
    *("stage", "outcome", "reason", "topic", "kind", "severity", "sink", "status", "rule"),
}
ALLOWED_LAG_LABELS = {"stage", "kafka_topic", "partition"}
#: Base units by the Prometheus conventions, for what is measured (histograms).
UNITS = ("_seconds", "_bytes", "_ratio")


@pytest.fixture
def metrics() -> Metrics:
    return Metrics(CollectorRegistry())


def value(metrics: Metrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


def alert(**fields: object) -> Alert:
    """Only the fields the metrics read; the alert schema's other fields are not their concern."""
    defaults: dict[str, object] = {
        "topic": "sport",
        "kind": "story",
        "severity": "info",
        "ingested": NOW - timedelta(seconds=2),
        "published": NOW - timedelta(hours=3),
    }
    return Alert.model_construct(**(defaults | fields))


def every_metric(metrics: Metrics) -> list[MetricWrapperBase]:
    return [m for m in vars(metrics).values() if isinstance(m, MetricWrapperBase)]


def test_an_alert_is_counted_and_timed_from_ingestion_and_publication(metrics):
    metrics.observe_alert(alert(), now=NOW)

    assert value(metrics, "newsradar_alerts_total", topic="sport", kind="story", severity="info")
    assert value(metrics, "newsradar_end_to_end_latency_seconds_sum", topic="sport") == 2.0
    assert value(metrics, "newsradar_end_to_end_latency_seconds_bucket", topic="sport", le="2.5")
    assert not value(
        metrics, "newsradar_end_to_end_latency_seconds_bucket", topic="sport", le="1.0"
    )
    assert value(metrics, "newsradar_freshness_seconds_sum", topic="sport") == 3 * 3600.0


def test_an_alert_without_times_is_counted_but_not_timed(metrics):
    metrics.observe_alert(alert(ingested=None, published=None), now=NOW)

    assert value(metrics, "newsradar_alerts_total", topic="sport", kind="story", severity="info")
    assert not value(metrics, "newsradar_end_to_end_latency_seconds_count", topic="sport")
    assert not value(metrics, "newsradar_freshness_seconds_count", topic="sport")


def test_times_from_a_clock_running_ahead_count_as_zero_not_negative(metrics):
    ahead = NOW + timedelta(minutes=5)
    metrics.observe_alert(alert(ingested=ahead, published=ahead), now=NOW)

    assert value(metrics, "newsradar_end_to_end_latency_seconds_sum", topic="sport") == 0.0
    assert value(metrics, "newsradar_freshness_seconds_count", topic="sport") == 1.0
    assert value(metrics, "newsradar_freshness_seconds_sum", topic="sport") == 0.0


def test_a_match_counts_an_article_for_its_topic_and_its_score(metrics):
    metrics.observe_match("sport", 0.72)
    metrics.observe_match("sport", 0.95)

    assert value(metrics, "newsradar_topic_matches_total", topic="sport") == 2.0
    assert value(metrics, "newsradar_match_score_ratio_bucket", topic="sport", le="0.8") == 1.0
    assert value(metrics, "newsradar_match_score_ratio_bucket", topic="sport", le="1.0") == 2.0


def test_drops_are_counted_by_stage_and_reason_and_exist_before_the_first(metrics):
    assert (
        value(metrics, "newsradar_articles_dropped_total", stage="clean", reason="duplicate") == 0
    )
    assert (
        metrics.registry.get_sample_value(
            "newsradar_articles_dropped_total", {"stage": "clean", "reason": "duplicate"}
        )
        == 0.0
    )
    metrics.observe_drop("clean", "duplicate")
    assert value(metrics, "newsradar_articles_dropped_total", stage="clean", reason="duplicate")


@pytest.mark.parametrize("stage", STAGES)
def test_every_stage_series_exists_at_zero_so_rates_start_at_once(metrics, stage):
    for name, labels in [
        ("newsradar_articles_in_total", {"stage": stage}),
        ("newsradar_articles_out_total", {"stage": stage}),
        ("newsradar_processing_seconds_count", {"stage": stage}),
        ("newsradar_dead_letters_total", {"stage": stage, "reason": "internal_error"}),
        ("newsradar_dead_letters_total", {"stage": stage, "reason": "invalid_json"}),
    ]:
        assert metrics.registry.get_sample_value(name, labels) == 0.0, name


def test_taxonomy_and_build_are_info_metrics(metrics):
    metrics.set_taxonomy("2026.01.05-1")

    assert value(metrics, "newsradar_taxonomy_info", version="2026.01.05-1") == 1.0
    (build,) = [
        s for f in metrics.registry.collect() for s in f.samples if s.name.endswith("build_info")
    ]
    assert build.value == 1.0 and set(build.labels) == {"version", "python"}


def test_the_exposition_is_prometheus_text(metrics):
    metrics.observe_alert(alert(), now=NOW)
    text = metrics.exposition().decode()

    assert "# TYPE newsradar_end_to_end_latency_seconds histogram" in text
    assert 'newsradar_alerts_total{kind="story",severity="info",topic="sport"} 1.0' in text


def test_every_metric_is_checked_below(metrics):
    kinds = {type(m) for m in every_metric(metrics)}
    assert kinds <= {Counter, Gauge, Histogram, Info}
    assert len(every_metric(metrics)) >= 12


@pytest.mark.parametrize(
    "metric", every_metric(Metrics(CollectorRegistry())), ids=lambda m: m._name
)
def test_labels_come_from_small_fixed_sets(metric):
    labels = set(metric._labelnames)
    allowed = (
        ALLOWED_LAG_LABELS if metric._name.startswith("newsradar_consumer_lag") else ALLOWED_LABELS
    )
    assert labels <= allowed, f"{metric._name}: {sorted(labels - allowed)} not in {sorted(allowed)}"


@pytest.mark.parametrize(
    "metric", every_metric(Metrics(CollectorRegistry())), ids=lambda m: m._name
)
def test_names_are_newsradar_noun_unit(metric):
    """Counters end in _total (the client adds it), histograms in a base unit; gauges of a
    count of things (records, stories) are named by the things."""
    assert metric._name.startswith("newsradar_")
    assert not metric._name.endswith("_total")
    if isinstance(metric, Histogram):
        assert metric._name.endswith(UNITS), metric._name


def test_a_taxonomys_topics_start_at_zero_so_their_first_article_shows_in_rates(metrics):
    metrics.set_taxonomy("v2", ["sport", "public-health"])

    for topic in ("sport", "public-health"):
        assert (
            metrics.registry.get_sample_value("newsradar_topic_matches_total", {"topic": topic})
            == 0
        )
        for name in (
            "newsradar_match_score_ratio_count",
            "newsradar_freshness_seconds_count",
            "newsradar_end_to_end_latency_seconds_count",
        ):
            assert metrics.registry.get_sample_value(name, {"topic": topic}) == 0, name
        labels = {"topic": topic, "kind": "surge", "severity": "critical"}
        assert metrics.registry.get_sample_value("newsradar_alerts_total", labels) == 0


def test_the_severities_are_the_taxonomys_levels():
    from streams.classification.taxonomy import Level

    assert get_args(Level) == SEVERITIES

"""The dashboard and the recording rules against a real Prometheus scraping real workers.

Two `newsradar worker` processes run against the real broker; Debian's `prometheus` runs on
loopback with ops/prometheus/prometheus-local.yml (scraping every second instead of every
15 s); articles go through; then every PromQL expression of the Grafana dashboard and of
the recording rules must return data.
"""

from __future__ import annotations

import json
import math
import shutil
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.processes import Pipeline, Worker, free_port
from tests.support import answers, running, wait_until
from tests.unit.test_ops_grafana import dashboard_exprs

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not shutil.which("prometheus"), reason="prometheus not installed"),
]

PROMETHEUS = Path(__file__).resolve().parents[2] / "ops" / "prometheus"
WORKERS = 2
PARTITIONS = 2  # tests/processes.py: NEWSRADAR_TOPICS__PARTITIONS
#: The seed article plus these (invented) give alerts on three topics and one dead letter.
ARTICLES = [
    {
        "title": "Underdogs win the cup final after a late goal",
        "text": "The football league's smallest club won the championship final on Saturday. "
        "Their striker scored in the last minute and the goalkeeper saved a penalty.",
        "url": "https://example.test/sport/cup-final",
        "published_hours_ago": 3,
    },
    {
        "title": "Hospitals prepare for a winter virus outbreak",
        "text": "Health officials said hospitals are preparing for a winter outbreak of a "
        "respiratory virus. The vaccination campaign starts next week.",
        "url": "https://example.test/health/winter-virus",
        "published_hours_ago": 1,
    },
]


#: Not only data but the right data: what the articles above must have moved, and how many
#: series of it (alerts on three topics; a dead letter; lag of every stage; both workers).
WHAT_WENT_THROUGH = {
    "topic:newsradar_alerts:rate5m > 0": 3,
    "topic:newsradar_topic_matches:rate5m > 0": 3,
    'stage_reason:newsradar_dead_letters:rate5m{stage="clean",reason="invalid_json"} > 0': 1,
    "stage:newsradar_articles_out:rate5m > 0": 3,
    'quantile:newsradar_end_to_end_latency_seconds:histogram_quantile5m{quantile="0.95"} > 0': 1,
    "topic_quantile:newsradar_freshness_seconds:histogram_quantile1h > 0": 2,  # seed: no date
    "stage:newsradar_consumer_lag_messages:sum": 3,
    'job:up:sum{job="newsradar-worker"} == 2': 1,
}


def recording_exprs() -> list[str]:
    path = PROMETHEUS / "rules" / "recording.yml"
    groups = yaml.safe_load(path.read_text(encoding="utf-8"))["groups"]
    return [rule["expr"] for group in groups for rule in group["rules"]]


def test_every_dashboard_and_recording_rule_expression_returns_data(
    pipeline: Pipeline, seed_path: Path, tmp_path: Path
):
    started = time.monotonic()
    with ExitStack() as stack:
        workers = [
            stack.enter_context(
                pipeline.worker(f"worker-{i}", NEWSRADAR_MONITORING__LAG_INTERVAL_SECONDS="1")
            )
            for i in range(WORKERS)
        ]
        targets = [f"127.0.0.1:{worker.port}" for worker in workers]
        prometheus = stack.enter_context(local_prometheus(tmp_path / "prometheus", targets))
        for worker in workers:
            _wait_for_metrics(worker)
        # Publish once the group is settled: a rebalance mid-test redelivers records, which
        # is the stages' business (tests/integration), not this test's.
        wait_until(
            lambda: _assigned_once(prometheus, WORKERS),
            120,
            step=0.3,
            what=lambda: f"each partition assigned once\n{_logs(workers)}",
        )
        workers_up = time.monotonic()

        articles = tmp_path / "articles.jsonl"
        articles.write_text("\n".join(json.dumps(_raw(a)) for a in ARTICLES) + "\n")
        published = pipeline.cli("publish", str(seed_path), str(articles))
        assert published.returncode == 0, published.stderr
        pipeline.produce("raw", [(b"broken", b"{not json")])
        alerts = pipeline.read("alerts", 1 + len(ARTICLES), timeout=120)
        assert len(alerts) == 1 + len(ARTICLES), _logs(workers)
        alerted = time.monotonic()

        wait_for_data(
            prometheus,
            dashboard_exprs() + recording_exprs(),
            timeout=90,
            what=lambda missing: f"data for: {missing}\n{_logs(workers)}",
        )
        wait_for_data(
            prometheus,
            list(WHAT_WENT_THROUGH),
            timeout=30,
            want=WHAT_WENT_THROUGH,
            what=lambda short: f"as many series as expected for: {short}",
        )
        done = time.monotonic()
    print(
        f"\ntimings: workers up and assigned {workers_up - started:.1f}s,"
        f" alerts {alerted - workers_up:.1f}s,"
        f" every expression answered {done - alerted:.1f}s, total {done - started:.1f}s"
    )


@contextmanager
def local_prometheus(workdir: Path, targets: list[str]) -> Iterator[str]:
    """prometheus-local.yml filled as ops/local-stack fills it, scraping every second."""
    workdir.mkdir(parents=True)
    targets_file = workdir / "workers.json"
    targets_file.write_text(json.dumps([{"targets": targets}]), encoding="utf-8")
    text = (PROMETHEUS / "prometheus-local.yml").read_text(encoding="utf-8")
    text = text.replace("__TARGETS_FILE__", str(targets_file))
    text = text.replace("__ALERTMANAGER__", f"127.0.0.1:{free_port()}")  # none: alerts unsent
    text = text.replace("__RULES_DIR__", str(PROMETHEUS / "rules"))
    config = yaml.safe_load(text)
    config["global"].update(scrape_interval="1s", evaluation_interval="1s")
    for job in config["scrape_configs"]:
        for discovery in job.get("file_sd_configs", []):
            discovery["refresh_interval"] = "1s"
    (workdir / "prometheus.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    port = free_port()
    argv = [
        "prometheus",
        f"--config.file={workdir / 'prometheus.yml'}",
        f"--storage.tsdb.path={workdir / 'data'}",
        f"--web.listen-address=127.0.0.1:{port}",
    ]
    url = f"http://127.0.0.1:{port}"
    with running(argv, workdir / "prometheus.log", ready=f"{url}/-/ready"):
        yield url


def _wait_for_metrics(worker: Worker) -> None:
    wait_until(
        lambda: answers(f"http://127.0.0.1:{worker.port}/metrics"),
        120,
        step=0.3,
        what=lambda: f"{worker.log.name}'s /metrics\n{worker.log_text()[-3000:]}",
    )


def _assigned_once(prometheus: str, workers: int) -> bool:
    """Every partition of every input topic reports lag, from exactly one of the workers."""

    def count(expr: str) -> int:
        result = query(prometheus, f"count({expr})")
        return int(result[0]["value"][1]) if result else 0

    lag = "newsradar_consumer_lag_messages"
    per_partition = count(f"count by (kafka_topic, partition) ({lag})")
    return (
        count(f"count by (instance) ({lag})") == workers
        and count(lag) == per_partition
        and per_partition == PARTITIONS * count(f"count by (kafka_topic) ({lag})")
    )


def wait_for_data(
    prometheus: str,
    exprs: list[str],
    timeout: float,
    what: Callable[[list[str]], str],
    want: dict[str, int] | None = None,
) -> None:
    """Wait until every expression gives enough series with a finite value (one, or as many
    as `want` says); past `timeout`, fail with `what` of those that still do not."""
    pending = list(dict.fromkeys(exprs))

    def answered() -> bool:
        pending[:] = [e for e in pending if _finite(query(prometheus, e)) < (want or {}).get(e, 1)]
        return not pending

    wait_until(answered, timeout, step=1, what=lambda: what(pending))


def query(prometheus: str, expr: str) -> list[dict[str, Any]]:
    url = f"{prometheus}/api/v1/query?{urllib.parse.urlencode({'query': expr})}"
    with urllib.request.urlopen(url, timeout=10) as response:
        body = json.load(response)
    assert body["status"] == "success", body
    return list(body["data"]["result"])


def _finite(result: list[dict[str, Any]]) -> int:
    return sum(math.isfinite(float(series["value"][1])) for series in result)


def _raw(article: dict[str, Any]) -> dict[str, Any]:
    hours = article["published_hours_ago"]
    published = (datetime.now(UTC) - timedelta(hours=hours)).isoformat()
    fields = {k: v for k, v in article.items() if k != "published_hours_ago"}
    return fields | {"source": "example.test", "published": published}


def _logs(workers: list[Any]) -> str:
    return "\n".join(f"--- {w.log.name}\n{w.log_text()[-2000:]}" for w in workers)

"""The alert stage alone, on one partition of a real broker: matches per second, story alerts on.

    python -m bench.run --only alert-stage

A hot topic's matches all meet in one partition and one agent (they are keyed by topic), so
this rate is one topic's ceiling however many workers run. Topic matches (schema v2, built
as the classify step builds them: streams/alerting/matches.py) for one topic are made
beforehand by bench/micro/alert_state.py's generator: stories with 1 to 12 syndicated
copies spread over hours of published time (about three in four matches found a story and
raise a `story` alert, the rest join one, some raising a `story-update`). They are sent
as fast as kafka-python goes to partition 0 of the matches topic while a warmed-up
`newsradar worker` (default settings: story alerts, no digest) reads it; the rate is the
matches over (the last alert's timestamp - the first match's timestamp). The last match
of every run founds a new story, so its alert marks the end.

The same matches go through the alert step in this process too (streams/steps.py's
AlertStep over a dict, the worker's rules): how many alerts the worker must publish, and
the step's own CPU per match without Kafka or Faust, beside the worker's.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from bench.harness import summary, timed
from bench.micro.alert_state import START, stream
from bench.system.pipeline import Ctx, Run, Sizing, batch, pipeline_worker, worker_settings
from streams.alerting.configure import alert_rules
from streams.alerting.logic import AlertRules
from streams.alerting.state import StateValue, encode
from streams.alerting.store import AlertStore
from streams.steps import AlertStep, Record

#: One topic of its own, so no warm-up article's state shares its keys.
TOPIC = ("bench-hot-topic", "high")
#: Published time moves on this much between runs: the earlier runs' stories expire.
RUN_GAP = timedelta(days=10)
PARTITION = 0
BATCH = 500  # records per step call in the mirror, as NEWSRADAR_WORKER__BATCH_SIZE


@dataclass
class Mirror:
    """The alert step in this process, fed what the worker is fed, in the same order."""

    rules: AlertRules
    kept: dict[str, StateValue] = field(default_factory=dict)
    offset: int = 0

    def __post_init__(self) -> None:
        self.store = AlertStore(self.kept, self.rules.story)
        self.step = AlertStep(self.rules)

    def run(self, values: list[bytes]) -> tuple[int, float]:
        """The alerts these matches raise, and the CPU seconds the step took for them."""
        alerts, now = 0, datetime.now(UTC)
        with timed() as spent:
            for lo in range(0, len(values), BATCH):
                records = [
                    Record(v, TOPIC[0].encode(), PARTITION, self.offset + i, now.timestamp())
                    for i, v in enumerate(values[lo : lo + BATCH])
                ]
                self.offset += len(records)
                done = self.step(self.store, records, now=now)
                self.store.apply(done.changes, self._keep)
                alerts += sum(1 for _ in done.outputs())
        return alerts, spent.cpu

    def _keep(self, key: str, value: StateValue | None) -> None:
        """As the worker's table writer: the changelog's bytes, and the value kept."""
        if value is None:
            self.kept.pop(key, None)
        else:
            encode(value)
            self.kept[key] = value


def matches(count: int, run: int, rules: AlertRules) -> list[bytes]:
    """`count` matches of run `run` (its own seed and time), the last one a new story."""
    start = START + run * RUN_GAP
    made = list(stream(count - 1, seed=1000 + run, topics=[TOPIC], start=start, rules=rules))
    last = max(m.article.published or start for m in made) if made else start
    (closing,) = stream(1, seed=5000 + run, topics=[TOPIC], start=last, rules=rules)
    return [m.model_dump_json().encode() for m in [*made, closing]]


def measure(run: Run, sizing: Sizing, ctx: Ctx | None = None) -> dict[str, Any]:
    """A warm-up batch that sizes the runs, then `sizing.runs` runs on one worker."""
    if ctx is None:
        with pipeline_worker(run) as fresh:
            return measure(run, sizing, fresh)
    rules = alert_rules(worker_settings(run).alerting)
    mirror = Mirror(rules)
    probe = _one(run, ctx, mirror, matches(sizing.probe, 0, rules))
    size = sizing.records(probe["rate"])
    run.say(f"alert stage probe: {probe['rate']:,.0f} matches/s; {sizing.runs} runs of {size:,}")
    runs = []
    for n in range(1, sizing.runs + 1):
        runs.append(_one(run, ctx, mirror, matches(size, n, rules)))
        run.say(
            f"alert stage run {n}: {runs[-1]['rate']:,.0f} matches/s,"
            f" {runs[-1]['worker_cpu_ms_per_record']:.2f} ms CPU per match"
        )
    return {
        "topic": TOPIC[0],
        "partition": PARTITION,
        "probe": probe,
        "matches_per_run": size,
        "rate": summary([r["rate"] for r in runs]),
        "worker_cpu_ms_per_match": summary([r["worker_cpu_ms_per_record"] for r in runs]),
        "worker_cores_busy": summary([r["worker_cores_busy"] for r in runs]),
        "in_process_cpu_ms_per_match": summary([r["in_process_cpu_ms_per_match"] for r in runs]),
        "alerts_per_match": summary([r["alerts_expected"] / r["records"] for r in runs]),
        "completed": [r["completed"] for r in runs],
        "alerts_expected": [r["alerts_expected"] for r in runs],
        "producer_rate": summary([r["producer_rate"] for r in runs]),
    }


def _one(run: Run, ctx: Ctx, mirror: Mirror, values: list[bytes]) -> dict[str, Any]:
    """One run: the mirror says how many alerts; the worker is timed making them."""
    alerts, cpu = mirror.run(values)
    records = [(TOPIC[0].encode(), v) for v in values]
    started = time.monotonic()
    result = batch(
        ctx, records, [(("alerts",), alerts)], run.stall_s, source="matches", partition=PARTITION
    )
    if result["completed"]["alerts"] < alerts:
        run.say(
            f"alert stage: {result['completed']['alerts']:,} of {alerts:,} alerts after"
            f" {time.monotonic() - started:.0f} s (the worker and the mirror disagree?)"
        )
    return {
        **result,
        "alerts_expected": alerts,
        "in_process_cpu_ms_per_match": 1000 * cpu / len(values),
    }

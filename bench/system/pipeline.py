"""The worker against a real broker: its ceiling, throughput, end-to-end latency and memory.

Run through `python -m bench.run` (bench/run.py), which chooses the counts and writes the
results. Every figure comes from records' Kafka timestamps (bench/system/kafka.py):

- ceiling: `python -m bench.system.passthrough` (the worker minus its logic: the same app,
  settings, partitions, batches and acknowledged sends, copying raw -> classified
  unchanged) on a batch preloaded into the raw topic: records / (last output record's
  timestamp - first raw record's timestamp).
- throughput: one `newsradar worker` process, warmed up, then a batch of distinct invented
  stories (bench/stories.py: each matches russia-ukraine and makes its own alert) sent as
  fast as kafka-python goes: articles / (last classified or alert timestamp - first raw
  timestamp). The producer's own rate is recorded beside it (it runs on the same cores).
- latency: the same worker, a paced producer at fixed offered loads; per article, the
  alert record's timestamp (set by the worker's producer as it sends the alert) minus the
  raw record's timestamp (set by our producer as it sends the article).
- rss: a fresh worker fed a long stream in chunks (the backlog kept under two chunks),
  its resident set read from /proc/<pid>/status as the alerts pass each checkpoint.

Each namespace has fresh topic names and consumer group, created with `newsradar topics
create`, and is deleted afterwards.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kafka import KafkaProducer

from bench.harness import Say, cpu_seconds, percentile, rss_mib, summary
from bench.stories import article
from bench.system.kafka import (
    POLL_S,
    Namespace,
    Topics,
    idle_cores,
    namespace,
    process,
    producer,
    send_all,
    topics_count,
    wait_for,
)
from bench.system.processes import Worker
from streams.settings import Settings

WARM_UP = 5  # articles through every stage before any clock starts
Ctx = tuple[Namespace, Topics, Worker]


@dataclass
class Run:
    """Where and how much: the broker, a scratch folder, progress lines on stderr."""

    bootstrap: str
    workdir: Path
    say: Say = field(default=lambda line: print(line, file=sys.stderr, flush=True))
    stall_s: float = 60.0
    #: Extra NEWSRADAR_* settings for every worker process (bench.run --worker-env), so a
    #: setting can be compared with the defaults on the same machine.
    worker_env: dict[str, str] = field(default_factory=dict)
    #: Seconds the warm worker is watched doing nothing: its idle CPU, beside the busy figures.
    idle_s: float = 3.0


def worker_settings(run: Run) -> Settings:
    """The settings the run's workers have: the defaults and --worker-env (not this
    process's NEWSRADAR_* variables), for an in-process mirror of what they do."""
    saved = {k: v for k, v in os.environ.items() if k.startswith("NEWSRADAR_")}
    for key in saved:
        del os.environ[key]
    os.environ.update({k: v for k, v in run.worker_env.items() if k.startswith("NEWSRADAR_")})
    try:
        return Settings()
    finally:
        for key in [k for k in os.environ if k.startswith("NEWSRADAR_")]:
            del os.environ[key]
        os.environ.update(saved)


#: Which output topics a batch waits for, and how many new records on them mean done.
Expect = list[tuple[tuple[str, ...], int]]


def _warm_up(ctx: Ctx, out: str, run_id: str) -> None:
    """Articles through every stage before any clock starts (the worker joins its group)."""
    ns, topics, worker = ctx
    base = topics.count(out)
    send_all(ns, [article(run_id, n) for n in range(WARM_UP)])
    reached = wait_for(topics_count(topics, (out,), worker), base + WARM_UP, stall_s=180) - base
    if reached < WARM_UP:
        raise RuntimeError(
            f"warm-up: {reached} of {WARM_UP} on {out}; log:\n{worker.log_text()[-3000:]}"
        )


def batch(
    ctx: Ctx,
    records: list[tuple[bytes, bytes]],
    expect: Expect,
    stall_s: float,
    *,
    source: str = "raw",
    partition: int | None = None,
) -> dict[str, Any]:
    """One preloaded batch: the worker's rate from the first input record's timestamp to
    the last output's, once every group of `expect` has its count (or stalled)."""
    ns, topics, worker = ctx
    fields = sorted({f for group, _ in expect for f in group})
    in_before, before = topics.ends(source), {f: topics.ends(f) for f in fields}
    cpu_before, wall_before = cpu_seconds(worker.process.pid), time.monotonic()
    producer_s = send_all(ns, records, source, partition)
    reached = {}
    for group, wanted in expect:
        base = sum(sum(before[f].values()) for f in group)
        counted = topics_count(topics, group, worker)
        reached["+".join(group)] = wait_for(counted, base + wanted, stall_s) - base
    cpu = cpu_seconds(worker.process.pid) - cpu_before
    wall = time.monotonic() - wall_before
    after = {f: topics.ends(f) for f in fields}
    first = topics.first_timestamp(source, in_before, topics.ends(source))
    last = max(
        topics.last_timestamp(f, before[f], after[f])
        for f in fields
        if sum(after[f].values()) > sum(before[f].values())
    )
    share = min(min(1.0, reached["+".join(g)] / w) for g, w in expect if w)
    done = round(len(records) * share)
    seconds = max(last - first, 0.001)  # timestamps are in ms: a tiny batch may share one
    return {
        "records": len(records),
        "completed": reached,
        "seconds": seconds,
        "rate": done / seconds,
        "producer_rate": len(records) / producer_s,
        # The worker's CPU time over the batch: per record, and as a share of one core
        # (near 1: it computes all the time; well below: it waits, for I/O or for acks).
        "worker_cpu_ms_per_record": 1000 * cpu / max(1, done),
        "worker_cores_busy": cpu / wall,
    }


@dataclass(frozen=True)
class Sizing:
    """How many records per measured run: as many as the probe's rate does in `seconds`.

    The probe batch (not counted) warms the worker up; sizing from it keeps each run
    near `seconds` long however fast the worker is this time, within [lo, hi] records.
    """

    probe: int
    seconds: float
    runs: int
    lo: int
    hi: int

    def records(self, probe_rate: float) -> int:
        return max(self.lo, min(self.hi, round(probe_rate * self.seconds)))


def measured(
    run: Run,
    ctx: Ctx,
    sizing: Sizing,
    make: Callable[[str, int], tuple[bytes, bytes]],
    outputs: tuple[str, ...],
    label: str,
) -> dict[str, Any]:
    """A probe batch, then `sizing.runs` batches of the size it suggests; each record
    makes one record on every topic of `outputs`."""
    idle = idle_cores(ctx[2], run.idle_s)
    probe = [make("probe", i) for i in range(sizing.probe)]
    probed = batch(ctx, probe, [((o,), len(probe)) for o in outputs], run.stall_s)
    size = sizing.records(probed["rate"])
    run.say(f"{label} probe: {probed['rate']:,.0f}/s; {sizing.runs} runs of {size:,}")
    batches = []
    for n in range(sizing.runs):
        records = [make(str(n), i) for i in range(size)]
        batches.append(batch(ctx, records, [((o,), size) for o in outputs], run.stall_s))
        run.say(
            f"{label} run {n + 1}: {batches[-1]['rate']:,.0f}/s,"
            f" {batches[-1]['worker_cpu_ms_per_record']:.2f} ms CPU per record"
        )
    return {"probe": probed, "worker_idle_cores": idle, **summarised(batches)}


def ceiling(run: Run, sizing: Sizing) -> dict[str, Any]:
    """The passthrough on preloaded batches of seed-sized plain-text articles."""
    with (
        namespace(run.bootstrap, run.workdir) as ns,
        process(ns, "bench.system.passthrough", name="passthrough", env=run.worker_env) as worker,
    ):
        topics = Topics(ns)
        try:
            ctx = (ns, topics, worker)
            _warm_up(ctx, "classified", f"{ns.suffix}-warm")
            return measured(
                run,
                ctx,
                sizing,
                lambda tag, i: article(f"{ns.suffix}-{tag}", i),
                ("classified",),
                "ceiling",
            )
        finally:
            topics.close()


def summarised(batches: list[dict[str, Any]]) -> dict[str, Any]:
    """The runs' medians and spreads."""
    return {
        "records_per_run": batches[0]["records"],
        "rate": summary([b["rate"] for b in batches]),
        "producer_rate": summary([b["producer_rate"] for b in batches]),
        "completed": [b["completed"] for b in batches],
        "worker_cpu_ms_per_record": summary([b["worker_cpu_ms_per_record"] for b in batches]),
        "worker_cores_busy": summary([b["worker_cores_busy"] for b in batches]),
    }


@contextlib.contextmanager
def pipeline_worker(
    run: Run,
    *,
    warm: bool = True,
    env: dict[str, str] | None = None,
    command: tuple[str, ...] = ("streams", "worker"),
) -> Iterator[Ctx]:
    """A fresh namespace and one `newsradar worker` process in it, warmed up unless not `warm`
    (then call `warm_up` before measuring: the worker may still be joining its group).

    `env`: settings for this worker over the run's; `command`: `python -m` what."""
    with (
        namespace(run.bootstrap, run.workdir) as ns,
        process(ns, *command, env={**run.worker_env, **(env or {})}) as worker,
    ):
        topics = Topics(ns)
        try:
            if warm:
                warm_up((ns, topics, worker))
            yield ns, topics, worker
        finally:
            topics.close()
            run.say("stopping the worker")


def warm_up(ctx: Ctx) -> None:
    """A few articles through every stage to the alert topic."""
    _warm_up(ctx, "alerts", f"{ctx[0].suffix}-warm")


def throughput(run: Run, ctx: Ctx, sizing: Sizing, *, html: bool) -> dict[str, Any]:
    """Preloaded batches through the whole worker: clean, dedup, classify, alert."""
    kind = "html" if html else "plain"
    suffix = ctx[0].suffix
    return measured(
        run,
        ctx,
        sizing,
        lambda tag, i: article(f"{suffix}-{kind}-{tag}", i, html=html),
        ("classified", "alerts"),
        f"pipeline {kind}",
    )


def latency(
    run: Run,
    ctx: Ctx,
    *,
    loads: list[int],
    seconds: float,
    runs: int,
    capacity: float | None = None,
) -> dict[str, Any]:
    """Paced producers at each offered load; alert timestamp - raw timestamp per article.

    A load above `capacity` (the worker's measured throughput) only builds a queue, whose
    latency grows with the run's length: such a run is cut to the articles the worker
    clears in `seconds`, so its drain stays bounded, and it is marked over capacity.
    """
    per_load: dict[int, list[dict[str, Any]]] = {load: [] for load in loads}
    for n in range(runs):
        for load in loads:
            count = max(1, round(load * seconds))
            if capacity and load > capacity:
                count = min(count, max(1, round(capacity * seconds)))
            one = paced(run, ctx, load, count, f"{ctx[0].suffix}-lat{load}-{n}")
            per_load[load].append(one)
            run.say(
                f"latency run {n + 1} at {load}/s ({count} articles): p50"
                f" {one['p50_ms']:.0f} ms, p95 {one['p95_ms']:.0f} ms,"
                f" p99 {one['p99_ms']:.0f} ms"
            )
    return {
        "timestamps": "alert record CreateTime (the worker's producer, as it sends the alert)"
        " minus raw record CreateTime (kafka-python, as it sends the article); one clock",
        "seconds_per_run": seconds,
        "capacity_per_s": capacity,
        "loads": [
            {
                "offered_per_s": load,
                "over_capacity": bool(capacity and load > capacity),
                "achieved_per_s": summary([m["achieved_per_s"] for m in runs_at]),
                "articles": [m["articles"] for m in runs_at],
                "alerted": [m["alerted"] for m in runs_at],
                **{
                    key: summary([m[key] for m in runs_at])
                    for key in ("p50_ms", "p95_ms", "p99_ms", "max_ms")
                },
            }
            for load, runs_at in per_load.items()
        ],
    }


def paced(run: Run, ctx: Ctx, load: int, count: int, run_id: str) -> dict[str, Any]:
    """`count` new articles sent at `load` per second; their raw-to-alert latencies."""
    ns, topics, worker = ctx
    records = [article(run_id, i) for i in range(count)]
    raw_before, alerts_before = topics.ends("raw"), topics.ends("alerts")
    base = sum(alerts_before.values())
    sender = producer(ns.bootstrap, bulk=False)
    topic = ns.topic("raw")
    try:
        started = time.perf_counter()
        for i, (key, value) in enumerate(records):
            due = started + i / load
            if (wait := due - time.perf_counter()) > 0:
                time.sleep(wait)  # pacing the offered load, not waiting for a result
            sender.send(topic, key=key, value=value)
        sender.flush(timeout=120)
        sent_s = time.perf_counter() - started
    finally:
        sender.close()
    wait_for(topics_count(topics, ("alerts",), worker), base + count, run.stall_s)
    raw = topics.records("raw", raw_before, topics.ends("raw"))
    alerts = topics.records("alerts", alerts_before, topics.ends("alerts"))
    return _latencies(raw, alerts, count, sent_s)


def _latencies(raw: list[Any], alerts: list[Any], count: int, sent_s: float) -> dict[str, Any]:
    sent = {record.key.decode(): record.timestamp for record in raw}
    waits = []
    for record in alerts:
        alert = json.loads(record.value)
        if alert.get("kind") == "story" and alert["article_id"] in sent:
            waits.append(record.timestamp - sent.pop(alert["article_id"]))
    waits.sort()
    if not waits:
        raise RuntimeError("no alert arrived for any article of the latency run")
    return {
        "articles": count,
        "alerted": len(waits),
        "achieved_per_s": count / sent_s,
        "p50_ms": percentile(waits, 0.50),
        "p95_ms": percentile(waits, 0.95),
        "p99_ms": percentile(waits, 0.99),
        "max_ms": waits[-1],
    }


def rss(
    run: Run,
    *,
    articles: int,
    every: int,
    chunk: int,
    max_seconds: float,
    ctx: Ctx | None = None,
) -> dict[str, Any]:
    """A fresh worker (or `ctx`'s) fed `articles` in chunks; its RSS at every `every`.

    Feeding stops after `max_seconds` (the last sample is then taken where it stopped), so
    a slow worker cannot hold the whole benchmark up; the result says how far it got.
    """
    if ctx is None:
        with pipeline_worker(run) as fresh:
            return rss(
                run, articles=articles, every=every, chunk=chunk, max_seconds=max_seconds, ctx=fresh
            )
    ns, topics, worker = ctx
    pid = worker.process.pid
    base = topics.count("alerts")
    alerted = topics_count(topics, ("alerts",), worker)
    samples: list[dict[str, Any]] = [{"articles": 0, "seconds": 0.0, **rss_mib(pid)}]
    run.say(f"rss at the start: {samples[-1]['rss_mib']} MiB")
    sender = producer(ns.bootstrap, bulk=True)
    started, sent, stopped = time.monotonic(), 0, False
    progress = (0, started)  # (articles done, when that count was first seen)
    try:
        for checkpoint in [*range(every, articles, every), articles]:
            # Until the checkpoint (or, once time is up, everything sent) has been alerted.
            while (done := alerted() - base) < (sent if stopped else checkpoint):
                now = time.monotonic()
                stopped = stopped or now - started > max_seconds
                # Chunks of about 5 s of work (at most `chunk`): a short queue to drain at the end.
                size = max(100, min(chunk, round(5 * done / (now - started)))) if done else 100
                if not stopped and sent < articles and sent - done < 2 * size:
                    sent = _send_chunk(sender, ns, sent, min(articles, sent + size))
                    continue
                if done > progress[0]:
                    progress = (done, now)
                elif now - progress[1] > run.stall_s:
                    raise RuntimeError(f"rss: the worker stalled at {done:,} articles")
                if now - started - samples[-1]["seconds"] > max_seconds / 10:
                    _sample(run, samples, done, started, pid)  # a curve even when cut short
                time.sleep(POLL_S)  # polling the alert count
            _sample(run, samples, done, started, pid)
            if stopped:
                break
    finally:
        sender.close()
    return _rss_result(samples, articles, every, stopped)


def _sample(run: Run, samples: list[dict[str, Any]], done: int, started: float, pid: int) -> None:
    samples.append({"articles": done, "seconds": time.monotonic() - started, **rss_mib(pid)})
    run.say(f"rss at {done:,} articles: {samples[-1]['rss_mib']} MiB")


def _send_chunk(sender: KafkaProducer, ns: Namespace, start: int, end: int) -> int:
    for i in range(start, end):
        key, value = article(ns.suffix, i)
        sender.send(ns.topic("raw"), key=key, value=value)
    sender.flush(timeout=120)
    return end


def _rss_result(
    samples: list[dict[str, Any]], articles: int, every: int, stopped: bool
) -> dict[str, Any]:
    """Growth from the first checkpoint (a third of the way, if cut short before) to the end."""
    for before, after in itertools.pairwise(samples):
        span = after["seconds"] - before["seconds"]
        after["rate_since_previous"] = (
            (after["articles"] - before["articles"]) / span if span else None
        )
    last = samples[-1]
    reference = next(
        (s for s in samples if s["articles"] >= min(every, last["articles"] / 3)), last
    )
    return {
        "articles_planned": articles,
        "articles_done": last["articles"],
        "cut_short_by_time": stopped,
        "every": every,
        "samples": samples,
        "growth_reference_articles": reference["articles"],
        "growth": last["rss_mib"] / reference["rss_mib"] - 1,
        "rate_overall": last["articles"] / last["seconds"] if last["seconds"] else None,
    }

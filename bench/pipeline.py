"""The pipeline against a real broker: its ceiling, throughput, end-to-end latency and memory.

Run through `python -m bench.run` (bench/run.py), which chooses the counts and writes the
results. Every figure comes from records' Kafka timestamps (CreateTime: stamped by the
producing client when it sends), so the benchmark's own consumers never stand in the way:

- ceiling: `python -m bench.passthrough` (the worker's Faust app with one agent copying
  raw -> classified unchanged) on a batch preloaded into the raw topic: records / (last
  output record's timestamp - first raw record's timestamp).
- throughput: one `newsradar worker` process, warmed up, then a batch of distinct invented
  stories (bench/stories.py: each matches russia-ukraine and makes its own alert) sent as
  fast as kafka-python goes: articles / (last classified or alert timestamp - first raw
  timestamp). The producer's own rate is recorded beside it (it runs on the same cores).
- latency: the same worker, a paced producer at fixed offered loads; per article, the
  alert record's timestamp (set by the worker's producer as it sends the alert) minus the
  raw record's timestamp (set by our producer as it sends the article).
- rss: a fresh worker fed a long stream in chunks (the backlog kept under two chunks),
  its resident set read from /proc/<pid>/status as the alerts pass each checkpoint.

Each namespace has fresh topic names and consumer group (tests/processes.py's Pipeline),
created with `newsradar topics create`, and is deleted afterwards.
"""

from __future__ import annotations

import contextlib
import itertools
import os
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # `python bench/run.py` as well as `python -m bench.run`
    sys.path.insert(0, str(REPO))

from bench.stories import article  # noqa: E402
from tests.processes import Pipeline, Worker, free_port, stop  # noqa: E402

POLL_S = 0.2
WARM_UP = 5  # articles through every stage before any clock starts
Progress = Callable[[str], None]


class Namespace(Pipeline):
    """tests/processes.py's isolated namespace, named for benchmarks, logging warnings only."""

    def topic(self, field: str) -> str:
        return f"bench-{self.suffix}.{field}"

    def env(self, **extra: str) -> dict[str, str]:
        env = super().env()
        env.update(
            NEWSRADAR_WORKER__APP_ID=f"newsradar-bench-{self.suffix}",
            NEWSRADAR_LOG_LEVEL="WARNING",
        )
        env.update(extra)
        return env


@contextlib.contextmanager
def namespace(bootstrap: str, workdir: Path) -> Iterator[Namespace]:
    """Fresh topics (created with `newsradar topics create`), deleted afterwards."""
    ns = Namespace(bootstrap, workdir, uuid.uuid4().hex[:10])
    created = ns.cli("topics", "create")
    if created.returncode != 0:
        raise RuntimeError(f"newsradar topics create failed:\n{created.stderr[-2000:]}")
    try:
        yield ns
    finally:
        delete_topics(bootstrap, ns.suffix)


def delete_topics(bootstrap: str, suffix: str) -> None:
    """Every topic of the namespace, Faust's internal ones (changelogs, re-key topic) too."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        names = [name for name in admin.list_topics() if suffix in name]
        if names:
            admin.delete_topics(names)
    finally:
        admin.close()


@contextlib.contextmanager
def process(
    ns: Namespace, module: str, *args: str, name: str = "worker", env: dict[str, str] | None = None
) -> Iterator[Worker]:
    """`python -m MODULE ARGS` in the namespace (its own /metrics port), always stopped.

    `env`: more settings for it (NEWSRADAR_...), after the namespace's own."""
    log_path = ns.workdir / f"{name}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            env=ns.env(NEWSRADAR_WEB__PORT=str(free_port()), **(env or {})),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=REPO,
        )
        try:
            yield Worker(proc, 0, log_path)
        finally:
            stop(proc)


class Topics:
    """End offsets and record timestamps of the namespace's topics (one kafka-python consumer)."""

    def __init__(self, ns: Namespace) -> None:
        self.ns = ns
        self.consumer = KafkaConsumer(
            bootstrap_servers=ns.bootstrap, group_id=None, enable_auto_commit=False
        )

    def close(self) -> None:
        self.consumer.close()

    def partitions(self, field: str) -> list[TopicPartition]:
        topic = self.ns.topic(field)
        found = self.consumer.partitions_for_topic(topic) or set()
        return [TopicPartition(topic, p) for p in sorted(found)]

    def ends(self, field: str) -> dict[int, int]:
        offsets = self.consumer.end_offsets(self.partitions(field))
        return {tp.partition: offset for tp, offset in offsets.items()}

    def count(self, field: str) -> int:
        return sum(self.ends(field).values())

    def records(self, field: str, start: dict[int, int], end: dict[int, int]) -> list[Any]:
        """Every record between two sets of offsets (bounded: 120 s)."""
        wanted = {p: o for p, o in end.items() if o > start.get(p, 0)}
        if not wanted:
            return []
        topic = self.ns.topic(field)
        parts = [TopicPartition(topic, p) for p in wanted]
        self.consumer.assign(parts)
        for tp in parts:
            self.consumer.seek(tp, start.get(tp.partition, 0))
        out: list[Any] = []
        done: set[int] = set()
        deadline = time.monotonic() + 120
        while len(done) < len(parts) and time.monotonic() < deadline:
            for tp, batch in self.consumer.poll(timeout_ms=500).items():
                for record in batch:
                    if record.offset < wanted[tp.partition]:
                        out.append(record)
                if self.consumer.position(tp) >= wanted[tp.partition]:
                    done.add(tp.partition)
        self.consumer.unsubscribe()
        return out

    def first_timestamp(self, field: str, start: dict[int, int], end: dict[int, int]) -> float:
        """Seconds: the earliest timestamp among the first new record of each partition."""
        firsts = {p: start.get(p, 0) + 1 for p, o in end.items() if o > start.get(p, 0)}
        return min(r.timestamp for r in self.records(field, start, firsts)) / 1000

    def last_timestamp(self, field: str, start: dict[int, int], end: dict[int, int]) -> float:
        """Seconds: the latest timestamp among the last new record of each partition."""
        lasts = {p: o - 1 for p, o in end.items() if o > start.get(p, 0)}
        records = self.records(field, lasts, {p: end[p] for p in lasts})
        return max(r.timestamp for r in records) / 1000


def wait_for(
    counts: Callable[[], int], target: int, stall_s: float, deadline_s: float = 3600
) -> int:
    """Poll until `counts()` reaches `target`; give up after `stall_s` without progress."""
    last, last_change = -1, time.monotonic()
    give_up = time.monotonic() + deadline_s
    while time.monotonic() < give_up:
        now = counts()
        if now >= target:
            return now
        if now != last:
            last, last_change = now, time.monotonic()
        elif time.monotonic() - last_change > stall_s:
            return now
        time.sleep(POLL_S)
    return counts()


def producer(bootstrap: str, *, bulk: bool) -> KafkaProducer:
    """acks=all like `newsradar publish`; `bulk`: its batching (bench/publish.py's baseline)."""
    from streams.sources.kafka_out import BULK_TUNING

    tuning = BULK_TUNING if bulk else {}
    return KafkaProducer(bootstrap_servers=bootstrap, acks="all", metrics_enabled=False, **tuning)


def send_all(ns: Namespace, records: list[tuple[bytes, bytes]]) -> float:
    """Preload: send as fast as the producer goes; seconds from first send to last ack."""
    sender = producer(ns.bootstrap, bulk=True)
    topic = ns.topic("raw")
    try:
        started = time.perf_counter()
        for key, value in records:
            sender.send(topic, key=key, value=value)
        sender.flush(timeout=600)
        return time.perf_counter() - started
    finally:
        sender.close()


def rss_mib(pid: int) -> dict[str, float]:
    """The process's resident set now and at its peak, from /proc (Linux)."""
    fields = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = round(int(value.split()[0]) / 1024, 1)
    return {"rss_mib": fields.get("VmRSS", 0.0), "peak_mib": fields.get("VmHWM", 0.0)}


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process has used, from /proc (Linux)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def summary(values: list[float]) -> dict[str, Any]:
    """Median and spread over runs (the median is the figure)."""
    return {
        "median": statistics.median(values),
        "min": min(values),
        "max": max(values),
        "runs": values,
    }


def percentile(sorted_values: list[float], share: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    index = max(0, min(len(sorted_values) - 1, round(share * len(sorted_values)) - 1))
    return sorted_values[index]


# --- the benchmarks -----------------------------------------------------------------------


@dataclass
class Run:
    """Where and how much: the broker, a scratch folder, progress lines on stderr."""

    bootstrap: str
    workdir: Path
    say: Progress = field(default=lambda line: print(line, file=sys.stderr, flush=True))
    stall_s: float = 60.0
    #: Extra NEWSRADAR_* settings for every worker process (bench.run --worker-env), so a
    #: setting can be compared with the defaults on the same machine.
    worker_env: dict[str, str] = field(default_factory=dict)
    #: Seconds the warm worker is watched doing nothing: its idle CPU, beside the busy figures.
    idle_s: float = 3.0


def _warm_up(ns: Namespace, topics: Topics, worker: Worker, out: str, run_id: str) -> None:
    """Articles through every stage before any clock starts (the worker joins its group)."""
    send_all(ns, [article(run_id, n) for n in range(WARM_UP)])
    reached = wait_for(topics_count(topics, out, worker), WARM_UP, stall_s=180)
    if reached < WARM_UP:
        raise RuntimeError(
            f"warm-up: {reached} of {WARM_UP} on {out}; log:\n{worker.log_text()[-3000:]}"
        )


def topics_count(topics: Topics, out: str, worker: Worker) -> Callable[[], int]:
    def count() -> int:
        if not worker.alive():
            raise RuntimeError(f"the worker exited; log:\n{worker.log_text()[-3000:]}")
        return topics.count(out)

    return count


def _batch(
    ns: Namespace,
    topics: Topics,
    worker: Worker,
    records: list[tuple[bytes, bytes]],
    outputs: tuple[str, ...],
    stall_s: float,
) -> dict[str, Any]:
    """One preloaded batch: the worker's rate from first raw to last output timestamp."""
    raw_before = topics.ends("raw")
    before = {out: topics.ends(out) for out in outputs}
    base = {out: sum(offsets.values()) for out, offsets in before.items()}
    cpu_before, wall_before = cpu_seconds(worker.process.pid), time.monotonic()
    producer_s = send_all(ns, records)
    reached = {
        out: wait_for(topics_count(topics, out, worker), base[out] + len(records), stall_s)
        - base[out]
        for out in outputs
    }
    cpu = cpu_seconds(worker.process.pid) - cpu_before
    wall = time.monotonic() - wall_before
    after = {out: topics.ends(out) for out in outputs}
    first = topics.first_timestamp("raw", raw_before, topics.ends("raw"))
    last = max(
        topics.last_timestamp(out, before[out], after[out]) for out in outputs if reached[out]
    )
    done = min(reached.values())
    return {
        "records": len(records),
        "completed": reached,
        "seconds": last - first,
        "rate": done / (last - first),
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


def _measured(
    run: Run,
    ctx: tuple[Namespace, Topics, Worker],
    sizing: Sizing,
    make: Callable[[str, int], tuple[bytes, bytes]],
    outputs: tuple[str, ...],
    label: str,
) -> dict[str, Any]:
    """A probe batch, then `sizing.runs` batches of the size it suggests."""
    ns, topics, worker = ctx
    idle = _idle_cores(worker, run.idle_s)
    probe = [make("probe", i) for i in range(sizing.probe)]
    probed = _batch(ns, topics, worker, probe, outputs, run.stall_s)
    size = sizing.records(probed["rate"])
    run.say(f"{label} probe: {probed['rate']:,.0f}/s; {sizing.runs} runs of {size:,}")
    batches = []
    for n in range(sizing.runs):
        batch = [make(str(n), i) for i in range(size)]
        batches.append(_batch(ns, topics, worker, batch, outputs, run.stall_s))
        run.say(f"{label} run {n + 1}: {batches[-1]['rate']:,.0f}/s")
    return {"probe": probed, "worker_idle_cores": idle, **_summarised(batches)}


def _idle_cores(worker: Worker, seconds: float) -> float:
    """The worker's CPU share while it has nothing to do (timers, heartbeats, commits)."""
    before, started = cpu_seconds(worker.process.pid), time.monotonic()
    time.sleep(seconds)  # watching an idle process, not waiting for a result
    return (cpu_seconds(worker.process.pid) - before) / (time.monotonic() - started)


def ceiling(run: Run, sizing: Sizing) -> dict[str, Any]:
    """bench.passthrough on preloaded batches of seed-sized plain-text articles."""
    with (
        namespace(run.bootstrap, run.workdir) as ns,
        process(ns, "bench.passthrough", name="passthrough", env=run.worker_env) as worker,
    ):
        topics = Topics(ns)
        try:
            _warm_up(ns, topics, worker, "classified", f"{ns.suffix}-warm")
            return _measured(
                run,
                (ns, topics, worker),
                sizing,
                lambda tag, i: article(f"{ns.suffix}-{tag}", i),
                ("classified",),
                "ceiling",
            )
        finally:
            topics.close()


def _summarised(batches: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "records_per_run": batches[0]["records"],
        "rate": summary([b["rate"] for b in batches]),
        "producer_rate": summary([b["producer_rate"] for b in batches]),
        "completed": [b["completed"] for b in batches],
        "worker_cpu_ms_per_record": summary([b["worker_cpu_ms_per_record"] for b in batches]),
        "worker_cores_busy": summary([b["worker_cores_busy"] for b in batches]),
    }


@contextlib.contextmanager
def pipeline_worker(run: Run, *, warm: bool = True) -> Iterator[tuple[Namespace, Topics, Worker]]:
    """A fresh namespace and one `newsradar worker` process in it, warmed up unless not `warm`
    (then call `warm_up` before measuring: the worker may still be joining its group)."""
    with (
        namespace(run.bootstrap, run.workdir) as ns,
        process(ns, "streams", "worker", env=run.worker_env) as worker,
    ):
        topics = Topics(ns)
        try:
            if warm:
                warm_up((ns, topics, worker))
            yield ns, topics, worker
        finally:
            topics.close()
            run.say("stopping the worker")


def warm_up(ctx: tuple[Namespace, Topics, Worker]) -> None:
    """A few articles through every stage to the alert topic."""
    ns, topics, worker = ctx
    _warm_up(ns, topics, worker, "alerts", f"{ns.suffix}-warm")


def throughput(
    run: Run, ctx: tuple[Namespace, Topics, Worker], sizing: Sizing, *, html: bool
) -> dict[str, Any]:
    """Preloaded batches through the whole worker: clean, dedup, classify, alert."""
    kind = "html" if html else "plain"
    suffix = ctx[0].suffix
    return _measured(
        run,
        ctx,
        sizing,
        lambda tag, i: article(f"{suffix}-{kind}-{tag}", i, html=html),
        ("classified", "alerts"),
        f"pipeline {kind}",
    )


def latency(
    run: Run,
    ctx: tuple[Namespace, Topics, Worker],
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
            measured = _paced(run, ctx, load, count, f"{ctx[0].suffix}-lat{load}-{n}")
            per_load[load].append(measured)
            run.say(
                f"latency run {n + 1} at {load}/s ({count} articles): p50"
                f" {measured['p50_ms']:.0f} ms, p95 {measured['p95_ms']:.0f} ms,"
                f" p99 {measured['p99_ms']:.0f} ms"
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
                "achieved_per_s": summary([m["achieved_per_s"] for m in measured]),
                "articles": [m["articles"] for m in measured],
                "alerted": [m["alerted"] for m in measured],
                **{
                    key: summary([m[key] for m in measured])
                    for key in ("p50_ms", "p95_ms", "p99_ms", "max_ms")
                },
            }
            for load, measured in per_load.items()
        ],
    }


def _paced(
    run: Run, ctx: tuple[Namespace, Topics, Worker], load: int, count: int, run_id: str
) -> dict[str, Any]:
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
    wait_for(topics_count(topics, "alerts", worker), base + count, run.stall_s)
    raw = topics.records("raw", raw_before, topics.ends("raw"))
    alerts = topics.records("alerts", alerts_before, topics.ends("alerts"))
    return _latencies(raw, alerts, count, sent_s)


def _latencies(raw: list[Any], alerts: list[Any], count: int, sent_s: float) -> dict[str, Any]:
    import json

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
    ctx: tuple[Namespace, Topics, Worker] | None = None,
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
    alerted = topics_count(topics, "alerts", worker)
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

"""Every pipeline benchmark in one command: ceiling, throughput, latency, memory, stage costs.

    python -m bench.run                 # the full set, about 15 minutes
    python -m bench.run --quick         # a few minutes, smaller runs
    python -m bench.run --rss-articles 1000000 --rss-minutes 60   # the long memory run
    python -m bench.run --only ceiling,throughput --bootstrap 127.0.0.1:19092

The broker: --bootstrap, else NEWSRADAR_TEST_KAFKA, else a local broker of our own on free
ports (tests/kafka_broker.py), stopped afterwards. Results: bench/results/pipeline.json,
.md and .png (pipeline-quick.* with --quick); see bench/pipeline.py for what is measured.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bench import pipeline, report, stages  # noqa: E402
from bench.pipeline import Run, Sizing  # noqa: E402

BENCHMARKS = ("stages", "ceiling", "throughput", "latency", "rss")


@dataclass(frozen=True)
class Profile:
    """The counts of one mode; each measured run lasts about `Sizing.seconds`."""

    ceiling: Sizing
    plain: Sizing
    html: Sizing
    loads: tuple[int, ...]
    load_seconds: float
    load_runs: int
    rss_articles: int
    rss_every: int
    rss_minutes: float
    stage_articles: tuple[int, int]  # plain, HTML
    stage_runs: int
    stall_s: float = 60.0


PROFILES = {
    "full": Profile(
        ceiling=Sizing(probe=1000, seconds=20, runs=3, lo=1000, hi=200_000),
        plain=Sizing(probe=300, seconds=30, runs=3, lo=200, hi=100_000),
        html=Sizing(probe=30, seconds=20, runs=3, lo=30, hi=20_000),
        loads=(50, 200, 1000),
        load_seconds=10,
        load_runs=3,
        rss_articles=300_000,
        rss_every=100_000,
        rss_minutes=5,
        stage_articles=(500, 100),
        stage_runs=5,
    ),
    "quick": Profile(
        ceiling=Sizing(probe=300, seconds=8, runs=3, lo=300, hi=50_000),
        plain=Sizing(probe=100, seconds=10, runs=3, lo=50, hi=20_000),
        html=Sizing(probe=10, seconds=8, runs=2, lo=10, hi=5_000),
        loads=(50, 200, 1000),
        load_seconds=4,
        load_runs=2,
        rss_articles=20_000,
        rss_every=5_000,
        rss_minutes=2,
        stage_articles=(100, 20),
        stage_runs=3,
    ),
    # CI: that every benchmark runs end to end; the figures mean nothing.
    "smoke": Profile(
        ceiling=Sizing(probe=10, seconds=0, runs=1, lo=20, hi=20),
        plain=Sizing(probe=5, seconds=0, runs=1, lo=10, hi=10),
        html=Sizing(probe=1, seconds=0, runs=1, lo=2, hi=2),
        loads=(20,),
        load_seconds=0.5,
        load_runs=1,
        rss_articles=20,
        rss_every=10,
        rss_minutes=1,
        stage_articles=(3, 1),
        stage_runs=1,
        stall_s=30,
    ),
}

METHOD = [
    "Throughput: a batch preloaded into the raw topic by a kafka-python producer (acks=all,"
    " `newsradar publish`'s batching) while the worker waits, warmed up; records / (latest"
    " timestamp on the output topics - earliest timestamp of the batch on the raw topic)."
    " Timestamps are Kafka CreateTime, stamped by each producing client as it sends. A probe"
    " batch before the runs (not counted) sizes them to last about the same time however"
    " fast the worker is. The producer's own rate is listed: it shares the cores.",
    "Ceiling: `python -m bench.passthrough`, newsradar's own Faust app and topics with one"
    " agent copying raw to an output topic unchanged, measured the same way.",
    "Articles: invented Russia–Ukraine stories (bench/stories.py), seed-sized (about 2.9 KB of"
    " text; the HTML ones inside a 45 KB news page), each with its own URL and text, so each"
    " passes the dedup, matches the topic and founds its own story: one alert per article.",
    "Latency: a paced producer (kafka-python, acks=all, no linger) at each offered load on the"
    " same warmed worker; per article, its alert's timestamp minus its raw record's"
    " timestamp; nearest-rank percentiles per run, then the median over runs.",
    "Memory: a fresh worker fed in chunks of about 5 s of its work; VmRSS and VmHWM of its"
    " process from /proc/<pid>/status when the alert count passes each checkpoint.",
    "Worker CPU: utime+stime of the worker process from /proc over each batch; 'cores"
    " busy' near 1 means it computes all the time (CPU-bound, one Python thread), well"
    " below 1 that it waits, or, on a busy machine, that it did not get a core.",
    "Every benchmark has fresh topics (partitions 2, `newsradar topics create`) and"
    " consumer group, deleted afterwards.",
]


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    profile = PROFILES[mode]
    profile = replace(
        profile,
        rss_articles=args.rss_articles or profile.rss_articles,
        rss_every=args.rss_every or min(profile.rss_every, args.rss_articles or profile.rss_every),
        rss_minutes=args.rss_minutes or profile.rss_minutes,
    )
    chosen = BENCHMARKS if args.only == "all" else tuple(args.only.split(","))
    unknown = set(chosen) - set(BENCHMARKS)
    if unknown:
        raise SystemExit(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    load_before = round(os.getloadavg()[0], 2)
    started = time.monotonic()
    with (
        _broker(args.bootstrap) as bootstrap,
        tempfile.TemporaryDirectory(prefix="newsradar-bench-") as scratch,
    ):
        clock = time.monotonic()
        run = Run(
            bootstrap,
            Path(scratch),
            say=lambda line: print(
                f"[{time.monotonic() - clock:6.1f}s] {line}", file=sys.stderr, flush=True
            ),
            stall_s=profile.stall_s,
            worker_env=dict(pair.split("=", 1) for pair in args.worker_env),
            idle_s=0.5 if mode == "smoke" else 3.0,
        )
        measured = measure(run, profile, chosen, mode)
        result = {
            "benchmark": "pipeline",
            "mode": mode,
            "when": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": "python -m bench.run " + " ".join(sys.argv[1:] if argv is None else argv),
            "minutes": round((time.monotonic() - started) / 60, 1),
            "machine": _machine(load_before),
            "versions": _versions(),
            "broker": {"bootstrap": bootstrap, "version": _broker_version(bootstrap)},
            "profile": _plain(profile),
            "worker_env": run.worker_env,
            "method": METHOD,
            **measured,
        }
    stem = {"full": "pipeline", "quick": "pipeline-quick", "smoke": "pipeline-smoke"}[mode]
    for path in report.write(result, args.out, stem):
        print(path)
    return 0


def measure(run: Run, profile: Profile, chosen: tuple[str, ...], mode: str) -> dict[str, Any]:
    """Each chosen benchmark in turn; the pipeline ones share one warmed-up worker."""
    out: dict[str, Any] = {}
    if "stages" in chosen:
        out["stages"] = stages.run(*profile.stage_articles, profile.stage_runs, run.say)
    needs_worker = bool({"throughput", "latency", "rss"} & set(chosen))
    with contextlib.ExitStack() as stack:
        ctx = None
        if needs_worker and mode == "smoke":  # CI: start it while the ceiling runs
            ctx = stack.enter_context(pipeline.pipeline_worker(run, warm=False))
        if "ceiling" in chosen:
            out["ceiling"] = pipeline.ceiling(run, profile.ceiling)
        if not needs_worker:
            return out
        ctx = ctx or stack.enter_context(pipeline.pipeline_worker(run, warm=False))
        pipeline.warm_up(ctx)
        run.say("the pipeline worker is warm")
        if "throughput" in chosen:
            out["throughput"] = {
                "plain": pipeline.throughput(run, ctx, profile.plain, html=False),
                "html": pipeline.throughput(run, ctx, profile.html, html=True),
            }
        if "latency" in chosen:
            capacity = out.get("throughput", {}).get("plain", {}).get("rate", {}).get("median")
            loads = list(profile.loads)
            if capacity and capacity / 2 < min(loads):  # one load the worker keeps up with
                loads.insert(0, max(1, round(capacity / 2)))
            out["latency"] = pipeline.latency(
                run,
                ctx,
                loads=loads,
                seconds=profile.load_seconds,
                runs=profile.load_runs,
                capacity=capacity,
            )
        if "rss" in chosen and mode == "smoke":  # CI: one worker start fewer
            out["rss"] = _rss(run, profile, ctx)
    if "rss" in chosen and mode != "smoke":
        out["rss"] = _rss(run, profile, None)
    run.say("done")
    return out


def _rss(run: Run, profile: Profile, ctx: Any) -> dict[str, Any]:
    return pipeline.rss(
        run,
        articles=profile.rss_articles,
        every=profile.rss_every,
        chunk=20_000,
        max_seconds=profile.rss_minutes * 60,
        ctx=ctx,
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="smaller runs, a few minutes")
    size.add_argument("--smoke", action="store_true", help="tiny counts: that it all runs (CI)")
    parser.add_argument("--bootstrap", help="a running broker (default: see above)")
    parser.add_argument("--only", default="all", help=f"comma-separated of {','.join(BENCHMARKS)}")
    parser.add_argument("--rss-articles", type=int, help="the memory run's length (full: 300k)")
    parser.add_argument("--rss-every", type=int, help="a memory sample every N (full: 100k)")
    parser.add_argument(
        "--rss-minutes", type=float, help="stop feeding the memory run after this (full: 5)"
    )
    parser.add_argument(
        "--worker-env",
        action="append",
        default=[],
        metavar="NEWSRADAR_X=VALUE",
        help="a setting for every worker process, to compare it with the defaults (repeatable)",
    )
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results")
    return parser


@contextlib.contextmanager
def _broker(bootstrap: str | None) -> Iterator[str]:
    if bootstrap:
        yield bootstrap
        return
    from tests.kafka_broker import kafka_broker

    with kafka_broker() as address:
        yield address


def _machine(load_before: float) -> dict[str, Any]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        found = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = found.group(1).strip() if found else cpu
    ram = 0.0
    with contextlib.suppress(OSError, AttributeError):
        kib = re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text())
        ram = round(int(kib.group(1)) / 2**20, 1)  # type: ignore[union-attr]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": ram,
        "platform": platform.platform(),
        "load_before": load_before,
        "load_after": round(os.getloadavg()[0], 2),
    }


def _versions() -> dict[str, str]:
    versions = {"python": platform.python_version()}
    for package in ("faust-streaming", "aiokafka", "kafka-python", "pydantic", "trafilatura"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions[package] = metadata.version(package)
    versions["newsradar"] = "unknown"
    with contextlib.suppress(OSError):  # no git here
        described = subprocess.run(
            ["git", "describe", "--always", "--dirty"], cwd=REPO, capture_output=True, text=True
        )
        versions["newsradar"] = described.stdout.strip() or "unknown"
    return versions


def _broker_version(bootstrap: str) -> str:
    """The jar a broker on this machine runs (Kafka reports no version over the protocol)."""
    port = bootstrap.rsplit(":", 1)[-1]
    jars: set[str] = set()
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        with contextlib.suppress(OSError):
            text = cmdline.read_bytes().decode(errors="replace")
            if "kafka.Kafka" in text:
                jars |= set(re.findall(r"kafka_2\.\d+-([\d.]+)\.jar", text))
    if len(jars) == 1:
        return f"{jars.pop()} (the jar of the Kafka process on this machine)"
    if jars:
        return f"one of {sorted(jars)} (several Kafka processes here; port {port})"
    return "unknown (not a process on this machine)"


def _plain(profile: Profile) -> dict[str, Any]:
    from dataclasses import asdict

    return asdict(profile)


if __name__ == "__main__":
    sys.exit(main())

"""Every benchmark of the worker in one command: stages, ceiling, throughput, latency, memory.

    python -m bench.run                 # the full set, about 25 minutes here
    python -m bench.run --quick         # a few minutes, smaller runs
    python -m bench.run --smoke         # tiny counts: that everything runs (CI)
    python -m bench.run --rss-articles 1000000 --rss-minutes 300 --only rss   # the long memory run
    python -m bench.run --only ceiling,throughput --bootstrap 127.0.0.1:19092
    python -m bench.run --only settings  # the worker's settings against their alternatives
    python -m bench.run --only collector # the cycle collector's share of the worker's CPU

The broker: --bootstrap, else NEWSRADAR_TEST_KAFKA, else a local broker of our own on free
ports (bench/system/broker.py), stopped afterwards. Results: bench/results/<mode>.json,
.md and .png (ignored by git; bench/results/baseline.md is a full run's summary, kept).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench import harness, report
from bench.micro import stages
from bench.system import alert_stage, broker, collector, pipeline, process_ratio, settings_sweep
from bench.system.pipeline import Ctx, Run, Sizing

#: In the order they run; `settings` (about 75 minutes here) and `collector` (about 10) run
#: only when named.
BENCHMARKS = (
    "stages",
    "ceiling",
    "throughput",
    "latency",
    "alert-stage",
    "process-ratio",
    "rss",
)
OPT_IN = ("settings", "collector")


@dataclass(frozen=True)
class Profile:
    """The counts of one mode; each measured run lasts about `Sizing.seconds`."""

    ceiling: Sizing
    plain: Sizing
    html: Sizing
    loads: tuple[int, ...]
    load_seconds: float
    load_runs: int
    alert: Sizing
    process_runs: int
    process_limit: int | None  # articles and pages of the real corpus, each (None: all)
    rss_articles: int
    rss_every: int
    rss_minutes: float
    stage_articles: tuple[int, int]  # plain, HTML
    stage_runs: int
    sweep: settings_sweep.Sweep
    collector: tuple[int, int]  # articles per batch, rounds
    stall_s: float = 60.0


PROFILES = {
    "full": Profile(
        ceiling=Sizing(probe=1000, seconds=20, runs=3, lo=1000, hi=200_000),
        plain=Sizing(probe=300, seconds=30, runs=3, lo=200, hi=100_000),
        html=Sizing(probe=30, seconds=20, runs=3, lo=30, hi=20_000),
        loads=(50, 200, 1000),
        load_seconds=10,
        load_runs=3,
        alert=Sizing(probe=2000, seconds=20, runs=3, lo=1000, hi=100_000),
        process_runs=5,  # the plain corpus takes 2 s in-process: more turns, less noise
        process_limit=None,
        rss_articles=300_000,
        rss_every=100_000,
        rss_minutes=5,
        stage_articles=(500, 100),
        stage_runs=5,
        sweep=settings_sweep.Sweep(articles=4000, runs=5, latency_load=50, latency_seconds=20),
        collector=(8000, 3),
    ),
    "quick": Profile(
        ceiling=Sizing(probe=300, seconds=8, runs=3, lo=300, hi=50_000),
        plain=Sizing(probe=100, seconds=10, runs=3, lo=50, hi=20_000),
        html=Sizing(probe=10, seconds=8, runs=2, lo=10, hi=5_000),
        loads=(50, 200, 1000),
        load_seconds=4,
        load_runs=2,
        alert=Sizing(probe=500, seconds=6, runs=3, lo=300, hi=20_000),
        process_runs=2,
        process_limit=150,
        rss_articles=20_000,
        rss_every=5_000,
        rss_minutes=2,
        stage_articles=(100, 20),
        stage_runs=3,
        sweep=settings_sweep.Sweep(articles=300, runs=2, latency_load=50, latency_seconds=4),
        collector=(1000, 2),
    ),
    # CI: that every benchmark runs end to end; the figures mean nothing.
    "smoke": Profile(
        ceiling=Sizing(probe=10, seconds=0, runs=1, lo=20, hi=20),
        plain=Sizing(probe=5, seconds=0, runs=1, lo=10, hi=10),
        html=Sizing(probe=1, seconds=0, runs=1, lo=2, hi=2),
        loads=(20,),
        load_seconds=0.5,
        load_runs=1,
        alert=Sizing(probe=20, seconds=0, runs=1, lo=30, hi=30),
        process_runs=1,
        process_limit=3,
        rss_articles=20,
        rss_every=10,
        rss_minutes=1,
        stage_articles=(3, 1),
        stage_runs=1,
        sweep=settings_sweep.Sweep(articles=10, runs=1, latency_load=10, latency_seconds=0.5),
        collector=(10, 1),
        stall_s=30,
    ),
}


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    mode = "smoke" if args.smoke else "quick" if args.quick else "full"
    profile = _profile(mode, args)
    chosen = _chosen(args.only)
    load_before, versions = harness.load(), harness.versions()  # the commit measured
    started = time.monotonic()
    say = harness.progress(started)
    with (
        broker.broker(args.bootstrap) as bootstrap,
        tempfile.TemporaryDirectory(prefix="newsradar-bench-") as scratch,
    ):
        run = Run(
            bootstrap,
            Path(scratch),
            say=say,
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
            "machine": harness.machine(load_before),
            "versions": versions,
            "broker": {"bootstrap": bootstrap, "version": broker.version(bootstrap)},
            "profile": asdict(profile),
            "worker_env": run.worker_env,
            "method": report.METHOD,
            **measured,
        }
    stem = mode if chosen != ("settings",) else f"settings-{mode}"
    for path in harness.write(result, args.out, stem, report.markdown, report.chart):
        print(path)
    return 0


def measure(run: Run, profile: Profile, chosen: tuple[str, ...], mode: str) -> dict[str, Any]:
    """Each chosen benchmark in turn; those that need a warm `newsradar worker` share one."""
    out: dict[str, Any] = {}
    if "stages" in chosen:
        out["stages"] = stages.run(*profile.stage_articles, profile.stage_runs, run.say)
    if "ceiling" in chosen:
        out["ceiling"] = pipeline.ceiling(run, profile.ceiling)
    shared = {"throughput", "latency", "alert-stage"}
    if mode == "smoke":  # CI: as few worker starts as can be
        shared |= {"rss", "process-ratio"}
    if shared & set(chosen):
        with pipeline.pipeline_worker(run) as ctx:
            run.say("the pipeline worker is warm")
            out |= _on_one_worker(run, profile, chosen, ctx, smoke=mode == "smoke")
    if "process-ratio" in chosen and mode != "smoke":
        out["process_ratio"] = process_ratio.measure(
            run, profile.process_runs, profile.process_limit
        )
    if "rss" in chosen and mode != "smoke":
        out["rss"] = _rss(run, profile, None)
    if "settings" in chosen:
        out["settings"] = settings_sweep.measure(run, profile.sweep)
    if "collector" in chosen:
        out["collector"] = collector.measure(run, *profile.collector)
    run.say("done")
    return out


def _on_one_worker(
    run: Run, profile: Profile, chosen: tuple[str, ...], ctx: Ctx, *, smoke: bool
) -> dict[str, Any]:
    out: dict[str, Any] = {}
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
    if "alert-stage" in chosen:
        out["alert_stage"] = alert_stage.measure(run, profile.alert, ctx)
    if smoke and "process-ratio" in chosen:  # a worker drops a corpus it saw: one turn
        out["process_ratio"] = process_ratio.measure(
            run, 1, profile.process_limit, ctx=ctx, groups=("plain+html",)
        )
    if smoke and "rss" in chosen:
        out["rss"] = _rss(run, profile, ctx)
    return out


def _rss(run: Run, profile: Profile, ctx: Ctx | None) -> dict[str, Any]:
    return pipeline.rss(
        run,
        articles=profile.rss_articles,
        every=profile.rss_every,
        chunk=20_000,
        max_seconds=profile.rss_minutes * 60,
        ctx=ctx,
    )


def _profile(mode: str, args: argparse.Namespace) -> Profile:
    profile = PROFILES[mode]
    return replace(
        profile,
        rss_articles=args.rss_articles or profile.rss_articles,
        rss_every=args.rss_every or min(profile.rss_every, args.rss_articles or profile.rss_every),
        rss_minutes=args.rss_minutes or profile.rss_minutes,
    )


def _chosen(only: str) -> tuple[str, ...]:
    if only == "all":
        return BENCHMARKS
    names = tuple(name.strip() for name in only.split(",") if name.strip())
    unknown = set(names) - set(BENCHMARKS) - set(OPT_IN)
    if unknown:
        raise SystemExit(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
    return names


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true", help="smaller runs, a few minutes")
    size.add_argument("--smoke", action="store_true", help="tiny counts: that it all runs (CI)")
    parser.add_argument("--bootstrap", help="a running broker (default: see above)")
    parser.add_argument(
        "--only",
        default="all",
        help=f"comma-separated of {','.join(BENCHMARKS)} (all of them by default),"
        f" or {','.join(OPT_IN)}",
    )
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
    parser.add_argument("--out", type=Path, default=harness.RESULTS)
    return parser


if __name__ == "__main__":
    sys.exit(main())

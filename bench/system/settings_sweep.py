"""The worker's Faust settings, each against its alternatives: the measured reason it is kept.

    python -m bench.run --only settings [--quick]

For each setting, one warmed-up `newsradar worker` per value, side by side (each in its own
namespace, the others idle meanwhile), then `runs` rounds, interleaved: in every round each
worker in turn (the order rotating) gets a preloaded batch of plain invented articles (its
rate and CPU per article, as the throughput benchmark measures them) and a paced run at a
load it keeps up with (raw-to-alert p50 and p99, as the latency benchmark). Medians over
rounds; each value's figures also as a ratio to the default's in the same round. The
event loop (uvloop, when it is installed) is measured the same way and never wired in.
"""

from __future__ import annotations

import contextlib
import importlib.util
from dataclasses import dataclass
from typing import Any

from bench.harness import ratios, rotated, summary
from bench.stories import article
from bench.system.kafka import idle_cores
from bench.system.pipeline import Ctx, Run, batch, paced, pipeline_worker
from streams.settings import Settings

WORKER = ("streams", "worker")
UVLOOP_WORKER = ("bench.system.uvloop_worker",)


@dataclass(frozen=True)
class Sweep:
    """How much per worker and round."""

    articles: int  # a preloaded batch of plain articles
    runs: int  # rounds
    latency_load: int  # articles/s offered in the paced run
    latency_seconds: float


@dataclass(frozen=True)
class Choice:
    """A setting and the values it is measured at; `default` is the worker's."""

    name: str
    variable: str
    values: tuple[str, ...]
    default: str
    why: str


def choices() -> list[Choice]:
    """The settings the issue names, at the values it names, with the worker's defaults."""
    worker = Settings().worker
    return [
        Choice(
            "fetch wait",
            "NEWSRADAR_WORKER__FETCH_WAIT_MS",
            ("1500", "50", "10"),
            str(worker.fetch_wait_ms),
            "1500: Faust's own; how long a fetch that finds nothing may wait at the broker",
        ),
        Choice(
            "producer linger",
            "NEWSRADAR_WORKER__LINGER_MS",
            ("0", "5", "20"),
            str(worker.linger_ms),
            "how long a producer batch waits for more records",
        ),
        Choice(
            "batch size",
            "NEWSRADAR_WORKER__BATCH_SIZE",
            ("50", "500", "2000"),
            str(worker.batch_size),
            "the most records an agent takes at once",
        ),
        Choice(
            "batch wait",
            "NEWSRADAR_WORKER__BATCH_SECONDS",
            ("0", "0.005", "0.05"),
            _seconds(worker.batch_seconds),
            "how long a batch waits for more once its first record is there",
        ),
        Choice(
            "log level",
            "NEWSRADAR_LOG_LEVEL",
            ("INFO", "WARNING"),
            Settings().log_level,
            "the worker's logging (Faust and aiokafka log per request at DEBUG only)",
        ),
        Choice(
            "event loop",
            "loop",
            ("asyncio", "uvloop"),
            "asyncio",
            "uvloop through mode.loop.use('uvloop'), as `faust -L uvloop`; not wired in",
        ),
    ]


def _seconds(value: float) -> str:
    return f"{value:g}"


def measure(run: Run, sweep: Sweep, names: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Every setting (or those `names`d) in turn."""
    out = []
    for choice in choices():
        if names and choice.name not in names:
            continue
        if choice.variable == "loop" and importlib.util.find_spec("uvloop") is None:
            out.append(
                {**_plain(choice), "skipped": "uvloop is not installed (pip install uvloop)"}
            )
            run.say("settings: uvloop not installed, the event loop is not measured")
            continue
        out.append(_one_setting(run, sweep, choice))
    return {
        "articles_per_run": sweep.articles,
        "rounds": sweep.runs,
        "latency_load": sweep.latency_load,
        "latency_seconds": sweep.latency_seconds,
        "settings": out,
    }


def _plain(choice: Choice) -> dict[str, Any]:
    return {
        "name": choice.name,
        "variable": choice.variable,
        "default": choice.default,
        "why": choice.why,
    }


def _one_setting(run: Run, sweep: Sweep, choice: Choice) -> dict[str, Any]:
    """One worker per value, side by side; `sweep.runs` interleaved rounds."""
    rounds: dict[str, list[dict[str, Any]]] = {value: [] for value in choice.values}
    with contextlib.ExitStack() as stack:
        workers = {
            value: stack.enter_context(pipeline_worker(run, **_started(choice, value)))
            for value in choice.values
        }
        run.say(f"settings: {choice.name}: {len(workers)} workers warm")
        idle = {value: idle_cores(ctx[2], run.idle_s) for value, ctx in workers.items()}
        for n in range(sweep.runs):
            for value in rotated(choice.values, n):
                rounds[value].append(_round(run, sweep, workers[value], f"{choice.name}-{n}"))
                one = rounds[value][-1]
                run.say(
                    f"settings: {choice.name}={value} round {n + 1}: {one['rate']:,.0f}/s,"
                    f" {one['worker_cpu_ms_per_record']:.2f} ms CPU, p99 {one['p99_ms']:,.0f} ms"
                )
    values = [_value(choice, v, rounds) | {"idle_cores": idle[v]} for v in choice.values]
    return {**_plain(choice), "values": values}


def _started(choice: Choice, value: str) -> dict[str, Any]:
    """How the worker of one value is started: its setting, or its event loop."""
    if choice.variable == "loop":
        return {"command": UVLOOP_WORKER if value == "uvloop" else WORKER}
    return {"env": {choice.variable: value}}


def _round(run: Run, sweep: Sweep, ctx: Ctx, tag: str) -> dict[str, Any]:
    """A preloaded batch, then a paced run, on one worker."""
    suffix = f"{ctx[0].suffix}-{tag}"
    records = [article(suffix, i) for i in range(sweep.articles)]
    measured = batch(
        ctx, records, [(("classified",), len(records)), (("alerts",), len(records))], run.stall_s
    )
    count = max(1, round(sweep.latency_load * sweep.latency_seconds))
    latency = paced(run, ctx, sweep.latency_load, count, f"{suffix}-lat")
    return {**measured, **latency}


def _value(choice: Choice, value: str, rounds: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """A value's medians, and its figures over the default's round by round."""
    mine, default = rounds[value], rounds.get(choice.default)
    figures: dict[str, Any] = {
        "value": value,
        "is_default": value == choice.default,
        "rate": summary([r["rate"] for r in mine]),
        "worker_cpu_ms_per_record": summary([r["worker_cpu_ms_per_record"] for r in mine]),
        "worker_cores_busy": summary([r["worker_cores_busy"] for r in mine]),
        "p50_ms": summary([r["p50_ms"] for r in mine]),
        "p99_ms": summary([r["p99_ms"] for r in mine]),
    }
    if default is not None:
        pairs = list(zip(mine, default, strict=True))
        figures["rate_over_default"] = summary([m["rate"] / d["rate"] for m, d in pairs])
        figures["cpu_over_default"] = summary(
            ratios(
                [(m["worker_cpu_ms_per_record"], d["worker_cpu_ms_per_record"]) for m, d in pairs]
            )
        )
    return figures

"""The cycle collector's share of a worker's CPU at each setting: the measured reason for
`NEWSRADAR_WORKER__GC_THRESHOLD` (streams/collector.py).

    python -m bench.run --only collector

One warm `newsradar worker` per value, side by side, each started through this module,
which times every pass of the collector (`gc.callbacks`, on the CPU clock of the thread
that runs it) and keeps the totals in a file; then interleaved rounds, the order rotating,
of a preloaded batch of plain invented articles on each. Per value: the worker's CPU per
article, the collector's part of it, and its passes by generation. Value 0 is Python's own
collector (threshold 700, nothing frozen); the others freeze the heap loaded at start.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.harness import rotated, summary
from bench.stories import article
from bench.system.pipeline import Ctx, Run, batch, pipeline_worker

VALUES = ("0", "700", "10000", "50000")
VARIABLE = "NEWSRADAR_WORKER__GC_THRESHOLD"
#: Where the worker run through this module keeps its collector's totals.
TOTALS = "BENCH_COLLECTOR_TOTALS"
WRITE_EVERY_S = 0.2


@dataclass(frozen=True)
class Passes:
    """The collector's totals in one worker: CPU seconds and passes, by generation."""

    seconds: tuple[float, ...]  # generations 0, 1, 2
    passes: tuple[int, ...]

    @classmethod
    def read(cls, path: Path) -> Passes:
        data = json.loads(path.read_text())
        return cls(tuple(data["seconds"]), tuple(data["passes"]))

    def minus(self, other: Passes) -> Passes:
        return Passes(
            tuple(a - b for a, b in zip(self.seconds, other.seconds, strict=True)),
            tuple(a - b for a, b in zip(self.passes, other.passes, strict=True)),
        )


def measure(run: Run, articles: int, rounds: int) -> dict[str, Any]:
    """Every value's worker CPU and collector time per article, over interleaved rounds."""
    found: dict[str, list[dict[str, Any]]] = {value: [] for value in VALUES}
    with contextlib.ExitStack() as stack:
        workers: dict[str, tuple[Ctx, Path]] = {}
        for value in VALUES:
            totals = run.workdir / f"collector-{value}.json"
            env = {VARIABLE: value, TOTALS: str(totals)}
            ctx = stack.enter_context(
                pipeline_worker(run, env=env, command=("bench.system.collector",))
            )
            workers[value] = (ctx, totals)
        run.say(f"collector: {len(workers)} workers warm")
        for n in range(rounds):
            for value in rotated(VALUES, n):
                ctx, totals = workers[value]
                found[value].append(_round(run, ctx, totals, articles, f"gc{value}-{n}"))
                one = found[value][-1]
                run.say(
                    f"collector: {value} round {n + 1}: {one['cpu_ms_per_article']:.2f} ms CPU,"
                    f" {one['collector_us_per_article']:.1f} us of it collecting"
                )
    return {
        "articles_per_run": articles,
        "rounds": rounds,
        "values": [_value(value, found[value]) for value in VALUES],
    }


def _round(run: Run, ctx: Ctx, totals: Path, articles: int, tag: str) -> dict[str, Any]:
    suffix = f"{ctx[0].suffix}-{tag}"
    records = [article(suffix, i) for i in range(articles)]
    before = Passes.read(totals)
    measured = batch(ctx, records, [(("alerts",), len(records))], run.stall_s)
    time.sleep(3 * WRITE_EVERY_S)  # the totals file catches up
    spent = Passes.read(totals).minus(before)
    done = max(1, round(measured["rate"] * measured["seconds"]))
    return {
        "cpu_ms_per_article": measured["worker_cpu_ms_per_record"],
        "collector_us_per_article": 1e6 * sum(spent.seconds) / done,
        "collector_us_by_generation": [1e6 * s / done for s in spent.seconds],
        "passes": list(spent.passes),
    }


def _value(value: str, rounds: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "value": value,
        "cpu_ms_per_article": summary([r["cpu_ms_per_article"] for r in rounds]),
        "collector_us_per_article": summary([r["collector_us_per_article"] for r in rounds]),
        "collector_share": summary(
            [  # percent of the worker's CPU
                100 * r["collector_us_per_article"] / (1000 * r["cpu_ms_per_article"])
                for r in rounds
            ]
        ),
        "collector_us_by_generation": [
            summary([r["collector_us_by_generation"][g] for r in rounds])["median"]
            for g in range(3)
        ],
        "passes": [summary([r["passes"][g] for r in rounds])["median"] for g in range(3)],
    }


def _record_passes(path: Path) -> None:
    """Time each pass of the collector in this process; write the totals every 0.2 s."""
    seconds, passes, started = [0.0, 0.0, 0.0], [0, 0, 0], [0.0]

    def timed(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.thread_time()
        else:
            seconds[info["generation"]] += time.thread_time() - started[0]
            passes[info["generation"]] += 1

    def write() -> None:
        while True:
            scratch = path.with_suffix(".tmp")
            scratch.write_text(json.dumps({"seconds": seconds, "passes": passes}))
            os.replace(scratch, path)
            time.sleep(WRITE_EVERY_S)

    gc.callbacks.append(timed)
    threading.Thread(target=write, name="collector-totals", daemon=True).start()


if __name__ == "__main__":
    _record_passes(Path(os.environ[TOTALS]))
    from streams.cli import main

    sys.exit(main(["worker"]))

"""Where a worker's time goes per article: each step of the topology, without Kafka.

    python -m bench.micro.stages [--articles 500] [--runs 5]   (also `python -m bench.run`)

The steps the agents run (streams/steps.py), over batches as the agents take them, on the
invented stories the pipeline benchmark sends (bench/stories.py), plain text and HTML, in
CPU time of this process: the clean step (decode the raw JSON, clean, encode for the dedup
topic), the dedup + classify step (decode, the dedup rule, classify, the match's
fingerprint, encode the clean, classified and match records), the alert step (decode the
match, the rules over the state, encode the alert) and the alert state's writes (the
kept keys, as the worker hands them to its table). Each run takes every article once,
with fresh state; the figure is the median over runs of the mean per article, with the
spread. Their sum is what one core could do with no Kafka and no Faust at all (the implied
rate); the pipeline benchmark's measured rate against it shows the framework's share.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from bench.harness import calibration_us
from bench.stories import article
from streams.alerting.logic import AlertRules
from streams.alerting.state import StateValue, encode
from streams.alerting.store import AlertStore
from streams.classification.logic import compile_taxonomy
from streams.classification.taxonomy import load_taxonomy
from streams.cleaning.furniture import Outlets
from streams.cleaning.logic import DEFAULTS
from streams.settings import DEFAULT_TAXONOMY
from streams.steps import DEDUP, MATCHES, AlertStep, CleanStep, DedupClassifyStep, Record

STEPS = ("clean step", "dedup + classify step", "alert step", "alert state writes")
BATCH = 250  # records per step call, about what a busy agent takes


def one_pass(values: list[bytes], taxonomy: Any, now: datetime) -> dict[str, float]:
    """Mean CPU seconds per article of each step, every article once, fresh state."""
    spent = dict.fromkeys(STEPS, 0.0)
    rules, clock, stamp = AlertRules(), time.process_time, now.timestamp()
    clean = CleanStep(DEFAULTS, time.monotonic)
    furniture = Outlets()
    classify = DedupClassifyStep(lambda: taxonomy, rules, window=86_400.0)
    alert = AlertStep(rules)
    seen: dict[bytes, bytes] = {}
    kept: dict[str, StateValue] = {}
    store = AlertStore(kept, rules.story)
    for lo in range(0, len(values), BATCH):
        raw = [Record(v, b"k", 0, lo + i, stamp) for i, v in enumerate(values[lo : lo + BATCH])]
        t0 = clock()
        cleaned = clean(furniture, raw)
        for outlet, state in cleaned.changes.items():
            furniture.put(outlet, state)
        t1 = clock()
        dedup = [
            Record(o.value, o.key, 0, o_i, stamp, o.headers)
            for o_i, o in enumerate(cleaned.outputs(DEDUP))
        ]
        t2 = clock()
        classified = classify(seen, dedup)
        seen.update(classified.changes)
        t3 = clock()
        matches = [
            Record(o.value, o.key, 0, lo + i, stamp)
            for i, o in enumerate(classified.outputs(MATCHES))
        ]
        t4 = clock()
        alerted = alert(store, matches, now=now)
        t5 = clock()
        store.apply(alerted.changes, lambda key, value: _keep(kept, key, value))
        t6 = clock()
        for step, seconds in zip(STEPS, (t1 - t0, t3 - t2, t5 - t4, t6 - t5), strict=True):
            spent[step] += seconds
    return {step: seconds / len(values) for step, seconds in spent.items()}


def _keep(kept: dict[str, StateValue], key: str, value: StateValue | None) -> None:
    """As the worker's table writer: the changelog's bytes, and the value kept in memory."""
    if value is None:
        kept.pop(key, None)
    else:
        encode(value)
        kept[key] = value


def measure(articles: int, runs: int, *, html: bool) -> dict[str, Any]:
    """Per step: median over runs of the mean µs per article, and the spread."""
    taxonomy = compile_taxonomy(load_taxonomy(DEFAULT_TAXONOMY))
    now = datetime.now(UTC)
    kind = "html" if html else "plain"
    values = [article(f"stages-{kind}", n, html=html, published=now)[1] for n in range(articles)]
    one_pass(values[: min(20, articles)], taxonomy, now)  # warm: models load, regexes compile
    passes = [one_pass(values, taxonomy, now) for _ in range(runs)]
    steps = {step: _spread([p[step] * 1e6 for p in passes]) for step in STEPS if step in passes[0]}
    totals = [sum(p.values()) * 1e6 for p in passes]
    return {
        "articles": articles,
        "runs": runs,
        "value_bytes": round(statistics.mean(len(v) for v in values)),
        "steps_us": steps,
        "total_us": _spread(totals),
        "implied_per_s_one_core": 1e6 / statistics.median(totals),
    }


def _spread(values: list[float]) -> dict[str, float]:
    return {
        "median": round(statistics.median(values), 1),
        "min": round(min(values), 1),
        "max": round(max(values), 1),
    }


def run(articles: int, html_articles: int, runs: int, say: Callable[[str], None]) -> dict[str, Any]:
    """Both kinds of article, and the machine's speed on a fixed piece of Python."""
    result: dict[str, Any] = {
        "clock": "process CPU time (the machine is shared: wall time counts neighbours)",
        "sum_range_10000_us": calibration_us(),
        "plain": measure(articles, runs, html=False),
        "html": measure(html_articles, runs, html=True),
    }
    for kind in ("plain", "html"):
        figures = result[kind]
        say(
            f"stages {kind}: {figures['total_us']['median']:,.0f} µs per article,"
            f" {figures['implied_per_s_one_core']:,.0f}/s on one core without Kafka"
        )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=500)
    parser.add_argument("--html-articles", type=int, default=100)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    result = run(args.articles, args.html_articles, args.runs, lambda line: print(line))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Where a worker's time goes per article: each stage's pure logic and codecs, without Kafka.

    python -m bench.stages [--articles 500] [--runs 5]     (also part of `python -m bench.run`)

The same steps the agents run for each record, in CPU time of this process, on the
invented stories the pipeline benchmark sends (bench/stories.py), plain text and HTML:
decode the raw JSON, clean, encode for the dedup topic; decode and the dedup rule; decode,
classify, encode the ClassifiedArticle and the TopicMatch; then the alert stage as
bench/alert_state.py times it (decode the match, the rules with the state in a dict,
encode the changelog values and the alert). Each run takes every article once, with
fresh state; the figure is the median over runs of the mean per article, with the spread.
Their sum is what one core could do with no Kafka and no Faust at all (the implied
rate); the pipeline benchmark's measured rate against it shows the framework's share.
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.clean_speed import _calibration_us
from bench.stories import article
from schemas import CleanArticle, RawArticle, TopicMatch
from streams.alerting.logic import AlertRules, on_match
from streams.alerting.state import StateValue, apply_changes, encode
from streams.classification.logic import classify as classify_article
from streams.classification.logic import compile_taxonomy, topic_matches
from streams.classification.taxonomy import load_taxonomy
from streams.cleaning.dedup import dedup_key
from streams.cleaning.logic import clean, deduplicate
from streams.settings import DEFAULT_TAXONOMY

STEPS = (
    "decode raw",
    "clean",
    "encode clean",
    "dedup (decode + rule)",
    "decode clean",
    "classify",
    "encode classified + match",
    "alert: decode match",
    "alert: rules + state",
    "alert: encode changes + alert",
)


def one_pass(values: list[bytes], taxonomy: Any, now: datetime) -> dict[str, float]:
    """Mean CPU seconds per article of each step, every article once, fresh state."""
    spent = dict.fromkeys(STEPS, 0.0)
    seen: dict[str, Any] = {}
    matches: list[bytes] = []
    clock = time.process_time
    for value in values:
        marks = [clock()]
        raw = RawArticle.model_validate_json(value)
        marks.append(clock())
        cleaned = clean(raw, ingested=now)
        assert isinstance(cleaned, CleanArticle), cleaned
        marks.append(clock())
        encoded = cleaned.model_dump_json().encode()
        marks.append(clock())
        again = CleanArticle.model_validate_json(encoded)
        key = dedup_key(again)
        seen[key], _ = deduplicate(seen.get(key), again, now=now, window=86_400.0)
        marks.append(clock())
        article_in = CleanArticle.model_validate_json(encoded)
        marks.append(clock())
        classified = classify_article(article_in, taxonomy)
        marks.append(clock())
        classified.model_dump_json().encode()
        matches.extend(m.model_dump_json().encode() for m in topic_matches(classified))
        marks.append(clock())
        for step, (start, end) in zip(STEPS, itertools.pairwise(marks), strict=False):
            spent[step] += end - start
    alert = _alert_costs(matches, now)
    per = {step: seconds / len(values) for step, seconds in spent.items() if seconds}
    share = len(matches) / len(values)  # alert-stage records per article
    per |= {step: alert[name] * share for step, name in zip(STEPS[7:], alert, strict=True)}
    return per


def _alert_costs(matches: list[bytes], now: datetime) -> dict[str, float]:
    """The alert stage's steps as bench/alert_state.py splits them, in CPU time."""
    spent = {"decode": 0.0, "rules": 0.0, "encode": 0.0}
    store: dict[str, StateValue] = {}
    rules, clock = AlertRules(), time.process_time
    for position, value in enumerate(matches):
        t0 = clock()
        match = TopicMatch.model_validate_json(value)
        t1 = clock()
        step = on_match(store, match, rules, now=now, position=position)
        apply_changes(store, step.changes)
        t2 = clock()
        for change in step.changes.values():
            if change is not None:
                encode(change)
        for alert in step.alerts:
            alert.model_dump_json()
        t3 = clock()
        spent["decode"] += t1 - t0
        spent["rules"] += t2 - t1
        spent["encode"] += t3 - t2
    return {name: seconds / len(matches) for name, seconds in spent.items()}


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
        "sum_range_10000_us": _calibration_us(),
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

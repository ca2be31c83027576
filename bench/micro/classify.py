"""How long classifying one article takes, and how it grows with the number of topics.

    python -m bench.micro.classify [--quick] [--out bench/results/classify.json]

Measures `classify` (what the agent calls: scan, score, evidence, the ClassifiedArticle) on
the seed article, cleaned, against the default taxonomy; then against taxonomies of more
topics, made by copying the default topics. Copies that keep their terms match like the
originals, so every topic is scored (the worst case); copies with unseen terms grow the
automaton but are skipped, as most topics are for most articles. Each figure is the median
of several runs; ratios are to a baseline measured in the same process: tokenising the same
article with a regular expression, the least a word-based classifier must do. Times are
CPU time per call (the machine is shared; wall time counts the neighbours' work too).
"""

from __future__ import annotations

import argparse
import json
import platform
import re
import statistics
import sys
import time
import timeit
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from schemas import CleanArticle
from streams.classification.logic import classify, compile_taxonomy, score_article
from streams.classification.taxonomy import Taxonomy, load_taxonomy
from streams.cleaning.logic import clean
from streams.settings import DEFAULT_TAXONOMY
from streams.sources.files import plain_text_article

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "tests" / "fixtures" / "seed-article.txt"
_WORDS = re.compile(r"\w+")
# A query word that is not an operator, a field scope or a list name: renamed in copies.
_UNSEEN = re.compile(r"(?<![@\w])([a-z]{3,})(?![\w:])")


def cpu_seconds(call: Callable[[], object], number: int) -> float:
    """The mean CPU time of one call in a batch of `number`.

    CPU time (not wall time): the machine is shared, and a busy neighbour should not
    count against the classifier.
    """
    return timeit.timeit(call, number=number, timer=time.process_time) / number


def median_seconds(call: Callable[[], object], runs: int, number: int) -> float:
    """The median over `runs` batches of the mean CPU time of one call."""
    return statistics.median(cpu_seconds(call, number) for _ in range(runs))


def interleaved(
    baseline: Callable[[], object], call: Callable[[], object], runs: int, number: int
) -> tuple[float, float, float]:
    """Medians of the baseline, of the call, and of their ratio, measured turn about so that
    a change in the machine's load touches both alike."""
    pairs = [(cpu_seconds(baseline, number), cpu_seconds(call, number)) for _ in range(runs)]
    return (
        statistics.median(b for b, _ in pairs),
        statistics.median(c for _, c in pairs),
        statistics.median(c / b for b, c in pairs),
    )


def seed_article() -> CleanArticle:
    raw = plain_text_article(SEED.read_text(encoding="utf-8"))
    article = clean(raw, ingested=datetime.now(UTC))  # type: ignore[arg-type]
    assert isinstance(article, CleanArticle)
    return article


def grown(base: dict[str, Any], topics: int, *, matching: bool) -> Taxonomy:
    """The default taxonomy with its topics copied up to `topics` topics."""
    originals, lists = base["topics"], dict(base.get("lists", {}))
    copies = []
    for index in range(topics):
        topic = dict(originals[index % len(originals)])
        if index >= len(originals):
            topic["id"] = f"{topic['id']}-{index}"
            if not matching:  # the same query shape over words no article contains
                topic["query"] = _unseen(topic["query"], index)
                for name in base.get("lists", {}):
                    lists[f"{name}_x{index}"] = _unseen(base["lists"][name], index)
        copies.append(topic)
    return Taxonomy.model_validate({**base, "lists": lists, "topics": copies})


def _unseen(query: str, index: int) -> str:
    renamed = _UNSEEN.sub(rf"\1x{index}", query)
    return re.sub(r"@(\w+)", rf"@\1_x{index}", renamed)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs (a smoke test)")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()
    runs, number = (3, 50) if args.quick else (15, 200)

    article = seed_article()
    base = yaml.safe_load(DEFAULT_TAXONOMY.read_text(encoding="utf-8"))
    default = compile_taxonomy(load_taxonomy(DEFAULT_TAXONOMY))
    baseline, seconds, ratio = interleaved(
        lambda: _WORDS.findall(article.text.lower()),
        lambda: classify(article, default),
        runs,
        number,
    )
    scoring = median_seconds(lambda: score_article(article, default, passing=True), runs, number)
    print(f"seed article: {len(article.title) + len(article.text)} characters")
    print(f"baseline (regex tokenising the article): {baseline * 1e6:8.1f} µs")
    print(
        f"classify, default taxonomy ({len(default.topics)} topics, {default.term_count} terms):"
        f" {seconds * 1e6:8.1f} µs  ({ratio:.2f}× baseline; limit 500 µs)"
    )
    print(f"  of which scoring and evidence, without the ClassifiedArticle: {scoring * 1e6:.1f} µs")
    growth = []
    print("\ntopics  terms(matching)  µs(matching)  terms(unseen)  µs(unseen)")
    for topics in (12, 25, 50, 100, 200, 400):
        row: dict[str, Any] = {"topics": topics}
        for matching in (True, False):
            taxonomy = compile_taxonomy(grown(base, topics, matching=matching))
            key = "matching" if matching else "unseen"
            row[f"terms_{key}"] = taxonomy.term_count
            call = partial(classify, article, taxonomy)
            row[f"us_{key}"] = median_seconds(call, runs, max(10, number // 4)) * 1e6
        growth.append(row)
        print(
            f"{topics:>6}  {row['terms_matching']:>15}  {row['us_matching']:>12.1f}"
            f"  {row['terms_unseen']:>13}  {row['us_unseen']:>10.1f}"
        )
    if args.out:
        result = {
            "measured": datetime.now(UTC).isoformat(timespec="seconds"),
            "python": sys.version.split()[0],
            "machine": platform.machine(),
            "runs": runs,
            "number": number,
            "article_chars": len(article.title) + len(article.text),
            "baseline_us": baseline * 1e6,
            "classify_us": seconds * 1e6,
            "score_article_us": scoring * 1e6,
            "ratio_to_baseline": ratio,
            "default_topics": len(default.topics),
            "default_terms": default.term_count,
            "growth": growth,
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""`newsradar eval LABELLED.jsonl`: precision, recall and F1 of the taxonomy, with its errors.

Each line is a RawArticle with a `label` (`russia_ukraine`, `other`, a list of labels, or
null to skip). Articles go through the same clean and classify path as `newsradar process`.
After the errors: leave-one-source-out figures (the threshold tuned on all sources but one,
the one left out scored with it; a source is the dataset a namespaced id names, else the
`source` field) and how many articles score near each topic's threshold, so a taxonomy
fitted to the labelled set shows it in these numbers.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from schemas import RawArticle, TopicScore
from streams.classification.evaluation import (
    Miss,
    Scored,
    TopicTally,
    distribution_report,
    fold_of,
    folds_report,
    label_topics,
    leave_one_source_out,
    report,
)
from streams.classification.logic import (
    CompiledTaxonomy,
    compile_taxonomy,
    explain_topic,
    score_article,
)
from streams.classification.taxonomy import TaxonomyError, load_taxonomy
from streams.codec import decode
from streams.commands.inputs import utcnow
from streams.pipeline import Outcome, process_article
from streams.rejection import Rejected
from streams.settings import Settings

NAME = "eval"
HELP = "measure the taxonomy on labelled articles (precision, recall, F1, errors)"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("path", metavar="LABELLED.jsonl", help="JSON lines with a `label` field")
    parser.add_argument("--topic", help="evaluate this topic id only")
    parser.add_argument("--taxonomy", help="taxonomy YAML (default: the configured one)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    """Print the table and the errors; exit 2 when the taxonomy or the input is unusable."""
    try:
        taxonomy = compile_taxonomy(
            load_taxonomy(Path(args.taxonomy or settings.classification.taxonomy_path))
        )
        lines = Path(args.path).read_bytes().splitlines()
    except (TaxonomyError, OSError) as error:
        print(f"newsradar eval: {error}", file=sys.stderr)
        return 2
    labelled = list(_labelled(lines))
    topic_ids = [c.topic.id for c in taxonomy.topics]
    wanted = [args.topic] if args.topic else _labelled_topics(labelled, topic_ids)
    unknown = [t for t in wanted if t not in topic_ids]
    if unknown or not wanted:
        print(f"newsradar eval: no such topic(s) to evaluate: {unknown or '-'}", file=sys.stderr)
        return 2
    tallies, other, scored = _evaluate(labelled, taxonomy, wanted)
    skipped = len([line for line in lines if line.strip()]) - len(labelled)
    print(f"taxonomy {taxonomy.version}: {len(labelled)} labelled articles, {skipped} skipped")
    print("\n".join(report(tallies, other)))
    for tally in tallies:
        folds = leave_one_source_out(scored[tally.topic], tally.threshold)
        print("\n".join(folds_report(tally.topic, folds, tally.threshold)))
        print("\n".join(distribution_report(tally.topic, scored[tally.topic], tally.threshold)))
    return 0


Labelled = tuple[str, set[str], RawArticle | Rejected]


def _labelled(lines: list[bytes]) -> Iterator[Labelled]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            expected = label_topics(json.loads(line).get("label"))
        except (ValueError, AttributeError):
            expected = None  # not a JSON object: no label to measure against
        if expected is not None:
            yield f"line {number}", expected, decode(RawArticle, line)


def _labelled_topics(labelled: list[Labelled], topic_ids: list[str]) -> list[str]:
    named = {topic for _, expected, _ in labelled for topic in expected}
    return [topic for topic in topic_ids if topic in named] + sorted(named - set(topic_ids))


def _evaluate(
    labelled: list[Labelled], taxonomy: CompiledTaxonomy, wanted: list[str]
) -> tuple[list[TopicTally], Counter[str], dict[str, list[Scored]]]:
    thresholds = {c.topic.id: c.topic.threshold for c in taxonomy.topics}
    tallies = {topic: TopicTally(topic, thresholds[topic]) for topic in wanted}
    other: Counter[str] = Counter()
    scored: dict[str, list[Scored]] = {topic: [] for topic in wanted}
    for where, expected, raw in labelled:
        outcome = (
            Outcome(None, "clean", rejected=raw)
            if isinstance(raw, Rejected)
            else process_article(raw, taxonomy, now=utcnow())
        )
        found = {t.id: t for t in outcome.classified.topics} if outcome.classified else {}
        other.update(topic for topic in found if topic not in tallies)
        for topic, tally in tallies.items():
            wrong = (topic in expected) != (topic in found)
            miss = _miss(where, raw, outcome, found.get(topic), taxonomy, topic) if wrong else None
            tally.add(topic in expected, topic in found, miss)
        scores = _scores(raw, outcome, taxonomy)
        fold = fold_of(raw.id, raw.source) if isinstance(raw, RawArticle) else "-"
        for topic, items in scored.items():
            items.append(Scored(fold, topic in expected, scores.get(topic, 0.0)))
    return list(tallies.values()), other, scored


def _scores(
    raw: RawArticle | Rejected, outcome: Outcome, taxonomy: CompiledTaxonomy
) -> dict[str, float]:
    """Every topic's score, passing or not (0 for an article the cleaner dropped)."""
    if outcome.classified is None:
        return {}
    return {s.id: s.score for s in score_article(outcome.classified, taxonomy)}


def _miss(
    where: str,
    raw: RawArticle | Rejected,
    outcome: Outcome,
    score: TopicScore | None,
    taxonomy: CompiledTaxonomy,
    topic: str,
) -> Miss:
    """An error with what explains it: the evidence it matched on, or why it fell short."""
    article_id = raw.id if isinstance(raw, RawArticle) else "-"
    title = raw.title if isinstance(raw, RawArticle) else ""
    if outcome.classified is None:
        reason = outcome.rejected.reason if outcome.rejected else "unknown"
        return Miss(article_id, title, where, None, f"dropped by {outcome.stage}: {reason}")
    return Miss(
        article_id, title, where, score or explain_topic(outcome.classified, taxonomy, topic)
    )

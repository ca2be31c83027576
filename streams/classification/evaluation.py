"""Measuring a taxonomy against labelled articles: counts, precision, recall, F1. Pure."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from schemas import Evidence, TopicScore

NEGATIVE_LABEL = "other"


def label_topics(label: Any) -> set[str] | None:
    """The topic ids a `label` names: None to skip the article, empty for `other`.

    Labels use underscores (`russia_ukraine`), topic ids hyphens (`russia-ukraine`); a list
    of labels is a multi-label article.
    """
    if label is None:
        return None
    labels = label if isinstance(label, list) else [label]
    return {str(item).replace("_", "-") for item in labels if item != NEGATIVE_LABEL}


@dataclass(frozen=True, slots=True)
class Miss:
    """A false positive or false negative, with the score and evidence that explain it."""

    article_id: str
    title: str
    where: str
    score: TopicScore | None
    note: str = ""


@dataclass
class TopicTally:
    """A topic's confusion counts and its errors."""

    topic: str
    threshold: float
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    false_positives: list[Miss] = field(default_factory=list)
    false_negatives: list[Miss] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def add(self, expected: bool, predicted: bool, miss: Miss | None) -> None:
        """Count one article; `miss` describes it when it is an error."""
        if expected and predicted:
            self.tp += 1
        elif predicted:
            self.fp += 1
            self.false_positives += [miss] if miss else []
        elif expected:
            self.fn += 1
            self.false_negatives += [miss] if miss else []
        else:
            self.tn += 1


def evidence_summary(evidence: Iterable[Evidence]) -> list[str]:
    """One line per clause: each term's matches counted, title matches marked."""
    by_clause: dict[str, Counter[str]] = {}
    for item in evidence:
        name = item.matched.lower() + ("(title)" if item.field == "title" else "")
        by_clause.setdefault(item.clause, Counter())[name] += 1
    return [
        f"{clause}: " + ", ".join(f"{t}×{n}" if n > 1 else t for t, n in counts.most_common())
        for clause, counts in by_clause.items()
    ]


def report(tallies: list[TopicTally], other_matches: Counter[str]) -> list[str]:
    """The lines `newsradar eval` prints: a table, then every error with its evidence."""
    lines = [f"{'topic':<18}{'tp':>5}{'fp':>5}{'fn':>5}{'tn':>6}  precision  recall  f1"]
    for t in tallies:
        lines.append(
            f"{t.topic:<18}{t.tp:>5}{t.fp:>5}{t.fn:>5}{t.tn:>6}"
            f"  {t.precision:>9.3f}  {t.recall:>6.3f}  {t.f1:.3f}"
        )
    for t in tallies:
        lines += _misses(f"false positives of {t.topic}", t.false_positives, t.threshold)
        lines += _misses(f"false negatives of {t.topic}", t.false_negatives, t.threshold)
    if other_matches:
        counts = ", ".join(f"{topic} {n}" for topic, n in sorted(other_matches.items()))
        lines += ["", f"articles filed under topics without labels: {counts}"]
    return lines


def _misses(heading: str, misses: list[Miss], threshold: float) -> list[str]:
    if not misses:
        return []
    lines = ["", f"{heading} ({len(misses)}; threshold {threshold}):"]
    for miss in misses:
        score = f"score {miss.score.score:.3f}" if miss.score is not None else "no score"
        lines.append(f"  {miss.article_id} ({miss.where}) {score}: {miss.title[:90]}")
        if miss.note:
            lines.append(f"      {miss.note}")
        if miss.score is not None and miss.score.about:
            lines.append(f"      about: {miss.score.about}")
        for line in evidence_summary(miss.score.evidence if miss.score else []):
            lines.append(f"      {line[:300]}")
    return lines

"""Measuring a taxonomy against labelled articles: counts, precision, recall, F1. Pure."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from itertools import pairwise
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


@dataclass(frozen=True, slots=True)
class Scored:
    """One labelled article's score for a topic, and the fold it belongs to."""

    fold: str
    expected: bool
    score: float


def fold_of(article_id: str, source: str | None) -> str:
    """The outlet or dataset an article comes from, for leave-one-source-out.

    Namespaced ids (`bbc:business/012`, `semeval:EN_UA_0042`) name their dataset and its
    part: the id less its number. Other articles fall back on their `source`.
    """
    if ":" in article_id:
        return _NUMBER.sub("", article_id)
    return source or "-"


_NUMBER = re.compile(r"[/_-]?\d+$")
THRESHOLDS = tuple(round(0.3 + step / 100, 2) for step in range(51))  # 0.30 .. 0.80


def best_threshold(scored: list[Scored], default: float) -> float:
    """The threshold with the best F1 on these articles; of equals, the one nearest `default`."""
    return max(THRESHOLDS, key=lambda t: (round(_f1(_counts(scored, t)), 6), -abs(t - default)))


@dataclass(frozen=True, slots=True)
class Fold:
    """One left-out source: the threshold tuned without it, and its counts with that."""

    name: str
    threshold: float
    tp: int
    fp: int
    fn: int
    tn: int


def leave_one_source_out(scored: list[Scored], default: float) -> list[Fold]:
    """Tune the threshold on all sources but one, score the one left out, for each source.

    Pooled, the folds' counts say how the taxonomy does on a source it was not tuned on;
    a threshold that moves from fold to fold is one fitted to the sources it saw.
    """
    folds = []
    for name in sorted({item.fold for item in scored}):
        rest = [item for item in scored if item.fold != name]
        threshold = best_threshold(rest, default)
        mine = [item for item in scored if item.fold == name]
        folds.append(Fold(name, threshold, *_counts(mine, threshold)))
    return folds


def _counts(scored: list[Scored], threshold: float) -> tuple[int, int, int, int]:
    tp = sum(1 for s in scored if s.expected and s.score >= threshold)
    fp = sum(1 for s in scored if not s.expected and s.score >= threshold)
    fn = sum(1 for s in scored if s.expected and s.score < threshold)
    return tp, fp, fn, len(scored) - tp - fp - fn


def _f1(counts: tuple[int, ...]) -> float:
    tp, fp, fn = counts[:3]
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def folds_report(topic: str, folds: list[Fold], default: float) -> list[str]:
    """The leave-one-source-out table: each fold, then the pooled figures."""
    lines = ["", f"leave-one-source-out for {topic} (threshold tuned on the other sources):"]
    lines.append(f"  {'left out':<34}{'threshold':>10}{'tp':>5}{'fp':>5}{'fn':>5}{'tn':>6}")
    for f in folds:
        lines.append(f"  {f.name[:34]:<34}{f.threshold:>10.2f}{f.tp:>5}{f.fp:>5}{f.fn:>5}{f.tn:>6}")
    tp, fp, fn = (sum(getattr(f, name) for f in folds) for name in ("tp", "fp", "fn"))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    lines.append(
        f"  pooled: precision {precision:.3f}  recall {recall:.3f}  f1 {_f1((tp, fp, fn)):.3f}"
        f"  (thresholds {min(f.threshold for f in folds):.2f}-"
        f"{max(f.threshold for f in folds):.2f}; configured {default})"
    )
    return lines


def distribution_report(topic: str, scored: list[Scored], threshold: float) -> list[str]:
    """How many articles, labelled in and out, score in each band around the threshold:
    a crowd just either side of it is a topic one small change of wording tips over."""
    lines = ["", f"scores of {topic} near the threshold {threshold} (labelled in / out):"]
    edges = [round(threshold + step * BAND, 2) for step in range(-4, 5)]
    for low, high in pairwise(edges):
        band = [s for s in scored if low <= s.score < high]
        inside = sum(1 for s in band if s.expected)
        bar = "+" * inside + "-" * (len(band) - inside)
        lines.append(f"  [{low:.2f}, {high:.2f})  {inside:>4} / {len(band) - inside:<4} {bar[:60]}")
    return lines


BAND = 0.05

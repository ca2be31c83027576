"""Scoring rules against one article's hits, and the evidence for a score. Pure.

terms     1 - exp(-mass / scale): mass adds up each mention's zone weight (title >
          lead > body > aside) times the term's weight; `scale` grows with length
OR        of terms: their masses pool; of clauses: the strongest, the clause that fired
AND       min: as strong as the weakest required part
NOT x     1 - x: a passing mention barely lowers the score, a headline excludes
NEAR/n    like AND, counting only mentions with a partner within n words
about:x   how x runs through the article: title, lead, share of paragraphs (aboutness.py)
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left
from itertools import islice

from streams.classification.aboutness import (
    DEFAULT_ABOUT,
    NOWHERE,
    AboutWeights,
    Coverage,
    paragraph_of,
    paragraph_units,
)
from streams.classification.compiler import (
    ANYWHERE,
    BODY_ONLY,
    LEAD_ONLY,
    TITLE_ONLY,
    AboutOf,
    AllOf,
    AnyOf,
    Leaf,
    NearOf,
    Rule,
    TermSet,
)
from streams.classification.matcher import TITLE, Hit, Scan

MAX_EVIDENCE = 12
MAX_PER_TERM = 2
_WORD_REST = re.compile(r"\w*")

Pair = tuple[Leaf, Hit]


class Scorer:
    """Scores rules against one article's hits; each rule is scored once per article."""

    __slots__ = (
        "about_weights",
        "best",
        "coverages",
        "decay",
        "found",
        "lead_chars",
        "memo",
        "near",
        "scale",
        "units",
    )

    def __init__(
        self,
        found: Scan,
        scale: float,
        lead_chars: int,
        decay: float,
        about: AboutWeights = DEFAULT_ABOUT,
    ) -> None:
        self.found, self.scale, self.lead_chars, self.decay = found, scale, lead_chars, decay
        self.about_weights = about
        self.memo: dict[Rule, float] = {}
        self.near: dict[NearOf, tuple[list[Pair], list[Pair]]] = {}
        self.best: dict[AnyOf, int] = {}
        self.coverages: dict[AboutOf, Coverage] = {}
        self.units: tuple[dict[int, int], int] | None = None

    def score(self, rule: Rule) -> float:
        score = self.memo.get(rule)
        if score is None:
            score = self.memo[rule] = self._score(rule)
        return score

    def _score(self, rule: Rule) -> float:
        if isinstance(rule, TermSet):
            return self.strength(self.mass(rule))
        if isinstance(rule, AnyOf):
            return self.strongest(rule)
        if isinstance(rule, AboutOf):
            return self.coverage(rule).score(self.about_weights)
        if isinstance(rule, AllOf):
            weakest = 1.0
            for child in rule.required:
                weakest = min(weakest, self.score(child))
                if weakest <= 0:
                    return 0.0
            for child in rule.excluded:
                weakest = min(weakest, 1 - self.score(child))
            return weakest
        left, right = self.near_hits(rule)
        return min(self.strength(self.pair_mass(left)), self.strength(self.pair_mass(right)))

    def strongest(self, rule: AnyOf) -> float:
        """The best clause's score; it is the clause that fired, which `best` remembers."""
        best, index = 0.0, -1
        for number, child in enumerate(rule.children):
            if self.may_beat(child, best):
                score = self.score(child)
                if score > best:
                    best, index = score, number
        self.best[rule] = index
        return best

    def may_beat(self, rule: Rule, best: float) -> bool:
        """Whether the rule can score above `best`, judged from parts cheaper than it.

        AND is no stronger than any required part, and NEAR no stronger than its two sides'
        plain scores: when one of those is no better, the rest is never computed.
        """
        if isinstance(rule, AllOf):
            return all(self.may_beat(child, best) for child in rule.required)
        if isinstance(rule, NearOf):
            return min(self.score(rule.left), self.score(rule.right)) > best
        return self.score(rule) > best

    def coverage(self, rule: AboutOf) -> Coverage:
        """Where the rule's terms are: title, lead, which paragraphs (asides left out)."""
        known = self.coverages.get(rule)
        if known is None:
            known = self.coverages[rule] = self._coverage(rule.terms)
        return known

    def _coverage(self, terms: TermSet) -> Coverage:
        """Each zone and paragraph counts by the strongest weight of the terms in it, up to 1:
        a paragraph that carries only `(war OR troops)^0.5` counts half."""
        hits, lead_chars = self.found.hits, self.lead_chars
        keys = _present(terms, hits)
        if not keys:  # most articles, for most lists: no need to find the paragraphs
            return NOWHERE
        if self.units is None:
            self.units = paragraph_units(self.found.text, self.found.asides)
        units, total = self.units
        title = lead = 0.0
        paragraphs: dict[int, float] = {}
        for key in keys:
            for leaf in terms.by_key[key]:
                weight, field = min(1.0, leaf.weight), leaf.field
                for hit in hits[key]:
                    if field != ANYWHERE and not _in_field(hit, field, lead_chars):
                        continue
                    if hit[0] == TITLE:
                        title = max(title, weight)
                    elif number := paragraph_of(units, hit[4], hit[1]):
                        if weight > paragraphs.get(number, -1.0):  # a first mention counts
                            paragraphs[number] = weight
                        if hit[1] < lead_chars and weight > lead:
                            lead = weight
        carried = sum(paragraphs.values())
        first = min(paragraphs, default=0)
        return Coverage(title, lead, len(paragraphs), carried, max(total, 1), first)

    def strength(self, mass: float) -> float:
        return 1 - math.exp(-mass / self.scale) if mass > 0 else 0.0

    def mass(self, terms: TermSet) -> float:
        """The group's mentions added up, each further one in a paragraph counting less."""
        hits, by_key, lead = self.found.hits, terms.by_key, self.lead_chars
        keys = hits.keys() & by_key.keys() if len(by_key) > len(hits) else by_key
        paragraphs: dict[int, list[float]] = {}
        for key in keys:
            found = hits.get(key)
            if found is None:
                continue
            for leaf in by_key[key]:
                field, weight = leaf.field, leaf.weight
                for hit in found:
                    if field == ANYWHERE or _in_field(hit, field, lead):
                        weights = paragraphs.get(hit[4])
                        if weights is None:
                            paragraphs[hit[4]] = [weight * hit[3]]
                        else:
                            weights.append(weight * hit[3])
        return self.pooled(paragraphs)

    def pooled(self, paragraphs: dict[int, list[float]]) -> float:
        """A paragraph's mentions, strongest first, each `decay` times the one before:
        an article that keeps coming back to a topic is about it; one that names it
        three times in one background paragraph is not."""
        total, decay = 0.0, self.decay
        for weights in paragraphs.values():
            if len(weights) == 1:
                total += weights[0]
            else:
                factor = 1.0
                for weight in sorted(weights, reverse=True):
                    total += weight * factor
                    factor *= decay
        return total

    def pair_mass(self, pairs: list[Pair]) -> float:
        paragraphs: dict[int, list[float]] = {}
        for leaf, hit in pairs:
            paragraphs.setdefault(hit[4], []).append(leaf.weight * hit[3])
        return self.pooled(paragraphs)

    def pairs(self, terms: TermSet) -> list[Pair]:
        """Each hit of each term, where the term's field allows it."""
        by_key, lead = terms.by_key, self.lead_chars
        return [
            (leaf, hit)
            for key, hits in self.found.hits.items()
            if key in by_key
            for leaf in by_key[key]
            for hit in hits
            if _in_field(hit, leaf.field, lead)
        ]

    def near_hits(self, rule: NearOf) -> tuple[list[Pair], list[Pair]]:
        """The hits on each side that have a hit of the other side within the distance."""
        known = self.near.get(rule)
        if known is None:
            known = self.near[rule] = self._near_hits(rule)
        return known

    def _near_hits(self, rule: NearOf) -> tuple[list[Pair], list[Pair]]:
        left = self.pairs(rule.left)
        right = self.pairs(rule.right) if left else []
        if not right:
            return [], []
        spans = self.spans([hit for _, hit in (*left, *right)])
        reach = rule.distance + 1
        return (
            _partnered(left, [spans[hit] for _, hit in right], spans, reach),
            _partnered(right, [spans[hit] for _, hit in left], spans, reach),
        )

    def spans(self, hits: list[Hit]) -> dict[Hit, Span]:
        """Each hit's field and first and last word numbers in it."""
        spans: dict[Hit, Span] = {}
        for field in {hit[0] for hit in hits}:
            text = self.found.title if field == TITLE else self.found.text
            mine = [hit for hit in hits if hit[0] == field]
            words = self.found.word_numbers(field, [hit[1] for hit in mine])
            for hit in mine:
                first = words[hit[1]]
                spans[hit] = (field, first, first + text.count(" ", hit[1], hit[2]))
        return spans

    def evidence(self, rule: Rule, clause: str) -> list[dict[str, object]]:
        """The hits that made the score, with the clause that fired, title first.

        Of alternative clauses, the strongest fired. A few mentions of each term say more
        than all the mentions of one.
        """
        sets: dict[TermSet, str] = {}
        pairs: list[tuple[Leaf, Hit, str]] = []
        self.collect(rule, clause, sets, pairs)
        lead = self.lead_chars
        for terms, label in sets.items():
            for number, hits in self.found.hits.items():
                for leaf in terms.by_key.get(number, ()):
                    pairs += [(leaf, hit, label) for hit in _first_in_field(hits, leaf.field, lead)]
        chosen: dict[tuple[int, int, str], tuple[Leaf, Hit, str]] = {}
        per_term: dict[str, int] = {}
        for leaf, hit, label in sorted(pairs, key=lambda found: found[1][:2]):
            key, count = (hit[0], hit[1], leaf.label), per_term.get(leaf.label, 0)
            if key not in chosen and count < MAX_PER_TERM:
                per_term[leaf.label] = count + 1
                chosen[key] = (leaf, hit, label)
                if len(chosen) == MAX_EVIDENCE:  # the rest would be cut
                    break
        return [self.item(*found) for found in chosen.values()]

    def collect(
        self,
        rule: Rule,
        clause: str,
        sets: dict[TermSet, str],
        pairs: list[tuple[Leaf, Hit, str]],
    ) -> None:
        """The term groups (or, for NEAR, the hits) of the parts that made the rule's score."""
        if self.score(rule) <= 0 or isinstance(rule, AboutOf):
            return  # aboutness is told in words (about_text), not by its many hits
        if isinstance(rule, TermSet):
            sets.setdefault(rule, clause)
        elif isinstance(rule, NearOf):
            left, right = self.near_hits(rule)
            pairs += [(leaf, hit, clause) for leaf, hit in left + right]
        elif isinstance(rule, AllOf):
            for child in rule.required:
                self.collect(child, clause, sets, pairs)
        else:
            index = self.best[rule]
            self.collect(rule.children[index], rule.labels[index], sets, pairs)

    def about_text(self, rule: Rule) -> str:
        """How the topic runs through the article, in words: from the first `about:` on the
        path that made the score ("in title, lead and 7 of 11 paragraphs")."""
        if isinstance(rule, AboutOf):
            return self.coverage(rule).describe()
        if isinstance(rule, AllOf):
            children: tuple[Rule, ...] = rule.required
        elif isinstance(rule, AnyOf) and self.best.get(rule, -1) >= 0:
            children = (rule.children[self.best[rule]],)
        else:
            return ""
        return next((text for child in children if (text := self.about_text(child))), "")

    def item(self, leaf: Leaf, hit: Hit, clause: str) -> dict[str, object]:
        """One Evidence, as the fields TopicScore validates (faster than a model each)."""
        field, start, end = hit[:3]
        text = self.found.title if field == TITLE else self.found.text
        if text[end - 1 : end].isalnum():  # a prefix: the evidence is the whole word
            end = _WORD_REST.match(text, end).end()  # type: ignore[union-attr]
        return {
            "term": leaf.label,
            "matched": text[start:end],
            "field": "title" if field == TITLE else "text",
            "start": start,
            "end": end,
            "clause": clause,
        }


def _present(terms: TermSet, hits: dict[int, list[Hit]]) -> list[int]:
    """The group's keys that the article has, in the group's order (which fixes the order
    floats add up in). A list like `@conflict` has hundreds of keys, an article a few
    dozen: the article's are looked up in the group, not the other way round."""
    if len(terms.by_key) <= len(hits):
        return [key for key in terms.by_key if key in hits]
    return sorted(hits.keys() & terms.by_key.keys(), key=terms.rank.__getitem__)


def _first_in_field(hits: list[Hit], field: int, lead_chars: int) -> list[Hit]:
    """The first MAX_PER_TERM hits in the field, without testing the rest (or any, for a
    term that counts anywhere: most of them)."""
    if field == ANYWHERE:
        return hits[:MAX_PER_TERM]
    return list(islice((hit for hit in hits if _in_field(hit, field, lead_chars)), MAX_PER_TERM))


def _in_field(hit: Hit, field: int, lead_chars: int) -> bool:
    if field == ANYWHERE:
        return True
    if field == TITLE_ONLY:
        return hit[0] == TITLE
    if field == BODY_ONLY:
        return hit[0] != TITLE
    assert field == LEAD_ONLY
    return hit[0] != TITLE and hit[1] < lead_chars


Span = tuple[int, int, int]  # field, first word number, last word number


def _partnered(
    mine: list[Pair], theirs: list[Span], spans: dict[Hit, Span], reach: int
) -> list[Pair]:
    """The pairs of `mine` with a span of `theirs` at most `reach` words away, same field."""
    fields: dict[int, tuple[list[int], list[int]]] = {}
    for field, first, last in sorted(theirs):
        firsts, reaches = fields.setdefault(field, ([], []))
        firsts.append(first)
        reaches.append(max(last, reaches[-1]) if reaches else last)  # the furthest end so far
    found = []
    for pair in mine:
        field, first, last = spans[pair[1]]
        if field not in fields:
            continue
        firsts, reaches = fields[field]
        index = bisect_left(firsts, first)
        after = firsts[index] - last if index < len(firsts) else reach + 1
        before = first - reaches[index - 1] if index else reach + 1
        if min(after, before) <= reach:
            found.append(pair)
    return found

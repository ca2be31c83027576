"""The classify stage: which topics a clean article belongs to, how strongly, and why. Pure."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from schemas import ClassifiedArticle, CleanArticle, Evidence, TopicMatch, TopicScore
from streams.classification.taxonomy import Taxonomy, Topic

_WORD = re.compile(r"\w+")
# Hits in the title count more than hits in the lead, which count more than the rest.
FIELD_WEIGHTS = {"title": 3.0, "lead": 2.0, "text": 1.0}
LEAD_CHARS = 400
# Weighted hits at which a group is ~63% saturated.
SATURATION = 2.0


@dataclass(frozen=True, slots=True)
class _Term:
    group: int
    text: str
    words: tuple[str, ...]
    prefix: bool


@dataclass(frozen=True, slots=True)
class CompiledTopic:
    topic: Topic
    by_first_word: dict[str, tuple[_Term, ...]]
    prefix_terms: tuple[_Term, ...]


@dataclass(frozen=True, slots=True)
class CompiledTaxonomy:
    version: str
    topics: tuple[CompiledTopic, ...]


def compile_taxonomy(taxonomy: Taxonomy) -> CompiledTaxonomy:
    """Index every topic's terms once, so classifying an article is a single pass per field."""
    return CompiledTaxonomy(taxonomy.version, tuple(_compile_topic(t) for t in taxonomy.topics))


def _compile_topic(topic: Topic) -> CompiledTopic:
    by_first: dict[str, list[_Term]] = {}
    prefixed: list[_Term] = []
    for index, group in enumerate(topic.all_of):
        for text in group.terms:
            term = _Term(index, text, tuple(text.rstrip("*").split()), text.endswith("*"))
            if term.prefix and len(term.words) == 1:
                prefixed.append(term)
            else:
                by_first.setdefault(term.words[0], []).append(term)
    frozen = {word: tuple(terms) for word, terms in by_first.items()}
    return CompiledTopic(topic, frozen, tuple(prefixed))


def classify(article: CleanArticle, taxonomy: CompiledTaxonomy) -> ClassifiedArticle:
    """Score the article against every topic; keep the topics that pass their threshold."""
    fields = {"title": _Field(article.title), "text": _Field(article.text)}
    scores = [score_topic(compiled, fields) for compiled in taxonomy.topics]
    passing = [
        s for s, c in zip(scores, taxonomy.topics, strict=True) if s.score >= c.topic.threshold
    ]
    passing.sort(key=lambda s: s.score, reverse=True)
    return ClassifiedArticle(
        **article.model_dump(), taxonomy_version=taxonomy.version, topics=passing
    )


def topic_matches(article: ClassifiedArticle) -> list[TopicMatch]:
    """One record per matched topic, for the alert stage (keyed there by topic id)."""
    clean = CleanArticle.model_validate(article.model_dump(exclude={"topics", "taxonomy_version"}))
    return [
        TopicMatch(topic=topic, taxonomy_version=article.taxonomy_version, article=clean)
        for topic in article.topics
    ]


Token = tuple[str, int, int]


class _Field:
    """A field's text and its words with their character offsets, tokenised once."""

    __slots__ = ("text", "tokens")

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[Token] = [
            (m.group().casefold(), m.start(), m.end()) for m in _WORD.finditer(text)
        ]


def score_topic(compiled: CompiledTopic, fields: dict[str, _Field]) -> TopicScore:
    """A score in [0, 1]: every group must match; weighted hits saturate per group."""
    topic = compiled.topic
    evidence = [e for name, field in fields.items() for e in _find(compiled, name, field)]
    weights = [0.0] * len(topic.all_of)
    for group, item in evidence:
        weights[group] += _position_weight(item)
    strengths = [
        1 - math.exp(-w * g.weight / SATURATION) for w, g in zip(weights, topic.all_of, strict=True)
    ]
    score = math.prod(strengths) ** (1 / len(strengths))
    return TopicScore(
        id=topic.id,
        name=topic.name,
        score=round(score, 4),
        severity=topic.severity,
        evidence=[item for _, item in evidence],
    )


def _position_weight(item: Evidence) -> float:
    if item.field == "title":
        return FIELD_WEIGHTS["title"]
    return FIELD_WEIGHTS["lead"] if item.start < LEAD_CHARS else FIELD_WEIGHTS["text"]


def _find(compiled: CompiledTopic, name: str, field: _Field) -> Iterator[tuple[int, Evidence]]:
    tokens = field.tokens
    for index, (word, start, _) in enumerate(tokens):
        candidates = compiled.by_first_word.get(word, ())
        prefixed = [t for t in compiled.prefix_terms if word.startswith(t.words[0])]
        for term in (*candidates, *prefixed):
            end = _match_end(term, tokens, index)
            if end is not None:
                matched = field.text[start:end]
                yield (
                    term.group,
                    Evidence(
                        term=term.text,
                        matched=matched,
                        field=name,
                        start=start,
                        end=end,  # type: ignore[arg-type]
                    ),
                )


def _match_end(term: _Term, tokens: list[Token], index: int) -> int | None:
    words = term.words
    window = tokens[index : index + len(words)]
    if len(window) < len(words):
        return None
    *exact, last = words
    if any(tok[0] != word for tok, word in zip(window, exact, strict=False)):
        return None
    final = window[-1][0]
    if final == last or (term.prefix and final.startswith(last)):
        return window[-1][2]
    return None

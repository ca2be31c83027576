"""The classify stage: which topics a clean article belongs to, how strongly, and why. Pure.

Every topic's query is compiled once into rules over one shared Aho-Corasick automaton
(compiler.py, matcher.py); an article is scanned once and each topic's rule scored from
the hits (scoring.py). A topic's score is in [0, 1]; the article is filed under every topic
whose score reaches its threshold, with the evidence: matched terms, offsets, the clause.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import ahocorasick

from schemas import ClassifiedArticle, CleanArticle, TopicScore
from schemas.common import short_hash
from streams.classification import query as q
from streams.classification.aboutness import AboutWeights
from streams.classification.compiler import (
    AboutOf,
    AllOf,
    AnyOf,
    NearOf,
    QueryCompiler,
    Rule,
    TermSet,
    clause_label,
)
from streams.classification.matcher import KeyTable, Scan, Zones, scan
from streams.classification.scoring import Scorer
from streams.classification.taxonomy import (
    Taxonomy,
    TaxonomyError,
    Topic,
    parse_taxonomy,
)

WHEN_HOLDS = 0.5  # a severity rule's `when` query holds at this score
_ARTICLE_FIELDS = tuple(CleanArticle.model_fields)  # what a classified article copies


@dataclass(frozen=True, slots=True)
class SeverityStep:
    level: str
    min_score: float
    when: Rule | None


@dataclass(frozen=True, slots=True)
class CompiledTopic:
    topic: Topic
    rule: Rule
    clause: str  # the whole query, as evidence names it when it has no alternatives
    # Groups of keys of which the article must contain one each, or the topic scores 0.
    needs: tuple[frozenset[int], ...]
    severity: tuple[SeverityStep, ...]


@dataclass(frozen=True, slots=True)
class CompiledTaxonomy:
    version: str
    digest: str  # of the validated content: a reload that changes nothing is no reload
    topics: tuple[CompiledTopic, ...]
    automaton: ahocorasick.Automaton
    zones: Zones
    saturation: float
    length_norm: float
    typical_chars: int
    paragraph_decay: float
    about: AboutWeights
    term_count: int
    thresholds: dict[str, float]  # by topic id: what filing an article under one takes


def compile_taxonomy(taxonomy: Taxonomy) -> CompiledTaxonomy:
    """Compile every topic's query once, into one automaton over all their terms."""
    keys = KeyTable()
    lists = {name: q.parse(text) for name, text in taxonomy.lists.items()}
    compiler = QueryCompiler(lists, keys)
    topics = tuple(_compile_topic(topic, compiler) for topic in taxonomy.topics)
    s = taxonomy.scoring
    return CompiledTaxonomy(
        version=taxonomy.version,
        digest=short_hash(taxonomy.model_dump_json()),
        topics=topics,
        automaton=keys.automaton(),
        zones=Zones(s.title, s.lead, s.body, s.aside, s.lead_chars),
        saturation=s.saturation,
        length_norm=s.length_norm,
        typical_chars=s.typical_chars,
        paragraph_decay=s.paragraph_decay,
        about=AboutWeights(s.about_title, s.about_lead, s.about_share, s.about_late),
        term_count=len(keys.keys),
        thresholds={topic.id: topic.threshold for topic in taxonomy.topics},
    )


def _compile_topic(topic: Topic, compiler: QueryCompiler) -> CompiledTopic:
    parsed = q.parse(topic.query)
    rule = compiler.compile(parsed)
    steps = tuple(
        SeverityStep(
            step.level,
            step.min_score,
            None if step.when is None else compiler.compile(q.parse(step.when)),
        )
        for step in topic.severity.rules
    )
    return CompiledTopic(topic, rule, clause_label(parsed), _needs(rule), steps)


def _needs(rule: Rule) -> tuple[frozenset[int], ...]:
    """What an article must contain for the rule to score above 0: one key of each group."""
    if isinstance(rule, AllOf):
        return tuple(need for child in rule.required for need in _needs(child))
    if isinstance(rule, NearOf):
        return (frozenset(rule.left.by_key), frozenset(rule.right.by_key))
    return (frozenset(_required_keys(rule)),)


def _required_keys(rule: Rule) -> list[int]:
    if isinstance(rule, TermSet):
        return list(rule.by_key)
    if isinstance(rule, AboutOf):
        return list(rule.terms.by_key)
    if isinstance(rule, NearOf):
        return [*rule.left.by_key, *rule.right.by_key]
    children = rule.children if isinstance(rule, AnyOf) else rule.required
    return [key for child in children for key in _required_keys(child)]


def classify(article: CleanArticle, taxonomy: CompiledTaxonomy) -> ClassifiedArticle:
    """Score the article against every topic; keep the topics that pass their threshold."""
    return classified_article(article, taxonomy, score_article(article, taxonomy, passing=True))


def score_article(
    article: CleanArticle, taxonomy: CompiledTaxonomy, *, passing: bool = False
) -> list[TopicScore]:
    """Every topic with a score above 0 (or, with `passing`, at its threshold or above);
    only those that pass carry their evidence."""
    found = scan(taxonomy.automaton, article.title, article.text, taxonomy.zones)
    scorer = _scorer(found, taxonomy)
    present = set(found.hits)  # a set: isdisjoint then walks the smaller side
    scores = []
    for compiled in taxonomy.topics:
        if not _may_score(compiled.needs, present):
            continue
        score = round(scorer.score(compiled.rule), 4)
        passed = score >= compiled.topic.threshold
        if passed or (score > 0 and not passing):
            scores.append(_topic_score(compiled, score, scorer if passed else None))
    return scores


def _may_score(needs: tuple[frozenset[int], ...], present: set[int]) -> bool:
    """Whether the article has a key of each group the topic needs."""
    for need in needs:  # noqa: SIM110  (all() over a generator costs more than the tests)
        if need.isdisjoint(present):
            return False
    return True


def classified_article(
    article: CleanArticle, taxonomy: CompiledTaxonomy, scores: list[TopicScore]
) -> ClassifiedArticle:
    """The article with the topics it passed, strongest first, and the taxonomy version."""
    thresholds = taxonomy.thresholds
    passing = sorted(
        (s for s in scores if s.score >= thresholds[s.id]), key=lambda s: s.score, reverse=True
    )
    # The fields by name: dict(article) walks pydantic's __iter__ generator, which cost
    # more than validating the ClassifiedArticle. (Validating it costs no more than
    # schemas.common.construct: its values are strings and model instances, passed as
    # they are.)
    fields = {name: getattr(article, name) for name in _ARTICLE_FIELDS}
    return ClassifiedArticle(**fields, taxonomy_version=taxonomy.version, topics=passing)


def explain_topic(article: CleanArticle, taxonomy: CompiledTaxonomy, topic_id: str) -> TopicScore:
    """One topic's score and evidence whatever the threshold: why an article missed."""
    (compiled,) = [c for c in taxonomy.topics if c.topic.id == topic_id]
    scorer = _scorer(
        scan(taxonomy.automaton, article.title, article.text, taxonomy.zones), taxonomy
    )
    return _topic_score(compiled, round(scorer.score(compiled.rule), 4), scorer)


def _scorer(found: Scan, taxonomy: CompiledTaxonomy) -> Scorer:
    """A scorer for one article: a long article needs more mentions to score as high; a
    short one as many as a typical one (two passing mentions in a brief are still passing)."""
    norm = taxonomy.length_norm
    length = max(1.0, 1 - norm + norm * found.length / taxonomy.typical_chars)
    scale = taxonomy.saturation * length
    return Scorer(found, scale, taxonomy.zones.lead_chars, taxonomy.paragraph_decay, taxonomy.about)


def _topic_score(compiled: CompiledTopic, score: float, scorer: Scorer | None) -> TopicScore:
    topic = compiled.topic
    fields: dict[str, object] = {"id": topic.id, "name": topic.name, "score": score}
    fields |= {"severity": topic.severity.default, "evidence": []}
    if scorer is not None:
        fields["severity"] = _severity(compiled, score, scorer)
        fields["evidence"] = scorer.evidence(compiled.rule, compiled.clause)
        if about := scorer.about_text(compiled.rule):
            fields["about"] = about
    return TopicScore.model_validate(fields)


def _severity(compiled: CompiledTopic, score: float, scorer: Scorer) -> str:
    for step in compiled.severity:
        if score >= step.min_score and (step.when is None or scorer.score(step.when) >= WHEN_HOLDS):
            return step.level
    return compiled.topic.severity.default


ReloadOutcome = Literal["unchanged", "loaded", "refused"]


@dataclass(frozen=True, slots=True)
class Reload:
    """What a taxonomy reload did, for the log line and the metric."""

    outcome: ReloadOutcome
    detail: str = ""


def reload_taxonomy(
    current: CompiledTaxonomy, text: str, file: str
) -> tuple[CompiledTaxonomy, Reload]:
    """(current taxonomy, new file content) -> (taxonomy to run, what happened).

    An invalid file is refused and the current taxonomy keeps running. So is a changed file
    whose version was not bumped: every classification names the version it ran under, and
    two different taxonomies must not share one.
    """
    try:
        compiled = compile_taxonomy(parse_taxonomy(text, file))
    except TaxonomyError as error:
        return current, Reload("refused", str(error))
    if compiled.digest == current.digest:
        return current, Reload("unchanged")
    if compiled.version == current.version:
        detail = f"{file}: the content changed but version is still {current.version!r}"
        return current, Reload("refused", detail + "; bump the version")
    return compiled, Reload("loaded", f"{current.version} -> {compiled.version}")

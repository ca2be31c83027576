"""The article's half of the alert stage, run where the article is: what a match carries. Pure.

The alert stage is keyed by topic, so all of a hot topic's matches meet in one partition
and one agent: whatever it computes per match is the topic's ceiling. Everything it needs
from the body (the summary, the MinHash fingerprint, the escalation terms) is computed
here instead, by the classify step, which scales with the partitions of the article
topics, and the match carries those rather than the body.
"""

from __future__ import annotations

from collections.abc import Sequence

from schemas import CleanArticle, TopicMatch, TopicScore
from schemas.articles import MatchedArticle
from schemas.common import construct
from streams.alerting.logic import AlertRules
from streams.alerting.records import summarize
from streams.alerting.severity import escalations
from streams.alerting.similarity import band_hashes, signature
from streams.alerting.stories import reference


def matched_article(article: CleanArticle, rules: AlertRules) -> MatchedArticle:
    """The article as the alert stage sees it: no body, its fingerprint instead."""
    body = f"{article.title}\n{article.text}"
    fingerprint = signature(body)
    # Built, not validated: its 64-value signature made most of the validation's cost.
    return construct(
        MatchedArticle,
        **reference(article),
        summary=summarize(article.text),
        signature=list(fingerprint),
        bands=band_hashes(fingerprint),
        escalations=escalations(rules.escalation, body),
    )


def topic_matches(
    article: CleanArticle, topics: Sequence[TopicScore], taxonomy_version: str, rules: AlertRules
) -> list[TopicMatch]:
    """One record per topic the article passed, for the alert stage (keyed by topic id)."""
    if not topics:
        return []
    matched = matched_article(article, rules)
    return [
        TopicMatch(topic=topic, taxonomy_version=taxonomy_version, article=matched)
        for topic in topics
    ]

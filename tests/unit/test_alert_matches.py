"""What a topic match carries to the alert stage: no body, a fingerprint, the lead."""

from __future__ import annotations

from schemas import CleanArticle, TopicMatch
from streams.alerting.logic import AlertRules
from streams.alerting.matches import matched_article, topic_matches
from streams.alerting.similarity import signature
from streams.classification.logic import classify, compile_taxonomy
from streams.classification.taxonomy import load_taxonomy
from streams.settings import DEFAULT_TAXONOMY

TAXONOMY = compile_taxonomy(load_taxonomy(DEFAULT_TAXONOMY))
ARTICLE = CleanArticle(
    id="t1",
    title="Putin and Zelensky",
    text="Russia and Ukraine talk. Putin spoke to Zelensky.\n\nA mobilisation was not ruled out.",
    url="https://example.org/t1",
)


def test_one_match_per_topic_with_the_article_and_taxonomy_version():
    classified = classify(ARTICLE, TAXONOMY)
    matches = topic_matches(ARTICLE, classified.topics, TAXONOMY.version, AlertRules())
    (match,) = [m for m in matches if m.topic.id == "russia-ukraine"]
    assert (match.article.id, match.article.url) == ("t1", "https://example.org/t1")
    assert match.taxonomy_version == TAXONOMY.version


def test_no_topic_no_match_and_no_fingerprint_computed():
    assert topic_matches(ARTICLE, [], TAXONOMY.version, AlertRules()) == []


def test_the_match_carries_the_fingerprint_summary_and_escalations_not_the_body():
    rules = AlertRules(escalation_terms=("mobilisation",))
    matched = matched_article(ARTICLE, rules)
    assert tuple(matched.signature) == signature(f"{ARTICLE.title}\n{ARTICLE.text}")
    assert matched.summary == "Russia and Ukraine talk. Putin spoke to Zelensky."
    assert matched.escalations == ["mobilisation"]
    assert "text" not in TopicMatch.model_json_schema()["$defs"]["MatchedArticle"]["properties"]

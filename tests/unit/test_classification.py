from pathlib import Path

import pytest
from pydantic import ValidationError

from schemas import CleanArticle
from streams.classification.logic import classify, compile_taxonomy, topic_matches
from streams.classification.taxonomy import Taxonomy, load_taxonomy
from streams.cleaning.logic import clean
from streams.settings import DEFAULT_TAXONOMY
from streams.sources.files import plain_text_article
from tests.unit.test_cleaning import NOW

TAXONOMY = compile_taxonomy(load_taxonomy(DEFAULT_TAXONOMY))


def _article(title: str, text: str) -> CleanArticle:
    return CleanArticle(id="t1", title=title, text=text)


def _topic_ids(article: CleanArticle) -> list[str]:
    return [t.id for t in classify(article, TAXONOMY).topics]


def test_seed_is_russia_ukraine_with_evidence(seed_path):
    article = clean(plain_text_article(seed_path.read_text(encoding="utf-8")), ingested=NOW)
    classified = classify(article, TAXONOMY)
    assert [t.id for t in classified.topics] == ["russia-ukraine"]
    topic = classified.topics[0]
    assert topic.score >= 0.9
    for item in topic.evidence:
        text = article.title if item.field == "title" else article.text
        assert text[item.start : item.end] == item.matched
    assert {"putin", "ukraine", "russia"} <= {e.matched.casefold() for e in topic.evidence}


@pytest.mark.parametrize(
    ("title", "text", "expected"),
    [
        (
            "Kyiv reports shelling near Kharkiv",
            "Ukrainian officials said Russian artillery hit Kharkiv overnight. "
            "The Kremlin did not comment. Ukraine asked allies for air defence.",
            ["russia-ukraine"],
        ),
        (
            "Council approves new cycle lanes",
            "The city council voted to add cycle lanes on three streets next spring.",
            [],
        ),
        (
            # Russia without Ukraine is not this topic.
            "Moscow hosts trade fair",
            "Russian exporters met buyers in Moscow. Russia expects more orders.",
            [],
        ),
    ],
)
def test_topics(title, text, expected):
    assert [t for t in _topic_ids(_article(title, text)) if t == "russia-ukraine"] == expected


def test_multi_word_and_prefix_terms_match():
    ids = _topic_ids(_article("Vaccines", "The pandemic eased as vaccination and vaccines spread."))
    assert "public-health" in ids


def test_topic_matches_carry_the_article_and_taxonomy_version():
    classified = classify(
        _article("Putin and Zelensky", "Russia and Ukraine talk. Putin spoke to Zelensky."),
        TAXONOMY,
    )
    (match,) = [m for m in topic_matches(classified) if m.topic.id == "russia-ukraine"]
    assert match.article.id == "t1"
    assert match.taxonomy_version == TAXONOMY.version


@pytest.mark.parametrize(
    "topics",
    [
        [{"id": "Bad Id", "name": "x", "all_of": [{"name": "g", "terms": ["a"]}]}],
        [{"id": "a", "name": "x", "all_of": []}],
        [{"id": "a", "name": "x", "all_of": [{"name": "g", "terms": ["mid*dle"]}]}],
        [{"id": "a", "name": "x", "all_of": [{"name": "g", "terms": ["a"]}]}] * 2,
        [{"id": "a", "name": "x", "threshold": 2, "all_of": [{"name": "g", "terms": ["a"]}]}],
    ],
)
def test_invalid_taxonomies_are_refused(topics):
    with pytest.raises(ValidationError):
        Taxonomy.model_validate({"version": "1", "topics": topics})


def test_default_taxonomy_has_the_first_topic():
    taxonomy = load_taxonomy(Path(DEFAULT_TAXONOMY))
    assert taxonomy.topics[0].id == "russia-ukraine"
    assert len(taxonomy.topics) >= 5

"""Aboutness: `about:(terms)` and the russia-ukraine topic built on it (issue #14).

Every kind of coverage the analyst reported has a fixture article we wrote
(coverage_fixtures.py): about the war without the words the old query insisted on, and
about something else with the war in a sentence or two of background.
"""

from __future__ import annotations

import pytest

from streams.classification.aboutness import (
    PARAGRAPH_CHARS,
    AboutWeights,
    Coverage,
    paragraph_units,
)
from streams.classification.evaluation import (
    Scored,
    best_threshold,
    distribution_report,
    fold_of,
    folds_report,
    leave_one_source_out,
)
from streams.classification.logic import classify, compile_taxonomy, explain_topic
from streams.classification.taxonomy import Taxonomy, TaxonomyError, load_taxonomy, parse_taxonomy
from streams.settings import DEFAULT_TAXONOMY
from tests.unit.coverage_fixtures import MISSED, PASSING
from tests.unit.test_cleaning import cleaned

TAXONOMY = compile_taxonomy(load_taxonomy(DEFAULT_TAXONOMY))
TOPIC = "russia-ukraine"


def _one_topic(query: str) -> object:
    spec = {"id": "t", "name": "T", "threshold": 0.5, "query": query}
    return compile_taxonomy(Taxonomy.model_validate({"version": "v1", "topics": [spec]}))


@pytest.mark.parametrize(("title", "text"), MISSED.values(), ids=MISSED.keys())
def test_coverage_about_the_war_is_russia_ukraine(title, text):
    article = cleaned(title, text)
    assert TOPIC in [t.id for t in classify(article, TAXONOMY).topics], explain_topic(
        article, TAXONOMY, TOPIC
    )


@pytest.mark.parametrize(("title", "text"), PASSING.values(), ids=PASSING.keys())
def test_the_war_in_passing_is_not_russia_ukraine(title, text):
    article = cleaned(title, text)
    score = explain_topic(article, TAXONOMY, TOPIC)
    assert score.score < 0.45, score  # a margin under the threshold, not a near miss


def test_evidence_says_how_the_war_runs_through_the_article():
    title, text = MISSED["front line: evacuation of a region"]
    (topic,) = classify(cleaned(title, text), TAXONOMY).topics
    assert topic.about == "in title, lead and 5 of 5 paragraphs"
    assert {"evacuation", "donetsk", "front line"} <= {e.matched.lower() for e in topic.evidence}


@pytest.mark.parametrize(
    ("coverage", "expected"),
    [
        (Coverage(1.0, 1.0, 5, 5.0, 5, 1), 1.0),  # built on the terms
        (Coverage(1.0, 0.0, 0, 0.0, 10, 0), 0.5),  # a headline alone
        (Coverage(0.0, 0.0, 5, 5.0, 10, 1), 1.0),  # half the paragraphs from the start
        (Coverage(0.0, 0.0, 1, 1.0, 10, 10), 0.0),  # a closing line of background
        (Coverage(0.0, 0.0, 2, 1.0, 10, 1), 0.2),  # two paragraphs of half-weight terms
        (Coverage(0.0, 1.0, 1, 1.0, 10, 1), 0.44),  # the lead and nothing else
    ],
)
def test_coverage_scores(coverage, expected):
    assert coverage.score(AboutWeights()) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("coverage", "words"),
    [
        (Coverage(1.0, 1.0, 7, 7.0, 11, 1), "in title, lead and 7 of 11 paragraphs"),
        (Coverage(0.0, 0.5, 2, 1.5, 9, 1), "in lead and 2 of 9 paragraphs"),
        (Coverage(0.0, 0.0, 1, 1.0, 8, 6), "in 1 of 8 paragraphs, first in paragraph 6"),
    ],
)
def test_coverage_in_words(coverage, words):
    assert coverage.describe() == words


def test_paragraphs_are_lines_less_asides_and_long_lines_count_several():
    long_line = "word " * (2 * PARAGRAPH_CHARS // 5) + "ends."
    text = "First paragraph.\n\nRelated stories\nSecond paragraph.\n\n" + long_line
    units, total = paragraph_units(text)
    assert total == 5  # two short ones and a line three paragraphs long
    assert sorted(units.values()) == [1, 2, 3]


def test_paragraphs_take_what_the_scan_knew_of_a_line():
    text = "First paragraph.\n\nRelated stories\nSecond paragraph."
    assert paragraph_units(text, {0: False, 18: True}) == paragraph_units(text)
    # The scan's answer is taken as it is: a line it called an aside is not asked again.
    assert paragraph_units(text, {0: True}) == ({34: 1}, 1)


def test_about_rewards_coverage_not_repetition():
    about = _one_topic("about:(gas)")
    spread = "Gas prices rose.\n\nThe gas deal held.\n\nGas flows resumed.\n\nMore gas came."
    repeated = "Gas, gas, gas and gas.\n\nPrices rose.\n\nThe deal held.\n\nFlows resumed."
    assert explain_topic(cleaned("Markets", spread), about, "t").score == 1.0  # type: ignore[arg-type]
    # In the lead (0.3) and one paragraph of four (0.25 / 0.5 of the rest): 0.3 + 0.7 * 0.5.
    assert explain_topic(cleaned("Markets", repeated), about, "t").score == 0.65  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("title:about:(gas)", "about: measures the whole article"),
        ("about:(gas AND oil)", "about: takes terms or an OR-group of terms"),
        ("about:(gas) NEAR/5 oil", "NEAR joins terms"),
    ],
)
def test_about_errors_name_the_clause(query, message):
    text = f'version: v1\ntopics:\n  - id: t\n    name: T\n    query: "{query}"\n'
    with pytest.raises(TaxonomyError, match=message):
        parse_taxonomy(text, "t.yaml")


@pytest.mark.parametrize(
    ("article_id", "source", "fold"),
    [
        ("bbc:business/012", "BBC", "bbc:business"),
        ("semeval25t10:EN_UA_DEV_100005", "SemEval", "semeval25t10:EN_UA_DEV"),
        ("u3f2a9c", "Reuters", "Reuters"),
        ("u3f2a9c", None, "-"),
    ],
)
def test_folds_are_datasets_or_sources(article_id, source, fold):
    assert fold_of(article_id, source) == fold


def test_leave_one_source_out_tunes_without_the_source_it_scores():
    # Source a is cleanly separated at 0.6; source b's negatives score 0.5.
    scored = [Scored("a", True, 0.7), Scored("a", False, 0.45), Scored("a", True, 0.65)]
    scored += [Scored("b", True, 0.7), Scored("b", False, 0.5), Scored("b", False, 0.52)]
    assert best_threshold(scored, 0.4) == pytest.approx(0.53)  # of equals, nearest 0.4
    folds = {fold.name: fold for fold in leave_one_source_out(scored, 0.4)}
    assert folds["b"].threshold == pytest.approx(0.46)  # a alone allows a lower one...
    assert (folds["b"].tp, folds["b"].fp) == (1, 2)  # ...which b's negatives pass
    assert folds["a"].threshold == pytest.approx(0.53)
    lines = folds_report("t", list(folds.values()), 0.4)
    assert lines[-1].startswith("  pooled: precision 0.600  recall 1.000")


def test_distribution_counts_each_band_around_the_threshold():
    scored = [Scored("a", True, 0.56), Scored("a", False, 0.54), Scored("a", False, 0.1)]
    lines = distribution_report("t", scored, 0.55)
    assert "  [0.50, 0.55)     0 / 1    -" in lines
    assert "  [0.55, 0.60)     1 / 0    +" in lines
    assert len(lines) == 10  # heading lines and eight bands; 0.1 is out of view

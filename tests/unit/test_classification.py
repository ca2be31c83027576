"""The classify stage: the taxonomy file, scoring, evidence, severity and reloading."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from pydantic import ValidationError

from schemas import CleanArticle
from streams.classification.evaluation import TopicTally, label_topics, report
from streams.classification.logic import (
    classify,
    compile_taxonomy,
    explain_topic,
    reload_taxonomy,
    score_article,
)
from streams.classification.scoring import MAX_EVIDENCE
from streams.classification.taxonomy import Taxonomy, TaxonomyError, load_taxonomy, parse_taxonomy
from streams.cleaning.logic import clean
from streams.settings import DEFAULT_TAXONOMY
from streams.sources.files import plain_text_article
from tests.unit.test_cleaning import NOW

TAXONOMY = compile_taxonomy(load_taxonomy(DEFAULT_TAXONOMY))


def _article(title: str, text: str) -> CleanArticle:
    return CleanArticle(id="t1", title=title, text=text)


def _topic_ids(article: CleanArticle) -> list[str]:
    return [t.id for t in classify(article, TAXONOMY).topics]


def _tiny(query: str, threshold: float = 0.5, **topic: object) -> object:
    """A one-topic taxonomy, compiled."""
    spec = {"id": "t", "name": "T", "threshold": threshold, "query": query, **topic}
    return compile_taxonomy(
        Taxonomy.model_validate({"version": "v1", "topics": [spec], "lists": {"ru": "russia*"}})
    )


def _score(taxonomy: object, title: str, text: str) -> float:
    return explain_topic(_article(title, text), taxonomy, "t").score  # type: ignore[arg-type]


def test_seed_is_russia_ukraine_alone_with_evidence(seed_path):
    article = clean(plain_text_article(seed_path.read_text(encoding="utf-8")), ingested=NOW)
    assert isinstance(article, CleanArticle)
    classified = classify(article, TAXONOMY)
    assert [t.id for t in classified.topics] == ["russia-ukraine"]
    topic = classified.topics[0]
    assert topic.score >= 0.9
    assert topic.severity == "high"
    for item in topic.evidence:
        text = article.title if item.field == "title" else article.text
        assert text[item.start : item.end] == item.matched
        assert item.clause
    assert {"putin", "ukraine", "russia"} <= {e.matched.casefold() for e in topic.evidence}
    assert topic.about == "in 7 of 10 paragraphs, first in paragraph 3"  # the war runs through it
    assert classified.taxonomy_version == TAXONOMY.version


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


def test_multi_label_a_reader_would_file_in_several_places():
    ids = _topic_ids(
        _article(
            "Vaccine maker's shares jump as pandemic sales beat forecasts",
            "Shares in the vaccine maker rose 12 per cent after quarterly sales and profits beat "
            "investors' forecasts. Vaccination campaigns against the pandemic virus kept "
            "hospitals and health services buying, the chief executive told the stock market.",
        )
    )
    assert {"public-health", "markets-economy"} <= set(ids)


def test_default_taxonomy_has_the_first_topic_and_ten_more():
    taxonomy = load_taxonomy(Path(DEFAULT_TAXONOMY))
    assert taxonomy.topics[0].id == "russia-ukraine"
    assert len(taxonomy.topics) >= 11


@pytest.mark.parametrize(
    "topics",
    [
        [{"id": "Bad Id", "name": "x", "query": "a"}],
        [{"id": "a", "name": "x", "query": ""}],
        [{"id": "a", "name": "x", "query": "mid*dle"}],
        [{"id": "a", "name": "x", "query": "a"}] * 2,
        [{"id": "a", "name": "x", "threshold": 2, "query": "a"}],
        [{"id": "a", "name": "x", "query": "@missing"}],
        [{"id": "a", "name": "x", "query": "a", "severity": "loud"}],
        [{"id": "a", "name": "x", "query": "a", "all_of": []}],
    ],
)
def test_invalid_taxonomies_are_refused(topics):
    with pytest.raises(ValidationError):
        Taxonomy.model_validate({"version": "1", "topics": topics})


BAD_FILE = """\
version: "1"
lists:
  ru: russia* OR putin
topics:
  - id: first
    name: First
    query: |
      @ru AND ukrain*
      OR @rus NEAR/5 kyiv
  - id: second
    name: Second
    threshold: 3
    query: "gas AND"
"""


def test_taxonomy_errors_name_file_line_and_clause():
    with pytest.raises(TaxonomyError) as caught:
        parse_taxonomy(BAD_FILE, "mine.yaml")
    lines = str(caught.value).splitlines()
    assert "mine.yaml:12: topics[1] (second).threshold: Input should be less than" in lines[0]
    assert lines[1] == (
        "mine.yaml:13: topics[1] (second).query: the query ends too early in «gas AND»"
    )
    fixed = BAD_FILE.replace("threshold: 3", "threshold: 0.3").replace("gas AND", "gas")
    with pytest.raises(TaxonomyError) as caught:
        parse_taxonomy(fixed, "mine.yaml")
    assert str(caught.value) == "mine.yaml:9: topics[0] (first).query: unknown list @rus in «@rus»"


def test_yaml_errors_name_the_line():
    with pytest.raises(TaxonomyError) as caught:
        parse_taxonomy('version: "1"\ntopics:\n  - id: a\n    name: b: c\n', "bad.yaml")
    assert str(caught.value) == "bad.yaml:4: yaml: mapping values are not allowed here (column 12)"


def test_title_counts_more_than_lead_more_than_body_more_than_an_aside():
    taxonomy = _tiny("gas")
    filler = "Nothing here. " * 40  # pushes later mentions out of the lead
    title = _score(taxonomy, "Gas deal signed", "Officials met.")
    lead = _score(taxonomy, "Deal signed", "The gas deal was signed.")
    body = _score(taxonomy, "Deal signed", filler + "The gas deal was signed.")
    aside = _score(taxonomy, "Deal signed", filler + "\nGas deal signed in Vienna\n" + filler)
    assert title > lead > body > aside > 0


def test_more_mentions_score_more_and_long_articles_need_more():
    taxonomy = _tiny("gas")
    filler = "Nothing here. " * 40
    once = _score(taxonomy, "Deal", filler + "The gas deal.")
    thrice = _score(taxonomy, "Deal", filler + "The gas deal. Gas flows. Gas prices.")
    long_thrice = _score(taxonomy, "Deal", filler * 10 + "The gas deal. Gas flows. Gas prices.")
    assert 0 < once < thrice < 1
    assert long_thrice < thrice


def test_mentions_across_paragraphs_count_more_than_in_one():
    taxonomy = _tiny("gas OR oil")
    filler = "Nothing here. " * 40
    together = _score(taxonomy, "Deal", filler + "\n\nGas. Oil. Gas.")
    spread = _score(taxonomy, "Deal", filler + "\n\nGas.\n\nOil.\n\nGas.")
    assert 0 < together < spread


@pytest.mark.parametrize(
    ("query", "title", "text", "passes"),
    [
        ("russia AND ukraine", "Russia and Ukraine", "Russia and Ukraine met.", True),
        ("russia AND ukraine", "Russia", "Russia met Russia.", False),
        ("russia OR ukraine", "Ukraine", "Ukraine met Ukraine.", True),
        ('"nord stream"', "Nord Stream", "Nord-Stream pipes.", True),
        ('"nord stream"', "Nord and Stream", "Nord stuff, stream stuff.", False),
        ("ukrain*", "Ukrainian", "Ukrainians said.", True),
        ("ukrain*", "Ukulele", "Uk said.", False),
        ("gas NEAR/2 russia", "Talks", "Russia cut gas today. Russia cut the gas again.", True),
        ("gas NEAR/2 russia", "Talks", "Russia said many other things about its gas.", False),
        ("title:gas", "Gas prices", "Prices rose.", True),
        ("title:gas", "Prices", "Gas prices rose. Gas prices. Gas prices.", False),
        ("lead:gas", "Prices", "Gas prices rose. Gas ran short. " + "Nothing. " * 60, True),
        ("lead:gas", "Prices", "Nothing. " * 60 + "Gas prices rose. Gas ran short.", False),
        ("body:gas", "Gas prices", "Prices rose.", False),
        ("@ru", "Russian troops", "Russia moved.", True),
        ("gas AND NOT title:weather", "Gas", "Gas and gas.", True),
        ("gas AND NOT title:weather", "Gas weather", "Gas and gas.", False),
    ],
)
def test_each_operator(query, title, text, passes):
    assert (_score(_tiny(query), title, text) >= 0.5) is passes


def test_and_is_its_weakest_part_or_of_clauses_its_strongest_not_is_graded():
    text = "Gas gas gas. Oil."
    gas = _score(_tiny("gas"), "Report", text)
    oil = _score(_tiny("oil"), "Report", text)
    assert _score(_tiny("gas AND oil"), "Report", text) == oil
    assert _score(_tiny("(gas AND gas) OR (oil AND oil)"), "Report", text) == gas
    assert _score(_tiny("gas OR oil"), "Report", text) > gas  # terms pool their mentions
    assert _score(_tiny("gas AND NOT oil"), "Report", text) == pytest.approx(1 - oil, abs=1e-4)
    assert _score(_tiny("gas AND NOT oil^20"), "Report", text) < 0.01  # weighted: excludes


def test_weights_scale_a_terms_mentions():
    assert _score(_tiny("gas^3"), "Report", "Gas.") > _score(_tiny("gas"), "Report", "Gas.")


def test_evidence_has_offsets_whole_words_and_the_clause_that_fired():
    taxonomy = _tiny("(ukrain* AND gas) OR kremlin^0.1")
    article = _article("Ukrainian gas", "Ukraine's gas transit. The Kremlin said.")
    (topic,) = classify(article, taxonomy).topics  # type: ignore[arg-type]
    assert [(e.matched, e.field, e.start, e.end) for e in topic.evidence] == [
        ("Ukrainian", "title", 0, 9),
        ("gas", "title", 10, 13),
        ("Ukraine", "text", 0, 7),
        ("gas", "text", 10, 13),
    ]
    assert {e.clause for e in topic.evidence} == {"(ukrain* AND gas)"}
    assert {e.term for e in topic.evidence} == {"ukrain*", "gas"}


def test_evidence_shows_a_few_mentions_of_each_term_up_to_a_cap():
    article = _article("Gas", "Gas. Oil. " * 100 + "Coal, " * 20 + ". Wood. " * 20)
    (topic,) = classify(article, _tiny("gas OR oil OR coal OR wood^0.1")).topics  # type: ignore[arg-type]
    expected = ["Gas", "Gas", "Oil", "Oil", "Coal", "Coal", "Wood", "Wood"]
    assert [e.matched for e in topic.evidence] == expected
    many = _tiny(" OR ".join(f"w{n}" for n in range(40)))
    text = " ".join(f"W{n} w{n}." for n in range(40))
    (topic,) = classify(_article("Words", text), many).topics  # type: ignore[arg-type]
    assert len(topic.evidence) == MAX_EVIDENCE


def test_only_passing_topics_are_kept_but_every_score_is_reported():
    taxonomy = _tiny("gas", threshold=0.99)
    article = _article("Report", "Gas.")
    assert classify(article, taxonomy).topics == []  # type: ignore[arg-type]
    (score,) = score_article(article, taxonomy)  # type: ignore[arg-type]
    assert 0 < score.score < 0.99 and score.evidence == []


def test_severity_rules_first_that_applies():
    severity = {
        "default": "medium",
        "rules": [{"level": "critical", "min_score": 0.5, "when": "title:invasion"}],
    }
    taxonomy = _tiny("troops", severity=severity)
    calm = classify(_article("Troops", "Troops moved."), taxonomy).topics  # type: ignore[arg-type]
    loud = classify(_article("Invasion: troops", "Troops."), taxonomy).topics  # type: ignore[arg-type]
    assert [t.severity for t in calm] == ["medium"]
    assert [t.severity for t in loud] == ["critical"]


def _yaml(version: str, query: str) -> str:
    return f'version: "{version}"\ntopics:\n  - id: t\n    name: T\n    query: "{query}"\n'


def test_reload_loads_a_new_version_and_keeps_the_old_one_otherwise():
    current = compile_taxonomy(parse_taxonomy(_yaml("1", "gas"), "t.yaml"))
    same, outcome = reload_taxonomy(current, _yaml("1", "gas") + "# a comment\n", "t.yaml")
    assert (same, outcome.outcome) == (current, "unchanged")
    kept, outcome = reload_taxonomy(current, _yaml("2", "gas AND"), "t.yaml")
    assert kept is current and outcome.outcome == "refused"
    assert "t.yaml:5: topics[0] (t).query: the query ends too early" in outcome.detail
    kept, outcome = reload_taxonomy(current, _yaml("1", "oil"), "t.yaml")
    assert kept is current and outcome.outcome == "refused" and "bump the version" in outcome.detail
    new, outcome = reload_taxonomy(current, _yaml("2", "oil"), "t.yaml")
    assert (new.version, outcome.outcome, outcome.detail) == ("2", "loaded", "1 -> 2")


@pytest.mark.parametrize(
    ("label", "topics"),
    [
        (None, None),
        ("other", set()),
        ("russia_ukraine", {"russia-ukraine"}),
        (["russia_ukraine", "us_politics"], {"russia-ukraine", "us-politics"}),
    ],
)
def test_labels_name_topics(label, topics):
    assert label_topics(label) == topics


def test_tally_and_report():
    tally = TopicTally("russia-ukraine", 0.6)
    for expected, predicted in [(True, True)] * 8 + [(True, False), (False, True), (False, False)]:
        tally.add(expected, predicted, None)
    assert (tally.tp, tally.fp, tally.fn, tally.tn) == (8, 1, 1, 1)
    assert tally.precision == pytest.approx(8 / 9) and tally.f1 == pytest.approx(8 / 9)
    (_, row) = report([tally], Counter())
    assert row.split() == ["russia-ukraine", "8", "1", "1", "1", "0.889", "0.889", "0.889"]


def test_a_topic_without_a_hit_in_every_required_part_is_not_scored_at_all():
    taxonomy = _tiny("(gas OR oil) AND pipeline NEAR/3 russia* AND NOT ukraine")
    (compiled,) = taxonomy.topics  # type: ignore[attr-defined]
    assert [len(need) for need in compiled.needs] == [2, 1, 1]
    assert score_article(_article("Gas", "Gas pipeline. Gas pipeline."), taxonomy) == []  # type: ignore[arg-type]

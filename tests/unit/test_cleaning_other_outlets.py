"""Furniture worded the way outlets outside the dev corpus word it, in a plain-text article.

The dev corpus has two sources, so rules read off it can learn their wording rather than
the kind. tests/fixtures/other-outlets-furniture.txt holds lines of the kinds issue 15 names
(players, gallery captions, credits, share and listen bars, newsletter and app calls, cards
of other stories) as other outlets set them, written for this test. Each must go wherever it
stands, between paragraphs or after the last, and take no body sentence with it.
"""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from schemas import CleanArticle, RawArticle
from streams.cleaning.logic import clean

FIXTURE = Path(__file__).parents[1] / "fixtures" / "other-outlets-furniture.txt"
LINES = [
    line.strip()
    for line in FIXTURE.read_text(encoding="utf-8").splitlines()
    if line.strip() and not line.startswith("#")
]
BODY = [
    "The harbour board voted on Tuesday to delay the dredging contract until the spring.",
    "Board members said the delay would allow a second survey of the estuary to be completed.",
    "Local fishermen had campaigned for months against the plan, fearing for the oyster beds.",
    "A spokesperson for the port said the decision would not affect the winter ferry timetable.",
]


@pytest.mark.parametrize("where", ["between paragraphs", "after the last paragraph"])
@pytest.mark.parametrize("furniture", LINES)
def test_other_outlets_furniture_goes_and_the_body_stays(furniture, where):
    at = 2 if where == "between paragraphs" else len(BODY)
    paragraphs = [*BODY[:at], furniture, *BODY[at:]]
    article = clean(
        RawArticle(title="Harbour board delays dredging", text="\n\n".join(paragraphs)),
        ingested=datetime(2026, 12, 7, tzinfo=UTC),
    )
    assert isinstance(article, CleanArticle)
    assert [line for line in article.text.split("\n") if line] == BODY
    assert article.removed, "the furniture went without a removal recorded"


def test_the_fixture_is_not_empty():
    assert len(LINES) > 80

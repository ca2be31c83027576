"""Invented articles for the alert tests: one wire story in many outlets' dress, and others."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from schemas import CleanArticle, Evidence, TopicMatch, TopicScore
from streams.alerting.logic import AlertRules
from streams.alerting.matches import matched_article

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

WIRE_STORY = (
    "Officials in Kyiv said on Monday that a convoy of grain lorries crossed the western border "
    "after two days of talks with Moscow over inspection rules at the Black Sea ports. "
    "The agreement, brokered by Turkish diplomats, allows ships to leave Odesa under a "
    "joint monitoring scheme that both sides had rejected in the spring. "
    "A Kremlin spokesman told reporters that Russia would honour the terms as long as "
    "sanctions on fertiliser exports were eased, while Ukrainian ministers called the deal "
    "fragile and warned that shelling near the port could end it within days. "
    "Shipping insurers said premiums for the route remained far above pre-war levels, and "
    "several grain traders were waiting for the first convoy to reach Istanbul before "
    "committing further cargoes."
)

OUTLETS = [
    ("Daily Ledger", "By our wire desk.", "Sign up for the Daily Ledger morning briefing."),
    ("Northern Post", "LONDON (NP) -", "Read our live coverage of the war in Ukraine."),
    ("Metro Herald", "Updated 10:42.", "Copyright Metro Herald. All rights reserved."),
    ("Valley Times", "From the agencies:", "Follow Valley Times on social media for updates."),
    ("Coastal Star", "WORLD NEWS", "Share this story with friends and family today."),
    ("The Courier", "Reported by staff.", "The Courier depends on readers: subscribe now."),
    ("Evening Bulletin", "Breaking:", "More from the Evening Bulletin world desk tomorrow."),
    ("Harbour Gazette", "International:", "This article was amended to correct a date."),
    ("City Chronicle", "Wire report.", "Comments are closed on this article."),
    ("Plains Tribune", "In brief:", "Plains Tribune thanks its supporters for their help."),
]

# Small edits a sub-editor makes: each copy changes a few words of the wire text.
EDITS = [
    ("on Monday", "on Monday"),
    ("lorries", "trucks"),
    ("Turkish diplomats", "Turkey"),
    ("in the spring", "earlier this year"),
    ("told reporters", "said"),
    ("fragile", "shaky"),
    ("within days", "quickly"),
    ("far above", "well above"),
    ("several", "some"),
    ("further cargoes", "more cargo"),
]


def copy_of_wire_story(index: int) -> tuple[str, str, str]:
    """(source, title, text) of the index-th outlet's version of the wire story."""
    source, lead, tail = OUTLETS[index]
    old, new = EDITS[index]
    body = WIRE_STORY.replace(old, new)
    titles = [
        "Grain convoy leaves Ukraine after talks with Russia",
        "Kyiv and Moscow agree grain deal",
    ]
    return source, titles[index % 2], f"{lead} {body} {tail}"


def unrelated_story(index: int) -> str:
    """A different Russia–Ukraine story each index: shares the topic, not the text."""
    places = ["Kharkiv", "Kherson", "Donetsk", "Luhansk", "Zaporizhzhia", "Mariupol", "Crimea"]
    place = places[index % len(places)]
    return (
        f"Report {index}: local officials in {place} counted {index + 3} damaged buildings after "
        f"an overnight attack, and Kremlin officials denied any role in story number {index}. "
        f"Residents number {index * 7 + 1} queued for water while engineers from district "
        f"{index % 13} inspected bridge {index * 3 + 2} on road {index * 11 + 5}."
    )


def match(
    article_id: str,
    text: str,
    *,
    published: datetime | None = T0,
    ingested: datetime | None = None,
    source: str | None = "Daily Ledger",
    title: str = "Grain convoy leaves Ukraine",
    topic: str = "russia-ukraine",
    severity: str = "high",
    score: float = 0.9,
    url: str | None = None,
    rules: AlertRules | None = None,
) -> TopicMatch:
    """A match as the classify step makes it: escalation terms found with `rules`'s."""
    evidence = [Evidence(term="kyiv", matched="Kyiv", field="text", start=0, end=4)]
    return TopicMatch(
        topic=TopicScore(
            id=topic,
            name="Russia–Ukraine tensions",
            score=score,
            severity=severity,
            evidence=evidence,
        ),
        taxonomy_version="test-1",
        article=matched_article(
            CleanArticle(
                id=article_id,
                title=title,
                text=text,
                source=source,
                url=url or f"https://example.org/{article_id}",
                published=published,
                ingested=ingested or published or T0,
            ),
            rules or AlertRules(),
        ),
    )


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)

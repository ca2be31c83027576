"""Invented, distinct Russia–Ukraine stories for the pipeline benchmarks: each makes its own alert.

Every article is seed-sized (about 2,900 characters of English in six paragraphs), passes
the russia-ukraine topic of the default taxonomy, and shares almost no word 3-grams with
any other: the sentences are drawn from slot-filled templates whose slots (actors, places,
numbers, nouns) vary per sentence, so the alert stage's MinHash similarity between two
articles stays near 0 (it joins stories at an estimated Jaccard of 0.5). Each has its own
URL, so the clean stage's dedup never drops one. `check()` runs them through the pure
pipeline to prove it: one story alert per article.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime

from bench.micro.clean_pages import news_page
from schemas.articles import derive_article_id

RUSSIA = ("Russia", "the Kremlin", "Moscow", "Russian forces", "Russian commanders", "Gazprom")
UKRAINE = ("Ukraine", "Kyiv", "Ukrainian officials", "Kharkiv", "Zaporizhzhia", "Kherson")
ACTS = ("shelling", "troop buildup", "counteroffensive", "ceasefire talks", "drone strikes")
PLACES = (
    "the northern border",
    "the southern front",
    "a river crossing",
    "the eastern district",
    "an industrial town",
    "a rail junction",
    "the coastal road",
    "a grain terminal",
)
SUBJECTS = (
    "local officials",
    "a regional council",
    "aid workers",
    "a defence analyst",
    "engineers",
    "the mayor",
    "railway staff",
    "a school director",
    "farmers",
    "volunteers",
    "teachers",
    "a shipping crew",
    "energy planners",
    "a border guard",
    "two diplomats",
    "reporters",
)
VERBS = (
    "described",
    "counted",
    "reported",
    "photographed",
    "repaired",
    "inspected",
    "mapped",
    "questioned",
    "recorded",
    "estimated",
    "confirmed",
    "disputed",
    "rebuilt",
    "evacuated",
)
OBJECTS = (
    "damaged bridges",
    "supply depots",
    "power lines",
    "empty classrooms",
    "fuel convoys",
    "field kitchens",
    "water pumps",
    "checkpoints",
    "radio masts",
    "grain silos",
    "apartment blocks",
    "bus depots",
    "storage sheds",
    "roadside stalls",
    "river barges",
)
WHEN = (
    "on Monday",
    "overnight",
    "before dawn",
    "late on Tuesday",
    "this week",
    "at noon",
    "on Friday evening",
    "after midnight",
    "during the weekend",
    "early on Thursday",
)
ADJECTIVES = (
    "quiet",
    "crowded",
    "remote",
    "windswept",
    "rebuilt",
    "temporary",
    "narrow",
    "frozen",
    "busy",
    "abandoned",
    "makeshift",
    "muddy",
    "distant",
    "crumbling",
    "newly paved",
)
PARAGRAPHS = 6
SENTENCES = 4


def _sentence(rng: random.Random) -> str:
    """One sentence; its numbers and slots change every 2-3 words, so its 3-grams are new."""
    return (
        f"{rng.choice(SUBJECTS).capitalize()} {rng.choice(VERBS)} {rng.randint(2, 9999)}"
        f" {rng.choice(ADJECTIVES)} {rng.choice(OBJECTS)} near {rng.choice(PLACES)}"
        f" {rng.choice(WHEN)}, {rng.randint(2, 999)} km from {rng.choice(UKRAINE)},"
        f" while {rng.choice(RUSSIA)} {rng.choice(VERBS)} {rng.randint(2, 9999)}"
        f" {rng.choice(OBJECTS)} after {rng.choice(ACTS)}."
    )


def _lead(rng: random.Random) -> str:
    return (
        f"{rng.choice(RUSSIA)} and {rng.choice(UKRAINE)} traded accusations {rng.choice(WHEN)}"
        f" over {rng.choice(ACTS)} near {rng.choice(PLACES)}, where {rng.randint(2, 9999)}"
        f" troops were reported, {rng.choice(SUBJECTS)} said."
    )


def story(run: str, n: int) -> tuple[str, list[str], str]:
    """Title, paragraphs and URL of invented story `n` of a run (deterministic)."""
    rng = random.Random(f"{run}:{n}")
    title = (
        f"{rng.choice(RUSSIA).capitalize()} {rng.choice(ACTS)} near {rng.choice(UKRAINE)}:"
        f" {rng.randint(2, 9999)} {rng.choice(OBJECTS)} {rng.choice(VERBS)}"
    )
    paragraphs = [
        _lead(rng),
        *(" ".join(_sentence(rng) for _ in range(SENTENCES - 1)) for _ in range(PARAGRAPHS - 1)),
    ]
    return title, paragraphs, f"https://bench.invalid/{run}/{n}"


def article(
    run: str, n: int, *, html: bool = False, published: datetime | None = None
) -> tuple[bytes, bytes]:
    """(key, value) of a raw-topic record: the article id and a RawArticle as JSON.

    `html`: the story inside a news page with its furniture (bench/clean_pages.py), as a
    scraper delivers it; else plain text. `published`: defaults to now, so the alert
    stage's time windows see a live story.
    """
    title, paragraphs, url = story(run, n)
    when = (published or datetime.now(UTC)).isoformat()
    fields: dict[str, str] = {"url": url, "source": f"outlet{n % 40}", "published": when}
    if html:
        fields["html"] = news_page(title, paragraphs, url=url)
        body = fields["html"]
    else:
        fields |= {"title": title, "text": "\n\n".join(paragraphs)}
        body = fields["text"]
    key = derive_article_id(url, fields.get("title", ""), body)
    return key.encode(), json.dumps({"id": key, **fields}).encode()


def check(count: int = 500, *, html: bool = False) -> dict[str, int]:
    """Run `count` stories through the worker's steps in-process: alerts, drops and misses."""
    from streams.classification.logic import compile_taxonomy
    from streams.classification.taxonomy import load_taxonomy
    from streams.pipeline import LocalPipeline
    from streams.settings import DEFAULT_TAXONOMY

    pipeline = LocalPipeline(compile_taxonomy(load_taxonomy(DEFAULT_TAXONOMY)), window=86_400.0)
    counts = {"articles": 0, "story_alerts": 0, "other_alerts": 0, "not_matched": 0, "dropped": 0}
    now = datetime.now(UTC)
    records = [article("check", n, html=html, published=now) for n in range(count)]
    for outcome in pipeline.run(records, now):
        counts["articles"] += 1
        if outcome.classified is None:
            counts["dropped"] += 1
            continue
        if not any(t.id == "russia-ukraine" for t in outcome.classified.topics):
            counts["not_matched"] += 1
        for alert in outcome.alerts:
            counts["story_alerts" if alert.kind == "story" else "other_alerts"] += 1
    return counts


if __name__ == "__main__":
    print(json.dumps({"plain": check(2000), "html": check(200, html=True)}))

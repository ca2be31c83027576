"""The furniture model learned from the stream: templates, support, removal, state."""

from __future__ import annotations

import json
import random
import zlib
from datetime import UTC, datetime, timedelta

import pytest

from schemas import CleanArticle, RawArticle
from streams.cleaning import furniture
from streams.cleaning.explain import explain
from streams.cleaning.furniture import (
    BLOCK_THRESHOLD,
    MAX_ENCODED_BYTES,
    PROSE_THRESHOLD,
    RULE,
    THRESHOLD,
    OutletFurniture,
    Outlets,
    learn,
    outlet_key,
    paragraphs,
    remove,
    shipped_defaults,
    template,
)
from streams.cleaning.logic import OutletLearning, clean, clean_with

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
STORIES = [
    "The harbour authority reopened the northern ferry terminal on {day} after repairs.",
    "Bakers in the old town said flour prices had doubled since the spring of {year}.",
    "The council voted {n} to {m} to extend the tram line to the airport by {year}.",
    "A storm warning was issued for the east coast, with gusts of {n} km/h expected.",
    "The museum's dinosaur hall reopened to {n} visitors after a two-year renovation.",
    "Rowing clubs on the river marked a century of regattas with a parade of {n} boats.",
]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
WHO = ["Officials", "Residents", "Engineers", "Inspectors", "Shopkeepers", "Teachers", "Pilots"]
WHAT = ["complaints", "letters", "petitions", "calls", "visits", "reports", "claims", "votes"]
SHARE = "Read or Share this story: https://nw.example/s/{code}"
# Furniture no rule knows: only its frequency across the outlet's articles gives it away.
NEWSLETTER = "The Gazette: your harbour, your stories, every single morning"


def body(i: int) -> list[str]:
    """Two body paragraphs of article i, different for every i (numbers and days vary)."""
    rng = random.Random(i)
    fill = {"day": DAYS[i % 7], "year": 1990 + i, "n": rng.randint(2, 999), "m": i}
    first, second = rng.sample(STORIES, 2)
    extra = f"{rng.choice(WHO)} counted {i * 7 + 3} {rng.choice(WHAT)} in the {DAYS[i % 7]} count."
    return [first.format(**fill) + " " + extra, second.format(**fill)]


def article(i: int, *furniture_lines: str) -> list[str]:
    first, second = body(i)
    return [first, *furniture_lines, second]


def learned(articles: list[list[str]]) -> OutletFurniture:
    state = None
    for lines in articles:
        state = learn(state, paragraphs(lines), 0.0)
    assert state is not None
    return state


def removed_texts(state: OutletFurniture | None, lines: list[str]) -> list[str]:
    return [r.text for r in remove(state, paragraphs(lines), defaults={})[1]]


@pytest.mark.parametrize(
    ("line", "masked"),
    [
        ("Read or Share this story: https://nw.example/s/9x1", b"read or share this story url"),
        ("Hide Caption 17 of 37 Photos:", b"hide caption # of # photos"),
        ("LISTEN TO ARTICLE 6:52", b"listen to article # #"),
        ("Follow usat.ly/2Hq4 for more", b"follow url for more"),
        ("Ferry fares rise by 12.5% — again", "ferry fares rise by # # — again".encode()),
    ],
)
def test_a_template_keeps_the_words_and_masks_what_changes(line, masked):
    assert template(line) == masked
    assert template(masked.decode()) == masked  # shipped templates are stored in this form


def test_a_paragraph_is_keyed_by_its_template_as_shipped_defaults_are():
    paragraph = (
        "Try our harbour tours, 7 days a week from 9am. All 12 boats leave from the old pier "
        "by the lighthouse in the north of the bay."
    )
    (whole,) = paragraphs([paragraph])
    assert len(whole.sentences) == 2
    assert whole.whole.key == zlib.crc32(template(paragraph))
    assert template(template(paragraph).decode()) == template(paragraph)


def test_a_line_an_outlet_repeats_is_removed_once_its_support_reaches_the_threshold():
    articles = [article(i, NEWSLETTER) for i in range(THRESHOLD)]
    before = learned(articles[:-1])
    assert removed_texts(before, articles[-1]) == []
    after = learn(before, paragraphs(articles[-1]), 0.0)
    assert after.support(zlib.crc32(template(NEWSLETTER))) == THRESHOLD
    assert removed_texts(after, articles[-1]) == [NEWSLETTER]


def test_a_template_counts_once_per_article_and_a_number_or_link_may_change():
    articles = [
        article(i, SHARE.format(code=f"x{i}"), SHARE.format(code=f"y{i}")) for i in range(3)
    ]
    state = learned(articles)
    assert state.support(zlib.crc32(template(SHARE))) == 3


def test_furniture_glued_to_a_paragraph_is_cut_at_its_bounds():
    glued = [f"{first} {SHARE.format(code=i)}" for i, (first, _) in enumerate(map(body, range(9)))]
    state = learned([[line] for line in glued])
    kept, removals = remove(state, paragraphs([glued[-1]]), defaults={})
    assert kept == [body(8)[0]]
    assert [r.text for r in removals] == [SHARE.format(code=8)]
    assert removals[0].template == "read or share this story url"
    assert removals[0].support == 9


def test_a_background_sentence_a_story_repeats_needs_twice_the_support():
    background = (
        "The ferry company has been in administration since the collapse of its parent group "
        "in the autumn."
    )
    articles = [article(i, background) for i in range(PROSE_THRESHOLD)]
    state = learned(articles[: PROSE_THRESHOLD - 1])
    assert removed_texts(state, articles[0]) == []
    state = learn(state, paragraphs(articles[-1]), 0.0)
    assert removed_texts(state, articles[0]) == [background]


def test_lines_that_recur_together_are_a_block_and_need_less_support():
    block = ["Anyone can write for the Gazette today.", "Anyone can send us a photo or a tip."]
    articles = [article(i, *block) for i in range(BLOCK_THRESHOLD)]
    state = learned(articles)
    assert removed_texts(state, articles[0]) == block
    alone = learned([article(i, block[0]) for i in range(BLOCK_THRESHOLD)])
    assert removed_texts(alone, article(99, block[0])) == []


@pytest.mark.parametrize("line", ["Why?", "Fact Check:", "Verdict: False", "27,595", "2000 GMT"])
def test_short_lines_are_never_templates(line):
    state = learned([article(i, line) for i in range(20)])
    assert removed_texts(state, article(50, line)) == []


def test_a_copy_of_a_recent_article_is_not_learned_from():
    copy = article(1, NEWSLETTER)
    state = learned([copy] * 10)
    assert state.articles == 1
    assert removed_texts(state, article(2, NEWSLETTER)) == []


def test_learned_removals_never_take_most_of_an_article():
    lines = ["Anyone can write for the Gazette today.", "Anyone can send us a photo or a tip."]
    state = learned([article(i, *lines) for i in range(10)])
    assert removed_texts(state, [*lines, "Short body line here."]) == []


def test_the_state_round_trips_through_json_bytes_and_stays_bounded():
    rng = random.Random(7)
    state = None
    for i in range(400):
        words = [f"w{rng.randrange(10**6)}" for _ in range(400)]
        lines = [" ".join(words[k : k + 8]) + "." for k in range(0, 400, 8)]
        state = learn(state, paragraphs([*lines, NEWSLETTER]), float(i))
    assert state is not None
    data = state.encode()
    assert len(data) <= MAX_ENCODED_BYTES
    json.loads(data)
    again = OutletFurniture.decode(data)
    assert again.encode() == data
    assert again.support(zlib.crc32(template(NEWSLETTER))) == state.support(
        zlib.crc32(template(NEWSLETTER))
    )
    assert again.support(zlib.crc32(template(NEWSLETTER))) >= THRESHOLD


@pytest.mark.parametrize("data", [None, b"", b"{", b'{"v": 99}', b'{"v": 1, "keys": "??"}'])
def test_an_unreadable_state_starts_the_outlet_afresh(data):
    assert OutletFurniture.decode(data).encode() == OutletFurniture.new().encode()


def test_counts_halve_after_the_half_life():
    state = learned([article(i, NEWSLETTER) for i in range(8)])
    key = zlib.crc32(template(NEWSLETTER))
    later = learn(state, paragraphs(article(100)), furniture.HALF_LIFE_SECONDS + 1)
    assert later.support(key) == state.support(key) // 2
    assert state.support(key) == 8  # learn returns a new state: the old one is unchanged


@pytest.mark.parametrize(
    ("url", "source", "outlet"),
    [
        ("https://www.Example.com/a/1", "Example News", "example.com"),
        (None, " Example News ", "example news"),
        ("not a url", None, ""),
        ("A://[", "Example News", "example news"),
        (None, None, ""),
    ],
)
def test_the_outlet_is_the_site_else_the_source(url, source, outlet):
    assert outlet_key(url, source) == outlet


def test_many_outlets_in_one_process_are_bounded():
    outlets = Outlets(limit=3)
    for name in "abcd":
        outlets.put(name, OutletFurniture.new())
    assert len(outlets) == 3 and outlets.get("a") is None and outlets.get("d") is not None


def test_the_shipped_defaults_are_masked_templates_applied_from_the_first_article():
    defaults = shipped_defaults()
    assert defaults and all(template(text).decode() == text for _, text in defaults.values())
    _support, text = max(defaults.values())
    line = text.replace(" url", " https://a.example/x").capitalize()
    assert remove(None, paragraphs(article(1, line)))[1][0].default


def test_clean_with_learns_and_clean_applies_without_learning():
    state = None
    for i in range(THRESHOLD):
        raw = RawArticle(title=f"Story {i}", text="\n".join(article(i, NEWSLETTER)))
        done = clean_with(raw, ingested=NOW + timedelta(minutes=i), furniture=state)
        state = done.furniture
    assert isinstance(done.result, CleanArticle)
    assert [(r.rule, r.text) for r in done.result.removed] == [(RULE, NEWSLETTER)]
    expected = [(template(NEWSLETTER).decode(), THRESHOLD)]
    assert [(r.template, r.support) for r in done.learned] == expected
    raw = RawArticle(title="Later", text="\n".join(article(40, NEWSLETTER)))
    applied = clean(raw, ingested=NOW, furniture=state)
    assert isinstance(applied, CleanArticle) and NEWSLETTER not in applied.text
    plain = clean(raw, ingested=NOW)
    assert isinstance(plain, CleanArticle) and NEWSLETTER in plain.text


def test_explain_names_the_template_and_support_of_each_learned_removal():
    learning = OutletLearning()
    for i in range(THRESHOLD):
        raw = RawArticle(
            title=f"Story {i}",
            url=f"https://gazette.example/{i}",
            text="\n".join(article(i, NEWSLETTER)),
        )
        done = learning.clean(raw, ingested=NOW)
    assert isinstance(done.result, CleanArticle)
    shown = "\n".join(explain("input", raw, done.result, None, done.learned))
    assert f"{RULE}  {NEWSLETTER}" in shown
    assert f'template "{template(NEWSLETTER).decode()}", support {THRESHOLD}' in shown
    assert len(learning.outlets) == 1 and learning.outlets.get("gazette.example") is not None

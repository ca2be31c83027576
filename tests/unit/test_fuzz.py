"""Hostile input, generated: no record makes the decode, clean, classify and alert path raise.

Whatever a producer sends (any bytes; JSON of the right shape full of control characters,
NULs, surrogate escapes, broken or deeply nested HTML, huge repeated fields, odd dates and
URLs), each stage returns a record, a rejection or a drop, and what it returns holds:
cleaned text has no control characters, scores are in [0, 1], every evidence span is where
it says in the text. `--hypothesis-profile=long` runs many more examples (tests/conftest.py).
"""

from __future__ import annotations

import itertools
import json
import unicodedata
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from schemas import ClassifiedArticle, RawArticle
from streams.budget import Budget
from streams.classification.logic import compile_taxonomy
from streams.classification.taxonomy import load_taxonomy
from streams.cleaning.logic import CleanOptions, clean
from streams.codec import decode
from streams.pipeline import Outcome, process_article
from streams.rejection import Rejected
from streams.settings import DEFAULT_TAXONOMY

TAXONOMY = compile_taxonomy(load_taxonomy(DEFAULT_TAXONOMY))
NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
DECODE_REASONS = {"empty_record", "invalid_json", "invalid_schema"}
CLEAN_REASONS = {"oversized", "empty_text", "no_letters", "too_short", "time_budget"}
# Generated examples are slow-ish (HTML, a taxonomy scan): no health check on their speed.
SLOW_OK = settings(suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

# Pieces hostile text is made of: controls, invisible and odd characters, entities, markup,
# and the taxonomy's words, so that classification and alerting have something to do.
SPECIALS = st.sampled_from(
    [
        "\x00",
        "\x01",
        "\x0b",
        "\x1b",
        "\x7f",
        "\x85",
        "\u2028",
        "\ufeff",
        "\ufffe",
        "\uffff",
        "\u200b",
        "\r\n",
        "\r",
        "\t",
        "\n\n",
        "  ",
        "&amp;",
        "&#0;",
        "&#xD800;",
        "&#1114111;",
        "&nbsp;",
        "<",
        "<p>",
        "</p>",
        "<br>",
        "<script>x=1</script>",
        "<!--",
        "<!DOCTYPE html/>",
        "<html/>",
        "\u0130stanbul",
        "Stra\u00dfe",
        "\ufb01le",
        "\U0001f600",
        "\u0645\u0648\u0633\u0643\u0648",
        "Russia",
        "Ukraine",
        "Kyiv",
        "Kremlin",
        "Zelensky",
        "invasion",
        "NATO",
        "sanctions",
        "Related: ",
        "Share this article",
        "Read more",
        "(c) 2026",
        ". ",
        "- ",
    ]
)
WORDS = st.sampled_from(
    [
        "Russia",
        "Ukraine",
        "Kyiv",
        "Moscow",
        "Putin",
        "Zelensky",
        "Kremlin",
        "Donbas",
        "Crimea",
        "invasion",
        "troops",
        "war",
        "shelling",
        "ceasefire",
        "sanctions",
        "missiles",
        "NATO",
        "Iran",
        "Gaza",
        "senate",
        "election",
        "inflation",
        "ferry",
        "the",
        "a",
        "of",
        "and",
        "in",
        "on",
        "said",
        "officials",
        "reported",
        "today",
        "harbour",
        "minister",
        "talks",
        "army",
        "border",
        "city",
        "Mr.",
        "Monday,",
        "—",
        "“we”",
    ]
)
CHUNKS = st.one_of(st.text(max_size=30), SPECIALS)
SENTENCES = st.lists(
    st.one_of(WORDS, WORDS, WORDS, WORDS, SPECIALS, st.text(max_size=8)), min_size=3, max_size=25
).map(lambda words: " ".join(words) + ".")
PROSE = st.tuples(
    st.lists(SENTENCES, min_size=1, max_size=12), st.sampled_from([" ", "\n", "\n\n", "\r\n"])
).map(lambda t: t[1].join(t[0]))
MESSY = st.one_of(PROSE, PROSE, st.lists(CHUNKS, max_size=40).map("".join))
HUGE = st.tuples(st.one_of(CHUNKS, SENTENCES), st.integers(0, 400)).map(
    lambda pair: pair[0] * pair[1]
)
TAGS = st.sampled_from(
    ["p", "div", "span", "article", "b", "a", "li", "ul", "td", "h1", "nav", "blockquote", "main"]
)


def _element(parts: tuple[str, str, list[str]]) -> str:
    tag, attribute, children = parts
    return f'<{tag} class="{attribute}">{"".join(children)}</{tag}>'


FRAGMENTS = st.recursive(
    MESSY,
    lambda children: st.tuples(TAGS, st.text(max_size=10), st.lists(children, max_size=4)).map(
        _element
    ),
    max_leaves=30,
)
# Deeper than libxml2's limit (255) and heavier: bench/hostile.py, not every CI run.
DEEP = st.tuples(TAGS, st.integers(0, 120), MESSY).map(
    lambda t: f"<{t[0]}>" * t[1] + t[2] + f"</{t[0]}>" * t[1]
)
PAGES = st.one_of(
    FRAGMENTS,
    DEEP,
    HUGE.map(lambda text: f"<html><body><p>{text}</p></body></html>"),
    st.tuples(FRAGMENTS, st.text(max_size=8)).map(
        lambda t: (
            f"<!DOCTYPE html><html lang='{t[1]}'><head><title>T</title>"
            f'<meta name="author" content="{t[1]}"></head><body>{t[0]}</body></html>'
        )
    ),
)
OFFSETS = st.sampled_from(
    [None, UTC, timezone(timedelta(hours=14)), timezone(-timedelta(hours=12, minutes=59))]
)
# Hypothesis takes naive bounds and adds the time zones itself.
VALID_DATES = st.datetimes(
    datetime(2026, 1, 1),  # noqa: DTZ001
    datetime(2027, 1, 1),  # noqa: DTZ001
    timezones=OFFSETS,
)
DATES = st.one_of(
    st.none(),
    VALID_DATES.map(datetime.isoformat),
    VALID_DATES.map(datetime.isoformat),
    st.datetimes(timezones=OFFSETS).map(datetime.isoformat),
    st.dates().map(str),
    st.text(max_size=25),
    st.integers(-(10**12), 10**13),
    st.sampled_from(["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "2026-02-30"]),
)
URLS = st.one_of(
    st.text(max_size=40),
    st.sampled_from(
        [
            "https://example.org/a?utm_source=x&id=3#top",
            "http://[::1",
            "https://\u4f8b\u3048.jp/\u00e4",
            "javascript:alert(1)",
            "//x",
            "http://a:b@c:99999/",
            "https://example.org/" + "a" * 3000,
            "https://example.org/%zz%00",
        ]
    ),
)
FIELDS = st.fixed_dictionaries(
    {"text": st.one_of(MESSY, MESSY, PAGES, HUGE, st.none())},
    optional={
        "id": st.text(max_size=20),
        "title": st.one_of(MESSY, HUGE),
        "html": PAGES,
        "url": URLS,
        "source": st.text(max_size=20),
        "published": DATES,
        "ingested": DATES,
        "schema_version": st.sampled_from([1, 1, 1, 2, "1"]),
    },
)


@st.composite
def records(draw: st.DrawFn) -> bytes:
    """A RawArticle-shaped record as a producer might send it: JSON, escaped or raw UTF-8."""
    fields: dict[str, Any] = draw(FIELDS)
    text = json.dumps(fields, ensure_ascii=draw(st.booleans()))
    # A surrogate in raw UTF-8 is invalid UTF-8: the bytes a broken producer sends.
    return text.encode("utf-8", "surrogatepass")


@st.composite
def mangled(draw: st.DrawFn) -> bytes:
    """A valid record with a slice of it replaced by arbitrary bytes."""
    data = draw(records())
    start = draw(st.integers(0, len(data)))
    end = draw(st.integers(start, min(len(data), start + 20)))
    return data[:start] + draw(st.binary(max_size=20)) + data[end:]


def _is_clean(text: str) -> bool:
    """No control character but the newline, no lone surrogate: safe to encode and index."""
    return all(char == "\n" or unicodedata.category(char) not in ("Cc", "Cs") for char in text)


def check_outcome(outcome: Outcome) -> None:
    """What any outcome of the in-process pipeline must hold, whatever the input."""
    if outcome.rejected is not None:
        assert outcome.rejected.reason in CLEAN_REASONS, outcome.rejected
        return
    if outcome.dropped is not None:
        assert outcome.dropped.reason in {"duplicate", "language"}
        return
    assert isinstance(outcome.classified, ClassifiedArticle)
    check_classified(outcome.classified)


def check_classified(article: ClassifiedArticle) -> None:
    assert _is_clean(article.title) and _is_clean(article.text)
    assert article.text and "\x00" not in article.title
    for topic in article.topics:
        assert 0.0 <= topic.score <= 1.0
        for evidence in topic.evidence:
            field = article.title if evidence.field == "title" else article.text
            assert 0 <= evidence.start <= evidence.end <= len(field)
            assert field[evidence.start : evidence.end] == evidence.matched


@given(st.binary(max_size=3000))
def test_any_bytes_decode_to_a_record_or_a_rejection(data):
    decoded = decode(RawArticle, data)
    assert isinstance(decoded, RawArticle) or decoded.reason in DECODE_REASONS


@SLOW_OK
@given(st.one_of(records(), records(), records(), mangled()))
@example(b'{"title": "t", "published": "0001-01-01T00:00:00+01:00"}')
@example(b'{"title": "t\\ud800", "text": "x"}')
@example('{"title": "t", "text": "\udc80 Russia"}'.encode("utf-8", "surrogatepass"))
@example(b'{"title": "t", "text": "a\\u0000b"}')
@example(b'{"title": "t", "text": "a\x00b"}')
@example(json.dumps({"html": "<!DOCTYPE " + "/" * 5000 + "<p>Kyiv</p>"}).encode())
def test_any_record_is_processed_or_refused_never_raises(data):
    decoded = decode(RawArticle, data)
    if isinstance(decoded, Rejected):
        assert decoded.reason in DECODE_REASONS
        return
    check_outcome(process_article(decoded, TAXONOMY, now=NOW))


@SLOW_OK
@given(
    st.fixed_dictionaries(
        {"title": st.one_of(MESSY, HUGE), "text": st.one_of(MESSY, PAGES, HUGE)},
        optional={"html": PAGES},
    ),
    st.lists(st.sampled_from(["\ud800", "\udfff", "\udc80\udc80"]), max_size=3),
)
def test_text_no_json_parser_would_pass_is_processed_too(fields, surrogates):
    """Python callers (feeds, files) build RawArticles without JSON: lone surrogates and all."""
    fields["text"] = "".join(surrogates) + fields["text"]
    raw = RawArticle.model_validate({"id": "python-made", **fields})
    check_outcome(process_article(raw, TAXONOMY, now=NOW))


ABOUT_THE_WAR = (
    "Russia launched a new offensive in Ukraine on Monday, officials in Kyiv said. Russian "
    "troops shelled Kharkiv, and the Kremlin said the invasion would go on."
)


@SLOW_OK
@given(
    st.one_of(st.none(), st.datetimes(timezones=OFFSETS)),
    st.one_of(st.none(), st.datetimes(timezones=OFFSETS)),
)
@example(datetime(1, 1, 1, tzinfo=UTC), None)
@example(None, datetime(1, 1, 1, tzinfo=UTC))
@example(datetime(9999, 12, 31, 23, 59, tzinfo=UTC), datetime(9999, 12, 31, 23, 59, tzinfo=UTC))
def test_any_time_reaches_the_alert_stage_without_raising(published, ingested):
    """An article that matches a topic, with times anywhere in the calendar, is alerted on."""
    fields = {"title": "Russia attacks Ukraine", "text": ABOUT_THE_WAR}
    for name, when in (("published", published), ("ingested", ingested)):
        if when is not None:
            fields[name] = when.isoformat()
    decoded = decode(RawArticle, json.dumps(fields).encode())
    if isinstance(decoded, Rejected):  # a time that is out of range once in UTC
        assert decoded.reason == "invalid_schema"
        return
    outcome = process_article(decoded, TAXONOMY, now=NOW)
    check_outcome(outcome)
    assert outcome.classified is not None and outcome.classified.topics


@SLOW_OK
@given(
    st.fixed_dictionaries(
        {"title": MESSY}, optional={"text": st.one_of(MESSY, HUGE), "html": PAGES}
    ),
    st.floats(0.1, 5.0),
    st.integers(0, 3),
)
def test_a_budget_and_small_limits_refuse_with_a_reason_never_raise(fields, budget, late):
    """On a fake clock the budget runs out at any step; small limits refuse at any size."""
    ticks = itertools.chain(itertools.repeat(0.0, late), itertools.count(10))
    options = CleanOptions(max_input_chars=5000, min_letters=10)
    verdict = clean(
        RawArticle.model_validate({"id": "x", **fields}),
        ingested=NOW,
        options=options,
        budget=Budget.start(budget, lambda: float(next(ticks))),
    )
    assert not isinstance(verdict, Rejected) or verdict.reason in CLEAN_REASONS

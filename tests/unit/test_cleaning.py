"""The clean stage end to end on plain text: the seed, normalisation, the quality gates."""

from datetime import UTC, datetime

import pytest

from schemas import CleanArticle, RawArticle
from streams.cleaning.lines import clean_lines
from streams.cleaning.logic import CleanOptions, Dropped, clean, looks_like_html, quality_gate
from streams.cleaning.text import fingerprint, letter_count, line_key, normalize, unescape_entities
from streams.rejection import Rejected
from streams.sources.files import plain_text_article

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
BODY = (
    "The harbour authority confirmed on Tuesday that the northern ferry terminal will reopen "
    "next month after repairs to the storm-damaged pier were completed ahead of schedule."
)


def _clean(raw: RawArticle, **options) -> CleanArticle | Rejected | Dropped:  # type: ignore[no-untyped-def]
    return clean(raw, ingested=NOW, options=CleanOptions(**options))


def _article(raw: RawArticle) -> CleanArticle:
    article = _clean(raw)
    assert isinstance(article, CleanArticle), article
    return article


def cleaned(title: str, text: str) -> CleanArticle:
    """An article as the clean step passes it on (the classification tests' input)."""
    return _article(RawArticle(title=title, text=text))


def _seed_body_paragraphs(seed_text: str) -> list[str]:
    """The seed's body paragraphs as a reader sees them: not the title, not the footer."""
    lines = [line for line in seed_text.split("\n") if line.strip()]
    title = lines[0]
    return [normalize(line) for line in lines[1:] if line != title and line != "Similar Posts"]


def test_seed_keeps_each_body_paragraph_exactly_once(seed_path):
    seed = seed_path.read_text(encoding="utf-8")
    article = _article(plain_text_article(seed))
    paragraphs = article.text.split("\n\n")
    assert paragraphs == _seed_body_paragraphs(seed)
    assert len(paragraphs) == 10


def test_seed_loses_its_repeated_title_and_footer(seed_path):
    article = _article(plain_text_article(seed_path.read_text(encoding="utf-8")))
    assert article.title.startswith("Biden and Putin will call again")
    assert article.title not in article.text
    assert "Similar Posts" not in article.text
    assert 'dialogue".' in article.text and '" .' not in article.text
    assert [r.rule for r in article.removed] == [
        "repeated_title",
        "repeated_title",
        "trailing_related_list",
    ]
    assert article.language == "en"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Cafe\u0301", "Café"),  # NFC
        ("zero\u200bwidth\ufeff soft\u00adhyphen", "zerowidth softhyphen"),
        ("bell\x07 and\x00 nul", "bell and nul"),
        ("plain `ascii`\x0bwith\x7f controls\x1f", "plain 'ascii'\nwith controls"),
        ("a  \t b\u00a0c\u2009d", "a b c d"),
        ("quote” .", 'quote".'),
        ("word , next ; end !", "word, next; end!"),
        ("( spaced ) [ too ]", "(spaced) [too]"),
        ("a .5 calibre and 3 .14", "a .5 calibre and 3 .14"),  # not punctuation: a number
        ("line one  \r\n  line two\rthree\u2028four", "line one\nline two\nthree\nfour"),
        (
            "“Double” ‘single’ „low” «guillemets» Putin’s",
            '"Double" \'single\' "low" "guillemets" Putin\'s',
        ),
        (
            "non\u2011breaking \u2212 minus, en – and em — stay, bar ―",
            "non-breaking - minus, en – and em — stay, bar —",
        ),
    ],
)
def test_normalize(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Fish &amp; chips &#8217;n&#x27; more", "Fish & chips ’n' more"),
        ("AT&T and R&D stay; &bogus; too", "AT&T and R&D stay; &bogus; too"),
        ("no entities at all", "no entities at all"),
    ],
)
def test_character_references_left_in_plain_text_are_decoded(raw, expected):
    assert unescape_entities(raw) == expected


def test_keys_compare_words_not_case_or_punctuation():
    assert line_key('Ferry "strike" ENDS!') == line_key("ferry strike ends")
    assert fingerprint("Ships sail. Again!") == fingerprint("ships sail again")
    assert fingerprint("Ships sail.") != fingerprint("Ships sailed.")


@pytest.mark.parametrize(
    ("text", "enough", "at_least"),
    [("abc 123 Привет 中文", None, 11), ("", None, 0), ("a" * 500, 40, 40), ("1 2 3 x", 40, 1)],
)
def test_letters_are_counted_in_every_script(text, enough, at_least):
    count = letter_count(text, enough)
    assert count >= at_least and (enough is not None or count == at_least)


@pytest.mark.parametrize(
    ("lines", "kept", "rules"),
    [
        (
            ["Body one.", "Body one.", "Body two."],
            ["Body one.", "Body two."],
            ["repeated_paragraph"],
        ),
        (["Body.", "BODY!", "More body."], ["Body.", "More body."], ["repeated_paragraph"]),
        (["The Title.", "Body."], ["Body."], ["repeated_title"]),
        (["THE TITLE", "Body."], ["Body."], ["repeated_title"]),
        (["Body.", "---", "End."], ["Body.", "End."], ["no_words"]),
        (["Body.", "ADVERTISEMENT", "More body."], ["Body.", "More body."], ["advertisement"]),
    ],
)
def test_clean_lines_structure(lines, kept, rules):
    out, removed = clean_lines("The Title", lines)
    assert out == kept
    assert [r.rule for r in removed] == rules


def test_a_title_with_a_site_name_still_matches_the_bare_title_in_the_body():
    out, removed = clean_lines("Ferry strike ends | Northwind News", ["Ferry strike ends", "Body."])
    assert out == ["Body."] and [r.rule for r in removed] == ["repeated_title"]


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (RawArticle(title="Only a title", text=""), "empty_text"),
        (RawArticle(title="Only a title", text="Only a title\n\nOnly a title"), "empty_text"),
        (RawArticle(title="Numbers", text="12 34 56\n\n-- 78 --"), "no_letters"),
        (RawArticle(title="Short", text="Ships sail at dawn."), "too_short"),
        (RawArticle(title="Furniture", text="ADVERTISEMENT\n\nShare this article"), "empty_text"),
        (RawArticle(html="<nav>Home</nav><script>x()</script>"), "empty_text"),
        (RawArticle(html=""), "empty_text"),
    ],
)
def test_what_is_no_article_is_rejected_with_a_reason_not_raised(raw, reason):
    verdict = _clean(raw)
    assert isinstance(verdict, Rejected) and verdict.reason == reason
    assert verdict.detail


def test_oversized_input_is_rejected_before_any_work():
    verdict = _clean(RawArticle(title="Big", text=BODY * 10), max_input_chars=500)
    assert isinstance(verdict, Rejected) and verdict.reason == "oversized"
    assert "500" in verdict.detail


def test_the_letter_threshold_is_a_setting():
    raw = RawArticle(title="Short", text="Ships sail at dawn.")
    assert isinstance(_clean(raw, min_letters=10), CleanArticle)


@pytest.mark.parametrize(
    ("text", "reason"),
    [("", "empty_text"), ("-- 12 --", "no_letters"), ("Tiny.", "too_short"), (BODY, None)],
)
def test_quality_gate(text, reason):
    verdict = quality_gate(text, 40)
    assert (verdict.reason if verdict else None) == reason


def test_ingested_falls_back_to_the_time_given_and_the_publisher_wins():
    assert _article(RawArticle(title="t", text=BODY)).ingested == NOW
    earlier = datetime(2026, 1, 1, tzinfo=UTC)
    assert _article(RawArticle(title="t", text=BODY, ingested=earlier)).ingested == earlier


def test_the_url_is_kept_and_a_canonical_form_of_it_added():
    article = _article(
        RawArticle(title="t", text=BODY, url="https://News.Example/a/1?utm_source=feed#top")
    )
    assert article.url == "https://News.Example/a/1?utm_source=feed#top"
    assert article.canonical_url == "https://news.example/a/1"


@pytest.mark.parametrize(
    ("text", "html"),
    [
        ("<p>One paragraph.</p><p>Two.</p>", True),
        ("Text with <b>bold</b> and <i>italic</i>", True),
        ("A sentence about the <Ctrl> key and x < y > z.", False),
        ("Plain text only.", False),
    ],
)
def test_html_in_the_text_field_is_recognised(text, html):
    assert looks_like_html(text) is html


def test_a_feed_description_with_markup_is_cleaned_as_html():
    raw = RawArticle(title="Ferry terminal reopens", text=f"<p>{BODY}</p><p>Share this article</p>")
    article = _article(raw)
    assert article.text == BODY

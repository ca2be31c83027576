from datetime import UTC, datetime

import pytest

from schemas import RawArticle
from streams.cleaning.html import html_to_text
from streams.cleaning.logic import clean, clean_lines
from streams.cleaning.text import normalize
from streams.rejection import Rejected
from streams.sources.files import plain_text_article

NOW = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)


def _clean(raw: RawArticle):
    return clean(raw, ingested=NOW)


def _seed_body_paragraphs(seed_text: str) -> list[str]:
    """The seed's body paragraphs as a reader sees them: not the title, not the footer."""
    lines = [line for line in seed_text.split("\n") if line.strip()]
    title = lines[0]
    return [normalize(line) for line in lines[1:] if line != title and line != "Similar Posts"]


def test_seed_keeps_each_body_paragraph_exactly_once(seed_path):
    seed = seed_path.read_text(encoding="utf-8")
    article = _clean(plain_text_article(seed))
    assert not isinstance(article, Rejected)
    paragraphs = article.text.split("\n\n")
    assert paragraphs == _seed_body_paragraphs(seed)
    assert len(paragraphs) == 10


def test_seed_loses_its_repeated_title_and_footer(seed_path):
    article = _clean(plain_text_article(seed_path.read_text(encoding="utf-8")))
    assert article.title.startswith("Biden and Putin will call again")
    assert article.title not in article.text
    assert "Similar Posts" not in article.text
    assert "dialogue”." in article.text and "” ." not in article.text
    assert [r.rule for r in article.removed] == [
        "repeated_title",
        "repeated_title",
        "trailing_related_list",
    ]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Cafe\u0301", "Café"),  # NFC
        ("zero\u200bwidth\ufeff", "zerowidth"),
        ("bell\x07 and\x00 nul", "bell and nul"),
        ("a  \t b", "a b"),
        ("quote” .", "quote”."),
        ("word , next ; end !", "word, next; end!"),
        ("line one  \r\n  line two", "line one\nline two"),
    ],
)
def test_normalize(raw, expected):
    assert normalize(raw) == expected


@pytest.mark.parametrize(
    ("lines", "kept", "rules"),
    [
        (
            ["Body one.", "Body one.", "Body two."],
            ["Body one.", "Body two."],
            ["repeated_paragraph"],
        ),
        (["Body.", "ADVERTISEMENT", "More body."], ["Body.", "More body."], ["boilerplate_line"]),
        (["Body.", "Read more:", "End."], ["Body.", "End."], ["boilerplate_line"]),
        (
            ["Body.", "Related articles", "Headline one", "Headline two"],
            ["Body."],
            ["trailing_related_list"] * 3,
        ),
        (["Body.", "---", "End."], ["Body.", "End."], ["no_words"]),
    ],
)
def test_clean_lines_rules(lines, kept, rules):
    out, removed = clean_lines("The Title", lines)
    assert out == kept
    assert [r.rule for r in removed] == rules


def test_a_long_paragraph_after_a_related_marker_is_kept():
    """A real sentence after the marker means it was not a trailing list: keep the body."""
    long = " ".join(["word"] * 30) + "."
    out, _ = clean_lines("T", ["Body.", "Similar Posts", long])
    assert long in out


def test_html_loses_page_furniture_and_keeps_paragraphs():
    page = """<html><head><title>Site | Ferry strike ends</title>
    <script>var tracking = 1;</script><style>p {}</style></head><body>
    <header><nav><a href="/">Home</a> <a href="/world">World</a></nav></header>
    <article><h1>Ferry strike ends</h1>
    <p>Dock workers returned on Monday after a <b>three-week</b> strike.</p>
    <p>The union said pay talks would resume &amp; continue.</p></article>
    <aside>Most read: Cat rescued from tree</aside>
    <footer>&copy; 2026 Example News</footer></body></html>"""
    title, text = html_to_text(page)
    assert title == "Ferry strike ends"
    assert text.split("\n\n") == [
        "Dock workers returned on Monday after a three-week strike.",
        "The union said pay talks would resume & continue.",
    ]


def test_html_article_is_cleaned_with_its_title():
    raw = RawArticle(html="<h1>Port reopens</h1><p>Port reopens</p><p>Ships sail again.</p>")
    article = _clean(raw)
    assert article.title == "Port reopens"
    assert article.text == "Ships sail again."


@pytest.mark.parametrize(
    "raw",
    [
        RawArticle(title="Only a title", text=""),
        RawArticle(title="Only a title", text="Only a title\n\nOnly a title"),
        RawArticle(html="<nav>Home</nav><script>x()</script>"),
    ],
)
def test_nothing_left_is_rejected_not_raised(raw):
    assert _clean(raw) == Rejected("empty_text", "no text left after cleaning")


def test_ingested_falls_back_to_the_time_given():
    article = _clean(RawArticle(title="t", text="Body."))
    assert article.ingested == NOW

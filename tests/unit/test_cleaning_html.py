"""HTML pages with the usual page furniture: the body stays, the furniture and the scripts go."""

from datetime import UTC, date, datetime

import pytest

from schemas import CleanArticle, RawArticle
from streams.cleaning.html import extract_page
from streams.cleaning.logic import clean
from streams.rejection import Rejected

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)

PARAGRAPHS = [
    "Dock workers returned to the northern terminal on Monday after a three-week strike over "
    "shift patterns, the harbour authority said.",
    "The union said talks on pay would resume next month and that members had voted by a large "
    "margin to accept the interim offer.",
    "Ferry services to the islands, cancelled for most of the strike, will run to the usual "
    "timetable from Wednesday, the operator confirmed.",
    "Local businesses said the dispute had cost them thousands of pounds in lost trade during "
    "what is normally a busy month for visitors.",
    "The authority's chief executive thanked passengers for their patience and said a review "
    "of the rota system would report before the summer.",
]
FURNITURE = [
    "We use cookies to give you the best experience",
    "Accept all",
    "Home",
    "World",
    "Business",
    "Share this article",
    "ADVERTISEMENT",
    "Sign up to the Morning Briefing",
    "Get the day's top stories in your inbox.",
    "Most read",
    "Council approves new tram depot",
    "Bakery chain reports record sales",
    "Great article, thanks!",
    "Terms and conditions",
    "Northwind Media Ltd",
    "var tracking",
    "font-family",
]


def _page(paragraphs: list[str] = PARAGRAPHS) -> str:
    body = "".join(f"<p>{p}</p>" for p in paragraphs[:2])
    body += "<div class='ad-slot'><span>ADVERTISEMENT</span></div>"
    body += "".join(f"<p>{p}</p>" for p in paragraphs[2:4])
    body += (
        "<div class='newsletter-box'><h3>Sign up to the Morning Briefing</h3>"
        "<p>Get the day's top stories in your inbox.</p><form><input type='email'>"
        "<button>Sign up</button></form></div>"
    )
    body += "".join(f"<p>{p}</p>" for p in paragraphs[4:])
    return f"""<!DOCTYPE html><html lang="en-GB"><head>
    <meta charset="utf-8"><title>Dock strike ends | Northwind News</title>
    <meta property="og:title" content="Dock strike ends after three weeks">
    <meta name="author" content="Jane Marlow">
    <meta property="article:published_time" content="2026-03-09T07:30:00+00:00">
    <link rel="canonical" href="https://news.example/business/dock-strike-ends">
    <style>body {{ font-family: serif; }}</style>
    <script>var tracking = {{"id": 42}};</script></head><body>
    <div id="cookie-banner" class="cookie-consent"><p>We use cookies to give you the best
    experience</p><button>Accept all</button></div>
    <header><nav><ul><li><a href="/">Home</a></li><li><a href="/world">World</a></li>
    <li><a href="/business">Business</a></li></ul></nav></header>
    <main><article><h1>Dock strike ends after three weeks</h1>
    <div class="byline">By Jane Marlow</div>
    <div class="share-bar"><a href="#">Share this article</a></div>
    {body}</article>
    <aside class="most-read"><h2>Most read</h2><ol><li><a href="/1">Council approves new tram
    depot</a></li><li><a href="/2">Bakery chain reports record sales</a></li></ol></aside>
    <section id="comments" class="comments"><h2>Comments</h2><div class="comment">
    <p>Great article, thanks!</p></div></section></main>
    <footer><a href="/terms">Terms and conditions</a><p>© 2026 Northwind Media Ltd</p></footer>
    </body></html>"""


def _clean(raw: RawArticle) -> CleanArticle:
    article = clean(raw, ingested=NOW)
    assert isinstance(article, CleanArticle), article
    return article


def test_a_news_page_keeps_every_body_paragraph_once_and_no_furniture():
    article = _clean(RawArticle(html=_page()))
    assert article.text.split("\n\n") == PARAGRAPHS
    for furniture in FURNITURE:
        assert furniture not in article.text, furniture


def test_a_news_page_gives_its_metadata():
    article = _clean(RawArticle(html=_page(), url="https://news.example/b?utm_source=rss"))
    assert article.title == "Dock strike ends after three weeks"
    assert article.author == "Jane Marlow"
    assert article.published == datetime(2026, 3, 9, tzinfo=UTC)
    assert article.canonical_url == "https://news.example/business/dock-strike-ends"
    assert article.url == "https://news.example/b?utm_source=rss"
    assert article.language == "en"


def test_the_publishers_title_and_date_win_over_the_pages():
    published = datetime(2026, 3, 8, 18, 0, tzinfo=UTC)
    article = _clean(RawArticle(title="Strike over", html=_page(), published=published))
    assert (article.title, article.published) == ("Strike over", published)


def test_metadata_from_json_ld_alone():
    page = (
        "<html><head><script type='application/ld+json'>"
        '{"@context": "https://schema.org", "@type": "NewsArticle", "headline": "Pier reopens",'
        ' "datePublished": "2026-02-01T10:00:00Z", "author": {"@type": "Person",'
        ' "name": "Sam Quill"}}</script></head><body><article>'
        + "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
        + "</article></body></html>"
    )
    page_data = extract_page(page, url=None, today=date(2026, 3, 1))
    assert (page_data.title, page_data.author) == ("Pier reopens", "Sam Quill")
    assert page_data.published == datetime(2026, 2, 1, tzinfo=UTC)


def test_a_date_after_ingestion_is_not_believed():
    page = _page().replace("2026-03-09", "2031-01-01")
    assert extract_page(page, url=None, today=date(2026, 3, 10)).published != datetime(
        2031, 1, 1, tzinfo=UTC
    )


def test_a_relative_canonical_link_is_made_absolute_from_og_url():
    page = _page().replace(
        'href="https://news.example/business/dock-strike-ends"', 'href="/business/strike"'
    )
    page = page.replace(
        "<meta name=", "<meta property='og:url' content='https://news.example/x'><meta name=", 1
    )
    assert extract_page(page, url=None, today=date(2026, 3, 10)).canonical_url == (
        "https://news.example/business/strike"
    )


@pytest.mark.parametrize(
    "fragment",
    [
        "".join(f"<p>{p}</p>" for p in PARAGRAPHS[:2]),
        f"<div>{PARAGRAPHS[0]}</div>",
        f"<p>{PARAGRAPHS[0]}<br>{PARAGRAPHS[1]}</p>",
    ],
)
def test_a_feed_fragment_is_cleaned_as_html(fragment):
    article = _clean(RawArticle(title="Dock strike ends", html=fragment))
    assert PARAGRAPHS[0] in article.text
    assert "<" not in article.text


def test_a_page_wrapped_in_a_form_keeps_its_body():
    """Some sites wrap the whole page in one <form>; it must not take the article with it."""
    page = (
        _page()
        .replace("<main>", "<form id='aspnetForm'><main>")
        .replace("</main>", "</main></form>")
    )
    article = _clean(RawArticle(html=page))
    assert article.text.split("\n\n") == PARAGRAPHS


def test_entities_and_typography_in_html_are_normalised():
    html = (
        "<p>The union&#8217;s offer &mdash; “final” &amp; binding &nbsp;&nbsp; was “accepted” .</p>"
    )
    article = _clean(RawArticle(title="Offer", html=html + f"<p>{PARAGRAPHS[1]}</p>"))
    assert article.text.startswith('The union\'s offer — "final" & binding was "accepted".')


def test_a_non_english_page_is_detected_from_its_text_not_its_lang_attribute():
    german = [
        "Die Hafenarbeiter sind am Montag nach einem dreiwöchigen Streik an das nördliche "
        "Terminal zurückgekehrt, teilte die Hafenbehörde mit.",
        "Die Gewerkschaft erklärte, die Gespräche über die Löhne würden im nächsten Monat "
        "fortgesetzt.",
    ]
    page = _page(german + PARAGRAPHS[2:2]).replace('lang="en-GB"', 'lang="en"')
    assert _clean(RawArticle(html=page)).language == "de"


@pytest.mark.parametrize(
    "markup",
    ["", "<html></html>", "<<<>>>", "\x00\x01 binary", "<p>" * 5000, "<html><body><p>Hi</body>"],
)
def test_broken_or_empty_markup_is_a_rejection_never_an_exception(markup):
    verdict = clean(RawArticle(html=markup), ingested=NOW)
    assert isinstance(verdict, Rejected)


@pytest.mark.parametrize("bad", ["\x00", "\x07", "\x1b", "\ud800", "\ufffe", "\uffff"])
def test_characters_libxml2_refuses_do_not_cost_the_page(bad):
    page = _page().replace("three-week strike", f"three-week{bad} strike")
    text = extract_page(page, url=None, today=date(2026, 3, 10)).text
    assert [line for line in text.split("\n") if "shift patterns" in line]
    assert text.endswith(PARAGRAPHS[-1])


@pytest.mark.parametrize(
    "start",
    [
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Strict//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-strict.dtd">\n',
        "<html/>\n",
    ],
)
def test_old_doctypes_and_an_early_closed_html_tag_are_repaired(start):
    page = start + _page().split("\n", 1)[1].replace('<html lang="en-GB">', "", 1)
    assert _clean(RawArticle(html=page)).text.split("\n\n") == PARAGRAPHS


def test_an_article_kept_in_a_nav_or_noscript_is_found():
    """A few sites keep their article in <nav> or <noscript> (for readers without
    JavaScript); trafilatura's last resort reads it there, so it is not stripped first."""
    for wrapper in ("nav", "noscript"):
        body = "".join(f"<p>{paragraph}</p>" for paragraph in PARAGRAPHS)
        html = f"<html><body><{wrapper}>{body}</{wrapper}></body></html>"
        article = _clean(RawArticle(title="Ferry", html=html))
        assert PARAGRAPHS[0] in article.text

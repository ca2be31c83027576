"""Lines of an extracted text that came from furniture the page's markup names."""

import pytest
from lxml.html import fromstring

from streams.cleaning.structure import without_named_furniture

BODY = [
    "The river authority opened the new flood barrier on Tuesday after four years of works "
    "that closed the towpath for most of that time.",
    "Engineers said the gates could be raised in eleven minutes, a third of the time the old "
    "barrier needed, and would protect about two thousand homes.",
    "Residents who had campaigned for the barrier since the floods of the last decade "
    "gathered on the bank to watch the first test.",
    "The authority said the towpath would reopen to walkers and cyclists at the weekend once "
    "the last fences had been taken down.",
]


def _page(box: str, body: list[str] = BODY) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in body)
    return f"<html><body><article>{paragraphs}{box}</article></body></html>"


def _extracted(line: str, body: list[str] = BODY) -> str:
    """What trafilatura gave: the body, with the box's line among it."""
    return "\n".join([*body[:2], line, *body[2:]])


@pytest.mark.parametrize(
    ("box", "line", "rule"),
    [
        (
            "<figure><img src='a.jpg'><figcaption>The barrier's gates seen from the bank"
            "</figcaption></figure>",
            "The barrier's gates seen from the bank",
            "photo_credit",
        ),
        (
            "<div class='post-author-bio'><p>Sam Reed covers rivers and transport for the"
            " paper.</p></div>",
            "Sam Reed covers rivers and transport for the paper.",
            "author_bio",
        ),
        (
            "<div class='AuthorBox'><b>Sam Reed</b><p>Sam Reed covers rivers for the paper.</p>"
            "</div>",
            "Sam Reed covers rivers for the paper.",
            "author_bio",
        ),
        (
            # Microdata: the page says the element holds its author, whatever its class.
            "<div class='box-x1' itemprop='author' itemscope><p>Sam Reed covers rivers for"
            " the paper.</p></div>",
            "Sam Reed covers rivers for the paper.",
            "author_bio",
        ),
        (
            "<a class='relatedPost' href='/b'>Canal boats return to the harbour basin</a>",
            "Canal boats return to the harbour basin",
            "related_card",
        ),
        (
            "<section class='editorial-disclosure'><p>We may earn a commission from links on"
            " this page.</p></section>",
            "We may earn a commission from links on this page.",
            "advertisement",
        ),
        (
            "<div id='newsletter_box'><p>Get the river report every Friday</p></div>",
            "Get the river report every Friday",
            "newsletter",
        ),
        (
            "<div class='sharedaddy sd-block sd-like'><h3 class='sd-title'>Like this:</h3></div>",
            "Like this:",
            "share",
        ),
        (
            "<div class='tip-action-bar__button'><span>Save this tip</span></div>",
            "Save this tip",
            "page_furniture",
        ),
        (
            "<address>Written by Sam Reed, last changed on 3 May</address>",
            "Written by Sam Reed, last changed on 3 May",
            "author_bio",
        ),
    ],
)
def test_a_line_from_a_named_box_is_removed_with_its_kind(box, line, rule):
    text, removed = without_named_furniture(fromstring(_page(box)), _extracted(line))
    assert text.split("\n") == BODY
    assert [(r.rule, r.text) for r in removed] == [(rule, line)]


@pytest.mark.parametrize(
    "box",
    [
        # A class that only contains a name is not that name.
        "<div class='relative-block'><p>Canal boats return to the harbour basin</p></div>",
        "<div class='biology-note'><p>Canal boats return to the harbour basin</p></div>",
        # No name at all.
        "<div class='panel'><p>Canal boats return to the harbour basin</p></div>",
    ],
)
def test_a_line_from_an_unnamed_box_stays(box):
    line = "Canal boats return to the harbour basin"
    text, removed = without_named_furniture(fromstring(_page(box)), _extracted(line))
    assert (text, removed) == (_extracted(line), [])


def test_a_body_line_repeated_in_a_related_teaser_stays():
    box = f"<div class='related-stories'><p>{BODY[0]}</p></div>"
    text, removed = without_named_furniture(fromstring(_page(box)), "\n".join(BODY))
    assert (text, removed) == ("\n".join(BODY), [])


def test_a_named_wrapper_of_the_whole_article_says_nothing_of_its_lines():
    page = "<html><body><div class='single-post related-posts-on'><p>" + "</p><p>".join(BODY)
    page += "</p></div></body></html>"
    text, removed = without_named_furniture(fromstring(page), "\n".join(BODY))
    assert (text, removed) == ("\n".join(BODY), [])


SITE = "news.example"


@pytest.mark.parametrize(
    "block",
    [
        "<p><a href='/2026/ferry-fares'>Ferry fares rise again on the island routes</a></p>",
        "<ul><li><a href='https://www.news.example/b'>Ferry fares rise again on the island"
        " routes</a></li></ul>",
        "<h3><a href='//news.example/b'><span>Ferry fares rise</span> again on the island"
        " routes</a></h3>",
        # Another story's entry with its date.
        "<ul><li><a href='/b'>Ferry fares rise again on the island routes</a>"
        " <time datetime='2026-05-04'>4 May 2026</time></li></ul>",
        "<ul><li><a href='/b'><h4>Ferry fares rise again on the island routes</h4></a>"
        "<div class='event_date'>4 May 2026</div></li></ul>",
    ],
)
def test_a_line_that_is_only_a_link_to_another_page_of_the_site_is_removed(block):
    line = "Ferry fares rise again on the island routes"
    if "May" in block:
        line += " 4 May 2026"
    text, removed = without_named_furniture(fromstring(_page(block)), _extracted(line), SITE)
    assert text.split("\n") == BODY
    assert [(r.rule, r.text) for r in removed] == [("site_link", line)]


@pytest.mark.parametrize(
    "block",
    [
        # A source on another site, an address, a link within the page.
        "<p><a href='https://other.example/report'>Ferry fares rise again on the island"
        " routes</a></p>",
        "<p><a href='mailto:desk@news.example'>Ferry fares rise again on the island routes</a></p>",
        "<p><a href='#fares'>Ferry fares rise again on the island routes</a></p>",
        # Words outside the link: a sentence that links some of its words.
        "<p>Read why <a href='/b'>ferry fares rise again on the island routes</a></p>",
        "<p><a href='/b'>Ferry fares rise again</a> <span class='update'>on the island"
        " routes</span></p>",
        # A table of links is data.
        "<table><tr><td><a href='/b'>Ferry fares rise again on the island routes</a></td>"
        "</tr></table>",
    ],
)
def test_a_link_elsewhere_or_with_words_around_it_stays(block):
    line = (
        "Read why ferry fares rise again on the island routes"
        if "Read why" in block
        else "Ferry fares rise again on the island routes"
    )
    text, removed = without_named_furniture(fromstring(_page(block)), _extracted(line), SITE)
    assert (text, removed) == (_extracted(line), [])


def test_a_card_whose_link_is_wrapped_around_its_heading_and_summary_is_removed():
    # The card's block (the <article>) holds a date besides; the link alone is the card.
    card = (
        "<article><a href='/2026/ferry-fares'><h3>Ferry fares rise again on the island"
        " routes</h3><p>The operator blames the price of fuel.</p></a><p>4 May 2026</p>"
        "</article>"
    )
    lines = [
        "Ferry fares rise again on the island routes",
        "The operator blames the price of fuel.",
    ]
    text, removed = without_named_furniture(
        fromstring(_page(card)), "\n".join([*BODY, *lines]), SITE
    )
    assert text.split("\n") == BODY
    assert [(r.rule, r.text) for r in removed] == [("site_link", line) for line in lines]


def test_a_card_linking_to_another_site_stays():
    card = (
        "<a href='https://other.example/fares'><h3>Ferry fares rise again on the island"
        " routes</h3></a>"
    )
    line = "Ferry fares rise again on the island routes"
    text, removed = without_named_furniture(fromstring(_page(card)), _extracted(line), SITE)
    assert (text, removed) == (_extracted(line), [])


RELEASE = (
    "<div>The new ferries enter service in June.<br><br>"
    "<a href='/press/ferries'>Press kit: all releases</a> <span>|</span>"
    " <a href='https://news.example/rss'><span class='icon'></span>RSS feed</a><br>"
    "<a href='/contact'>Contact the desk</a><br>"
    "<a href='https://other.example/a'>Harbour office</a> | <a href='https://other.example/b'>"
    "Timetables</a></div>"
)


def test_a_line_of_links_to_the_site_inside_a_block_is_a_menu():
    # Lines parted by <br> in one block: only the line of two links to the site and a
    # separator goes; one link alone may be a sentence's, links elsewhere are sources.
    lines = [
        "The new ferries enter service in June.",
        "Press kit: all releases | RSS feed",
        "Contact the desk",
        "Harbour office | Timetables",
    ]
    text, removed = without_named_furniture(
        fromstring(_page(RELEASE)), "\n".join([*BODY, *lines]), SITE
    )
    assert text.split("\n") == [*BODY, *lines[:1], *lines[2:]]
    assert [(r.rule, r.text) for r in removed] == [("site_link", lines[1])]


@pytest.mark.parametrize(
    ("row", "gone"),
    [
        # A menu laid out as a table: every cell a link to the site.
        ("<tr><td><a href='/'>Home</a> | <a href='/blog'>Blog</a></td><td></td></tr>", True),
        ("<tr><td><a href='/'>Home</a></td><td><a href='/blog'>Blog</a></td></tr>", True),
        # A data table's row: a linked name and its figures, or one link alone.
        ("<tr><td><a href='/'>Home</a></td><td>4</td></tr>", False),
        ("<tr><td><a href='/'>Home Blog</a></td></tr>", False),
    ],
)
def test_a_table_row_of_links_to_the_site_is_a_menu(row, gone):
    table = f"<table>{row}</table>"
    line = "| Home | Blog |" if "Blog</a>" in row else "| Home | 4 |"
    text, _ = without_named_furniture(fromstring(_page(table)), _extracted(line), SITE)
    assert text.split("\n") == (BODY if gone else _extracted(line).split("\n"))


def test_a_linked_line_that_is_also_said_elsewhere_on_the_page_stays():
    # A table of contents links to the body's own subheading.
    line = "How the fares are set"
    block = f"<ul><li><a href='/a#how'>{line}</a></li></ul><p>{BODY[0]}</p><h2>{line}</h2>"
    text, removed = without_named_furniture(fromstring(_page(block)), _extracted(line), SITE)
    assert (text, removed) == (_extracted(line), [])


def test_a_named_box_merged_into_a_line_is_cut_out_of_it():
    # trafilatura joined a short page's paragraphs into one line, the share bar's among them.
    box = "<div class='sharedaddy'><h3>Share this:</h3><a href='#'>Mastodon</a> Email</div>"
    line = f"{BODY[0]} Share this: Mastodon Email {BODY[1]}"
    text, removed = without_named_furniture(fromstring(_page(box)), line)
    assert text == f"{BODY[0]} {BODY[1]}"
    assert [(r.rule, r.text) for r in removed] == [("share", "Share this: Mastodon Email")]


@pytest.mark.parametrize(
    "box",
    [
        # The box's words are said in the body too.
        "<div class='share-bar'><p>the new flood barrier</p></div>",
        # A linked term of a menu may be a word of a sentence.
        "<ul><li><a href='/barrier'>barrier</a></li></ul>",
    ],
)
def test_a_box_whose_words_are_also_the_bodys_is_not_cut_out_of_a_line(box):
    line = " ".join(BODY)
    text, removed = without_named_furniture(fromstring(_page(box)), line, SITE)
    assert (text, removed) == (line, [])


def test_a_box_of_one_or_two_words_is_not_cut_out_of_a_line():
    # A caption "Sam Reed" beside a line "12. Sam Reed": the name may as well be the line's own.
    box = "<figure><figcaption>Sam Reed</figcaption></figure>"
    line = f"{BODY[0]} Sam Reed {BODY[1]}"
    text, removed = without_named_furniture(fromstring(_page(box)), line)
    assert (text, removed) == (line, [])


def _with_headings(headings: list[str], box: str = "") -> str:
    """The body with the headings (where they stand on the page does not matter) and a box."""
    return _page("".join(f"<h2>{h}</h2>" for h in headings) + box)


def test_a_heading_that_ends_the_text_is_removed():
    page = _with_headings(["More from the river desk:"])
    text, removed = without_named_furniture(
        fromstring(page), "\n".join([*BODY, "More from the river desk:"])
    )
    assert text.split("\n") == BODY
    assert [(r.rule, r.text) for r in removed] == [("orphan_heading", "More from the river desk:")]


def test_a_heading_whose_lines_were_all_removed_goes_with_them():
    box = "<div class='related'><p>Canal boats return to the harbour basin</p></div>"
    page = _with_headings(["Read more", "What comes next"], box)
    lines = [*BODY[:2], "Read more", "Canal boats return to the harbour basin"]
    lines += ["What comes next", *BODY[2:]]
    text, removed = without_named_furniture(fromstring(page), "\n".join(lines))
    assert text.split("\n") == [*BODY[:2], "What comes next", *BODY[2:]]
    assert [r.rule for r in removed] == ["related_card", "orphan_heading"]


@pytest.mark.parametrize(
    "lines",
    [
        # A heading with its section.
        [*BODY[:2], "What comes next", *BODY[2:]],
        # A heading followed at once by a subheading: nothing of its section was removed.
        [*BODY[:2], "What comes next", "The towpath", *BODY[2:]],
        # A short last line that is no heading on the page.
        [*BODY, "What comes next"],
    ],
)
def test_a_heading_with_its_section_or_a_short_last_line_stays(lines):
    headings = [] if lines[-1] == "What comes next" else ["What comes next", "The towpath"]
    page = _with_headings(headings)
    text, removed = without_named_furniture(fromstring(page), "\n".join(lines))
    assert (text, removed) == ("\n".join(lines), [])

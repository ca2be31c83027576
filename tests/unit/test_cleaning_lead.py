"""The article's lead, put back when trafilatura left it out."""

import pytest
from lxml.html import fromstring

from streams.cleaning.lead import with_lead

TITLE = "Flood barrier opens after four years"
LEAD = "The river authority says the new gates will protect two thousand homes from now on."
BODY = [
    "The river authority opened the new flood barrier on Tuesday after four years of works "
    "that closed the towpath for most of that time.",
    "Engineers said the gates could be raised in eleven minutes, a third of the time the old "
    "barrier needed, and would protect about two thousand homes.",
]
EXTRACTED = "\n".join([TITLE, *BODY])


def _page(header: str, after: str = "", top: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in BODY)
    return (
        f"<html><body>{top}<article><h1>{TITLE}</h1>{header}<div class='body'>{body}</div>"
        f"{after}</article></body></html>"
    )


@pytest.mark.parametrize(
    "lead",
    [
        f"<p class='article__lead'>{LEAD}</p>",
        f"<div class='teaser-text'><p>{LEAD}</p></div>",
        f"<header class='storyIntro'>{LEAD}</header>",
        f"<h2 class='subheadline'>{LEAD}</h2>",
    ],
)
def test_a_lead_the_extraction_left_out_is_put_back_before_the_body(lead):
    text = with_lead(fromstring(_page(lead)), EXTRACTED, f"{TITLE} | Northwind News")
    assert text.split("\n") == [TITLE, LEAD, *BODY]


@pytest.mark.parametrize(
    ("lead", "after", "top"),
    [
        # Not named as a lead.
        (f"<p class='kicker'>{LEAD}</p>", "", ""),
        # After the body: another story's teaser.
        ("", f"<p class='teaser'>{LEAD}</p>", ""),
        # Before the headline: a blog's tagline in the site's header.
        ("", "", f"<p class='intro'>{LEAD}</p>"),
        # Named as something else too.
        (f"<p class='site-description'>{LEAD}</p>", "", ""),
        (f"<p class='author-intro'>{LEAD}</p>", "", ""),
        # A link: a card of another story.
        (f"<p class='teaser'><a href='/b'>{LEAD}</a></p>", "", ""),
        # One of several elements of the same class: cards of a list.
        (
            f"<p class='teaser'>{LEAD}</p><p class='teaser'>Another story's summary in a few"
            " words.</p>",
            "",
            "",
        ),
        # Too short to be a lead.
        ("<p class='lead'>By Sam Reed</p>", "", ""),
    ],
)
def test_what_is_not_this_articles_lead_is_not_put_back(lead, after, top):
    tree = fromstring(_page(lead, after, top))
    assert with_lead(tree, EXTRACTED, TITLE) == EXTRACTED


def test_a_lead_already_in_the_text_is_not_repeated():
    extracted = "\n".join([TITLE, LEAD, *BODY])
    tree = fromstring(_page(f"<p class='lead'>{LEAD}</p>"))
    assert with_lead(tree, extracted, TITLE) == extracted


def test_without_a_headline_on_the_page_nothing_is_put_back():
    page = _page(f"<p class='lead'>{LEAD}</p>").replace(f"<h1>{TITLE}</h1>", "")
    assert with_lead(fromstring(page), "\n".join(BODY), TITLE) == "\n".join(BODY)

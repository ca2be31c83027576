"""A news page as real sites serve it, built around a given article: for the clean benchmarks.

The furniture (menus, cookie notice, share bar, ad slots, a related-story card inside the
body, a newsletter box, tags, related list, comments, footer) and the scripts and styles
are invented here; only the title and paragraphs come from the caller. `FURNITURE` lists
each piece of furniture text by kind, so a measurement can check what survived cleaning.
"""

from __future__ import annotations

import html
import json

NAV = ["Home", "World", "UK", "US", "Europe", "Business", "Markets", "Technology", "Science"]
NAV += ["Health", "Climate", "Sport", "Football", "Culture", "Travel", "Opinion", "Video"]
NAV += ["Podcasts", "Newsletters", "Live", "Weather", "Puzzles", "Jobs"]
FURNITURE: dict[str, list[str]] = {
    "cookie": [
        "We use cookies to improve your experience and to show you personalised adverts.",
        "Accept all cookies",
        "Manage preferences",
    ],
    "share": ["Share this article", "Share on Facebook", "Share on X", "Share by email"],
    "advertisement": ["ADVERTISEMENT", "Story continues below advertisement"],
    "related_card": ["Harbour authority approves new cruise terminal after long review"],
    "newsletter": [
        "Sign up to our Morning Briefing newsletter",
        "Get the day's top stories delivered to your inbox every weekday.",
        "Sign up",
    ],
    "photo_credit": ["Photograph: Northwind Images"],
    "related_list": [
        "Council votes to extend tram line to the airport",
        "Bakery chain reports record Christmas sales",
        "Local rowing club celebrates centenary with regatta",
        "Storm warning issued for the east coast this weekend",
        "Museum reopens its dinosaur hall after renovation",
        "Ferry operator adds winter sailings to the islands",
    ],
    "comments": [
        "Great reporting, thanks for covering this.",
        "I disagree with the premise of this piece entirely.",
        "Does anyone know when the consultation closes?",
    ],
    "footer": [
        "About us",
        "Contact",
        "Privacy policy",
        "Terms and conditions",
        "© 2026 Northwind Media Ltd. All rights reserved.",
    ],
}
_SCRIPT_STATE = json.dumps({"config": {f"flag{i}": i % 3 == 0 for i in range(400)}})
_ANALYTICS = "window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}" * 40
_STYLE = "".join(f".c{i}{{margin:{i % 7}px;padding:{i % 5}px;color:#{i:06x}}}" for i in range(600))


def news_page(title: str, paragraphs: list[str], *, url: str = "https://news.example/a/1") -> str:
    """A full page: head metadata and scripts, page furniture, and the article in <article>."""
    return "".join(
        [
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
            _head(title, url),
            "</head><body>",
            _cookie_banner(),
            _header(),
            "<main><article class='story'>",
            _story(title, paragraphs),
            "</article>",
            _related(),
            _comments(),
            "</main>",
            _footer(),
            f"<script>{_ANALYTICS}</script></body></html>",
        ]
    )


def _head(title: str, url: str) -> str:
    esc = html.escape(title)
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": title,
            "datePublished": "2026-03-04T08:15:00Z",
            "author": {"@type": "Person", "name": "Jane Marlow"},
        }
    )
    return (
        f"<title>{esc} | Northwind News</title>"
        f"<meta name='description' content='{esc}'>"
        f"<meta property='og:title' content='{esc}'><meta property='og:url' content='{url}'>"
        "<meta property='og:site_name' content='Northwind News'>"
        "<meta name='author' content='Jane Marlow'>"
        "<meta property='article:published_time' content='2026-03-04T08:15:00Z'>"
        f"<link rel='canonical' href='{url}'>"
        f"<script type='application/ld+json'>{ld}</script>"
        f"<style>{_STYLE}</style><script>window.__STATE__={_SCRIPT_STATE}</script>"
    )


def _cookie_banner() -> str:
    text, accept, manage = FURNITURE["cookie"]
    return (
        f"<div id='cookie-consent' class='cookie-banner'><p>{text}</p>"
        f"<button>{accept}</button><a href='/cookies'>{manage}</a></div>"
    )


def _header() -> str:
    links = "".join(f"<li><a href='/{n.lower()}'>{n}</a></li>" for n in NAV)
    return (
        "<header class='site-header'><a class='logo' href='/'>Northwind News</a>"
        f"<nav class='main-nav'><ul>{links}</ul></nav>"
        "<form class='search'><input name='q' placeholder='Search'><button>Go</button></form>"
        "</header><div class='breadcrumb'><a href='/'>Home</a> › <a href='/world'>World</a></div>"
    )


def _share_bar() -> str:
    items = "".join(f"<li><a href='#'>{label}</a></li>" for label in FURNITURE["share"])
    return f"<div class='share-tools'><ul>{items}</ul></div>"


def _story(title: str, paragraphs: list[str]) -> str:
    parts = [
        f"<h1>{html.escape(title)}</h1>",
        "<div class='byline'>By <a rel='author' href='/staff/jm'>Jane Marlow</a>"
        "<time datetime='2026-03-04T08:15:00Z'>4 March 2026</time></div>",
        _share_bar(),
        "<figure><img src='/img/1.jpg' alt=''>"
        f"<figcaption>{FURNITURE['photo_credit'][0]}</figcaption></figure>",
        "<div class='article-body'>",
    ]
    for index, paragraph in enumerate(paragraphs):
        parts.append(f"<p>{html.escape(paragraph)}</p>")
        parts.append(_insert_after(index))
    parts.append(
        "</div><div class='tags'><a href='/t/1'>Harbours</a><a href='/t/2'>Ferries</a></div>"
    )
    parts.append(_share_bar())
    return "".join(parts)


def _insert_after(index: int) -> str:
    """Ad slot, related-story card and newsletter box between paragraphs, as sites do."""
    if index == 1:
        ad, note = FURNITURE["advertisement"]
        return f"<div class='ad-slot'><span>{ad}</span><div id='gpt-1'></div><p>{note}</p></div>"
    if index == 3:
        card = FURNITURE["related_card"][0]  # a paragraph of its own: extractors keep it
        return f"<p class='related'><strong>READ MORE:</strong> <a href='/a/9'>{card}</a></p>"
    if index == 5:
        head, blurb, button = FURNITURE["newsletter"]
        return (
            f"<div class='newsletter-signup'><h3>{head}</h3><p>{blurb}</p>"
            f"<form><input type='email' placeholder='Email address'><button>{button}</button>"
            "</form></div>"
        )
    return ""


def _related() -> str:
    items = "".join(
        f"<li><a href='/r/{i}'><img src='/r{i}.jpg' alt=''><span>{headline}</span></a></li>"
        for i, headline in enumerate(FURNITURE["related_list"])
    )
    return f"<section class='related-articles'><h2>Related stories</h2><ul>{items}</ul></section>"


def _comments() -> str:
    items = "".join(
        f"<li class='comment'><span class='user'>reader{i}</span><p>{text}</p></li>"
        for i, text in enumerate(FURNITURE["comments"])
    )
    return f"<section id='comments' class='comments'><h2>Comments</h2><ol>{items}</ol></section>"


def _footer() -> str:
    links = "".join(
        f"<li><a href='/p/{i}'>{t}</a></li>" for i, t in enumerate(FURNITURE["footer"][:-1])
    )
    more = "".join(f"<li><a href='/s/{n.lower()}'>{n}</a></li>" for n in NAV)
    return f"<footer><ul>{links}{more}</ul><p>{FURNITURE['footer'][-1]}</p></footer>"

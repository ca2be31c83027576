"""What the clean stage did to one input, for a person to read (`newsradar process --explain`)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from schemas import CleanArticle, RawArticle
from streams.cleaning.furniture import RULE, LearnedRemoval
from streams.cleaning.logic import Dropped, looks_like_html
from streams.rejection import Rejected

#: Removed text is shown up to this many characters.
SHOWN_CHARS = 90


def explain(
    where: str,
    raw: RawArticle,
    article: CleanArticle | None,
    verdict: Rejected | Dropped | None,
    learned: Sequence[LearnedRemoval] = (),
) -> list[str]:
    """Lines saying what came in, what was kept or why not, and each removal with its rule;
    a removal by the learned model (`learned`, in order) with its template and support."""
    lines = [f"{where}: {raw.id}", f"  input: {_input(raw)}"]
    if isinstance(verdict, Rejected):
        lines.append(f"  dead letter: {verdict.reason}: {verdict.detail}")
    elif isinstance(verdict, Dropped):
        lines.append(f"  dropped: {verdict.reason}: {verdict.detail}")
    if article is not None:
        lines.extend(_kept(article, iter(learned)))
    return lines


def _input(raw: RawArticle) -> str:
    if raw.text and raw.text.strip():
        kind = "HTML in the text field" if looks_like_html(raw.text) else "plain text"
        return f"{kind}, {len(raw.text):,} characters"
    return f"HTML page, {len(raw.html or ''):,} characters (main text found by trafilatura)"


def _kept(article: CleanArticle, learned: Iterator[LearnedRemoval]) -> list[str]:
    paragraphs = article.text.count("\n\n") + 1
    facts = [f"language {article.language}"]
    facts += [f"{name} {value}" for name, value in _metadata(article) if value]
    lines = [
        f"  kept: {paragraphs} paragraph(s), {len(article.text):,} characters; " + "; ".join(facts),
        f"  removed: {len(article.removed)}",
    ]
    width = max((len(removal.rule) for removal in article.removed), default=0)
    for removal in article.removed:
        lines.append(f"    {removal.rule:<{width}}  {_shortened(removal.text)}")
        if removal.rule == RULE and (model := next(learned, None)) is not None:
            lines.append(f"    {'':<{width}}  {_template(model)}")
    return lines


def _template(removal: LearnedRemoval) -> str:
    origin = "shipped default" if removal.default else "learned from this outlet"
    return f'^ template "{_shortened(removal.template)}", support {removal.support} ({origin})'


def _metadata(article: CleanArticle) -> list[tuple[str, str | None]]:
    published = article.published.date().isoformat() if article.published else None
    return [("author", article.author), ("published", published), ("url", article.canonical_url)]


def _shortened(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"

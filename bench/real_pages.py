"""Real pages with hand-written must-keep and must-remove snippets: for bench/clean_quality.py.

../shared/data/html-pages holds 889 pages from many sites and languages (trafilatura's own
evaluation set; none from the sites newsradar is measured with) and `cases.jsonl`: for
each page, snippets of its article a good extractor keeps and boilerplate it removes.
A snippet counts as kept when its words (casefolded, punctuation ignored) are in the
output's words, as the set's README says. Each page goes through the clean stage as an
HTML record with its URL, and through trafilatura's fast mode alone (no comments, as the
clean stage asks it), for comparison.

Two measures, both reported. The clean stage delivers a title and a text, and moves a
title repeated at the top of the text out of it (the classifier reads both): a must-keep
snippet that is the page's headline is then in the title, not the text. `text` compares
the text alone with trafilatura's text alone (the issue's target is set on it);
`title and text` compares the article as the next stage reads it with trafilatura's own
title and text (`bare_extraction`'s title, which `extract` leaves out).
"""

from __future__ import annotations

import gzip
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import trafilatura

from schemas import CleanArticle, RawArticle
from streams.cleaning.logic import clean
from streams.cleaning.text import line_key, normalize, unescape_entities

NOW = datetime(2026, 12, 6, tzinfo=UTC)


def words(text: str) -> str:
    """The text as words between spaces, for "are these words in it"."""
    return f" {line_key(normalize(unescape_entities(text)))} "


@dataclass
class Score:
    """Snippets kept (of must-keep) and removed (of must-remove), with the misses."""

    kept: int = 0
    removed: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, case: dict[str, object], output: str) -> None:
        text = words(output)
        for snippet in case["must_contain"]:  # type: ignore[attr-defined]
            if words(snippet) in text:
                self.kept += 1
            else:
                self.misses.append(f"{case['file']}\tnot kept\t{snippet}")
        for snippet in case["must_not_contain"]:  # type: ignore[attr-defined]
            if words(snippet) not in text:
                self.removed += 1
            else:
                self.misses.append(f"{case['file']}\tnot removed\t{snippet}")


def measure(directory: Path) -> tuple[dict[str, object], list[str]]:
    """The figures for the clean stage and for trafilatura alone, and the clean stage's misses."""
    cases = [json.loads(line) for line in (directory / "cases.jsonl").open(encoding="utf-8")]
    ours, article, alone, alone_article = Score(), Score(), Score(), Score()
    rejected: Counter[str] = Counter()
    for case in cases:
        page = gzip.decompress((directory / case["file"]).read_bytes()).decode("utf-8", "replace")
        result = clean(RawArticle(html=page, url=case["url"]), ingested=NOW)
        if not isinstance(result, CleanArticle):
            rejected[result.reason] += 1
        title, text = (result.title, result.text) if isinstance(result, CleanArticle) else ("", "")
        ours.add(case, text)
        article.add(case, f"{title}\n{text}")
        extracted = trafilatura.extract(page, fast=True, include_comments=False) or ""
        alone.add(case, extracted)
        alone_article.add(case, f"{_trafilatura_title(page)}\n{extracted}")
    totals = {
        "pages": len(cases),
        "must_keep": sum(len(case["must_contain"]) for case in cases),
        "must_remove": sum(len(case["must_not_contain"]) for case in cases),
    }
    figures = {
        **totals,
        "clean stage (text)": {"kept": ours.kept, "removed": ours.removed},
        "trafilatura fast alone (text)": {"kept": alone.kept, "removed": alone.removed},
        "clean stage (title and text)": {"kept": article.kept, "removed": article.removed},
        "trafilatura fast alone (title and text)": {
            "kept": alone_article.kept,
            "removed": alone_article.removed,
        },
        "clean stage rejected": dict(rejected),
    }
    return figures, ours.misses


def _trafilatura_title(page: str) -> str:
    document = trafilatura.bare_extraction(
        page, fast=True, include_comments=False, with_metadata=True
    )
    return (getattr(document, "title", None) or "") if document is not None else ""


def render(figures: dict[str, object]) -> list[str]:
    """The figures as lines of a markdown page."""
    out = [
        f"## Real pages ({figures['pages']} pages of ../shared/data/html-pages)",
        "",
        f"| output | must-keep kept (of {figures['must_keep']}) | must-remove removed"
        f" (of {figures['must_remove']}) |",
        "| --- | ---: | ---: |",
    ]
    for name, value in figures.items():
        if isinstance(value, dict) and "kept" in value:
            out.append(f"| {name} | {value['kept']} | {value['removed']} |")
    out += [
        "",
        "`text`: the text alone on both sides (the issue's target: keep at least as many as"
        " trafilatura, remove at least 2,550). `title and text`: the article as the classifier"
        " reads it, against trafilatura's own title and text; the clean stage moves a headline"
        " repeated at the top of the text into the title.",
        "",
        f"Pages the clean stage refused: {figures['clean stage rejected'] or 'none'}.",
        "",
    ]
    return out

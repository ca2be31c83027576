"""How well the clean stage does: furniture left in, body sentences lost, real pages.

    python bench/clean_quality.py [--corpus PATH] [--show remaining|lost|pages] [--out DIR]

Over ../shared/data/dev-articles.jsonl (924 scraped articles):

plain text  Each article as scraped (title, text), cleaned as the worker cleans it, in the
            corpus's order, each outlet (`source`) learning its furniture from the ones
            before (streams/cleaning/furniture.py), starting from the shipped defaults.
            The furniture in it was labelled by hand, line by line, in
            clean_quality_labels.json (line fingerprints and kinds only: no corpus text is
            kept in the repository). A labelled line counts as remaining when its words are
            still in the cleaned text. Repeated titles and paragraphs and lines without
            words are found structurally. Every other line is body: split into sentences,
            a sentence counts as lost when its words are not in the cleaned text.
learning    The same, with a model that starts cold (no shipped defaults): what the stream
            alone teaches. And its warm-up: the model after the first 50, 200 and 900
            articles, frozen, cleaning the whole corpus.
html        The same articles' body, wrapped in a news page with the usual furniture
            (bench/clean_pages.py): what remains of that furniture, what of the body is lost.

And over ../shared/data/html-pages (889 real pages, hand-written must-keep and must-remove
snippets): what the clean stage keeps and removes, against trafilatura alone
(bench/real_pages.py).

The labels were made by reviewing every line that a broad net caught (a furniture word, a
line repeated across three articles, a short line without a full stop, or anything the
cleaner removed). Furniture the net missed counts as body here, so "remaining" is a floor.
Three lines of one advertisement the first review missed (the same ad as labelled ones in
other articles) were labelled when the learned model found them.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import trafilatura

from bench import real_pages
from bench.micro.clean_pages import FURNITURE, news_page
from schemas import CleanArticle, RawArticle
from streams.cleaning.furniture import LearnedRemoval
from streams.cleaning.logic import Dropped, OutletLearning, clean
from streams.cleaning.text import line_key, normalize, unescape_entities
from streams.rejection import Rejected

HERE = Path(__file__).resolve().parents[1]  # bench/
# ../shared/data beside the repository (a worktree may sit one level deeper).
DATA = next(
    (p / "shared" / "data" for p in HERE.parents[1:3] if (p / "shared" / "data").is_dir()),
    HERE.parents[1] / "shared" / "data",
)
CORPUS = DATA / "dev-articles.jsonl"
LABELS = HERE / "clean_quality_labels.json"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
#: After how many articles the learning model's warm-up is measured.
WARM_UP = (50, 200, 900)
# Where one sentence ends and the next begins.
_SENTENCE = re.compile(r"(?<=[.!?])[\"')\]]*\s+(?=[\"'(\[]?[A-Z0-9©])")
# Links of embedded posts are not words of the body.
_EMBED_LINK = re.compile(r"pic\.twitter\.com/\w+|https?://t\.co/\w+")
_SHORT_KEY = 20


def fingerprint(text: str) -> str:
    """What the labels file keys a line (or sentence) by."""
    return hashlib.sha1(line_key(text).encode("utf-8")).hexdigest()[:16]


@dataclass
class Tally:
    """Furniture units by kind (found, remaining), body sentences (total, lost by rule)."""

    found: Counter[str] = field(default_factory=Counter)
    remaining: Counter[str] = field(default_factory=Counter)
    sentences: int = 0
    lost: Counter[str] = field(default_factory=Counter)
    rejected: Counter[str] = field(default_factory=Counter)
    shown: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        kinds = sorted(self.found)
        return {
            "furniture": {
                k: {"found": self.found[k], "remaining": self.remaining[k]} for k in kinds
            },
            "furniture_found": sum(self.found.values()),
            "furniture_remaining": sum(self.remaining.values()),
            "body_sentences": self.sentences,
            "body_sentences_lost": sum(self.lost.values()),
            "lost_by_rule": dict(self.lost.most_common()),
            "articles_rejected": dict(self.rejected),
        }


class Cleaned:
    """The cleaned text, as keys to look words up in."""

    def __init__(self, article: CleanArticle | None, text: str | None = None) -> None:
        paragraphs = (article.text.split("\n\n") if article else []) + (text or "").split("\n")
        self.paragraphs = Counter(line_key(p) for p in paragraphs if p)
        self.all = " " + " ".join(self.paragraphs.elements()) + " "
        self.removed = [(r.rule, line_key(r.text)) for r in (article.removed if article else [])]

    def has(self, key: str) -> bool:
        """Whether these words are still there: a short line as a paragraph, else its start."""
        if len(key) < _SHORT_KEY:
            return key in self.paragraphs
        return " " + " ".join(key.split()[:8]) + " " in self.all

    def has_sentence(self, key: str) -> bool:
        return " " + key + " " in self.all

    def remover(self, key: str) -> str:
        return next((rule for rule, text in self.removed if key in text), "changed")


class Replay:
    """The clean stage over articles in arrival order, learning each outlet's furniture
    (`OutletLearning`, as `newsradar process` runs it), remembering the last learned removals."""

    def __init__(self, learning: OutletLearning | None = None) -> None:
        self.learning = learning or OutletLearning()
        self.learned: tuple[LearnedRemoval, ...] = ()

    def clean(self, raw: RawArticle) -> CleanArticle | Rejected | Dropped:
        done = self.learning.clean(raw, ingested=NOW)
        self.learned = done.learned
        return done.result

    def frozen(self) -> Replay:
        """The model as it is now, no longer learning."""
        return Replay(self.learning.frozen())


def raw_article(row: dict[str, str]) -> RawArticle:
    return RawArticle(
        id=row["id"], title=row["title"], text=row["text"], url=row.get("url"), source=row["source"]
    )


def measure_text(
    rows: list[dict[str, str]], labels: dict[str, str], show: str, replay: Replay | None = None
) -> Tally:
    """Each article as scraped, cleaned in arrival order by `replay` (default: as shipped)."""
    replay = replay or Replay()
    tally = Tally()
    for row in rows:
        result = replay.clean(raw_article(row))
        article = result if isinstance(result, CleanArticle) else None
        if article is None:
            tally.rejected[getattr(result, "reason", "?")] += 1
        _tally_article(tally, row, Cleaned(article), labels, show)
    return tally


def warm_up(
    rows: list[dict[str, str]], labels: dict[str, str], checkpoints: tuple[int, ...]
) -> dict[str, dict[str, object]]:
    """A model learning from cold (no shipped templates), frozen after the first n articles
    and applied to the whole corpus: what it has learned by then."""
    learner = Replay(OutletLearning(defaults={}))
    results: dict[str, dict[str, object]] = {}
    seen = 0
    for n in checkpoints:
        for row in rows[seen:n]:
            learner.clean(raw_article(row))
        seen = n
        tally = measure_text(rows, labels, "", learner.frozen())
        results[str(n)] = {
            "furniture_remaining": sum(tally.remaining.values()),
            "furniture_found": sum(tally.found.values()),
            "body_sentences_lost": sum(tally.lost.values()),
        }
    return results


def _tally_article(
    tally: Tally, row: dict[str, str], cleaned: Cleaned, labels: dict[str, str], show: str
) -> None:
    title = line_key(normalize(row["title"]))
    seen: Counter[str] = Counter()
    for line in _lines(row["text"]):
        key = line_key(line)
        seen[key] += 1
        kind = _structural(key, title, seen[key]) or labels.get(fingerprint(line))
        if kind is None:
            _tally_body(tally, row["id"], line, cleaned, labels, show)
            continue
        tally.found[kind] += 1
        if _remains(kind, key, seen[key], cleaned):
            tally.remaining[kind] += 1
            if show == "remaining":
                tally.shown.append(f"{row['id']}\t{kind}\t{line[:160]}")


def _lines(text: str) -> list[str]:
    """The text's lines as the cleaner reads them: characters normalised, entities decoded."""
    return [line for line in normalize(unescape_entities(text)).split("\n") if line]


def _structural(key: str, title: str, occurrence: int) -> str | None:
    if not key:
        return "no_words"
    if key == title:
        return "repeated_title"
    return "repeated_paragraph" if occurrence > 1 else None


def _remains(kind: str, key: str, occurrence: int, cleaned: Cleaned) -> bool:
    if kind == "no_words":
        return "" in cleaned.paragraphs
    if kind == "repeated_title":
        return key in cleaned.paragraphs
    if kind == "repeated_paragraph":
        return cleaned.paragraphs[key] >= occurrence
    return cleaned.has(key)


def _tally_body(
    tally: Tally, article_id: str, line: str, cleaned: Cleaned, labels: dict[str, str], show: str
) -> None:
    for sentence in _SENTENCE.split(_EMBED_LINK.sub(" ", line)):
        key = line_key(sentence)
        if not key:
            continue
        if (kind := labels.get(fingerprint(sentence))) is not None:
            tally.found[kind] += 1
            if cleaned.has_sentence(key):
                tally.remaining[kind] += 1
                if show == "remaining":
                    tally.shown.append(f"{article_id}\t{kind}\t{sentence[:160]}")
            continue
        tally.sentences += 1
        if not cleaned.has_sentence(key):
            rule = cleaned.remover(key)
            tally.lost[rule] += 1
            if show == "lost":
                tally.shown.append(f"{article_id}\t{rule}\t{sentence[:200]}")


def measure_html(
    rows: list[dict[str, str]], labels: dict[str, str], show: str, baseline: bool = False
) -> Tally:
    """Each article's body in a news page; the page's furniture is known by kind.

    `baseline`: trafilatura's fast mode alone instead of the clean stage, for comparison.
    """
    tally = Tally()
    for row in rows:
        body = _body_lines(row, labels)
        if not body:
            continue
        page = news_page(row["title"], body)
        if baseline:
            cleaned = Cleaned(None, normalize(trafilatura.extract(page, fast=True) or ""))
        else:
            result = clean(RawArticle(html=page), ingested=NOW)
            article = result if isinstance(result, CleanArticle) else None
            if article is None:
                tally.rejected[getattr(result, "reason", "?")] += 1
            cleaned = Cleaned(article)
        for kind, texts in FURNITURE.items():
            for text in texts:
                tally.found[kind] += 1
                if cleaned.has(line_key(text)):
                    tally.remaining[kind] += 1
                    if show == "remaining":
                        tally.shown.append(f"{row['id']}\thtml:{kind}\t{text}")
        for line in body:
            _tally_body(tally, row["id"], line, cleaned, labels, show)
    return tally


def _body_lines(row: dict[str, str], labels: dict[str, str]) -> list[str]:
    title = line_key(normalize(row["title"]))
    seen: set[str] = set()
    body = []
    for line in _lines(row["text"]):
        key = line_key(line)
        if key and key != title and key not in seen and fingerprint(line) not in labels:
            body.append(_EMBED_LINK.sub("", line).strip())
        seen.add(key)
    return [line for line in body if line]


def render(
    results: dict[str, dict[str, object]],
    warm: dict[str, dict[str, object]],
    pages: dict[str, object],
) -> str:
    """The figures as a markdown page."""
    out = ["# Clean stage quality", ""]
    for name, result in results.items():
        if not isinstance(result, dict) or "furniture" not in result:
            continue
        furniture = result["furniture"]
        assert isinstance(furniture, dict)
        out += [f"## {name}", "", "| kind | found | remaining |", "| --- | ---: | ---: |"]
        out += [f"| {k} | {v['found']} | {v['remaining']} |" for k, v in furniture.items()]
        out += [
            f"| **all furniture** | {result['furniture_found']} |"
            f" {result['furniture_remaining']} |",
            "",
            f"Body sentences: {result['body_sentences']}, lost: {result['body_sentences_lost']}"
            f" (by rule: {result['lost_by_rule'] or 'none'}); articles rejected:"
            f" {result['articles_rejected'] or 'none'}.",
            "",
        ]
    out += _warm_up(warm)
    return "\n".join(out + (real_pages.render(pages) if pages else []))


def _warm_up(warm: dict[str, dict[str, object]]) -> list[str]:
    out = [
        "## Warm-up of the learned model (plain text, from cold, arrival order)",
        "",
        "The model after the first n articles (no shipped defaults), frozen, cleaning every"
        " article of the corpus.",
        "",
        "| after n articles | furniture left (of all found) | body sentences lost |",
        "| ---: | ---: | ---: |",
    ]
    out += [
        f"| {n} | {row['furniture_remaining']} (of {row['furniture_found']}) |"
        f" {row['body_sentences_lost']} |"
        for n, row in warm.items()
    ]
    return [*out, ""]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--labels", type=Path, default=LABELS)
    parser.add_argument("--pages", type=Path, default=DATA / "html-pages")
    parser.add_argument("--show", choices=["remaining", "lost", "pages"], default="")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args()
    rows = [json.loads(line) for line in args.corpus.read_text(encoding="utf-8").splitlines()]
    labels = json.loads(args.labels.read_text(encoding="utf-8"))["labels"]
    started = time.perf_counter()
    text, page = measure_text(rows, labels, args.show), measure_html(rows, labels, args.show)
    cold = measure_text(rows, labels, "", Replay(OutletLearning(defaults={})))
    alone = measure_html(rows, labels, "", baseline=True)
    results: dict[str, dict[str, object]] = {
        "plain text (as scraped)": text.as_dict(),
        "plain text, learning from cold (no shipped defaults)": cold.as_dict(),
        "html (body in a news page)": page.as_dict(),
        "html, trafilatura fast mode alone (for comparison)": alone.as_dict(),
    }
    warm = warm_up(rows, labels, WARM_UP)
    pages, misses = real_pages.measure(args.pages) if args.pages.is_dir() else ({}, [])
    meta = {"articles": len(rows), "labelled_units": len(labels)}
    meta["seconds"] = round(time.perf_counter() - started, 1)
    for line in text.shown + page.shown + (misses if args.show == "pages" else []):
        print(line)
    args.out.mkdir(parents=True, exist_ok=True)
    document = {"corpus": meta, **results, "warm_up": warm, "real_pages": pages}
    (args.out / "clean_quality.json").write_text(
        json.dumps(document, indent=2) + "\n", encoding="utf-8"
    )
    page_md = render(results, warm, pages)
    (args.out / "clean_quality.md").write_text(page_md + "\n", encoding="utf-8")
    print(page_md)
    return 0


if __name__ == "__main__":
    sys.exit(main())

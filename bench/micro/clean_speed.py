"""What cleaning one article costs: a seed-sized plain-text article, and HTML pages; what the
learned furniture model adds, and what its state takes.

    python bench/clean_speed.py [--runs 7] [--out bench/results]

Each case is timed in several runs of many calls, in CPU time of this process (the machine
is shared: wall time would count the other jobs' turns); a run's figure is its median
call, and the report gives the median of the runs (and their spread). The HTML cases are timed
against trafilatura's own fast mode on the same page, interleaved in the same runs, so the
ratio holds however busy the machine is (it is shared: the absolute figures are not).
Targets: plain text well under 1 ms; HTML at least as fast as trafilatura's fast mode alone.

The furniture model (streams/cleaning/furniture.py) is timed on the seed in the same runs:
`clean` (the shipped defaults applied), `clean_with` learning the seed's outlet with a state
already learned from 200 dev-corpus articles (what the worker runs), and the model's own
steps alone (template every paragraph and sentence, learn, remove): their share of `clean`
is what the model adds. Its state: the encoded size per outlet, and the memory 10,000
outlets' states take in one process (tracemalloc), worst case (every slot and bit used).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import tracemalloc
from array import array

import trafilatura

from bench import harness
from bench.micro.clean_pages import news_page
from schemas import CleanArticle, RawArticle
from streams.cleaning import furniture
from streams.cleaning.lines import clean_lines
from streams.cleaning.logic import clean, clean_with
from streams.sources.files import plain_text_article

HERE = Path(__file__).resolve().parents[1]  # bench/
SEED = HERE.parent / "tests" / "fixtures" / "seed-article.txt"
CORPUS = (
    next(
        (p / "shared" / "data" for p in HERE.parents[1:3] if (p / "shared" / "data").is_dir()),
        HERE.parents[1] / "shared" / "data",
    )
    / "dev-articles.jsonl"
)
NOW = datetime(2026, 6, 1, tzinfo=UTC)  # after the pages' own date, as ingestion is


def _median_call_ms(call: Callable[[], object], calls: int) -> float:
    times = []
    for _ in range(calls):
        started = time.process_time()
        call()
        times.append(time.process_time() - started)
    return statistics.median(times) * 1000


def timed(cases: dict[str, Callable[[], object]], runs: int, calls: int) -> dict[str, dict]:
    """Each run calls the cases in turn, call by call, so a busy moment hits them all alike;
    a run's figure is a case's median call; reported: the median and spread of the runs."""
    for call in cases.values():
        call()  # warm: the language model loads, regexes compile
    per_run: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(calls):
            for name, call in cases.items():
                started = time.process_time()
                call()
                times[name].append(time.process_time() - started)
        for name, values in times.items():
            per_run[name].append(statistics.median(values) * 1000)
    return {
        name: {
            "median_ms": round(statistics.median(values), 4),
            "min_ms": round(min(values), 4),
            "max_ms": round(max(values), 4),
            "runs": len(values),
            "calls_per_run": calls,
        }
        for name, values in per_run.items()
    }


def _corpus_per_article_ms() -> dict[str, float] | None:
    """Every dev-corpus article once, as scraped: the median and the 95th percentile."""
    if not CORPUS.exists():
        return None
    rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
    raws = [RawArticle(title=r["title"], text=r["text"]) for r in rows]
    times = []
    for article in raws:
        started = time.process_time()
        clean(article, ingested=NOW)
        times.append((time.process_time() - started) * 1000)
    times.sort()
    return {
        "articles": len(times),
        "median_ms": round(statistics.median(times), 4),
        "p95_ms": round(times[int(len(times) * 0.95)], 4),
        "median_chars": statistics.median(len(r.text or "") for r in raws),
    }


def _seed() -> tuple[RawArticle, str, list[str]]:
    text = SEED.read_text(encoding="utf-8")
    raw = plain_text_article(text)
    assert isinstance(raw, RawArticle)
    lines = [line for line in text.split("\n") if line.strip()]
    body = [line for line in lines[1:] if line not in (lines[0], "Similar Posts")]
    return raw, lines[0], body


def _clean(raw: RawArticle) -> Callable[[], object]:
    def call() -> object:
        article = clean(raw, ingested=NOW)
        assert isinstance(article, CleanArticle)
        return article

    return call


def _model_cases(raw: RawArticle) -> dict[str, Callable[[], object]]:
    """clean with the defaults, clean_with learning (state of 200 articles), the model alone."""
    state = None
    if CORPUS.exists():
        rows = [json.loads(line) for line in CORPUS.read_text(encoding="utf-8").splitlines()]
        for row in rows[:200]:
            article = RawArticle(title=row["title"], text=row["text"])
            state = clean_with(article, ingested=NOW, furniture=state).furniture
    kept, _ = clean_lines(raw.title, (raw.text or "").split("\n"))

    def model() -> object:
        article = furniture.paragraphs(kept)
        return furniture.remove(furniture.learn(state, article, 0.0), article)

    return {
        "clean: seed as plain text": _clean(raw),
        "clean_with: seed, learning its outlet (state of 200 articles)": lambda: clean_with(
            raw, ingested=NOW, furniture=state
        ),
        "furniture model alone: seed (template, learn, remove)": model,
    }


def state_memory(outlets: int = 10_000) -> dict[str, float]:
    """Encoded bytes of a state whose every array byte is random (the worst case: nothing to
    compress), and the memory `outlets` such states take in one process (MB)."""
    rng = random.Random(15)
    full = furniture.OutletFurniture.new()
    full.recent_bits[:] = rng.randbytes(len(full.recent_bits))
    full.older_bits[:] = rng.randbytes(len(full.older_bits))
    full.keys = array("I", (rng.getrandbits(32) or 1 for _ in range(furniture.SLOTS)))
    full.counts[:] = rng.randbytes(furniture.SLOTS)
    full.recent.extend(rng.getrandbits(32) for _ in range(furniture.RECENT))
    data = full.encode()
    assert len(data) <= furniture.MAX_ENCODED_BYTES
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    states = {f"outlet-{i}.example": furniture.OutletFurniture.decode(data) for i in range(outlets)}
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    assert len(states) == outlets
    return {
        "outlets": outlets,
        "encoded_bytes_full": len(data),
        "encoded_bytes_new": len(furniture.OutletFurniture.new().encode()),
        "memory_mb": round((after - before) / 1e6, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args()
    load_before = harness.load()
    raw, title, body = _seed()
    seed_page = news_page(title, body)
    long_page = news_page(title, body + body[::-1])
    text = timed(_model_cases(raw), args.runs, 2000)
    corpus = _corpus_per_article_ms()
    html = {}
    for name, page in (("seed-sized page", seed_page), ("twice as long page", long_page)):
        cases = {
            f"clean: {name}": _clean(RawArticle(html=page, url="https://news.example/a/1")),
            f"trafilatura fast: {name}": lambda page=page: trafilatura.extract(page, fast=True),
            f"trafilatura default: {name}": lambda page=page: trafilatura.extract(page),
        }
        html[name] = {"page_chars": len(page), **timed(cases, args.runs, 60)}
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": harness.machine(load_before),
        "seed_chars": len(raw.text or ""),
        "plain_text": text,
        "dev_corpus_plain_text": corpus,
        "html": html,
        "furniture_state": state_memory(),
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "clean_speed.json").write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    (args.out / "clean_speed.md").write_text(render(result) + "\n", "utf-8")
    print(render(result))
    return 0


def render(result: dict) -> str:
    machine = result["machine"]
    out = [
        "# Clean stage speed",
        "",
        f"{result['when']}. "
        + harness.machine_line(machine)
        + " (sum(range(10000)) takes about 100-150 µs on a current desktop.)",
        "",
        "| case | median of runs | fastest run | slowest run |",
        "| --- | ---: | ---: | ---: |",
        *(
            f"| {case} ({result['seed_chars']} chars) | {row['median_ms']} ms |"
            f" {row['min_ms']} ms | {row['max_ms']} ms |"
            for case, row in result["plain_text"].items()
        ),
    ]
    if corpus := result.get("dev_corpus_plain_text"):
        out.append(
            f"| clean: each of the {corpus['articles']} dev-corpus articles as scraped (median"
            f" {corpus['median_chars']:.0f} chars) | {corpus['median_ms']} ms | p95"
            f" {corpus['p95_ms']} ms | |"
        )
    for cases in result["html"].values():
        for case, figures in cases.items():
            if isinstance(figures, dict):
                out.append(
                    f"| {case} ({cases['page_chars']} chars) | {figures['median_ms']} ms |"
                    f" {figures['min_ms']} ms | {figures['max_ms']} ms |"
                )
    out.append("")
    model = result["plain_text"]
    learning = "clean_with: seed, learning its outlet (state of 200 articles)"
    alone = "furniture model alone: seed (template, learn, remove)"
    if alone in model and learning in model:
        cost, total = model[alone]["median_ms"], model[learning]["median_ms"]
        out.append(
            f"- furniture model: {cost} ms of the seed's {total} ms with learning, as the worker"
            f" cleans ({cost / total:.0%}); without it about {total - cost:.4f} ms."
        )
    if memory := result.get("furniture_state"):
        out.append(
            f"- furniture state per outlet: {memory['encoded_bytes_new']} bytes encoded when"
            f" new, {memory['encoded_bytes_full']} when full; {memory['outlets']:,} full"
            f" states take {memory['memory_mb']} MB in one process."
        )
    for page, cases in result["html"].items():
        ours = cases[f"clean: {page}"]["median_ms"]
        fast = cases[f"trafilatura fast: {page}"]["median_ms"]
        out.append(
            f"- {page}: the whole clean step takes {ours / fast:.2f}x the time of trafilatura's"
            " fast mode alone (metadata, furniture rules, language and gates included)."
        )
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())

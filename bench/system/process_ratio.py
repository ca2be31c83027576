"""One worker against `newsradar process` on the same real corpus, in the same run.

    python -m bench.run --only process-ratio

The corpus is read where it lies, at run time, never copied into the repository:
`dev-articles.jsonl` of the shared data folder (real articles as scraped, title and text)
and the pages of its `html-pages/` (real web pages, gzipped HTML, each with its URL in
`cases.jsonl`: a raw article of `html` and `url`, as a scraper delivers one). Two corpora
are measured: the plain articles alone, and the plain articles with the pages (where HTML
extraction's CPU, the same in both modes, dominates). A record larger than a producer
request (NEWSRADAR_KAFKA__MAX_REQUEST_BYTES) is left out of both: `newsradar publish`
refuses it. Without the folder (NEWSRADAR_BENCH_DATA, else /work/shared/data) the
benchmark says so and is skipped.

For each corpus, each run, in turn: `newsradar process`'s pipeline in this process
(streams.pipeline's LocalPipeline, built as streams/commands/process.py builds it, fed the
same chunks of 256), timed in CPU and wall time; then a fresh `newsradar worker` (fresh
namespace, warmed up) fed the same bytes on its raw topic, timed as the throughput benchmark
times it: articles over (the last output's timestamp - the first raw record's). Every
article counts as handled in both, whatever became of it (classified, dropped as a
duplicate, or a dead letter): the worker is done when its classified and dead-letter topics
hold as many records as the in-process run classified and refused, and its alert topic as
many alerts.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

from bench.harness import ratios, summary, timed
from bench.stories import article
from bench.system.pipeline import Ctx, Run, batch, pipeline_worker, worker_settings
from schemas import RawArticle
from streams.alerting.configure import alert_rules
from streams.classification.logic import compile_taxonomy
from streams.classification.taxonomy import load_taxonomy
from streams.cleaning.configure import clean_options
from streams.codec import too_large
from streams.pipeline import LocalPipeline, Outcome, encoded
from streams.settings import Settings
from streams.sources.files import read_file
from streams.steps import ALERTS

#: Where the shared corpus lives: NEWSRADAR_BENCH_DATA, else /work/shared/data or the
#: `shared/data` folder beside the checkout.
DATA_ENV = "NEWSRADAR_BENCH_DATA"
CHUNK = 256  # streams/commands/process.py's chunk: what a worker's batch would be


def data_folder() -> Path | None:
    """The shared data folder, if this machine has it."""
    here = Path(__file__).resolve().parents[2]
    candidates = [os.environ.get(DATA_ENV), "/work/shared/data", here.parent / "shared" / "data"]
    for candidate in candidates:
        if candidate and (Path(candidate) / "dev-articles.jsonl").is_file():
            return Path(candidate)
    return None


def corpus(folder: Path, max_request_bytes: int, limit: int | None = None) -> dict[str, Any]:
    """The two corpora, (key, RawArticle JSON) as `newsradar publish` would send them: the
    plain articles, and the plain articles with the HTML pages; and what they hold. A
    record larger than a producer may send is left out of both (`publish` refuses it)."""
    articles = [item.article for item in read_file(folder / "dev-articles.jsonl")]
    plain = [_record(a) for a in articles if isinstance(a, RawArticle)][:limit]
    pages = [_record(a) for a in _pages(folder / "html-pages")][:limit]
    fits = [r for r in plain + pages if too_large(r[1], r[0], max_request_bytes, "raw") is None]
    sent = set(fits)
    groups = {"plain": [r for r in plain if r in sent], "plain+html": fits}
    return {
        "groups": groups,
        "plain_articles": len(plain),
        "unreadable_lines": len(articles) - len([a for a in articles if isinstance(a, RawArticle)]),
        "html_pages": len(pages),
        "too_large_to_publish": len(plain) + len(pages) - len(fits),
        "max_request_bytes": max_request_bytes,
        "megabytes": {
            name: round(sum(len(v) for _, v in rs) / 1e6, 1) for name, rs in groups.items()
        },
    }


def _record(raw: RawArticle) -> tuple[bytes, bytes]:
    return raw.id.encode(), encoded(raw)


def _pages(folder: Path) -> Iterator[RawArticle]:
    """Each page as `newsradar process` reads an .html.gz file, with its case's URL."""
    cases = folder / "cases.jsonl"
    if not cases.is_file():
        return
    for line in cases.read_text(encoding="utf-8").splitlines():
        case = json.loads(line)
        for item in read_file(folder / case["file"]):
            if isinstance(item.article, RawArticle) and item.article.html:
                yield RawArticle(html=item.article.html, url=case.get("url"))


def in_process(records: list[tuple[bytes, bytes]], settings: Settings) -> dict[str, Any]:
    """`newsradar process` over the records: its rate (wall and CPU) and what came out."""
    pipeline = _local(settings)
    outcomes: list[Outcome] = []
    with timed() as spent:
        it = iter(records)
        while chunk := list(islice(it, CHUNK)):
            outcomes += pipeline.run(chunk, datetime.now(UTC))
    return {
        "articles": len(records),
        "wall_s": spent.wall,
        "cpu_s": spent.cpu,
        "rate": len(records) / spent.wall,
        "cpu_ms_per_article": 1000 * spent.cpu / len(records),
        "outcomes": _outcomes(outcomes),
        "alerts": sum(len(o.published.get(ALERTS, [])) for o in outcomes),
    }


def _local(settings: Settings) -> LocalPipeline:
    """The pipeline streams/commands/process.py builds from the same settings."""
    return LocalPipeline(
        compile_taxonomy(load_taxonomy(settings.classification.taxonomy_path)),
        options=clean_options(settings.cleaning),
        window=settings.cleaning.dedup_window_seconds,
        rules=alert_rules(settings.alerting),
    )


def _outcomes(outcomes: list[Outcome]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for outcome in outcomes:
        if outcome.rejected is not None:
            counts[f"dead letter: {outcome.rejected.reason}"] += 1
        elif outcome.dropped is not None:
            counts[f"dropped: {outcome.dropped.reason}"] += 1
        else:
            counts["classified"] += 1
    return dict(sorted(counts.items()))


def measure(
    run: Run,
    runs: int,
    limit: int | None = None,
    *,
    ctx: Ctx | None = None,
    groups: tuple[str, ...] = ("plain", "plain+html"),
) -> dict[str, Any]:
    """For each corpus, `runs` turns of: in-process over it, then a fresh worker over it
    (or `ctx`'s, for one run of one corpus: a worker that saw the corpus drops it again)."""
    folder = data_folder()
    if folder is None:
        run.say("process-ratio: no shared data folder (dev-articles.jsonl): skipped")
        return {"skipped": f"no dev-articles.jsonl under {DATA_ENV}, /work/shared/data"}
    settings = worker_settings(run)
    found = corpus(folder, settings.kafka.max_request_bytes, limit)
    records_of = found.pop("groups")
    _local(settings).run([article("warm", n) for n in range(20)], datetime.now(UTC))  # models
    result: dict[str, Any] = {"corpus": {"folder": str(folder), **found}}
    for name in groups:
        result[name] = _compare(run, name, records_of[name], settings, runs, ctx)
    return result


def _compare(
    run: Run,
    name: str,
    records: list[tuple[bytes, bytes]],
    settings: Settings,
    runs: int,
    ctx: Ctx | None,
) -> dict[str, Any]:
    local, worker = [], []
    for n in range(runs):
        local.append(in_process(records, settings))
        worker.append(_worker(run, records, local[-1], ctx))
        run.say(
            f"process-ratio {name} run {n + 1}: newsradar process {local[-1]['rate']:,.0f}/s,"
            f" worker {worker[-1]['rate']:,.0f}/s"
            f" ({worker[-1]['rate'] / local[-1]['rate']:.2f})"
        )
    pairs = list(zip(worker, local, strict=True))
    return {
        "articles": len(records),
        "process": {
            "rate": summary([r["rate"] for r in local]),
            "cpu_ms_per_article": summary([r["cpu_ms_per_article"] for r in local]),
            "outcomes": local[-1]["outcomes"],
            "alerts": [r["alerts"] for r in local],
        },
        "worker": {
            "rate": summary([r["rate"] for r in worker]),
            "worker_cpu_ms_per_record": summary([r["worker_cpu_ms_per_record"] for r in worker]),
            "worker_cores_busy": summary([r["worker_cores_busy"] for r in worker]),
            "completed": [r["completed"] for r in worker],
        },
        # per turn, the worker over the in-process run just before it
        "ratio": summary([w["rate"] / p["rate"] for w, p in pairs]),
        # in-process CPU per article over the worker's: the same ratio in CPU time
        "cpu_ratio": summary(
            ratios([(p["cpu_ms_per_article"], w["worker_cpu_ms_per_record"]) for w, p in pairs])
        ),
    }


def _worker(
    run: Run, records: list[tuple[bytes, bytes]], local: dict[str, Any], ctx: Ctx | None
) -> dict[str, Any]:
    """A fresh worker over the records: done when it handled what the in-process run did."""
    outcomes = local["outcomes"]
    handled = sum(n for k, n in outcomes.items() if k == "classified" or k.startswith("dead"))
    expect = [(("classified", "deadletter"), handled), (("alerts",), local["alerts"])]
    if ctx is not None:
        return batch(ctx, records, expect, run.stall_s)
    with pipeline_worker(run) as fresh:
        return batch(fresh, records, expect, run.stall_s)

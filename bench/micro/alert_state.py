"""The alert stage on a long synthetic stream: per-article cost and the memory of its state.

    python -m bench.micro.alert_state [--articles 200000] [--out bench/results/alert_state.json]

Feeds invented topic matches through `on_match` over the state as the worker and `newsradar
process` keep it (streams/alerting/store.py's AlertStore: stories, topic records and rings
kept, in a dict here and a Faust table in the worker; the LSH index derived in memory), with
the default rules, one article every few seconds of published time, so the 200k articles
span days and the 48-hour story window and the 500-stories-per-topic bound both come into
play. Stories are syndicated: each has 1 to 12 copies with other outlets' boilerplate and
small edits, spread over hours; now and then a topic bursts.

Figures:
- cost per article of the alert stage: decoding the match, the rules (on_match + applying
  the changes) and encoding what the agent writes (changelog values, alerts), medians over
  chunks of 10k articles; ratios to a baseline measured in the same process: decoding the
  TopicMatch JSON, which the agent does for every record anyway (Kafka I/O not included);
- changelog bytes written per article (the encoded values of the kept keys each step
  changes: what the worker's table would write for a batch of one match; its batches write
  each key once, about 1.3 KB a match in batches of 500);
- memory of the kept state (the deep size of every key and value), of the derived index,
  and the process's RSS, and the key count at checkpoints: it should stop growing once the
  bounds are reached.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from schemas import CleanArticle, Evidence, TopicMatch, TopicScore
from streams.alerting.logic import AlertRules, on_match
from streams.alerting.matches import topic_matches
from streams.alerting.state import StateValue, Story, encode
from streams.alerting.store import AlertStore

TOPICS = [("russia-ukraine", "high"), ("middle-east", "medium"), ("markets-economy", "low")]
VOCAB = [f"w{i}" for i in range(20000)]
START = datetime(2026, 1, 1, tzinfo=UTC)
CHUNK = 10_000


def stream(
    count: int,
    seed: int = 7,
    spacing: float = 3.0,
    *,
    topics: list[tuple[str, str]] = TOPICS,
    start: datetime = START,
    rules: AlertRules | None = None,
) -> Iterator[TopicMatch]:
    """Matches in published-time order: stories with copies, scattered over hours, built
    as the classify step builds them (streams/alerting/matches.py: summary, fingerprint)."""
    rules = rules or AlertRules()
    rng = random.Random(seed)
    pending: list[tuple[float, int, TopicMatch]] = []
    clock, serial, made = 0.0, 0, 0
    while made < count:
        clock += rng.expovariate(1 / spacing)  # a story every `spacing` s on average
        story_words = [rng.choice(VOCAB) for _ in range(rng.randint(80, 200))]
        topic, severity = rng.choice(topics)
        copies = 1 if rng.random() < 0.6 else rng.randint(2, 12)
        for copy in range(copies):
            at = clock + (0 if copy == 0 else rng.uniform(60, 6 * 3600))
            serial += 1
            made_at = start + timedelta(seconds=at)
            match = _match(rng, story_words, (topic, severity), made_at, f"{seed}-{serial}", rules)
            pending.append((at, serial, match))
        pending.sort(key=lambda item: item[0])
        while pending and pending[0][0] <= clock and made < count:
            made += 1
            yield pending.pop(0)[2]


def _match(
    rng: random.Random,
    words: list[str],
    topic: tuple[str, str],
    published: datetime,
    serial: str,
    rules: AlertRules,
) -> TopicMatch:
    edited = list(words)
    for _ in range(rng.randint(0, 4)):
        edited[rng.randrange(len(edited))] = rng.choice(VOCAB)
    outlet = f"outlet{rng.randrange(300)}"
    text = f"{outlet} desk. " + " ".join(edited) + f" Subscribe to {outlet} today."
    score = TopicScore(
        id=topic[0],
        name=topic[0],
        score=round(rng.uniform(0.5, 1.0), 3),
        severity=topic[1],
        evidence=[Evidence(term="x", matched="x", field="text", start=0, end=1)],
    )
    article = CleanArticle(
        id=f"n{serial}",
        title=" ".join(words[:8]),
        text=text,
        source=outlet,
        url=f"https://{outlet}.example/{serial}",
        published=published,
        ingested=published + timedelta(seconds=rng.uniform(5, 300)),
    )
    (match,) = topic_matches(article, [score], "bench", rules)
    return match


def timed_pass(articles: int, spacing: float = 3.0) -> dict[str, Any]:
    """Per article, by chunk: decoding the match (the baseline every agent pays), the rules
    (on_match + applying the changes), and encoding what the agent writes (changelog
    values, alert JSON). Medians over chunks; the ratios are to the decode baseline."""
    store = AlertStore({}, AlertRules().story)
    rules = AlertRules()
    costs: dict[str, list[float]] = {"decode": [], "rules": [], "encode": []}
    alerts: dict[str, int] = {}
    outcomes: dict[str, int] = {}
    batch: list[bytes] = []
    memory: list[dict[str, Any]] = []
    written = [0]
    every = max(CHUNK, articles // 8 // CHUNK * CHUNK)
    for position, match in enumerate(stream(articles, spacing=spacing), start=1):
        batch.append(match.model_dump_json().encode())
        if len(batch) == CHUNK:
            counts = (alerts, outcomes, written)
            _time_chunk(batch, position - CHUNK + 1, store, rules, costs, counts)
            batch = []
        if position % every == 0:
            memory.append(checkpoint(position, store, written[0]))
            print(json.dumps(memory[-1]), flush=True)
    per = {name: statistics.median(values) for name, values in costs.items()}
    total = sum(per.values())
    return {
        "per_article_us": {name: round(value * 1e6, 1) for name, value in per.items()},
        "stage_us": round(total * 1e6, 1),
        "rules_p90_chunk_us": round(
            sorted(costs["rules"])[int(len(costs["rules"]) * 0.9)] * 1e6, 1
        ),
        "rules_first_last_chunk_us": [
            round(costs["rules"][0] * 1e6, 1),
            round(costs["rules"][-1] * 1e6, 1),
        ],
        "ratio_rules_to_decode": round(per["rules"] / per["decode"], 2),
        "ratio_stage_to_decode": round(total / per["decode"], 2),
        "alerts": alerts,
        "outcomes": outcomes,
        "memory": memory,
    }


def _time_chunk(
    batch: list[bytes],
    first_position: int,
    store: AlertStore,
    rules: AlertRules,
    costs: dict[str, list[float]],
    counts: tuple[dict[str, int], dict[str, int], list[int]],
) -> None:
    alerts, outcomes, written = counts
    clock = time.perf_counter
    spent = {"decode": 0.0, "rules": 0.0, "encode": 0.0}
    for offset, value in enumerate(batch):
        t0 = clock()
        match = TopicMatch.model_validate_json(value)
        t1 = clock()
        step = on_match(store, match, rules, now=START, position=first_position + offset)
        kept: list[StateValue | None] = []
        store.apply(step.changes, partial(_keep, store, out=kept))
        t2 = clock()
        written[0] += sum(len(encode(change)) for change in kept if change is not None)
        for alert in step.alerts:
            alert.model_dump_json()
        t3 = clock()
        spent["decode"] += t1 - t0
        spent["rules"] += t2 - t1
        spent["encode"] += t3 - t2
        for alert in step.alerts:
            alerts[alert.kind] = alerts.get(alert.kind, 0) + 1
        outcomes[step.outcome] = outcomes.get(step.outcome, 0) + 1
    for name, seconds in spent.items():
        costs[name].append(seconds / len(batch))


def deep_size(value: object, seen: set[int] | None = None) -> int:
    """Bytes held by a value and everything it references once (records, tuples, strings)."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return 0
    seen.add(id(value))
    size = sys.getsizeof(value)
    if isinstance(value, dict):
        size += sum(deep_size(k, seen) + deep_size(v, seen) for k, v in value.items())
    elif isinstance(value, tuple | list | set | frozenset):
        size += sum(deep_size(item, seen) for item in value)
    elif hasattr(value, "__dict__"):
        size += deep_size(vars(value), seen)
        extra = getattr(value, "__pydantic_fields_set__", None)
        size += deep_size(extra, seen) if extra is not None else 0
    return size


def _keep(store: AlertStore, key: str, value: StateValue | None, *, out: list[Any]) -> None:
    """The worker's table write: the kept dict changes, the value goes to the changelog."""
    state = store.kept
    assert isinstance(state, dict)
    if value is None:
        state.pop(key, None)
    else:
        state[key] = value
    out.append(value)


def checkpoint(position: int, store: AlertStore, written: int) -> dict[str, Any]:
    kept = store.kept
    stories = [v for v in kept.values() if isinstance(v, Story)]
    return {
        "articles": position,
        "state_mib": round(deep_size(kept) / 2**20, 1),
        "index_mib": round(deep_size(store._index) / 2**20, 1),
        "rss_mib": round(_rss() / 2**20, 1),
        "keys": len(kept),
        "stories": len(stories),
        "articles_listed": sum(len(s.articles) for s in stories),
        "changelog_mib_compacted": round(sum(len(encode(v)) for v in kept.values()) / 2**20, 1),
        "changelog_bytes_per_article": round(written / position),
    }


def _rss() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=200_000)
    parser.add_argument(
        "--spacing", type=float, default=3.0, help="mean seconds of published time between stories"
    )
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()
    timing = timed_pass(args.articles, args.spacing)
    print(json.dumps({k: v for k, v in timing.items() if k != "memory"}, indent=2), flush=True)
    result = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "python": platform.python_version(),
        "articles": args.articles,
        "spacing_seconds": args.spacing,
        "rules": "AlertRules() defaults: 48 h story window, 500 stories/topic, 50 listed/story",
        "timing": timing,
    }
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

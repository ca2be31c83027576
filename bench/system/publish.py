"""How many articles per second `newsradar publish` sustains on a large JSON-lines file.

    python -m bench.system.publish [--articles 100000] [--runs 5] [--bootstrap 127.0.0.1:19092]

Generates a synthetic JSON-lines file (seed-sized invented articles, each with its own URL)
in a temporary folder (never committed), then runs the real command several times, each
into a fresh 4-partition topic, timing the whole process (start-up included: what a user
waits for; `publish` also reports its own rate after start-up, recorded too) and checking
that every article arrived. The baseline, measured in the same run: a bare kafka-python
producer sending the same lines unchanged, under keys as long as article ids, with the same
settings (no parsing, validation, stamping or re-encoding): the ceiling of this client stack.
Results go to bench/results/publish.json and publish.md; the median is the figure.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import random
import re
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic

from bench.harness import RESULTS, summary

WORDS = tuple(
    " ".join(
        (
            "harbour council ferry market bridge river valley winter spring vote budget school",
            "road tram station office survey report minister talks border energy prices farmers",
            "weather storm police court trial company workers strike museum festival season",
            "the a of to and in on for with by from at after before during while about",
        )
    ).split(" ")
)


#: Whole-process rates (what a user waits for), the rates publish reports after its start-up,
#: and the bare producer.
MODES = (
    "publish",
    "publish (after start-up)",
    "publish --progress",
    "publish --progress (after start-up)",
    "baseline",
)


def generate(path: Path, count: int, body_words: int, seed: int = 8) -> int:
    """Write `count` invented articles as JSON lines; return the file's size in bytes."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            title = " ".join(rng.choices(WORDS, k=8)).capitalize()
            paragraphs = [
                " ".join(rng.choices(WORDS, k=body_words // 5)).capitalize() + "." for _ in range(5)
            ]
            article = {
                "title": title,
                "text": "\n\n".join(paragraphs),
                "url": f"https://bench.invalid/{seed}/{n}",
                "source": "bench",
                "published": "2026-02-02T08:00:00Z",
            }
            out.write(json.dumps(article) + "\n")
    return path.stat().st_size


def create_topic(bootstrap: str, partitions: int) -> str:
    name = f"bench-publish-{uuid.uuid4().hex[:10]}"
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.create_topics([NewTopic(name, partitions, 1)])
    finally:
        admin.close()
    return name


def delete_topics(bootstrap: str, names: list[str]) -> None:
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        admin.delete_topics(names)
    finally:
        admin.close()


def records_on(bootstrap: str, topic: str) -> int:
    consumer = KafkaConsumer(bootstrap_servers=bootstrap)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        return sum(consumer.end_offsets(partitions).values())
    finally:
        consumer.close()


def run_publish(bootstrap: str, topic: str, path: Path, progress: bool) -> tuple[float, float]:
    """Seconds for one `newsradar publish` process, start to exit, and the rate it reported.

    The reported rate excludes the process's start-up (imports, connecting to the broker).
    """
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSRADAR_")}
    env.update(
        NEWSRADAR_KAFKA__BOOTSTRAP=bootstrap,
        NEWSRADAR_TOPICS__RAW=topic,
        NEWSRADAR_LOG_LEVEL="WARNING",
    )
    flag = "--progress" if progress else "--no-progress"
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "streams", "publish", str(path), flag],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        timeout=1800,
        check=False,
    )
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"publish failed:\n{result.stderr[-2000:]}")
    reported = re.search(r"\(([\d,]+)/s\)", result.stderr)
    return elapsed, float(reported.group(1).replace(",", "")) if reported else float("nan")


def run_baseline(bootstrap: str, topic: str, path: Path) -> float:
    """Seconds for a bare producer to send the file's lines as they are (same tuning)."""
    from streams.sources.kafka_out import BULK_TUNING

    started = time.perf_counter()
    producer = KafkaProducer(
        bootstrap_servers=bootstrap, acks="all", metrics_enabled=False, **BULK_TUNING
    )
    with path.open("rb") as lines:
        for line in lines:
            # A key as long as an article id: kafka-python's murmur2 is pure Python, per byte.
            key = b"u" + hashlib.sha256(line).hexdigest()[:20].encode()
            producer.send(topic, key=key, value=line.rstrip(b"\n"))
    producer.flush()
    producer.close()
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--body-words", type=int, default=400, help="about 2.5 KB of text")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument(
        "--bootstrap", default=os.environ.get("NEWSRADAR_KAFKA__BOOTSTRAP", "127.0.0.1:19092")
    )
    parser.add_argument("--no-write", action="store_true", help="print, do not save results")
    args = parser.parse_args()

    topics: list[str] = []
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="newsradar-bench-") as folder:
        path = Path(folder) / "articles.jsonl"
        size = generate(path, args.articles, args.body_words)
        print(f"{args.articles} articles, {size / 1e6:.1f} MB in {path}", file=sys.stderr)
        modes: dict[str, list[float]] = {name: [] for name in MODES}
        try:
            for run in range(args.runs):
                for mode in ("publish", "publish --progress", "baseline"):
                    topic = create_topic(args.bootstrap, args.partitions)
                    topics.append(topic)
                    if mode == "baseline":
                        seconds = run_baseline(args.bootstrap, topic, path)
                    else:
                        seconds, inside = run_publish(args.bootstrap, topic, path, "prog" in mode)
                        modes[mode + " (after start-up)"].append(inside)
                    arrived = records_on(args.bootstrap, topic)
                    assert arrived == args.articles, f"{mode}: {arrived} of {args.articles}"
                    modes[mode].append(args.articles / seconds)
                    print(
                        f"run {run + 1} {mode}: {args.articles / seconds:,.0f}/s", file=sys.stderr
                    )
        finally:
            if topics:
                delete_topics(args.bootstrap, topics)
    report = _report(args, size, modes)
    # The machine is shared: a load above its CPU count means other work competed.
    report["machine"]["load_average_1m"] = [load_before, os.getloadavg()[0]]
    print(json.dumps(report["results"], indent=2))
    if not args.no_write:
        _write(report)
    return 0


def _report(args: argparse.Namespace, size: int, modes: dict[str, list[float]]) -> dict:
    results = {mode: summary(rates) for mode, rates in modes.items()}
    baseline = results["baseline"]["median"]
    ratios = {
        "publish": results["publish"]["median"] / baseline,
        "publish (after start-up)": results["publish (after start-up)"]["median"] / baseline,
    }
    return {
        "benchmark": "publish",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": f"python -m bench.system.publish --articles {args.articles} --runs {args.runs}",
        "input": {"articles": args.articles, "bytes": size, "partitions": args.partitions},
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "kafka-python": metadata.version("kafka-python"),
            "pydantic": metadata.version("pydantic"),
        },
        "results": results,
        "ratio_to_baseline": ratios,
    }


def _write(report: dict) -> None:
    inputs = report["input"]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "publish.json").write_text(json.dumps(report, indent=2) + "\n")
    rows = [
        f"| {mode} | {r['median']:,.0f} | {r['min']:,.0f} | {r['max']:,.0f} | {len(r['runs'])} |"
        for mode, r in report["results"].items()
    ]
    lines = [
        "# newsradar publish: articles per second",
        "",
        f"`{report['command']}` on {report['when']}; {inputs['articles']:,} synthetic articles "
        f"({inputs['bytes'] / 1e6:.0f} MB of JSON lines), a {inputs['partitions']}-partition "
        "topic, acks=all, broker on the same machine.",
        "",
        "| mode | median/s | min/s | max/s | runs |",
        "| --- | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        "Median over runs / the bare producer's median: "
        + ", ".join(f"{mode} {ratio:.2f}" for mode, ratio in report["ratio_to_baseline"].items()),
        "",
        f"Machine: {report['machine']} (1-minute load average before and after the runs)",
        "",
    ]
    (RESULTS / "publish.md").write_text("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())

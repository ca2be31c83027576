"""bench/run.py's results as files: JSON (everything), a markdown summary and a PNG chart.

The chart needs matplotlib (`pip install -e '.[bench]'`); without it the JSON and markdown
are still written and the markdown says the chart was skipped.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: The issue's targets, each quoted against its measurement.
TARGETS = (
    ("pipeline (plain) / ceiling, same run", ">= 0.50"),
    ("plain-text articles/s, one worker process", ">= 2,000"),
    ("p99 ingestion-to-alert at 200 articles/s", "<= 100 ms"),
    ("RSS growth between the first checkpoint and the end", "<= 10%"),
)


def write(result: dict[str, Any], out: Path, stem: str) -> list[Path]:
    """`<stem>.json`, `<stem>.md` and (with matplotlib) `<stem>.png` in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{stem}.json", out / f"{stem}.md"]
    chart = out / f"{stem}.png"
    charted = _chart(result, chart)
    if charted:
        paths.append(chart)
    result["chart"] = chart.name if charted else "skipped: matplotlib not installed"
    paths[0].write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    paths[1].write_text(markdown(result) + "\n", encoding="utf-8")
    return paths


def targets(result: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(target, wanted, measured, met?) for the figures this run measured."""
    rows = []
    ceiling, plain = result.get("ceiling"), result.get("throughput", {}).get("plain")
    ratio = plain["rate"]["median"] / ceiling["rate"]["median"] if ceiling and plain else None
    rows.append(_row(0, ratio, f"{ratio:.2f}" if ratio is not None else "", ratio, 0.5, ">="))
    rate = plain["rate"]["median"] if plain else None
    rows.append(_row(1, rate, f"{rate:,.0f}/s" if rate else "", rate, 2000, ">="))
    at200 = next(
        (
            load
            for load in result.get("latency", {}).get("loads", [])
            if load["offered_per_s"] == 200
        ),
        None,
    )
    p99 = at200["p99_ms"]["median"] if at200 else None
    rows.append(_row(2, p99, f"{p99:,.0f} ms" if p99 is not None else "", p99, 100, "<="))
    rss = result.get("rss")
    if rss and rss["articles_done"] < rss["every"]:  # cut short before the first checkpoint
        shown = (
            f"not reached: cut short at {rss['articles_done']:,} articles"
            f" ({rss['growth']:+.1%} from {rss['growth_reference_articles']:,})"
        )
        rows.append((TARGETS[3][0], TARGETS[3][1], shown, "n/a"))
        return rows
    growth = rss["growth"] if rss else None
    shown = (
        f"{growth:+.1%} ({rss['growth_reference_articles']:,} -> {rss['articles_done']:,} articles)"
        if rss
        else ""
    )
    rows.append(_row(3, growth, shown, growth, 0.10, "<="))
    return rows


def _row(
    index: int, value: float | None, shown: str, measured: float | None, bound: float, op: str
) -> tuple[str, str, str, str]:
    name, wanted = TARGETS[index]
    if measured is None:
        return name, wanted, "not measured", ""
    met = measured >= bound if op == ">=" else measured <= bound
    return name, wanted, shown, "yes" if met else "**no**"


def markdown(result: dict[str, Any]) -> str:
    lines = [
        "# newsradar pipeline benchmark",
        "",
        f"`{result['command']}` ({result['mode']}), {result['when']}, broker"
        f" {result['broker']['version']} at {result['broker']['bootstrap']}.",
        "",
        f"Machine: {result['machine']['cpu']}, {result['machine']['cores']} cores,"
        f" {result['machine']['ram_gib']} GiB RAM; 1-minute load average"
        f" {result['machine']['load_before']} before, {result['machine']['load_after']} after."
        + (
            " **The machine was shared and busy during this run: absolute figures are low and"
            " noisy; ratios measured in the same run hold better.**"
            if result["machine"]["load_before"] > result["machine"]["cores"] * 0.75
            else ""
        ),
        "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in result["versions"].items()),
        "",
        *_changed_settings(result),
        "## Targets",
        "",
        "| target | wanted | measured (median) | met |",
        "| --- | ---: | ---: | :---: |",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in targets(result)),
        "",
    ]
    lines += _throughput(result) + _latency(result) + _rss(result) + _stages(result)
    lines += _reading(result)
    lines += ["## How it was measured", "", *(f"- {note}" for note in result["method"]), ""]
    lines.append(f"Chart: {result.get('chart', '')}")
    return "\n".join(lines)


def _changed_settings(result: dict[str, Any]) -> list[str]:
    changed = result.get("worker_env") or {}
    if not changed:
        return []
    return ["Worker settings: " + ", ".join(f"`{k}={v}`" for k, v in changed.items()), ""]


def _throughput(result: dict[str, Any]) -> list[str]:
    rows = []
    names = {"ceiling": "ceiling: passthrough (same Faust app, no processing)"}
    for key, figures in (
        ("ceiling", result.get("ceiling")),
        ("plain", result.get("throughput", {}).get("plain")),
        ("html", result.get("throughput", {}).get("html")),
    ):
        if not figures:
            continue
        rate = figures["rate"]
        name = names.get(key, f"pipeline: {key} articles, one `newsradar worker`")
        rows.append(
            f"| {name} | {rate['median']:,.0f} | {rate['min']:,.0f} – {rate['max']:,.0f} |"
            f" {len(rate['runs'])} × {figures['records_per_run']:,} |"
            f" {figures['producer_rate']['median']:,.0f} |"
            f" {figures['worker_cpu_ms_per_record']['median']:.2f} |"
            f" {figures['worker_cores_busy']['median']:.2f} |"
            f" {1000 / figures['worker_cpu_ms_per_record']['median']:,.0f} |"
        )
    if not rows:
        return []
    idle = [
        (name, figures)
        for name, figures in (
            ("passthrough", result.get("ceiling")),
            ("pipeline", result.get("throughput", {}).get("plain")),
        )
        if figures and "worker_idle_cores" in figures
    ]
    return [
        "## Throughput (records/s from the first raw record's timestamp to the last output's)",
        "",
        "| what | median/s | spread (min – max) | runs × records | producer/s |"
        " worker CPU ms/record | worker cores busy | 1 / CPU per record |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        "Worker CPU: user + system time of the worker process over a batch (/proc), per record"
        " passed; cores busy: that time over the batch's wall time. The last column is the"
        " rate one unshared core would give if nothing but CPU limited the worker: on a busy"
        " machine (cores busy well below 1 while the worker had work queued) it is the fairer"
        " figure of the code's own speed."
        + "".join(
            f" Idle, the {name} worker used {figures['worker_idle_cores']:.3f} cores."
            for name, figures in idle
        ),
        "",
    ]


def _latency(result: dict[str, Any]) -> list[str]:
    latency = result.get("latency")
    if not latency:
        return []
    rows = []
    for load in latency["loads"]:
        cells = " | ".join(
            f"{load[k]['median']:,.0f} ({load[k]['min']:,.0f} – {load[k]['max']:,.0f})"
            for k in ("p50_ms", "p95_ms", "p99_ms")
        )
        over = " (over capacity)" if load["over_capacity"] else ""
        rows.append(
            f"| {load['offered_per_s']:,}{over} | {load['achieved_per_s']['median']:,.0f} |"
            f" {sum(load['alerted']):,} / {sum(load['articles']):,} | {cells} |"
        )
    return [
        "## End-to-end latency, raw record to alert (ms: median of runs, spread)",
        "",
        f"Timestamps: {latency['timestamps']}. {latency['seconds_per_run']} s of offered load"
        " per run"
        + (
            f"; loads above the measured capacity ({latency['capacity_per_s']:,.0f}/s) are cut to"
            " the articles the worker clears in that time (their latency is the queue's), and"
            " when every target load is above it, half the capacity is measured too."
            if latency.get("capacity_per_s")
            else "."
        ),
        "",
        "| offered/s | sent/s | alerted / sent | p50 | p95 | p99 |",
        "| ---: | ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
    ]


def _rss(result: dict[str, Any]) -> list[str]:
    rss = result.get("rss")
    if not rss:
        return []
    rows = [
        f"| {s['articles']:,} | {s['seconds']:,.0f} | {s['rss_mib']:,.1f} | {s['peak_mib']:,.1f} |"
        f" {s.get('rate_since_previous') or 0:,.0f} |"
        for s in rss["samples"]
    ]
    cut = (
        f" **Cut short by the time limit at {rss['articles_done']:,} of"
        f" {rss['articles_planned']:,} articles.**"
        if rss["cut_short_by_time"]
        else ""
    )
    return [
        "## Worker memory over a long run (fresh worker, resident set from /proc)",
        "",
        f"{rss['articles_planned']:,} articles planned, a sample every {rss['every']:,}.{cut}",
        "",
        "| articles alerted | seconds | RSS MiB | peak MiB | articles/s since previous |",
        "| ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
        "The clean stage's dedup table keeps each article's key for the dedup window"
        " (`NEWSRADAR_CLEANING__DEDUP_WINDOW_SECONDS`, 24 h by default), and a run shorter than"
        " the window expires none: its memory grows with the article count by design.",
        "",
    ]


def _reading(result: dict[str, Any]) -> list[str]:
    """Ratios computed from this run's figures: where the time goes."""
    notes = []
    ceiling = result.get("ceiling")
    plain = result.get("throughput", {}).get("plain")
    stages = result.get("stages", {}).get("plain")
    if plain and stages:
        cpu_ms = plain["worker_cpu_ms_per_record"]["median"]
        logic_ms = stages["total_us"]["median"] / 1000
        notes.append(
            f"The stages' own logic takes {logic_ms:.1f} ms of CPU per plain article; the"
            f" worker spent {cpu_ms:.1f} ms per article: {logic_ms / cpu_ms:.0%} in the logic,"
            " the rest in Faust, aiokafka, the tables and the codecs around it."
        )
        notes.append(
            f"Even with no framework at all, the logic allows"
            f" {stages['implied_per_s_one_core']:,.0f} plain articles/s on one of these cores."
        )
    if plain and ceiling:
        times = (
            plain["worker_cpu_ms_per_record"]["median"]
            / ceiling["worker_cpu_ms_per_record"]["median"]
        )
        notes.append(f"Per record, the worker used {times:.0f} times the passthrough's CPU.")
    latency = result.get("latency", {})
    over = [load["offered_per_s"] for load in latency.get("loads", []) if load["over_capacity"]]
    if over:
        notes.append(
            f"Offered loads {', '.join(f'{x:,}/s' for x in over)} exceed the measured capacity"
            f" ({latency['capacity_per_s']:,.0f}/s): their latency is the time spent queueing."
        )
    return ["## Reading this run", "", *(f"- {note}" for note in notes), ""] if notes else []


def _stages(result: dict[str, Any]) -> list[str]:
    stages = result.get("stages")
    if not stages:
        return []
    plain, html = stages["plain"], stages["html"]
    rows = [
        f"| {step} | {plain['steps_us'][step]['median']:,.0f} |"
        f" {html['steps_us'].get(step, {}).get('median', 0):,.0f} |"
        for step in plain["steps_us"]
    ]
    rows.append(
        f"| **total** | **{plain['total_us']['median']:,.0f}** |"
        f" **{html['total_us']['median']:,.0f}** |"
    )
    rows.append(
        f"| one core, no Kafka: articles/s | {plain['implied_per_s_one_core']:,.0f} |"
        f" {html['implied_per_s_one_core']:,.0f} |"
    )
    return [
        "## Where the time goes: each step's pure logic per article, no Kafka (µs, CPU time)",
        "",
        f"Median of {plain['runs']} runs over {plain['articles']:,} plain and"
        f" {html['articles']:,} HTML articles (bench/stages.py); sum(range(10000)) takes"
        f" {stages['sum_range_10000_us']} µs here.",
        "",
        "| step | plain | HTML |",
        "| --- | ---: | ---: |",
        *rows,
        "",
    ]


def _chart(result: dict[str, Any], path: Path) -> bool:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    fig, (bars, lat, mem) = plt.subplots(1, 3, figsize=(15, 4.5))
    _bars(bars, result)
    _latency_chart(lat, result)
    _rss_chart(mem, result)
    fig.suptitle(f"newsradar pipeline benchmark, {result['when']} ({result['mode']})")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def _bars(ax: Any, result: dict[str, Any]) -> None:
    series = [
        ("ceiling", result.get("ceiling")),
        ("plain", result.get("throughput", {}).get("plain")),
        ("HTML", result.get("throughput", {}).get("html")),
    ]
    series = [(name, f["rate"]) for name, f in series if f]
    medians = [r["median"] for _, r in series]
    errors = [
        [m - r["min"] for m, (_, r) in zip(medians, series, strict=True)],
        [r["max"] - m for m, (_, r) in zip(medians, series, strict=True)],
    ]
    names = [name for name, _ in series]
    ax.bar(names, medians, yerr=errors, capsize=4, color="#4878a8")
    for name, median in zip(names, medians, strict=True):
        ax.annotate(f"{median:,.0f}", (name, median), ha="center", va="bottom")
    ax.axhline(2000, color="#c44", linestyle="--", linewidth=1, label="target 2,000/s")
    ax.set_ylabel("records/s (median, min–max)")
    ax.set_title("Throughput, one worker process")
    ax.legend(loc="upper right")


def _latency_chart(ax: Any, result: dict[str, Any]) -> None:
    loads = result.get("latency", {}).get("loads", [])
    xs = [str(load["offered_per_s"]) for load in loads]
    for key, marker in (("p50_ms", "o"), ("p95_ms", "s"), ("p99_ms", "^")):
        ax.plot(xs, [load[key]["median"] for load in loads], marker=marker, label=key[:3])
    ax.axhline(100, color="#c44", linestyle="--", linewidth=1, label="target p99 100 ms")
    ax.set_yscale("log")
    ax.set_xlabel("offered articles/s")
    ax.set_ylabel("raw → alert, ms (median of runs)")
    ax.set_title("End-to-end latency")
    ax.legend(loc="upper left")


def _rss_chart(ax: Any, result: dict[str, Any]) -> None:
    samples = result.get("rss", {}).get("samples", [])
    ax.plot([s["articles"] for s in samples], [s["rss_mib"] for s in samples], marker="o")
    ax.set_xlabel("articles alerted")
    ax.set_ylabel("worker RSS, MiB")
    ax.set_ylim(bottom=0)
    ax.set_title("Worker memory")

"""bench/run.py's summary: the issue's targets against this run's medians, then each figure.

The chart needs matplotlib (`pip install -e '.[bench]'`); without it the JSON and markdown
are still written and the markdown says the chart was skipped.
"""

from __future__ import annotations

from typing import Any

from bench import harness

METHOD = [
    "Throughput: a batch preloaded into the raw topic by a kafka-python producer (acks=all,"
    " `newsradar publish`'s batching) while the worker waits, warmed up; records / (latest"
    " timestamp on the output topics - earliest timestamp of the batch on the raw topic)."
    " Timestamps are Kafka CreateTime, stamped by each producing client as it sends. A probe"
    " batch before the runs (not counted) sizes them to last about the same time however"
    " fast the worker is. The producer's own rate is listed: it shares the cores.",
    "Ceiling: `python -m bench.system.passthrough`, the worker minus its logic (the same app,"
    " settings, partitions, batches and acknowledged sends through streams.stage.Publisher),"
    " copying raw records unchanged to one output topic, measured the same way.",
    "Articles: invented Russia–Ukraine stories (bench/stories.py), seed-sized (about 2.9 KB of"
    " text; the HTML ones inside a 45 KB news page), each with its own URL and text, so each"
    " passes the dedup, matches the topic and founds its own story: one alert per article.",
    "Latency: a paced producer (kafka-python, acks=all, no linger) at each offered load on the"
    " same warmed worker; per article, its alert's timestamp minus its raw record's"
    " timestamp; nearest-rank percentiles per run, then the median over runs.",
    "Alert stage: topic matches of one topic (bench/micro/alert_state.py's syndicated"
    " stories, schema v2) preloaded into partition 0 of the matches topic of the warm"
    " worker; matches / (last alert's timestamp - first match's timestamp)"
    " (bench/system/alert_stage.py).",
    "Worker / `newsradar process`: the shared real corpus, in this process through"
    " LocalPipeline (wall time) and through a fresh worker each run (as throughput), turn"
    " about; every article counts as handled in both (bench/system/process_ratio.py).",
    "Memory: a fresh worker fed in chunks of about 5 s of its work; VmRSS and VmHWM of its"
    " process from /proc/<pid>/status when the alert count passes each checkpoint.",
    "Worker CPU: utime+stime of the worker process from /proc over each batch; 'cores"
    " busy' near 1 means it computes all the time (CPU-bound, one Python thread), well"
    " below 1 that it waits, or, on a busy machine, that it did not get a core.",
    "Every benchmark has fresh topics (the worker's default partitions, `newsradar topics"
    " create`) and consumer group, deleted afterwards; workers run with the default"
    " settings of streams/settings.py unless `Worker settings` says otherwise.",
]

Row = tuple[str, str, str, str]


def targets(result: dict[str, Any]) -> list[Row]:
    """(target, wanted, measured, met?) for every target of the issue, measured or not."""
    plain = result.get("throughput", {}).get("plain")
    html = result.get("throughput", {}).get("html")
    rows = [
        _at_least("plain-text articles/s, one worker process", plain, "rate", 500, "/s"),
        _at_most("worker CPU per plain article", plain, "worker_cpu_ms_per_record", 1.5, " ms"),
        _at_least("HTML articles/s, one worker process", html, "rate", 100, "/s"),
    ]
    ratio = result.get("process_ratio", {})
    for name, label in (("plain", "real articles"), ("plain+html", "real articles + pages")):
        figures = ratio.get(name)
        what = f"worker / `newsradar process`, {label}, same run"
        if ratio.get("skipped"):
            rows.append((what, ">= 0.50", f"skipped: {ratio['skipped']}", "n/a"))
        else:
            rows.append(_at_least(what, figures, "ratio", 0.5, "", ".2f"))
    alert = result.get("alert_stage")
    rows.append(
        _at_least("alert stage alone, one partition, story alerts on", alert, "rate", 2000, "/s")
    )
    rows.append(_p99_at_200(result.get("latency")))
    rows.append(_rss_row(result.get("rss")))
    rows.append(_ceiling_row(result.get("ceiling"), plain))
    return rows


def _at_least(name: str, figures: Any, key: str, bound: float, unit: str, fmt: str = ",.0f") -> Row:
    return _judged(name, figures, key, bound, unit, fmt, at_least=True)


def _at_most(name: str, figures: Any, key: str, bound: float, unit: str, fmt: str = ".2f") -> Row:
    return _judged(name, figures, key, bound, unit, fmt, at_least=False)


def _judged(
    name: str, figures: Any, key: str, bound: float, unit: str, fmt: str, *, at_least: bool
) -> Row:
    wanted = f"{'>=' if at_least else '<='} {bound:{fmt}}{unit}"
    if not figures:
        return name, wanted, "not measured", ""
    s = figures[key]
    shown = (
        f"{s['median']:{fmt}}{unit} ({s['min']:{fmt}} – {s['max']:{fmt}}, {len(s['runs'])} runs)"
    )
    met = s["median"] >= bound if at_least else s["median"] <= bound
    return name, wanted, shown, "yes" if met else "**no**"


def _p99_at_200(latency: Any) -> Row:
    name = "p99 raw-to-alert at 200 articles/s offered"
    at200 = next((x for x in (latency or {}).get("loads", []) if x["offered_per_s"] == 200), None)
    if at200 is None:
        return name, "<= 250 ms", "not measured", ""
    row = _at_most(name, at200, "p99_ms", 250, " ms", ",.0f")
    if at200["over_capacity"]:
        return row[0], row[1], row[2] + " (over the worker's capacity: a queue)", row[3]
    return row


def _rss_row(rss: Any) -> Row:
    name = "worker RSS growth, 100k → 1M articles"
    if not rss:
        return name, "<= 10%", "not measured", ""
    span = f"{rss['growth_reference_articles']:,} → {rss['articles_done']:,} articles"
    shown = f"{rss['growth']:+.1%} ({span})"
    if rss["growth_reference_articles"] < 100_000 or rss["articles_done"] < 1_000_000:
        return name, "<= 10%", f"{shown}; 1M: by hand (README)", "n/a"
    return name, "<= 10%", shown, "yes" if rss["growth"] <= 0.10 else "**no**"


def _ceiling_row(ceiling: Any, plain: Any) -> Row:
    name = "pipeline / ceiling (passthrough, the worker's own settings)"
    if not ceiling or not plain:
        return name, "stated", "not measured", ""
    ratio = plain["rate"]["median"] / ceiling["rate"]["median"]
    return (
        name,
        "stated",
        f"{ratio:.2f} ({plain['rate']['median']:,.0f} / {ceiling['rate']['median']:,.0f}/s)",
        "",
    )


def markdown(result: dict[str, Any]) -> str:
    """The run's summary: what ran where, the targets table, then every figure."""
    lines = [
        "# newsradar benchmarks",
        "",
        *harness.header(
            result["command"],
            result["when"],
            result["machine"],
            result["versions"],
            f" ({result['mode']}, {result['minutes']} min), broker"
            f" {result['broker']['version']} at {result['broker']['bootstrap']}",
        ),
        *_changed_settings(result),
        "## Targets (issue #13)",
        "",
        "| target | wanted | measured: median (min – max, runs) | met |",
        "| --- | ---: | ---: | :---: |",
        *(f"| {a} | {b} | {c} | {d} |" for a, b, c, d in targets(result)),
        "",
    ]
    for section in (
        _throughput,
        _alert_stage,
        _process_ratio,
        _latency,
        _rss,
        _stages,
        _settings,
        _collector,
        _reading,
    ):
        lines += section(result)
    lines += ["## How it was measured", "", *(f"- {note}" for note in result["method"]), ""]
    lines.append(f"Chart: {result.get('chart', '')}")
    return "\n".join(lines)


def _changed_settings(result: dict[str, Any]) -> list[str]:
    changed = result.get("worker_env") or {}
    if not changed:
        return ["Worker settings: the defaults (streams/settings.py).", ""]
    return ["Worker settings: " + ", ".join(f"`{k}={v}`" for k, v in changed.items()), ""]


def _throughput(result: dict[str, Any]) -> list[str]:
    rows = []
    names = {"ceiling": "ceiling: passthrough (the worker minus its logic)"}
    for key, figures in (
        ("ceiling", result.get("ceiling")),
        ("plain", result.get("throughput", {}).get("plain")),
        ("html", result.get("throughput", {}).get("html")),
    ):
        if not figures:
            continue
        rate, cpu = figures["rate"], figures["worker_cpu_ms_per_record"]
        name = names.get(key, f"pipeline: {key} articles, one `newsradar worker`")
        rows.append(
            f"| {name} | {rate['median']:,.0f} | {rate['min']:,.0f} – {rate['max']:,.0f} |"
            f" {len(rate['runs'])} × {figures['records_per_run']:,} |"
            f" {figures['producer_rate']['median']:,.0f} |"
            f" {cpu['median']:.2f} ({cpu['min']:.2f} – {cpu['max']:.2f}) |"
            f" {figures['worker_cores_busy']['median']:.2f} |"
            f" {_per_cpu_second(cpu['median'])} |"
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


def _per_cpu_second(cpu_ms: float) -> str:
    """Records per CPU second; a run too short for the process clock's ticks shows none."""
    return f"{1000 / cpu_ms:,.0f}" if cpu_ms else "—"


def _alert_stage(result: dict[str, Any]) -> list[str]:
    alert = result.get("alert_stage")
    if not alert:
        return []
    return [
        "## The alert stage alone, one partition (matches/s, story alerts on)",
        "",
        f"Topic `{alert['topic']}`, every match on partition {alert['partition']};"
        f" {len(alert['rate']['runs'])} runs of {alert['matches_per_run']:,} matches,"
        f" {alert['alerts_per_match']['median']:.2f} alerts per match.",
        "",
        "| figure | median (min – max) |",
        "| --- | ---: |",
        f"| matches/s, first match to last alert | {harness.spread_text(alert['rate'])} |",
        "| worker CPU ms per match |"
        f" {harness.spread_text(alert['worker_cpu_ms_per_match'], '.2f')} |",
        f"| worker cores busy | {harness.spread_text(alert['worker_cores_busy'], '.2f')} |",
        "| the alert step in-process, CPU ms per match (no Kafka, no Faust) |"
        f" {harness.spread_text(alert['in_process_cpu_ms_per_match'], '.2f')} |",
        f"| producer/s | {harness.spread_text(alert['producer_rate'])} |",
        "",
    ]


def _process_ratio(result: dict[str, Any]) -> list[str]:
    ratio = result.get("process_ratio")
    if not ratio:
        return []
    if ratio.get("skipped"):
        return ["## The worker against `newsradar process`", "", f"Skipped: {ratio['skipped']}", ""]
    corpus = ratio["corpus"]
    rows = []
    for name in ("plain", "plain+html"):
        g = ratio.get(name)
        if not g:
            continue
        rows.append(
            f"| {name} | {g['articles']:,} | {harness.spread_text(g['process']['rate'])} |"
            f" {g['process']['cpu_ms_per_article']['median']:.2f} |"
            f" {harness.spread_text(g['worker']['rate'])} |"
            f" {g['worker']['worker_cpu_ms_per_record']['median']:.2f} |"
            f" {harness.spread_text(g['ratio'], '.2f')} |"
            f" {g['cpu_ratio']['median']:.2f} |"
        )
    outcomes = ratio.get("plain+html", ratio.get("plain", {})).get("process", {}).get("outcomes")
    return [
        "## The worker against `newsradar process` on the real corpus, same run",
        "",
        f"`{corpus['folder']}`: {corpus['plain_articles']:,} articles (dev-articles.jsonl),"
        f" {corpus['html_pages']:,} HTML pages (html-pages/, with their URLs),"
        f" {corpus['too_large_to_publish']:,} left out as larger than a producer request"
        f" ({corpus['max_request_bytes']:,} bytes); MB sent: {corpus['megabytes']}."
        f" Outcomes in-process: {outcomes}.",
        "",
        "| corpus | articles | process/s | process CPU ms/article | worker/s |"
        " worker CPU ms/article | worker / process | CPU: process / worker |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        *rows,
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
        "The clean stage's dedup memory keeps each article's digest for the dedup window"
        " (`NEWSRADAR_CLEANING__DEDUP_WINDOW_SECONDS`, 24 h by default), and a run shorter than"
        " the window expires none: its memory grows with the article count by design.",
        "",
    ]


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
        f" {html['articles']:,} HTML articles (bench/micro/stages.py).",
        "",
        "| step | plain | HTML |",
        "| --- | ---: | ---: |",
        *rows,
        "",
    ]


def _settings(result: dict[str, Any]) -> list[str]:
    sweep = result.get("settings")
    if not sweep:
        return []
    rows = []
    for setting in sweep["settings"]:
        if setting.get("skipped"):
            rows.append(f"| {setting['name']} | — | skipped: {setting['skipped']} | | | | | |")
            continue
        for v in setting["values"]:
            mark = " (default)" if v["is_default"] else ""
            over = v.get("rate_over_default", {}).get("median")
            cpu_over = v.get("cpu_over_default", {}).get("median")
            rows.append(
                f"| {setting['name']} `{setting['variable']}` | {v['value']}{mark} |"
                f" {harness.spread_text(v['rate'])} |"
                f" {f'{over:.2f}' if over is not None else ''} |"
                f" {v['worker_cpu_ms_per_record']['median']:.2f} |"
                f" {f'{cpu_over:.2f}' if cpu_over is not None else ''} |"
                f" {v['p50_ms']['median']:,.0f} / {v['p99_ms']['median']:,.0f} |"
                f" {v['idle_cores']:.3f} |"
            )
    return [
        "## The worker's settings against their alternatives (bench/system/settings_sweep.py)",
        "",
        f"One warm worker per value, side by side; {sweep['rounds']} interleaved rounds of a"
        f" preloaded batch of {sweep['articles_per_run']:,} plain articles and"
        f" {sweep['latency_seconds']:g} s paced at {sweep['latency_load']}/s. Ratios are to"
        " the default's figure in the same round (median over rounds).",
        "",
        "| setting | value | articles/s | rate / default | CPU ms/article |"
        f" CPU / default | p50 / p99 ms at {sweep['latency_load']}/s | idle cores |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
    ]


def _collector(result: dict[str, Any]) -> list[str]:
    found = result.get("collector")
    if not found:
        return []
    rows = []
    for v in found["values"]:
        label = "0 (Python's own: 700, nothing frozen)" if v["value"] == "0" else v["value"]
        by_generation = " / ".join(f"{x:.1f}" for x in v["collector_us_by_generation"])
        passes = " / ".join(f"{x:,.0f}" for x in v["passes"])
        rows.append(
            f"| {label} | {harness.spread_text(v['cpu_ms_per_article'], '.2f')} |"
            f" {harness.spread_text(v['collector_us_per_article'], '.1f')} |"
            f" {v['collector_share']['median']:.1f}% | {by_generation} | {passes} |"
        )
    return [
        "## The cycle collector (bench/system/collector.py)",
        "",
        f"One warm worker per `NEWSRADAR_WORKER__GC_THRESHOLD`, side by side; {found['rounds']}"
        f" interleaved rounds of {found['articles_per_run']:,} plain articles. The collector's"
        " time is what its passes took on the CPU clock of their thread.",
        "",
        "| threshold | worker CPU ms/article | collector us/article | share |"
        " us by generation 0 / 1 / 2 | passes 0 / 1 / 2 |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        *rows,
        "",
    ]


def _reading(result: dict[str, Any]) -> list[str]:
    """Ratios computed from this run's figures: where the time goes."""
    notes = []
    ceiling = result.get("ceiling")
    plain = result.get("throughput", {}).get("plain")
    stages = result.get("stages", {}).get("plain")
    if plain and stages and plain["worker_cpu_ms_per_record"]["median"]:
        cpu_ms = plain["worker_cpu_ms_per_record"]["median"]
        logic_ms = stages["total_us"]["median"] / 1000
        notes.append(
            f"The steps' own logic takes {logic_ms:.2f} ms of CPU per plain article; the"
            f" worker spent {cpu_ms:.2f} ms per article: {logic_ms / cpu_ms:.0%} in the logic,"
            " the rest in Faust, aiokafka, the tables and the codecs around it."
        )
    if plain and ceiling and ceiling["worker_cpu_ms_per_record"]["median"]:
        times = (
            plain["worker_cpu_ms_per_record"]["median"]
            / ceiling["worker_cpu_ms_per_record"]["median"]
        )
        notes.append(
            f"Per record, the worker used {times:.1f} times the passthrough's CPU"
            f" ({ceiling['worker_cpu_ms_per_record']['median']:.2f} ms: one hop, no logic)."
        )
    alert = result.get("alert_stage")
    if alert:
        notes.append(
            f"The alert stage spent {alert['worker_cpu_ms_per_match']['median']:.2f} ms CPU per"
            f" match in the worker, {alert['in_process_cpu_ms_per_match']['median']:.2f} ms of it"
            " in the alert step itself (in-process, same matches): at most"
            f" {_per_cpu_second(alert['worker_cpu_ms_per_match']['median'])} matches/s on one"
            " core."
        )
    latency = result.get("latency", {})
    over = [load["offered_per_s"] for load in latency.get("loads", []) if load["over_capacity"]]
    if over:
        notes.append(
            f"Offered loads {', '.join(f'{x:,}/s' for x in over)} exceed the measured capacity"
            f" ({latency['capacity_per_s']:,.0f}/s): their latency is the time spent queueing."
        )
    return ["## Reading this run", "", *(f"- {note}" for note in notes), ""] if notes else []


def chart(result: dict[str, Any], path: Any) -> bool:
    """Throughput, latency and memory in one PNG; False without matplotlib."""
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
    fig.suptitle(f"newsradar benchmarks, {result['when']} ({result['mode']})")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return True


def _bars(ax: Any, result: dict[str, Any]) -> None:
    series = [
        ("ceiling", result.get("ceiling")),
        ("plain", result.get("throughput", {}).get("plain")),
        ("HTML", result.get("throughput", {}).get("html")),
        ("alert stage\n(matches)", result.get("alert_stage")),
    ]
    shown = [(name, f["rate"]) for name, f in series if f]
    medians = [r["median"] for _, r in shown]
    errors = [
        [m - r["min"] for m, (_, r) in zip(medians, shown, strict=True)],
        [r["max"] - m for m, (_, r) in zip(medians, shown, strict=True)],
    ]
    names = [name for name, _ in shown]
    ax.bar(names, medians, yerr=errors, capsize=4, color="#4878a8")
    for name, median in zip(names, medians, strict=True):
        ax.annotate(f"{median:,.0f}", (name, median), ha="center", va="bottom")
    ax.axhline(500, color="#c44", linestyle="--", linewidth=1, label="target plain 500/s")
    ax.set_ylabel("records/s (median, min–max)")
    ax.set_title("Throughput, one worker process")
    ax.legend(loc="upper right")


def _latency_chart(ax: Any, result: dict[str, Any]) -> None:
    loads = result.get("latency", {}).get("loads", [])
    xs = [str(load["offered_per_s"]) for load in loads]
    for key, marker in (("p50_ms", "o"), ("p95_ms", "s"), ("p99_ms", "^")):
        ax.plot(xs, [load[key]["median"] for load in loads], marker=marker, label=key[:3])
    ax.axhline(250, color="#c44", linestyle="--", linewidth=1, label="target p99 250 ms")
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

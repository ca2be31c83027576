"""What every benchmark shares: timers, statistics, the machine block and the result files.

The machine is shared (two cores, other work on them): figures are CPU time where the code's
own cost is meant, medians over several runs with their spread, and ratios to a baseline
measured in the same run; the load average is recorded before and after.
"""

from __future__ import annotations

import contextlib
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import sysconfig
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any, TypeVar

REPO = Path(__file__).resolve().parents[1]
RESULTS = REPO / "bench" / "results"
PACKAGES = (
    "faust-streaming",
    "mode-streaming",
    "aiokafka",
    "kafka-python",
    "pydantic",
    "trafilatura",
    "uvloop",
)

Say = Callable[[str], None]


def progress(started: float | None = None) -> Say:
    """Progress lines on stderr, each with the seconds since `started` (default: now)."""
    origin = time.monotonic() if started is None else started

    def say(line: str) -> None:
        print(f"[{time.monotonic() - origin:6.1f}s] {line}", file=sys.stderr, flush=True)

    return say


# -- timers ---------------------------------------------------------------------------------


@dataclass
class Timed:
    """CPU seconds of this process and wall seconds, filled in when the block ends."""

    cpu: float = 0.0
    wall: float = 0.0


@contextlib.contextmanager
def timed() -> Iterator[Timed]:
    """Time a block of this process: CPU (what the code costs) and wall (what one waits)."""
    result = Timed()
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        yield result
    finally:
        result.cpu = time.process_time() - cpu
        result.wall = time.perf_counter() - wall


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds another process has used, from /proc (Linux)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rpartition(")")[2].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> dict[str, float]:
    """A process's resident set now and at its peak, from /proc (Linux)."""
    fields = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            name, _, value = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                fields[name] = round(int(value.split()[0]) / 1024, 1)
    return {"rss_mib": fields.get("VmRSS", 0.0), "peak_mib": fields.get("VmHWM", 0.0)}


def calibration_us(runs: int = 7) -> float:
    """This machine's speed now: the median µs (CPU) of sum(range(10000))."""
    times = []
    for _ in range(runs):
        started = time.process_time()
        for _ in range(100):
            sum(range(10000))
        times.append((time.process_time() - started) / 100 * 1e6)
    return round(statistics.median(times), 1)


# -- statistics ------------------------------------------------------------------------------


def summary(values: Sequence[float]) -> dict[str, Any]:
    """Median and spread over runs (the median is the figure)."""
    values = list(values)
    median = statistics.median(values)
    return {
        "median": median,
        "min": min(values),
        "max": max(values),
        # (max - min) / median: how far apart the runs were
        "spread": (max(values) - min(values)) / median if median else 0.0,
        "runs": values,
    }


T = TypeVar("T")


def rotated(values: Sequence[T], round_: int) -> list[T]:
    """The values in the order of one interleaved round: each round starts one further on,
    so no value always runs first, or always right after the same other."""
    shift = round_ % len(values)
    return [*values[shift:], *values[:shift]]


def ratios(pairs: Sequence[tuple[float, float]]) -> list[float]:
    """a / b for each pair whose b is not 0 (a run too short for the process clock's ticks
    of 10 ms has no CPU time); [0.0] when none has."""
    return [a / b for a, b in pairs if b] or [0.0]


def percentile(sorted_values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile of an ascending list."""
    index = max(0, min(len(sorted_values) - 1, round(share * len(sorted_values)) - 1))
    return sorted_values[index]


def spread_text(figures: dict[str, Any], fmt: str = ",.0f") -> str:
    """`median (min – max)` of a summary."""
    return (
        f"{figures['median']:{fmt}} ({figures['min']:{fmt}} – {figures['max']:{fmt}},"
        f" {len(figures['runs'])} runs)"
    )


# -- the machine block ---------------------------------------------------------------------


def load() -> float:
    return round(os.getloadavg()[0], 2)


def machine(load_before: float) -> dict[str, Any]:
    """CPU model, cores, RAM, platform and the 1-minute load average before and now."""
    cpu = "unknown"
    with contextlib.suppress(OSError):
        found = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = found.group(1).strip() if found else cpu
    ram = 0.0
    with contextlib.suppress(OSError, AttributeError):
        kib = re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text())
        ram = round(int(kib.group(1)) / 2**20, 1)  # type: ignore[union-attr]
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_gib": ram,
        "platform": platform.platform(),
        "load_before": load_before,
        "load_after": load(),
        "sum_range_10000_us": calibration_us(),
    }


def versions() -> dict[str, str]:
    """Python, the packages that decide the figures, and the commit measured."""
    found = {"python": platform.python_version(), "interpreter": interpreter()}
    for package in PACKAGES:
        with contextlib.suppress(metadata.PackageNotFoundError):
            found[package] = metadata.version(package)
    found["newsradar"] = git_commit()
    return found


def interpreter() -> str:
    """Which build of Python ran, since the build moves the figures: the steps ran about 8%
    faster in-process on Debian's /usr/bin/python3.11 (profile-guided and link-time
    optimised by Debian's packaging, which its configure line does not show) than on
    pyenv's default build of 3.11 (no --enable-optimizations, libpython3.11.so loaded).
    The official Docker image's Python is configured --enable-optimizations --with-lto."""
    config = str(sysconfig.get_config_var("CONFIG_ARGS") or "")
    flags = [flag for flag in ("--enable-optimizations", "--with-lto") if flag in config]
    linked = "libpython unknown"
    with contextlib.suppress(OSError):
        maps = Path("/proc/self/maps").read_text()
        linked = "libpython shared" if "libpython" in maps else "libpython static"
    return f"{os.path.realpath(sys.executable)} ({', '.join([*flags, linked])})"


def git_commit() -> str:
    with contextlib.suppress(OSError):  # no git here
        described = subprocess.run(
            ["git", "describe", "--always", "--dirty"], cwd=REPO, capture_output=True, text=True
        )
        return described.stdout.strip() or "unknown"
    return "unknown"


def machine_line(block: dict[str, Any]) -> str:
    """The machine block as one Markdown paragraph, with a warning when it was busy."""
    busy = max(block["load_before"], block["load_after"]) > (block["cores"] or 1) * 0.75
    return (
        f"Machine: {block['cpu']}, {block['cores']} cores, {block['ram_gib']} GiB RAM;"
        f" 1-minute load average {block['load_before']} before, {block['load_after']} after;"
        f" sum(range(10000)) took {block['sum_range_10000_us']} µs."
        + (
            " **The machine was shared and busy: absolute figures are low and noisy; CPU"
            " per record and ratios measured in the same run hold better.**"
            if busy
            else ""
        )
    )


# -- the writer ----------------------------------------------------------------------------


def write(
    result: dict[str, Any],
    out: Path,
    stem: str,
    markdown: Callable[[dict[str, Any]], str],
    chart: Callable[[dict[str, Any], Path], bool] | None = None,
) -> list[Path]:
    """`<stem>.json` (everything), `<stem>.md` (the summary) and, when `chart` draws one
    (matplotlib installed), `<stem>.png`, in `out`."""
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"{stem}.json", out / f"{stem}.md"]
    if chart is not None:
        image = out / f"{stem}.png"
        drawn = chart(result, image)
        result["chart"] = image.name if drawn else "skipped: matplotlib not installed"
        paths += [image] if drawn else []
    paths[0].write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    paths[1].write_text(markdown(result) + "\n", encoding="utf-8")
    return paths


def header(
    command: str, when: str, block: dict[str, Any], found: dict[str, str], more: str = ""
) -> list[str]:
    """The lines every summary starts with: what ran, when, where, with which versions."""
    return [
        f"`{command}`, {when}{more}.",
        "",
        machine_line(block),
        "",
        "Versions: " + ", ".join(f"{k} {v}" for k, v in found.items()),
        "",
    ]

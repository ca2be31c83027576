"""The cycle collector's tuning (streams/collector.py), each case in a fresh interpreter:
freezing and thresholds are the whole process's, and the test process is not to be bent."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import gc, json, sys
from streams.collector import tune_collector
before = gc.get_threshold()
for threshold in map(int, sys.argv[1:]):
    tune_collector(threshold)
print(json.dumps({"before": before, "after": gc.get_threshold(), "frozen": gc.get_freeze_count()}))
"""


def _tuned(*thresholds: int) -> dict[str, list[int] | int]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *map(str, thresholds)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return json.loads(result.stdout)


def test_the_threshold_is_set_and_the_loaded_heap_frozen():
    found = _tuned(50_000)
    assert found["after"][0] == 50_000
    assert found["after"][1:] == found["before"][1:]  # the older generations' as they were
    assert found["frozen"] > 1000  # the modules loaded so far


def test_zero_leaves_pythons_collector_as_it_is():
    found = _tuned(0)
    assert found["after"] == found["before"]
    assert found["frozen"] == 0


def test_only_the_first_tuning_of_a_process_counts():
    found = _tuned(20_000, 90_000)
    assert found["after"][0] == 20_000

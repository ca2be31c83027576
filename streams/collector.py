"""The cycle collector tuned for a process that handles records in batches.

A worker allocates tens of thousands of objects per batch (parsed JSON, models, hits) that
reference counting frees when the batch is done. At Python's threshold of 700 the collector
still ran about 1,470 young passes per 8,000 articles, and the survivors of each (the batch
in hand) made its older passes walk the whole heap again and again: 106 us of 1.59 ms per
article, 6.9% of a worker's CPU (bench/settings.md, "The cycle collector"). Two changes:

- what exists once the agents are loaded (modules, the taxonomy, Faust's app) lives until
  the process ends: frozen, the collector never walks it again (58 us an article);
- a young pass every `threshold` net allocations instead of 700 (7 us an article at
  50,000): a batch is mostly freed before the next pass, so little survives to be walked
  again. Garbage in a reference cycle is still collected, at most `threshold` objects later.
"""

from __future__ import annotations

import gc

_tuned: list[int] = []  # the threshold set, once per process


def tune_collector(threshold: int) -> None:
    """Freeze what is loaded; young passes every `threshold` net allocations (0: leave
    Python's collector as it is). Once per process: a command run twice in one (the tests)
    tunes only the first time."""
    if _tuned or threshold <= 0:
        return
    _tuned.append(threshold)
    gc.collect()
    gc.freeze()
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(threshold, middle, oldest)

"""`newsradar worker` on uvloop's event loop, for bench/system/settings_sweep.py to measure.

    python -m bench.system.uvloop_worker      # needs `pip install uvloop`

mode (Faust's service library) picks the loop: `mode.loop.use("uvloop")` must run before
anything creates one, as `faust -L uvloop` does. Only measured; the worker does not use it.
"""

from __future__ import annotations

import sys

import mode.loop

mode.loop.use("uvloop")

from streams.cli import main  # noqa: E402  (after the loop is chosen)

if __name__ == "__main__":
    sys.exit(main(["worker"]))

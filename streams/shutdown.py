"""A worker's stop, bounded in time.

SIGTERM (`docker compose stop`, ops/local-stack) or SIGINT starts Faust's orderly stop: the
agents stop, the producer buffer is flushed, offsets are committed and the consumer leaves its
group. With Kafka gone that stop can wait for ever: aiokafka's fetcher retries a broker that
does not answer, the consumer thread dies of the cancellation, and Faust waits on it until
the supervisor kills the process (exit 137 after Docker's 10 s). So the signal also arms a
timer: a worker still alive `STOP_DEADLINE_S` later says so and exits 0, as asked. Nothing
is lost by not finishing: an offset not committed is read again by the group's next worker
(at least once, as after any crash), and the stages absorb the repeat.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable

from faust import Worker

logger = logging.getLogger(__name__)

#: Seconds from the signal to the exit, whatever Faust's stop is waiting for. Below Docker's
#: 10 s stop timeout would be tight on a loaded machine, so docker-compose.yml gives the worker
#: `stop_grace_period: 20s`.
STOP_DEADLINE_S = 10.0


class BoundedStopWorker(Worker):
    """Faust's Worker, whose stop on SIGTERM or SIGINT ends the process within a deadline."""

    stop_deadline_s: float = STOP_DEADLINE_S
    _watchdog: threading.Timer | None = None

    @property
    def shortlabel(self) -> str:
        """Log lines keep Faust's `[^Worker]` (tests and operators look for `[^Worker]: Ready`)."""
        return "Worker"

    def _on_sigterm(self) -> None:
        self._arm_watchdog("SIGTERM")
        super()._on_sigterm()

    def _on_sigint(self) -> None:
        self._arm_watchdog("SIGINT")
        super()._on_sigint()

    def _arm_watchdog(self, signal_name: str) -> None:
        if self._watchdog is None:  # a second signal does not move the deadline
            self._watchdog = arm_watchdog(self.stop_deadline_s, signal_name)


def arm_watchdog(
    deadline_s: float, signal_name: str, exit_process: Callable[[int], object] = os._exit
) -> threading.Timer:
    """Exit the process with status 0 `deadline_s` from now, unless it has exited by then.

    A daemon thread, not the event loop: the loop may be the thing that is stuck, and the
    thread must not keep a process alive that stopped in time.
    """
    timer = threading.Timer(deadline_s, _give_up, args=(deadline_s, signal_name, exit_process))
    timer.daemon = True
    timer.start()
    return timer


def _give_up(deadline_s: float, signal_name: str, exit_process: Callable[[int], object]) -> None:
    logger.warning(
        "stop after %s did not finish within %.0f s (is Kafka reachable?): exiting now;"
        " offsets not committed are read again by the consumer group",
        signal_name,
        deadline_s,
    )
    for handler in logging.getLogger().handlers:
        handler.flush()
    sys.stdout.flush()
    sys.stderr.flush()
    exit_process(0)

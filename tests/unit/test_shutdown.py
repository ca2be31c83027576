"""streams/shutdown.py: a stop that cannot finish still ends the process, with status 0."""

from __future__ import annotations

import threading

from streams.shutdown import arm_watchdog


def test_the_watchdog_exits_0_once_the_deadline_has_passed():
    exited = threading.Event()
    statuses: list[int] = []

    def fake_exit(status: int) -> None:
        statuses.append(status)
        exited.set()

    timer = arm_watchdog(0.05, "SIGTERM", exit_process=fake_exit)
    assert timer.daemon  # never what keeps a process alive that stopped in time
    assert exited.wait(5)
    assert statuses == [0]


def test_a_stop_that_finished_in_time_is_left_alone():
    statuses: list[int] = []
    timer = arm_watchdog(0.5, "SIGINT", exit_process=statuses.append)
    timer.cancel()  # what interpreter exit amounts to for a daemon timer
    timer.join(2)
    assert statuses == []

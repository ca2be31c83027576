"""Liveness: a worker that is behind and finishes nothing has stalled."""

from __future__ import annotations

import pytest

from streams.monitoring.logic import Lag, Progress, health, processed, stalled

T0 = 1_000_000.0


@pytest.mark.parametrize(
    ("progress", "lag", "now", "expected"),
    [
        (Progress(first_seen=T0), None, T0 + 999, False),  # no highwater known yet
        (Progress(first_seen=T0), Lag(0, 0.0), T0 + 999, False),  # caught up: idle is fine
        (Progress(first_seen=T0), Lag(5, 60.0), T0 + 60, False),  # behind, not for long
        (Progress(first_seen=T0), Lag(5, 200.0), T0 + 200, True),  # assigned, never moved
        (processed(Progress(first_seen=T0), 9, T0, T0 + 190), Lag(5, 1.0), T0 + 200, False),
        (processed(Progress(first_seen=T0), 9, T0, T0 + 10), Lag(5, 1.0), T0 + 200, True),
    ],
)
def test_stalled_means_behind_with_no_recent_progress(progress, lag, now, expected):
    assert stalled(progress, lag, now, stall_seconds=120) is expected


@pytest.mark.parametrize(
    ("reported_at", "stalled_partitions", "healthy", "reason"),
    [
        (None, [], False, "not consuming yet"),
        (T0 - 100, [], False, "lag not measured for 100 s"),
        (T0 - 5, ["news.articles.raw[1]"], False, "stalled: behind with no progress on news"),
        (T0 - 5, [], True, "consuming"),
    ],
)
def test_health_verdict(reported_at, stalled_partitions, healthy, reason):
    verdict, why = health(reported_at, stalled_partitions, T0, interval=10)
    assert verdict is healthy
    assert why.startswith(reason)

"""Consumer lag from what a worker knows about each partition it reads. Pure.

Kafka gives the partition's end (the highwater: the offset the next produced record will
get); the worker knows the last record it finished and that record's Kafka timestamp.
Lag in records is exact. Lag in seconds would need the timestamp of the oldest record not
yet processed, which the worker has not read; its estimate is the time since the worker
was last caught up or since the record it last finished was produced, whichever is later.
Both bound the oldest unprocessed record's timestamp from below, so the estimate errs on
the side of "more behind" and drops to 0 as soon as the worker catches up. Before either is
known (a worker that has done nothing on a partition since it was assigned), it counts from
the assignment: an underestimate, but one that keeps growing while the worker is stuck.
"""

from __future__ import annotations

from dataclasses import dataclass, replace


@dataclass(frozen=True, slots=True)
class Progress:
    """One partition as this worker sees it; times are epoch seconds."""

    first_seen: float
    processed_offset: int | None = None
    processed_timestamp: float | None = None
    caught_up_at: float | None = None
    progressed_at: float | None = None


@dataclass(frozen=True, slots=True)
class Lag:
    messages: int
    seconds: float


def processed(
    progress: Progress, offset: int, timestamp: float | None, now: float | None = None
) -> Progress:
    """The worker finished the record at `offset` (Kafka timestamp `timestamp`) at `now`."""
    return replace(
        progress, processed_offset=offset, processed_timestamp=timestamp, progressed_at=now
    )


def stalled(progress: Progress, lag: Lag | None, now: float, stall_seconds: float) -> bool:
    """Behind, yet nothing finished on the partition for `stall_seconds`: a stuck agent.

    The failure Faust users report most is an agent that stops consuming while its
    partitions keep filling; a worker that is merely busy keeps finishing records.
    """
    if lag is None or lag.messages == 0:
        return False
    last = max(t for t in (progress.progressed_at, progress.caught_up_at, progress.first_seen) if t)
    return now - last > stall_seconds


def measure(
    progress: Progress, highwater: int | None, position: int | None, now: float
) -> tuple[Progress, Lag | None]:
    """Lag on one partition; None while Kafka has not told the worker where the end is.

    `position` (the next offset the consumer will fetch) stands in for the next record to
    process until the worker has finished one on this partition.
    """
    following = progress.processed_offset + 1 if progress.processed_offset is not None else position
    if highwater is None or following is None:
        return progress, None
    messages = max(0, highwater - following)
    if messages == 0:
        return replace(progress, caught_up_at=now), Lag(0, 0.0)
    return progress, Lag(messages, max(0.0, now - _behind_since(progress)))


def _behind_since(progress: Progress) -> float:
    """The latest moment at which the oldest unprocessed record cannot yet have existed."""
    known = [t for t in (progress.caught_up_at, progress.processed_timestamp) if t is not None]
    return max(known) if known else progress.first_seen


def health(
    reported_at: float | None, stalled_partitions: list[str], now: float, interval: float
) -> tuple[bool, str]:
    """The worker's liveness verdict and why: consuming, stalled, or not measuring at all.

    A lag report older than a few intervals means the consumer or the event loop is stuck,
    which is as much a failure as a stalled partition.
    """
    if reported_at is None:
        return False, "not consuming yet: no lag measured since start"
    if now - reported_at > 3 * interval + 5:
        return False, f"lag not measured for {now - reported_at:.0f} s"
    if stalled_partitions:
        return False, "stalled: behind with no progress on " + ", ".join(sorted(stalled_partitions))
    return True, "consuming"

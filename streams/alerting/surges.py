"""Surge detection: a topic suddenly everywhere, by published time. Pure.

Articles are counted in hop-sized slots of their *published* time; a window is `k`
consecutive slots (hopping windows of `window_seconds`, advancing by `hop_seconds`). When
published time moves past a window, the window's count is folded into an EWMA baseline. A
surge fires when the newest window holds at least `min_count` articles and `factor` times
the baseline, once the topic has been watched for `warmup_windows` windows.

Replays and backfills must not look like surges, so only *fresh* articles count: published
no more than `max_lateness_seconds` before they were ingested, and no more than that
behind the newest fresh article of the topic (the watermark). Last month's articles
replayed today fail the first test however tightly they are bunched.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from streams.alerting.state import SurgeState

#: Beyond this many windows in one jump, empty windows are folded in one step.
_MAX_FOLDED_WINDOWS = 64


@dataclass(frozen=True, slots=True)
class SurgeRules:
    window_seconds: int = 600
    hop_seconds: int = 300
    factor: float = 3.0
    min_count: int = 20
    alpha: float = 0.3
    warmup_windows: int = 6
    max_lateness_seconds: int = 3600
    cooldown_seconds: int = 3600

    @property
    def slots_per_window(self) -> int:
        return max(1, self.window_seconds // self.hop_seconds)


@dataclass(frozen=True, slots=True)
class SurgeSignal:
    window_start: datetime
    window_end: datetime
    count: int
    baseline: float


def event_time(published: datetime | None, ingested: datetime) -> datetime:
    """Published time, unless absent or in the future of its ingestion (a wrong clock)."""
    if published is None or published > ingested:
        return ingested
    return published


def is_fresh(
    moment: datetime, ingested: datetime, watermark: datetime | None, lateness: int
) -> bool:
    """Published close to its ingestion and not far behind the topic's newest article."""
    allowed = timedelta(seconds=lateness)
    if moment < ingested - allowed:
        return False
    return watermark is None or moment >= watermark - allowed


def observe(
    state: SurgeState, moment: datetime, ingested: datetime, rules: SurgeRules
) -> tuple[SurgeState, SurgeSignal | None]:
    """Count one article published at `moment`; a signal when this makes the topic surge."""
    if not is_fresh(moment, ingested, state.watermark, rules.max_lateness_seconds):
        return state, None
    slot = int(moment.timestamp()) // rules.hop_seconds
    state = _close_windows(state, slot, rules)
    slots = dict(state.slots)
    if slot > (state.last_slot or slot) - rules.slots_per_window:
        slots[slot] = slots.get(slot, 0) + 1
    watermark = max(state.watermark or moment, moment)
    state = state.model_copy(update={"slots": slots, "watermark": watermark})
    return _maybe_fire(state, rules)


def _window_count(slots: dict[int, int], last: int, k: int) -> int:
    return sum(slots.get(j, 0) for j in range(last - k + 1, last + 1))


def _threshold(baseline: float, rules: SurgeRules) -> float:
    return max(float(rules.min_count), rules.factor * max(baseline, 1.0))


def _close_windows(state: SurgeState, slot: int, rules: SurgeRules) -> SurgeState:
    """Fold every window that ended before `slot` into the baseline; drop unneeded slots."""
    last = state.last_slot
    if last is None or slot <= last:
        return state if last is not None else state.model_copy(update={"last_slot": slot})
    k, baseline, seen, surging = (
        rules.slots_per_window,
        state.baseline,
        state.windows_seen,
        state.surging,
    )
    closing = slot - last
    for end in range(last, last + min(closing, _MAX_FOLDED_WINDOWS)):
        count = _window_count(state.slots, end, k)
        baseline = float(count) if seen == 0 else rules.alpha * count + (1 - rules.alpha) * baseline
        seen += 1
        surging = surging and count >= _threshold(baseline, rules)
    if closing > _MAX_FOLDED_WINDOWS:  # a long quiet spell: the rest were empty windows
        baseline *= (1 - rules.alpha) ** (closing - _MAX_FOLDED_WINDOWS)
        seen += closing - _MAX_FOLDED_WINDOWS
        surging = False
    kept = {j: n for j, n in state.slots.items() if j > slot - k}
    return state.model_copy(
        update={
            "slots": kept,
            "last_slot": slot,
            "baseline": baseline,
            "windows_seen": seen,
            "surging": surging,
        }
    )


def _maybe_fire(state: SurgeState, rules: SurgeRules) -> tuple[SurgeState, SurgeSignal | None]:
    last, k = state.last_slot, rules.slots_per_window
    assert last is not None
    count = _window_count(state.slots, last, k)
    if state.surging or state.windows_seen < rules.warmup_windows:
        return state, None
    if count < _threshold(state.baseline, rules):
        return state, None
    cooldown_slots = rules.cooldown_seconds // rules.hop_seconds
    if state.last_surge_slot is not None and last - state.last_surge_slot < cooldown_slots:
        return state, None
    start = datetime.fromtimestamp((last - k + 1) * rules.hop_seconds, UTC)
    signal = SurgeSignal(
        start, start + timedelta(seconds=k * rules.hop_seconds), count, state.baseline
    )
    return state.model_copy(update={"surging": True, "last_surge_slot": last}), signal

"""A per-article time budget, spent cooperatively. Pure: the clock is passed in.

A worker that spends a minute on one hostile page stalls its partition and, past Kafka's
poll interval, gets kicked out of the group. Pure Python cannot be interrupted safely in
the middle of lxml or trafilatura, so the stage logic asks the budget between its steps
and gives up with a `time_budget` rejection (a dead letter, like any bad input) once the
deadline has passed. The edge builds the budget on a monotonic clock; tests on a fake one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from streams.rejection import Rejected

Clock = Callable[[], float]


def _no_clock() -> float:
    return 0.0


@dataclass(frozen=True, slots=True)
class Budget:
    """The seconds one article may take, against `clock` (seconds, never going back)."""

    clock: Clock
    deadline: float = math.inf
    seconds: float = math.inf

    @classmethod
    def start(cls, seconds: float, clock: Clock) -> Budget:
        """A budget of `seconds` from now on `clock`; 0 or less: no limit."""
        if seconds <= 0:
            return UNLIMITED
        return cls(clock, clock() + seconds, seconds)

    def over(self, step: str) -> Rejected | None:
        """A `time_budget` rejection once the deadline has passed; `step` is what just ended."""
        if self.deadline == math.inf or self.clock() <= self.deadline:
            return None
        return Rejected("time_budget", f"over its {self.seconds:g} s budget after {step}")


#: No limit, and no clock read: the default of the pure logic.
UNLIMITED = Budget(_no_clock)

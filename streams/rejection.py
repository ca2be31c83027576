"""A stage's verdict that an input cannot go on: data, never an exception."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Rejected:
    """Why a stage refused an input; `reason` comes from a small fixed set (a metric label)."""

    reason: str
    detail: str = ""

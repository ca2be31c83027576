"""How loud an alert is: the taxonomy's severity, moved by escalation terms and reach. Pure."""

from __future__ import annotations

import re
from collections.abc import Iterable

from schemas.vocabulary import SEVERITIES

LEVELS = SEVERITIES  # quietest first


def level(severity: str) -> int:
    """The rank of a severity name; unknown names rank as info."""
    return LEVELS.index(severity) if severity in LEVELS else 0


def at_least(severity: str, minimum: str) -> bool:
    return level(severity) >= level(minimum)


def escalation_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    """One regex for all escalation terms; whitespace inside a term matches any whitespace."""
    parts = [r"\s+".join(map(re.escape, t.casefold().split())) for t in terms if t.strip()]
    if not parts:
        return None
    return re.compile(r"\b(" + "|".join(sorted(parts, key=len, reverse=True)) + r")\b", re.I)


def escalations(pattern: re.Pattern[str] | None, text: str) -> list[str]:
    """The escalation terms the text mentions, normalised, in first-seen order."""
    if pattern is None:
        return []
    found = (" ".join(m.group(1).casefold().split()) for m in pattern.finditer(text))
    return list(dict.fromkeys(found))


def loudest(first: str, second: str) -> str:
    return first if level(first) >= level(second) else second


def story_severity(
    base: str, terms: Iterable[str], outlets: int, *, outlets_to_escalate: int
) -> tuple[str, list[str]]:
    """The loudest severity the taxonomy's topic rules gave the story's articles (score and
    escalation queries live there, per topic), one higher for the alert stage's own
    escalation terms if any are configured, one higher for wide pick-up. The reasons say
    what moved it, for the reader."""
    rank, reasons = level(base), [f"topic rules: {base}"]
    terms = list(terms)
    if terms:
        rank += 1
        reasons.append("escalation: " + ", ".join(terms[:5]))
    if outlets_to_escalate and outlets >= outlets_to_escalate:
        rank += 1
        reasons.append(f"carried by {outlets} outlets")
    return LEVELS[max(0, min(rank, len(LEVELS) - 1))], reasons


def surge_severity(base: str) -> str:
    """A surge is one level above the topic's own severity."""
    return LEVELS[min(level(base) + 1, len(LEVELS) - 1)]

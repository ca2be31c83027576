"""Aboutness: whether a topic runs through an article, not whether its words occur. Pure.

An article is about what its headline and lead announce and what most of its paragraphs
come back to; a story about something else names the topic in a sentence of background,
late, in one or two paragraphs. Analysts say "in the headline or lead, or in at least N
paragraphs"; GDELT and Event Registry weight by position and density. `about:(terms)`
measures the same things for a group of terms: title, lead, the share of paragraphs that
carry them and the paragraph of the first mention.

A paragraph is a body line that is not an aside (matcher.is_aside); a line longer than
PARAGRAPH_CHARS counts as several, so a text without paragraph breaks is not one paragraph
that every passing mention covers.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from streams.classification.matcher import is_aside

PARAGRAPH_CHARS = 700  # about 120 words: a long news paragraph


@dataclass(frozen=True, slots=True)
class AboutWeights:
    """How coverage becomes a score (the taxonomy's `scoring:` block sets them).

    head = title + lead (for the zones that carry the terms); spread = the share of
    paragraphs that carry them over `share`, capped at 1, less `late` times the share of
    the article that runs before the first mention; the score is head + (1 - head) * spread.
    """

    title: float = 0.5
    lead: float = 0.3
    share: float = 0.5
    late: float = 0.25


@dataclass(frozen=True, slots=True)
class Coverage:
    """Where a group of terms is in one article."""

    title: float  # the weight of the strongest term in the title (0 for none, at most 1)
    lead: float
    paragraphs: int  # how many carry the terms
    carried: float  # the same, each counted by the weight of its strongest term
    total: int  # how many the article has
    first: int  # the paragraph of the first mention, from 1; 0 for none

    def score(self, weights: AboutWeights) -> float:
        """In [0, 1]: 1 for an article built on the terms, near 0 for a passing mention."""
        head = weights.title * self.title + weights.lead * self.lead
        if not self.paragraphs:
            return min(1.0, head)
        late = (self.first - 1) / self.total
        spread = self.carried / self.total / weights.share - weights.late * late
        return min(1.0, head + (1 - head) * min(1.0, max(0.0, spread)))

    def describe(self) -> str:
        """The evidence's words: "in title, lead and 7 of 11 paragraphs"."""
        if not (self.title or self.lead or self.paragraphs):
            return "nowhere"
        parts = [zone for zone, weight in (("title", self.title), ("lead", self.lead)) if weight]
        parts.append(f"{self.paragraphs} of {self.total} paragraphs")
        where = ", ".join(parts[:-1]) + " and " + parts[-1] if len(parts) > 1 else parts[0]
        first = f", first in paragraph {self.first}" if self.first > 1 else ""
        return f"in {where}{first}"


def paragraph_units(
    text: str, asides: Mapping[int, bool] = MappingProxyType({})
) -> tuple[dict[int, int], int]:
    """Each counted line's start offset -> its first paragraph number, and how many in all.

    `asides`: what is known of lines already, by their start (the scan asks of each line
    it found a term in).
    """
    numbers: dict[int, int] = {}
    total, start = 0, 0
    for line in text.split("\n"):
        aside = asides.get(start)
        if line.strip() and not (is_aside(line) if aside is None else aside):
            numbers[start] = total + 1
            total += 1 + (len(line) - 1) // PARAGRAPH_CHARS
        start += len(line) + 1
    return numbers, total


def paragraph_of(units: dict[int, int], line_start: int, offset: int) -> int:
    """The paragraph number of a body hit (0 for an aside or a blank line)."""
    first = units.get(line_start, 0)
    return first + (offset - line_start) // PARAGRAPH_CHARS if first else 0


DEFAULT_ABOUT = AboutWeights()
NOWHERE = Coverage(0.0, 0.0, 0, 0.0, 1, 0)  # none of the terms in the article

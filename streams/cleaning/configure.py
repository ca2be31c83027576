"""Settings to the clean stage's options: done once at the edges (the agents, `process`)."""

from __future__ import annotations

from streams.cleaning.logic import CleanOptions
from streams.settings import CleaningSettings


def clean_options(settings: CleaningSettings) -> CleanOptions:
    """The plain values the pure logic decides with."""
    return CleanOptions(
        max_input_chars=settings.max_input_chars,
        max_record_bytes=settings.max_record_bytes,
        time_budget_seconds=settings.time_budget_seconds,
        min_letters=settings.min_letters,
        languages=frozenset(code.strip().lower() for code in settings.languages),
        drop_other_languages=settings.other_languages == "drop",
    )

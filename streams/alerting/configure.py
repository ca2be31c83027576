"""Settings to the alert rules: done once at the edges (the agent, `newsradar process`)."""

from __future__ import annotations

from streams.alerting.logic import AlertRules
from streams.alerting.stories import StoryRules
from streams.alerting.surges import SurgeRules
from streams.settings import AlertingSettings


def alert_rules(settings: AlertingSettings) -> AlertRules:
    """The plain values the pure logic decides with."""
    return AlertRules(
        story=StoryRules(
            window_seconds=round(settings.story_window_hours * 3600),
            similarity=settings.similarity,
            max_stories=settings.max_stories_per_topic,
            max_articles=settings.max_articles_per_story,
            cooldown_seconds=settings.cooldown_seconds,
        ),
        surge=SurgeRules(
            window_seconds=settings.surge_window_seconds,
            hop_seconds=settings.surge_hop_seconds,
            factor=settings.surge_factor,
            min_count=settings.surge_min_count,
            alpha=settings.surge_alpha,
            warmup_windows=settings.surge_warmup_windows,
            max_lateness_seconds=settings.surge_max_lateness_seconds,
            cooldown_seconds=settings.surge_cooldown_seconds,
        ),
        escalation_terms=tuple(settings.escalation_terms),
        outlets_to_escalate=settings.outlets_to_escalate,
        digest_seconds=settings.digest_seconds,
        stale_seconds=round(settings.stale_after_hours * 3600),
    )

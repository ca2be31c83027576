"""`newsradar alerts`'s readable output: what a duty editor sees in the terminal."""

from __future__ import annotations

from rich.console import Console

from streams.commands.alerts import format_alert
from tests.unit.test_alert_surges import RULES, burst, quiet_baseline
from tests.unit.test_alerting import Run, _copies


def _plain(renderable) -> str:  # type: ignore[no-untyped-def]
    console = Console(width=200, record=True, color_system=None)
    console.print(renderable)
    return console.export_text()


def test_a_story_update_shows_severity_kind_reach_links_and_why():
    run = Run()
    run.feed(*_copies(10, spacing_minutes=8))
    text = _plain(format_alert(run.alerts[1]))
    assert text.startswith("[CRITICAL] story-update · Russia–Ukraine tensions")
    assert "5 article(s) · 5 outlet(s): Daily Ledger, Northern Post" in text
    assert "https://example.org/copy0" in text and "… and 2 more" in text
    assert "why: topic rules: high; carried by 5 outlets" in text
    assert run.alerts[1].id in text


def test_a_surge_says_how_far_above_usual():
    run = Run(RULES)
    run.feed(*quiet_baseline(), *burst())
    (surge,) = [a for a in run.alerts if a.kind == "surge"]
    text = _plain(format_alert(surge))
    assert " surge · " in text and "articles published in 10 min, usually" in text


def test_colour_marks_the_severity():
    run = Run()
    run.feed(*_copies(1))
    styles = [str(span.style) for span in format_alert(run.alerts[0]).spans]
    assert styles[0] == "bold red"  # high

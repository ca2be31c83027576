"""An alert's text comes from articles: printed, it must not drive the terminal."""

from __future__ import annotations

from rich.console import Console

from streams.commands.alerts import format_alert
from tests.unit.test_alerting import Run, _copies


def test_escape_sequences_in_titles_and_urls_are_shown_not_obeyed():
    run = Run()
    run.feed(*_copies(1))
    alert = run.alerts[0].model_copy(
        update={"title": "Quiet \x1b]0;owned\x07title", "summary": "Lead \x1b[2J\x9bK."}
    )
    console = Console(width=200, record=True, force_terminal=True, color_system="standard")
    console.print(format_alert(alert))
    shown = console.export_text(styles=False)
    assert "\x1b" not in shown and "\x07" not in shown and "\x9b" not in shown
    assert "Quiet \ufffd]0;ownedtitle" in shown and "Lead \ufffd[2J\ufffdK." in shown
    assert format_alert(alert).spans  # the severity colours survive

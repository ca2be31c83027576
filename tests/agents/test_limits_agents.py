"""The clean agent's limits: a record over the byte limit and an article over its time budget
are dead-lettered with their reason and counted, and the next record still flows.

The budget runs on a fake clock (streams.cleaning.agents.CLOCK): no timing here.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import replace
from unittest.mock import AsyncMock, patch

import pytest

from schemas import DeadLetter, RawArticle
from streams.cleaning import agents
from streams.cleaning.agents import clean_articles
from streams.metrics import METRICS
from tests.agents.conftest import run

BODY = (
    "The harbour authority confirmed on Tuesday that the northern ferry terminal will reopen "
    "next month after repairs to the storm-damaged pier were completed ahead of schedule."
)
GOOD = RawArticle(id="g1", title="Ferry terminal reopens", text=BODY).model_dump_json().encode()


@pytest.fixture
def rekeyed() -> Iterator[AsyncMock]:
    with patch.object(agents.dedup_topic, "send", AsyncMock()) as send:
        yield send


def _count(reason: str) -> float:
    labels = {"stage": "clean", "reason": reason}
    return METRICS.registry.get_sample_value("newsradar_dead_letters_total", labels) or 0.0


async def _put_all(values: list[bytes]) -> None:
    async with clean_articles.test_context() as context:
        for value in values:
            await context.put(value, key=b"k")


def _letter(sent: dict[str, AsyncMock]) -> DeadLetter:
    (call,) = sent["dead_letters"].call_args_list
    return DeadLetter.model_validate_json(call.kwargs["value"])


def test_a_record_over_the_byte_limit_is_dead_lettered_unparsed(app, sent, rekeyed, event_loop):
    before = _count("oversized")
    options = replace(agents.OPTIONS, max_record_bytes=len(GOOD))
    with patch.object(agents, "OPTIONS", options):
        run(event_loop, _put_all([b"{" * (len(GOOD) + 1), GOOD]))  # not JSON: never parsed
    letter = _letter(sent)
    assert (letter.reason, letter.stage) == ("oversized", "clean") and "bytes" in letter.detail
    assert _count("oversized") == before + 1
    assert len(rekeyed.call_args_list) == 1


def test_an_article_over_its_time_budget_is_dead_lettered(app, sent, rekeyed, event_loop):
    ticks = itertools.count(0.0, 10.0)  # every reading 10 s later: over a 2 s budget at once
    before = _count("time_budget")
    with patch.object(agents, "CLOCK", lambda: next(ticks)):
        run(event_loop, _put_all([GOOD]))
    letter = _letter(sent)
    assert letter.reason == "time_budget" and letter.original_bytes() == GOOD
    assert _count("time_budget") == before + 1
    rekeyed.assert_not_called()

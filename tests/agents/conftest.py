"""The Faust testing guide's app fixture: finalized app, in-memory store, flow resumed."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from unittest.mock import AsyncMock, patch

import faust
import pytest

from streams import topics


@pytest.fixture(scope="session")
def event_loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


@pytest.fixture(scope="session")
def app() -> faust.App:
    from streams.app import app

    app.finalize()
    app.conf.store = "memory://"
    app.flow_control.resume()
    return app


@pytest.fixture
def sent() -> Iterator[dict[str, AsyncMock]]:
    """Every output topic's send, replaced by a recorder, by topic attribute name."""
    names = ["clean_articles", "classified_articles", "topic_matches", "alerts", "dead_letters"]
    with (
        patch.object(topics.clean_articles, "send", AsyncMock()) as clean,
        patch.object(topics.classified_articles, "send", AsyncMock()) as classified,
        patch.object(topics.topic_matches, "send", AsyncMock()) as matches,
        patch.object(topics.alerts, "send", AsyncMock()) as alerts,
        patch.object(topics.dead_letters, "send", AsyncMock()) as dead,
    ):
        yield dict(zip(names, [clean, classified, matches, alerts, dead], strict=True))


@pytest.fixture(autouse=True)
def tails() -> Iterator[AsyncMock]:
    """The alert agent's read of the alert topic's tail (no Kafka here): empty unless set."""
    from streams.alerting.agents import TAILS

    with patch.object(TAILS, "ids", AsyncMock(return_value=frozenset())) as ids:
        yield ids


def run(loop: asyncio.AbstractEventLoop, coroutine) -> object:  # type: ignore[no-untyped-def]
    return loop.run_until_complete(coroutine)

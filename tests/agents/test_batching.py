"""streams/batching.py with Faust's test_context: what arrives while a batch is handled is the
next batch, whole; a batch is acknowledged only once its handler asks for the next one."""

from __future__ import annotations

import asyncio

import faust
import pytest

from streams.batching import batches
from tests.agents.conftest import run


@pytest.fixture(scope="module")
def own_app() -> faust.App:
    """An app of its own: the worker's agents and topics stay as they are."""
    app = faust.App("test-batching", autodiscover=False)
    app.finalize()
    app.flow_control.resume()
    return app


def test_records_arriving_while_a_batch_is_handled_are_the_next_batch(own_app, event_loop):
    taken: list[list[int]] = []
    handling = asyncio.Event()  # the first batch is in its handler
    release = asyncio.Event()  # ... and may finish

    passed_on = []  # every event the stream moved on to the batching, as it did

    async def handler(stream):  # type: ignore[no-untyped-def]
        stream.add_processor(lambda value: passed_on.append(value) or value)
        async for events in batches(stream, 100, 0.005):
            taken.append([int(e.value) for e in events])
            acked_early = any(e.message.acked for e in events)
            assert not acked_early, "a batch acknowledged before it was handled"
            if len(taken) == 1:
                handling.set()
                await release.wait()

    agent = own_app.agent(own_app.channel(), name="batching-under-test")(handler)

    async def scenario() -> list[faust.types.EventT]:
        async with agent.test_context() as context:
            first = await context.put(b"0")
            await asyncio.wait_for(handling.wait(), 5)
            later = [await context.put(str(n).encode()) for n in range(1, 31)]
            await asyncio.sleep(0.05)
            moved_on, acked = len(passed_on), first.message.acked
            release.set()
            # the stream moved them all on into the next batch while the handler waited
            assert moved_on == 31
            assert not acked  # the first batch was still being handled
            for _ in range(500):
                if all(e.message.acked for e in [first, *later]):
                    break
                await asyncio.sleep(0.01)
            return [first, *later]

    events = run(event_loop, asyncio.wait_for(scenario(), 20))
    assert all(e.message.acked for e in events)  # type: ignore[attr-defined]
    assert taken == [[0], list(range(1, 31))]

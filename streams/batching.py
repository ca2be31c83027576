"""Batches of events from a Faust stream: as many as are waiting, none waited for when idle.

Faust's `take_events(max, within)` wakes every `within` seconds whether records came or
not (three agents at 10 ms: 300 wake-ups a second of an idle worker), and once a record
is there it waits the rest of `within` for the batch to fill, which every hop adds to an
alert's latency. This is the same mechanism (the stream drained in the background into a
buffer by a processor, the events acknowledged once the batch was handled) with another
wait: none until the first record arrives, then at most `within` for more, and a batch is
handed over at once when `max_` records are there. Under load a batch is what queued while
the previous one was handled; an idle worker sleeps.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any, cast

from faust import Stream
from faust.types import EventT, StreamT
from mode.utils.futures import notify
from mode.utils.locks import Event


async def batches(
    agent_stream: StreamT[Any], max_: int, within: float
) -> AsyncIterator[list[EventT]]:
    """Lists of at most `max_` events; each is acknowledged once the consumer of the list
    asks for the next one, so a crash mid-batch leaves it to be read again."""
    stream = cast(Stream[Any], agent_stream)
    buffer: list[EventT] = []
    arrived, full, consumed = Event(), Event(), Event()
    handling: asyncio.Future[None] | None = None

    async def add(value: Any) -> Any:
        nonlocal handling
        if handling is not None:  # no new records while a batch is being handled
            await handling
        event = stream.current_event
        if event is None:
            raise RuntimeError("a batched stream found no current event")
        buffer.append(event)
        arrived.set()
        if len(buffer) >= max_:
            full.set()
            consumed.clear()
            await stream.wait(consumed)
        return value

    acks = stream.enable_acks
    stream.enable_acks = False  # acknowledged here, after the batch
    stream.add_processor(add)
    stream._enable_passive(aiter(stream.channel))  # type: ignore[arg-type]
    try:
        while not stream.should_stop:
            await stream.wait_for_stopped(arrived)
            if len(buffer) < max_:
                await stream.wait_for_stopped(full, timeout=within)
            if not buffer:
                continue
            handling = asyncio.get_running_loop().create_future()
            batch = list(buffer)
            try:
                yield batch
                # Asked for the next batch: this one is handled. A batch whose handling
                # raised (the generator is closed at the yield) stays unacknowledged, so
                # its offsets are never committed and it is read again.
                for event in batch:
                    await stream.ack(event)
            finally:
                buffer.clear()
                arrived.clear()
                full.clear()
                notify(handling)
                handling = None
                consumed.set()
    finally:
        stream.enable_acks = acks
        stream._processors.remove(add)

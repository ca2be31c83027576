"""Table writes (streams/stage.py: TableWriter): in memory at once, in the changelog only once
the agent flushes them, in order, and a flush returns only when Kafka took every record."""

from __future__ import annotations

from unittest.mock import patch

import pytest
from aiokafka.errors import MessageSizeTooLargeError, NotLeaderForPartitionError

from streams.alerting.agents import PUBLISHER, alert_state
from streams.alerting.state import AlertMark
from streams.stage import TableWriter
from tests.agents.conftest import run


@pytest.fixture
def writer(app):  # type: ignore[no-untyped-def]
    alert_state.data.clear()
    yield TableWriter(alert_state, lambda key: 2)
    alert_state.data.clear()


def test_a_write_is_in_memory_at_once_and_in_the_changelog_once_flushed(writer, sent, event_loop):
    writer("m|0", AlertMark(next_offset=7))
    assert alert_state.data["m|0"] == AlertMark(next_offset=7)
    assert sent.changelog == []  # nothing sent until the agent flushes
    run(event_loop, writer.flush(PUBLISHER))
    assert sent.changelog == [("alert-state", 2, "m|0", AlertMark(next_offset=7))]
    writer("m|0", None)
    run(event_loop, writer.flush(PUBLISHER))
    assert "m|0" not in alert_state.data
    assert sent.changelog[-1] == ("alert-state", 2, "m|0", None)  # a tombstone


def test_a_record_kafka_did_not_take_is_sent_again_with_every_one_after_it(
    writer, sent, event_loop
):
    """The first record's batch fails (its leader moved), the second's, on another
    partition, went through: both go again, so the changelog's last value of every key is
    the last one written."""
    writer = TableWriter(alert_state, lambda key: 2 if key == "m|0" else 3)
    sent.failures = [NotLeaderForPartitionError()]
    writer("m|0", AlertMark(next_offset=1))
    writer("m|1", AlertMark(next_offset=2))
    with patch("streams.stage.RETRY_SECONDS", (0.0,)):
        run(event_loop, writer.flush(PUBLISHER))
    keys = [key for _, _, key, _ in sent.changelog]
    assert keys == ["m|1", "m|0", "m|1"]


def test_a_record_kafka_refuses_for_good_fails_the_flush(writer, sent, event_loop):
    """The agent's batch then stays unacknowledged, to be read again: never acknowledged
    ahead of the state it made."""
    sent.failures = [MessageSizeTooLargeError()]
    writer("m|0", AlertMark(next_offset=1))
    with pytest.raises(RuntimeError, match="refused"):
        run(event_loop, writer.flush(PUBLISHER))


def test_the_steps_read_a_table_as_its_writer_left_it_without_its_sensors(writer, app):  # type: ignore[no-untyped-def]
    """TableView reads the store directly: the same keys and values as the table, and no
    sensor is told of the reads (the alert step reads tens of keys a match)."""
    from streams.stage import TableView

    view = TableView(alert_state)
    writer("m|0", AlertMark(next_offset=3))
    with patch.object(type(alert_state), "on_key_get") as told:
        assert view.get("m|0") == alert_state["m|0"] == AlertMark(next_offset=3)
        assert view.get("m|9") is None and view.get("m|9", 5) == 5
        assert "m|0" in view and "m|9" not in view
        assert dict(view.items()) == {"m|0": AlertMark(next_offset=3)} and len(view) == 1
    assert told.call_count == 1  # the table's own read, not the view's
    writer("m|0", None)
    assert view.get("m|0") is None

"""Dead letters for people and for replay: fields, filters, previews, summaries, replay records."""

from __future__ import annotations

import argparse
import base64
from collections import Counter
from datetime import UTC, datetime

import pytest

from schemas import DeadLetter
from streams.commands import deadletters as command
from streams.commands.replay import Tally, format_report
from streams.deadletters import (
    REPLAYED_FROM,
    LetterFilter,
    Origin,
    Replayed,
    count_by_reason,
    dead_letter,
    fitted,
    kafka_headers,
    position,
    preview,
    replay_headers,
    replay_topic,
    replayed_from,
    was_replayed,
)
from streams.rejection import Rejected

NOW = datetime(2026, 11, 29, 10, 30, tzinfo=UTC)
INPUTS = {"clean": "raw", "classify": "clean", "alert": "matches"}


def letter(
    value: bytes = b'{"title": "t"}',
    *,
    stage: str = "clean",
    reason: str = "invalid_schema",
    key: bytes | None = b"k1",
    headers: tuple[tuple[str, bytes | None], ...] = (),
    topic: str | None = "raw",
    exception_type: str | None = None,
    detail: str = "text: Field required",
) -> DeadLetter:
    where = Origin(topic=topic, partition=1, offset=42, key=key, headers=headers)
    return dead_letter(
        stage, Rejected(reason, detail), value, where, now=NOW, exception_type=exception_type
    )


def roundtrip(dead: DeadLetter) -> DeadLetter:
    return DeadLetter.model_validate_json(dead.model_dump_json())


# -- what a dead letter keeps ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "encoding"),
    [(b'{"title": "ok"}', "utf-8"), (b"\xff\xfe\x00 junk", "base64"), (b"", "utf-8")],
)
def test_a_letter_keeps_value_key_and_headers_exactly_through_json(value, encoding):
    headers = (("trace", b"t-1"), ("binary", b"\xff\x00"), ("empty", None), ("trace", b"t-2"))
    dead = roundtrip(letter(value, key=b"\xfekey", headers=headers))
    assert dead.original_encoding == encoding
    assert dead.original_bytes() == value
    assert (dead.key_encoding, dead.key_bytes()) == ("base64", b"\xfekey")
    assert dead.header_pairs() == list(headers)
    assert [h.encoding for h in dead.headers] == ["utf-8", "base64", "utf-8", "utf-8"]
    assert (dead.topic, dead.partition, dead.offset, dead.failed_at) == ("raw", 1, 42, NOW)


@pytest.mark.parametrize(
    "value",
    [
        ('{"text": "' + 'é"' * 3000 + '"}').encode(),  # escapes and two-byte characters
        b"\xff" * 5000,  # base64
    ],
)
def test_a_letter_too_large_to_send_keeps_the_start_of_the_original_and_its_size(value):
    whole = letter(value)
    assert len(whole.model_dump_json()) > 4000 and not whole.truncated
    cut = DeadLetter.model_validate_json(fitted(whole, value, max_bytes=4000))
    assert len(cut.model_dump_json()) <= 4000 and cut.original_size == len(value)
    assert cut.truncated and value.startswith(cut.original_bytes())
    assert cut.original_encoding == whole.original_encoding
    assert len(cut.original_bytes()) > len(value) / 4  # not needlessly short


def test_a_letter_that_fits_is_sent_whole():
    small = letter(b'{"title": "t"}')
    assert fitted(small, b'{"title": "t"}', max_bytes=4000) == small.model_dump_json().encode()


def test_a_letter_written_before_headers_existed_still_reads():
    old = (
        '{"schema_version": 1, "stage": "clean", "reason": "invalid_json", "original": "{x",'
        ' "key": "m1", "failed_at": "2026-11-01T00:00:00Z"}'
    )
    dead = DeadLetter.model_validate_json(old)
    assert (dead.headers, dead.key_bytes(), dead.original_bytes()) == ([], b"m1", b"{x")


def test_a_readable_key_stays_readable_and_a_missing_key_stays_missing():
    assert (letter(key=b"m1").key, letter(key=b"m1").key_encoding) == ("m1", "utf-8")
    assert letter(key=None).key_bytes() is None


@pytest.mark.parametrize(
    ("raw", "pairs"),
    [
        ([("a", b"1"), ("a", b"2"), ("n", None)], (("a", b"1"), ("a", b"2"), ("n", None))),
        ({"x": "text", "y": b"\xff"}, (("x", b"text"), ("y", b"\xff"))),
        (None, ()),
        ([], ()),
    ],
)
def test_headers_as_kafka_or_faust_hand_them_become_pairs_in_order(raw, pairs):
    assert kafka_headers(raw) == pairs


# -- choosing and showing -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stages", "reasons", "wanted"),
    [
        ((), (), True),
        (("clean",), (), True),
        (("classify",), (), False),
        ((), ("invalid_schema", "too_short"), True),
        ((), ("too_short",), False),
        (("clean",), ("too_short",), False),
    ],
)
def test_filter_by_stage_and_reason(stages, reasons, wanted):
    assert LetterFilter(frozenset(stages), frozenset(reasons)).wants(letter()) is wanted


def test_the_command_line_filters_become_a_letter_filter():
    args = argparse.Namespace(stages=["alert"], reasons=None)
    assert command.letter_filter(args) == LetterFilter(frozenset({"alert"}), frozenset())


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (b'{"title":\n   "Spaced"}', '{"title": "Spaced"}'),
        (b"\xff\xfe\x00 junk\x1b[31m", "\\xff\\xfe\ufffd junk\ufffd[31m"),
        (b"x" * 100, "x" * 59 + "…"),
        (b"", ""),
    ],
)
def test_preview_is_one_short_line_with_binary_escaped(value, shown):
    assert preview(letter(value)) == shown


def test_position_names_a_record_and_says_what_is_unknown():
    assert position("raw", 1, 42) == "raw/1/42"
    assert position(None, None, 0) == "?/?/0"


def test_a_letter_line_says_when_where_why_and_what():
    dead = letter(
        b"\xff\xfe junk", key=b"\xfek", reason="invalid_json", exception_type="ValueError"
    )
    text = command.format_letter(dead).plain
    first, second, third = text.splitlines()
    assert first.split() == [
        "2026-11-29T10:30:00Z",
        "clean",
        "invalid_json",
        "raw/1/42",
        "key=\\xfek",
        "ValueError",
    ]
    assert second.strip() == "(binary) \\xff\\xfe junk"
    assert third.strip() == "text: Field required"


def test_a_letter_line_says_when_the_record_was_a_replay():
    dead = letter(headers=((REPLAYED_FROM, b"news.deadletter/0/7"),), detail="")
    assert command.format_letter(dead).plain.splitlines()[-1].strip() == (
        "replayed from news.deadletter/0/7"
    )
    assert replayed_from(dead) == "news.deadletter/0/7"
    assert replayed_from(letter()) is None


def test_the_summary_counts_per_stage_and_reason_most_frequent_first():
    letters = [letter(reason="too_short")] * 3 + [letter(reason="invalid_json", stage="alert")]
    summary = command.format_summary(count_by_reason(letters)).plain.splitlines()
    assert summary[0] == "4 dead letter(s)"
    assert [line.split() for line in summary[1:]] == [
        ["clean", "too_short", "3"],
        ["alert", "invalid_json", "1"],
    ]
    assert command.format_summary(Counter()).plain == "0 dead letter(s)"


# -- replaying ------------------------------------------------------------------------------


def test_a_replay_keeps_the_headers_and_says_which_letter_it_came_from():
    dead = letter(headers=(("trace", b"t-1"), ("none", None), (REPLAYED_FROM, b"dl/0/1")))
    assert replay_headers(dead, "dl/1/9") == [
        ("trace", b"t-1"),
        ("none", b""),
        (REPLAYED_FROM, b"dl/1/9"),
    ]


@pytest.mark.parametrize(
    ("topic", "stage", "to", "expected"),
    [
        ("raw", "clean", None, "raw"),
        ("app-clean-dedup", "clean", None, "app-clean-dedup"),
        (None, "classify", None, "clean"),
        (None, "alert", None, "matches"),
        (None, "elsewhere", None, None),
        ("raw", "clean", "raw-2", "raw-2"),
    ],
)
def test_a_record_goes_back_where_it_came_from_unless_told(topic, stage, to, expected):
    assert replay_topic(letter(topic=topic, stage=stage), to, INPUTS) == expected


def test_a_letter_counts_as_replayed_only_if_the_ledger_has_this_very_letter():
    dead = letter()
    mark = Replayed(failed_at=NOW, replayed_at=NOW, stage="clean", reason="x", to="raw/0/1")
    older = mark.model_copy(update={"failed_at": datetime(2026, 1, 1, tzinfo=UTC)})
    assert was_replayed({"1/42": mark}, "1/42", dead)
    assert not was_replayed({"1/42": older}, "1/42", dead)  # the dead-letter topic was recreated
    assert not was_replayed({}, "1/42", dead)


def test_the_replay_report_counts_per_reason_and_the_skipped():
    tally = Tally(Counter({("clean", "too_short"): 2}), already=3, not_asked=4)
    assert format_report(tally, dry_run=False).splitlines() == [
        "replayed 2 dead letter(s)",
        "  clean too_short: 2",
        "skipped 3 already replayed, 4 not matching the filters",
    ]
    tally.failure("raw/0/1: not replayed: KafkaTimeoutError")
    report = format_report(tally, dry_run=True).splitlines()
    assert report[0] == "would replay 2 dead letter(s)"
    assert report[-2:] == ["failed: 1", "  raw/0/1: not replayed: KafkaTimeoutError"]


def test_base64_in_the_json_is_the_standard_alphabet():
    dead = letter(b"\xfb\xff")
    assert dead.original == base64.b64encode(b"\xfb\xff").decode()


# -- someone else's bytes on the terminal -------------------------------------------------

#: An OSC title change, a screen clear and a C1 control sequence introducer.
HOSTILE = "Quiet \x1b]0;owned\x07title \x1b[2J\x9bK"


def _controls(text: str) -> set[str]:
    return {c for c in text if (ord(c) < 0x20 and c != "\n") or 0x7F <= ord(c) < 0xA0}


def test_every_field_of_a_letter_is_shown_as_an_alert_s_text_is_never_obeyed():
    """A dead letter's fields come off a topic anyone can write to, like an alert's title."""
    dead = letter(
        HOSTILE.encode(),
        stage="clean\x1b[8m",
        reason="invalid_json\x1b[31m",
        topic="raw\x1b]0;x\x07",
        key=b"k\x1b[2J",
        exception_type="Value\x07Error",
        detail=HOSTILE,
        headers=((REPLAYED_FROM, HOSTILE.encode()),),
    )
    shown = command.format_letter(dead).plain
    assert _controls(shown) == set()
    assert "Quiet \ufffd]0;owned\ufffdtitle \ufffd[2J\ufffdK" in shown
    summary = command.format_summary(count_by_reason([dead])).plain
    assert _controls(summary) == set() and "invalid_json\ufffd[31m" in summary


def test_the_replay_report_shows_a_letter_s_stage_and_reason_never_obeys_them():
    tally = Tally(Counter({("clean\x1b[2J", "too_short\x07"): 1}))
    tally.failure("raw\x1b]0;x\x07/0/1: no topic raw\x1b[8m to replay it to")
    assert _controls(format_report(tally, dry_run=True)) == set()

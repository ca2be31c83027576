"""The small fixed sets newsradar speaks in, each defined once.

Records carry them (an alert's kind and severity, a dead letter's stage and reason),
metrics use them as label sets, the CLI offers them as choices and the taxonomy validates
against them: all import them from here, so none can drift from another
(tests/unit/test_vocabulary.py checks they are the same objects).
"""

from __future__ import annotations

from typing import Literal, get_args

#: How loud an alert is, quietest first (a taxonomy's severity rules use the same levels).
Severity = Literal["info", "low", "medium", "high", "critical"]
SEVERITIES: tuple[Severity, ...] = get_args(Severity)

AlertKind = Literal["story", "story-update", "surge", "digest"]
ALERT_KINDS: tuple[AlertKind, ...] = get_args(AlertKind)

#: The pipeline's stages, as metrics and dead letters name them.
Stage = Literal["clean", "classify", "alert"]
STAGES: tuple[Stage, ...] = get_args(Stage)

#: Why any stage may dead-letter a record: it cannot be read (streams/codec.py), its logic
#: raised, or Kafka would not take what it made (streams/stage.py).
CommonReason = Literal[
    "empty_record",
    "invalid_json",
    "invalid_schema",
    "internal_error",
    "too_large_to_publish",
    "unpublishable",
]
#: The clean stage's own reasons (streams/cleaning/logic.py).
CleanReason = Literal[
    "oversized", "too_complex", "empty_text", "no_letters", "too_short", "time_budget"
]
DeadLetterReason = Literal[CommonReason, CleanReason]
DEAD_LETTER_REASONS: dict[Stage, tuple[DeadLetterReason, ...]] = {
    "clean": (*get_args(CommonReason), *get_args(CleanReason)),
    "classify": get_args(CommonReason),
    "alert": get_args(CommonReason),
}

#: Records a stage deliberately does not pass on (not errors), by stage.
DropReason = Literal["duplicate", "language"]
DROP_REASONS: dict[Stage, tuple[DropReason, ...]] = {
    "clean": ("duplicate", "language"),
    "alert": ("duplicate",),
}

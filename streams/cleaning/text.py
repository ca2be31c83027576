"""Character-level normalisation shared by every input format."""

from __future__ import annotations

import re
import unicodedata

# Zero-width and other invisible format characters scrapers leave behind.
_INVISIBLE = re.compile("[\u00ad\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
# C0/C1 control characters except the newline and tab we still need.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"[^\S\n]+")
# A space before closing punctuation, as in `dialogue” .` -> `dialogue”.`
_SPACE_BEFORE_PUNCT = re.compile(r" +([.,;:!?)\]])")
_LINE_KEY = re.compile(r"[\W_]+")


def normalize(text: str) -> str:
    """NFC, invisible and control characters removed, spaces collapsed, lines trimmed."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    text = _CONTROL.sub("", _INVISIBLE.sub("", text.replace("\t", " ")))
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", _SPACES.sub(" ", text))
    return "\n".join(line.strip() for line in text.split("\n"))


def line_key(line: str) -> str:
    """What makes two lines "the same" for repeat detection: letters and digits, casefolded."""
    return _LINE_KEY.sub(" ", line.casefold()).strip()

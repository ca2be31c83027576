"""Character-level normalisation shared by every input format. Pure.

Scrapers and feeds deliver the same words in many encodings: curly or straight quotes,
five kinds of hyphen, no-break and zero-width spaces, `&amp;` left in plain text, a space
before the full stop. Normalising once, here, lets every later rule (repeated titles,
duplicates, the classifier's terms) compare words rather than code points.
"""

from __future__ import annotations

import hashlib
import html
import re
import unicodedata

# Every character that is replaced or removed, and by what: one pass over the text.
_REPLACEMENTS = {
    # Quotes folded to ASCII, so "Putin's" and "Putin’s" are one word.
    **dict.fromkeys("“”„‟″‶«»〝〞＂", '"'),
    **dict.fromkeys("‘’‚‛′‵‹›＇`´", "'"),
    # Hyphen look-alikes become "-"; en and em dashes stay (punctuation, not hyphens).
    **dict.fromkeys("\u2010\u2011\u2012\u2043\u2212\ufe63\uff0d", "-"),
    "\u2015": "\u2014",
    # Line and paragraph separators, NEL, VT, FF, and the other C0 separators end a line.
    **dict.fromkeys("\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029", "\n"),
    # Tabs and the no-break and typographic spaces are spaces.
    **dict.fromkeys(
        "\t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
        "\u2009\u200a\u202f\u205f\u3000",
        " ",
    ),
    # Invisible format characters (soft hyphen, zero-width, bidi marks, BOM) and controls.
    **dict.fromkeys(
        "\u00ad\u034f\u061c\u180e\ufeff"
        + "".join(
            map(chr, [*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2070)])
        )
        + "".join(map(chr, [*range(0x00, 0x09), *range(0x0E, 0x1C), 0x1F, *range(0x7F, 0x85)]))
        + "".join(map(chr, range(0x86, 0xA0))),
        "",
    ),
    # Lone surrogates (text that came through Python rather than a JSON parser, which refuses
    # them) cannot be encoded: every later step that hashes or encodes the text would fail.
    **dict.fromkeys(map(chr, range(0xD800, 0xE000)), "\ufffd"),
}
_REPLACED = re.compile("[" + re.escape("".join(_REPLACEMENTS)) + "]")
# Every ASCII character but the replaced ones (controls, "`"): see `_ascii_untouched`.
_ASCII_KEPT = bytes(byte for byte in range(128) if chr(byte) not in _REPLACEMENTS)
_MULTIPLE_SPACES = re.compile(" {2,}")
# A stray space before closing punctuation, as in `dialogue" .` -> `dialogue".`
_SPACE_BEFORE_PUNCT = re.compile(r" +(?=[.,;:!?)\]}](?:\s|$|[\"')\]}]))")
# Whether there may be such a space at all: one scan for a space, where the rule above tries
# its lookahead after every run of spaces (most texts have none to remove).
_ANY_SPACE_BEFORE_PUNCT = re.compile(r" [.,;:!?)\]}]")
_SPACE_AFTER_OPENING = re.compile(r"(?<=[(\[{]) +")
# Character references left in plain text by a scraper that did not decode them; only
# well-formed ones (with the semicolon), so "AT&T" or "R&D" stay as they are.
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_LINE_KEY = re.compile(r"[\W_]+")


def normalize(text: str) -> str:
    """NFC, consistent quotes and hyphens, invisible and control characters out, spaces tidy."""
    if not text.isascii() and not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    if "\r" in text:
        text = text.replace("\r\n", "\n")
    if not _ascii_untouched(text):
        text = _REPLACED.sub(_replacement, text)
    if "  " in text:
        text = _MULTIPLE_SPACES.sub(" ", text)
    if _ANY_SPACE_BEFORE_PUNCT.search(text):
        text = _SPACE_BEFORE_PUNCT.sub("", text)
    # A bracket first (one fast scan each): most texts have none, and then no "( " either.
    if any(f"{bracket} " in text for bracket in "([{" if bracket in text):
        text = _SPACE_AFTER_OPENING.sub("", text)
    return "\n".join(line.strip() for line in text.split("\n"))


def _ascii_untouched(text: str) -> bool:
    """True for ASCII text without a character to replace: most English news. Deleting the
    bytes that are kept leaves the others, in a tenth of the time the regex's scan takes."""
    return text.isascii() and not text.encode("ascii").translate(None, _ASCII_KEPT)


def _replacement(match: re.Match[str]) -> str:
    return _REPLACEMENTS[match.group()]


def unescape_entities(text: str) -> str:
    """`&amp;`, `&#8217;` and friends in plain text become the characters they stand for."""
    if "&" not in text:
        return text
    return _ENTITY.sub(lambda match: html.unescape(match.group()), text)


def line_key(line: str) -> str:
    """What makes two lines "the same" for repeat detection: letters and digits, casefolded."""
    return _LINE_KEY.sub(" ", line.casefold()).strip()


def fingerprint(text: str) -> str:
    """A digest of the words alone: equal for texts that differ only in case or punctuation."""
    return hashlib.sha256(line_key(text).encode("utf-8")).hexdigest()[:32]


def letter_count(text: str, enough: int | None = None) -> int:
    """How many letters (of any script) the text has, the measure of "too short".

    With `enough`, counting may stop early: the answer is then at least `enough`.
    """
    if enough is not None:
        head = _letters(text[: 4 * enough])
        if head >= enough or len(text) <= 4 * enough:
            return head
    return _letters(text)


def _letters(text: str) -> int:
    """The letters of ASCII text (most news) are its bytes left when the others are deleted:
    one C pass, where asking each character costs a call a character."""
    if text.isascii():
        return len(text.encode("ascii").translate(None, _ASCII_NOT_LETTERS))
    return sum(map(str.isalpha, text))


# Every ASCII character that `str.isalpha` refuses: all but A-Z and a-z.
_ASCII_NOT_LETTERS = bytes(byte for byte in range(128) if not chr(byte).isalpha())

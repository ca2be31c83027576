"""Language: detected from the text with the packaged model; other languages kept or dropped."""

from datetime import UTC, datetime

import pytest

from schemas import CleanArticle, RawArticle
from streams.cleaning.configure import clean_options
from streams.cleaning.language import detect_language
from streams.cleaning.logic import CleanOptions, Dropped, clean, language_gate
from streams.settings import CleaningSettings

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
TEXTS = {
    "en": "The harbour authority confirmed on Tuesday that the ferry terminal will reopen soon.",
    "de": "Die Hafenbehörde bestätigte am Dienstag, dass das Fährterminal bald wieder öffnet.",
    "fr": "L'autorité portuaire a confirmé mardi que le terminal des ferries rouvrira bientôt.",
    "ru": "Портовые власти во вторник подтвердили, что паромный терминал скоро откроется.",
    "uk": "Портова адміністрація у вівторок підтвердила, що поромний термінал відкриється.",
    "zh": "港务局周二证实，渡轮码头将在修复受风暴损坏的码头后于下个月重新开放。",
}


@pytest.mark.parametrize(("language", "text"), TEXTS.items())
def test_languages_are_detected_from_the_text(language, text):
    detected, confidence = detect_language("", text)
    assert detected == language and confidence >= 0.5


def test_an_all_capitals_title_does_not_mislead_the_model():
    assert detect_language("FERRY TERMINAL REOPENS", TEXTS["en"])[0] == "en"


@pytest.mark.parametrize(("text", "declared"), [("12 34", None), ("Ok.", "fr"), ("", "de")])
def test_too_little_text_is_undetermined_or_what_the_page_declared(text, declared):
    assert detect_language("", text, declared) == (declared or "und", 0.0)


@pytest.mark.parametrize(
    ("language", "drop", "dropped"),
    [("de", False, False), ("de", True, True), ("en", True, False), ("und", True, False)],
)
def test_language_gate(language, drop, dropped):
    options = CleanOptions(languages=frozenset({"en"}), drop_other_languages=drop)
    verdict = language_gate(language, options)
    assert (verdict is not None) is dropped
    if verdict:
        assert verdict.reason == "language" and "de" in verdict.detail


def test_clean_keeps_or_drops_another_language_as_configured():
    raw = RawArticle(title="Fähre", text=TEXTS["de"] + " " + TEXTS["de"])
    kept = clean(raw, ingested=NOW, options=clean_options(CleaningSettings()))
    assert isinstance(kept, CleanArticle) and kept.language == "de"
    settings = CleaningSettings(languages=("en", "fr"), other_languages="drop")
    assert isinstance(clean(raw, ingested=NOW, options=clean_options(settings)), Dropped)


def test_settings_become_plain_options():
    settings = CleaningSettings(
        max_input_chars=10, min_letters=5, languages=(" EN ",), other_languages="drop"
    )
    assert clean_options(settings) == CleanOptions(
        max_input_chars=10, min_letters=5, languages=frozenset({"en"}), drop_other_languages=True
    )

"""The per-article limits: a record too big to parse, and a time budget spent between steps.

No timing here: the budget runs on fake clocks, so which step gives up is deterministic.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from prometheus_client import CollectorRegistry

from schemas import CleanArticle, RawArticle
from streams.budget import UNLIMITED, Budget
from streams.cleaning.configure import clean_options
from streams.cleaning.logic import CleanOptions, clean, record_gate
from streams.metrics import Metrics
from streams.rejection import Rejected
from streams.settings import CleaningSettings, Settings

NOW = datetime(2026, 11, 29, 12, tzinfo=UTC)
BODY = (
    "The harbour authority confirmed on Tuesday that the northern ferry terminal will reopen "
    "next month after repairs to the storm-damaged pier were completed ahead of schedule."
)
PAGE = f"<html><body><article><h1>Ferry terminal</h1><p>{BODY}</p></article></body></html>"


def ticking() -> itertools.count[int]:
    """A clock that moves one second every time it is read."""
    return itertools.count()


def frozen() -> float:
    return 100.0


@pytest.mark.parametrize(
    ("size", "limit", "refused"),
    [(0, 10, False), (10, 10, False), (11, 10, True), (8 * 1024 * 1024 + 1, None, True)],
)
def test_a_record_over_the_byte_limit_is_refused_before_it_is_parsed(size, limit, refused):
    options = CleanOptions() if limit is None else CleanOptions(max_record_bytes=limit)
    verdict = record_gate(b"{" * size, options)  # not JSON at all: it is never parsed
    assert (verdict is not None) == refused
    if verdict is not None:
        assert verdict.reason == "oversized" and "bytes" in verdict.detail


def test_no_record_is_no_size_problem():
    assert record_gate(None) is None


def test_the_limits_come_from_the_settings():
    settings = Settings(cleaning=CleaningSettings(max_record_bytes=1000, time_budget_seconds=0.5))
    options = clean_options(settings.cleaning)
    assert (options.max_record_bytes, options.time_budget_seconds) == (1000, 0.5)
    assert (CleaningSettings().max_record_bytes, CleaningSettings().time_budget_seconds) == (
        8 * 1024 * 1024,
        2.0,
    )


def test_a_budget_of_zero_seconds_is_no_limit_and_reads_no_clock():
    def no_clock() -> float:
        raise AssertionError("the clock was read")

    assert Budget.start(0, no_clock) is UNLIMITED
    assert UNLIMITED.over("anything") is None


def test_a_budget_is_over_only_once_its_deadline_has_passed():
    clock = iter([10.0, 11.0, 11.5, 11.6])
    budget = Budget.start(1.5, lambda: next(clock))
    assert budget.over("one") is None  # 11.0
    assert budget.over("two") is None  # 11.5: at the deadline is still within it
    late = budget.over("three")  # 11.6
    assert late == Rejected("time_budget", "over its 1.5 s budget after three")


@pytest.mark.parametrize(
    ("raw", "step"),
    [
        (RawArticle(title="Ferry", html=PAGE), "parsing the page"),
        (RawArticle(title="Ferry", text=BODY), "the furniture rules"),
    ],
)
def test_an_article_over_its_time_budget_is_refused_after_the_step_that_spent_it(raw, step):
    clock = ticking()
    budget = Budget.start(0.5, lambda: next(clock))
    verdict = clean(raw, ingested=NOW, budget=budget)
    assert isinstance(verdict, Rejected) and verdict.reason == "time_budget"
    assert verdict.detail.endswith(step)


@pytest.mark.parametrize("raw", [RawArticle(title="Ferry", html=PAGE), RawArticle(text=BODY)])
def test_an_article_within_its_budget_is_cleaned_as_without_one(raw):
    within = clean(raw, ingested=NOW, budget=Budget.start(2.0, frozen))
    assert isinstance(within, CleanArticle)
    assert within == clean(raw, ingested=NOW)


def test_the_size_limit_is_checked_before_the_budget_is_spent():
    clock = ticking()
    huge = RawArticle(title="Huge", text="word " * 100)
    verdict = clean(
        huge,
        ingested=NOW,
        options=CleanOptions(max_input_chars=100),
        budget=Budget.start(0.5, lambda: next(clock)),
    )
    assert isinstance(verdict, Rejected) and verdict.reason == "oversized"


def test_the_limits_reasons_are_counted_from_zero():
    metrics = Metrics(registry=CollectorRegistry())
    for reason in ("oversized", "time_budget"):
        labels = {"stage": "clean", "reason": reason}
        assert metrics.registry.get_sample_value("newsradar_dead_letters_total", labels) == 0.0


@pytest.mark.parametrize(
    ("published", "ingested", "kept_published", "kept_ingested"),
    [
        ("0001-01-01T00:00:00Z", None, None, NOW),  # Go's zero time: "unknown"
        ("1899-12-31", "0001-01-01T00:00:00Z", None, NOW),
        ("2026-11-30T11:00:00Z", "2026-11-29T11:00:00Z", "2026-11-30T11:00:00Z", None),
        ("2026-12-01T12:00:00Z", "9999-12-31T23:59:59Z", None, NOW),  # over a day ahead
        ("2026-11-28", None, "2026-11-28T00:00:00Z", NOW),
    ],
)
def test_times_that_cannot_be_real_are_not_believed(
    published, ingested, kept_published, kept_ingested
):
    """The alert stage's windows around year 1 would fall off the calendar (OverflowError)."""
    raw = RawArticle.model_validate(
        {"title": "Ferry", "text": BODY, "published": published, "ingested": ingested}
    )
    article = clean(raw, ingested=NOW)
    assert isinstance(article, CleanArticle)
    expected = kept_published and datetime.fromisoformat(kept_published)
    assert article.published == expected
    assert article.ingested == (kept_ingested or raw.ingested)


def _page(body: str) -> RawArticle:
    return RawArticle(html=f"<html><head><title>Ferry</title></head><body>{body}</body></html>")


@pytest.mark.parametrize(
    ("raw", "detail"),
    [
        # Nested deeper than any real page (42 levels in ../shared/data/html-pages), as the
        # 200-deep blocks that cost trafilatura 12 s, but small: refused before it runs.
        (_page("<div>" * 130 + f"<p>{BODY}</p>" + "</div>" * 130), "nested more than 128"),
        # More elements than any real page (10,106), each one tiny.
        (_page(f"<p>{BODY}</p>" + "<i>x</i>" * 20_001), "20,006 elements"),
    ],
)
def test_a_pathological_page_is_refused_before_it_is_parsed_for_its_text(raw, detail):
    verdict = clean(raw, ingested=NOW)
    assert isinstance(verdict, Rejected) and verdict.reason == "too_complex"
    assert detail in verdict.detail


def test_a_page_as_large_and_deep_as_real_ones_is_cleaned():
    deep = "<div>" * 40 + f"<p>{BODY}</p>" + "</div>" * 40
    article = clean(_page(deep + "<span>x</span>" * 9_000), ingested=NOW)
    assert isinstance(article, CleanArticle) and BODY in article.text


def test_the_complexity_reason_is_counted_from_zero():
    metrics = Metrics(registry=CollectorRegistry())
    labels = {"stage": "clean", "reason": "too_complex"}
    assert metrics.registry.get_sample_value("newsradar_dead_letters_total", labels) == 0.0

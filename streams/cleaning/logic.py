"""The clean stage: a raw article in; a clean article, a rejection or a drop out. Pure.

What every later stage sees is decided here: words left in from a menu or a related-story
box become false alerts, body sentences cut out become missed ones. So: the main text of
an HTML page (trafilatura), the body of a plain-text article without its furniture
(`lines`), one normalisation for every input (`text`), the language, and quality gates
that turn what is not an article into a dead letter with its reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from schemas import CleanArticle, RawArticle, Removal
from streams.budget import UNLIMITED, Budget
from streams.cleaning import furniture as model
from streams.cleaning.dedup import canonical_url
from streams.cleaning.furniture import Defaults, LearnedRemoval, OutletFurniture, Outlets
from streams.cleaning.html import Page, extract_page
from streams.cleaning.language import UNDETERMINED, detect_language
from streams.cleaning.lines import clean_lines
from streams.cleaning.text import letter_count, normalize, unescape_entities
from streams.rejection import Rejected

# Plain text that is really HTML (a feed's description): two or more tags of a page's body.
_TAG = re.compile(r"</?(?:p|br|div|span|a|ul|ol|li|h[1-6]|strong|em|b|i|img|figure|blockquote)\b")
#: Earlier times are placeholders for "unknown" (Go's zero time is 0001-01-01T00:00:00Z), and
#: the alert stage's windows around them would fall off the calendar.
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)
#: How far a source's clock may run ahead of ours; a time further ahead is not believed.
CLOCK_SKEW = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class CleanOptions:
    """The stage's settings as plain values (built from CleaningSettings at the edge)."""

    max_input_chars: int = 2_000_000
    max_record_bytes: int = 8 * 1024 * 1024
    time_budget_seconds: float = 2.0
    min_letters: int = 40
    languages: frozenset[str] = frozenset({"en"})
    drop_other_languages: bool = False


@dataclass(frozen=True, slots=True)
class Dropped:
    """An article deliberately not passed on (a duplicate, another language): not an error."""

    reason: str
    detail: str = ""


DEFAULTS = CleanOptions()


def record_gate(value: bytes | None, options: CleanOptions = DEFAULTS) -> Rejected | None:
    """Refuse a record too big to be worth parsing, on its bytes, before any JSON is read.

    The same rule as the character limit in `clean` (reason `oversized`), made cheap: it
    spares the worker parsing and validating megabytes only to refuse them afterwards.
    """
    size = len(value or b"")
    if size > options.max_record_bytes:
        return Rejected("oversized", f"{size} bytes, more than {options.max_record_bytes}")
    return None


@dataclass(frozen=True, slots=True)
class Cleaned:
    """What `clean_with` did: the verdict, the outlet's furniture state after learning from
    this article (None when cleaning stopped before the furniture step), and each removal
    the learned model made, with its template and support (for `--explain`)."""

    result: CleanArticle | Rejected | Dropped
    furniture: OutletFurniture | None = None
    learned: tuple[LearnedRemoval, ...] = ()


def clean(
    raw: RawArticle,
    *,
    ingested: datetime,
    options: CleanOptions = DEFAULTS,
    budget: Budget = UNLIMITED,
    furniture: OutletFurniture | None = None,
) -> CleanArticle | Rejected | Dropped:
    """Turn what a scraper or feed delivered into the text the classifier should read.

    `ingested` stands in for the article's entry time when the publisher did not set one,
    and bounds the publication dates a page may claim. `budget` is asked between steps.
    `furniture`: the outlet's learned furniture (None: the shipped defaults alone); it is
    applied, not updated (`clean_with` returns the updated state).
    """
    return clean_with(
        raw, ingested=ingested, options=options, budget=budget, furniture=furniture, learning=False
    ).result


def clean_with(
    raw: RawArticle,
    *,
    ingested: datetime,
    options: CleanOptions = DEFAULTS,
    budget: Budget = UNLIMITED,
    furniture: OutletFurniture | None = None,
    learning: bool = True,
    defaults: Defaults | None = None,
) -> Cleaned:
    """`clean`, learning the outlet's furniture from this article as well (see `furniture`).

    The caller keeps the returned state for the outlet (`furniture.outlet_key`) and passes
    it with the outlet's next article; the article itself counts towards its templates.
    `defaults`: the templates known before the stream (None: those the package ships).
    """
    if (size := _input_chars(raw)) > options.max_input_chars:
        return Cleaned(
            Rejected("oversized", f"{size} characters, more than {options.max_input_chars}")
        )
    extracted = _title_body_page(raw, ingested, budget)
    if isinstance(extracted, Rejected):
        return Cleaned(extracted)
    title, body, page = extracted
    kept, removed = clean_lines(title, body.split("\n"))
    removed[:0] = _named_furniture(page)
    if (late := budget.over("the furniture rules")) is not None:
        return Cleaned(late)
    article = model.paragraphs(kept)
    if learning:
        furniture = model.learn(furniture, article, ingested.timestamp())
    kept, learned = model.remove(furniture, article, defaults)
    removed += [Removal(rule=model.RULE, text=removal.text) for removal in learned]
    if (late := budget.over("the learned furniture")) is not None:
        return Cleaned(late, furniture if learning else None, tuple(learned))
    result = _article(raw, ingested, options, (title, "\n\n".join(kept), page), removed)
    return Cleaned(result, furniture if learning else None, tuple(learned))


def _article(
    raw: RawArticle,
    ingested: datetime,
    options: CleanOptions,
    cleaned: tuple[str, str, Page | None],
    removed: list[Removal],
) -> CleanArticle | Rejected | Dropped:
    """The quality and language gates, then the clean article."""
    title, text, page = cleaned
    if (refused := quality_gate(text, options.min_letters)) is not None:
        return refused
    language, _ = detect_language(title, text, page.language if page else None)
    if (unwanted := language_gate(language, options)) is not None:
        return unwanted
    return CleanArticle(
        id=raw.id,
        title=title,
        text=text,
        language=language,
        url=raw.url,
        canonical_url=canonical_url((page.canonical_url if page else None) or raw.url),
        author=page.author if page else None,
        source=raw.source,
        published=believable(raw.published, ingested)
        or believable(page.published if page else None, ingested),
        ingested=believable(raw.ingested, ingested) or ingested,
        removed=removed,
    )


class OutletLearning:
    """`clean_with` over a stream of many outlets in one process (`newsradar process`, the
    benchmarks): each outlet's state is kept in `outlets`, bounded by its LRU limit.

    `learning` off applies the states as they are (frozen); `defaults` as in `clean_with`.
    """

    def __init__(
        self,
        outlets: Outlets | None = None,
        *,
        learning: bool = True,
        defaults: Defaults | None = None,
    ) -> None:
        self.outlets = outlets if outlets is not None else Outlets()
        self.learning = learning
        self.defaults = defaults

    def clean(
        self,
        raw: RawArticle,
        *,
        ingested: datetime,
        options: CleanOptions = DEFAULTS,
        budget: Budget = UNLIMITED,
    ) -> Cleaned:
        outlet = model.outlet_key(raw.url, raw.source)
        done = clean_with(
            raw,
            ingested=ingested,
            options=options,
            budget=budget,
            furniture=self.outlets.get(outlet),
            learning=self.learning,
            defaults=self.defaults,
        )
        if done.furniture is not None:
            self.outlets.put(outlet, done.furniture)
        return done

    def frozen(self) -> OutletLearning:
        """The same outlets' states, applied as they are from now on (no longer learning)."""
        return OutletLearning(self.outlets, learning=False, defaults=self.defaults)


def _input_chars(raw: RawArticle) -> int:
    return len(raw.title) + len(raw.text or "") + len(raw.html or "")


def _title_body_page(
    raw: RawArticle, ingested: datetime, budget: Budget
) -> tuple[str, str, Page | None] | Rejected:
    """The title and body as normalised text, and the page's metadata when it was HTML."""
    title = normalize(unescape_entities(raw.title))
    if raw.text and raw.text.strip() and not looks_like_html(raw.text):
        return title, normalize(unescape_entities(raw.text)), None
    markup = raw.text if raw.text and raw.text.strip() else raw.html or ""
    page = extract_page(markup, url=raw.url, today=ingested.date(), budget=budget)
    if isinstance(page, Rejected):
        return page
    return title or normalize(page.title), normalize(page.text), page


def _named_furniture(page: Page | None) -> list[Removal]:
    """What the page's markup named as furniture and the extraction took out (`structure`)."""
    return [Removal(rule=r.rule, text=normalize(r.text)) for r in page.removed] if page else []


def believable(when: datetime | None, ingested: datetime) -> datetime | None:
    """The time, or None when it cannot be one: a placeholder, or far in our future."""
    if when is None or when < EARLIEST or when - ingested > CLOCK_SKEW:
        return None
    return when


def looks_like_html(text: str) -> bool:
    """True for text carrying page markup, as feed descriptions often do."""
    first = _TAG.search(text)
    return first is not None and _TAG.search(text, first.end()) is not None


def quality_gate(text: str, min_letters: int) -> Rejected | None:
    """Refuse what is not an article: nothing left, no letters at all, or too few."""
    if not text:
        return Rejected("empty_text", "no text left after cleaning")
    letters = letter_count(text, enough=min_letters)
    if letters == 0:
        return Rejected("no_letters", "the text left after cleaning has no letters")
    if letters < min_letters:
        return Rejected("too_short", f"{letters} letters after cleaning, fewer than {min_letters}")
    return None


def language_gate(language: str, options: CleanOptions) -> Dropped | None:
    """Drop an article in a language nobody monitors, when the settings say so."""
    if not options.drop_other_languages or language in options.languages:
        return None
    if language == UNDETERMINED:
        return None  # cannot tell: better read than lost
    wanted = ", ".join(sorted(options.languages))
    return Dropped("language", f"detected {language}; monitored: {wanted}")

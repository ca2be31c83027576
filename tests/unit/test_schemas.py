from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from schemas import RawArticle
from schemas.deadletter import DeadLetter, encode_original
from schemas.export import JSON_DIR, rendered_schemas


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ("2021-12-29", datetime(2021, 12, 29, tzinfo=UTC)),
        ("2021-12-29T10:30:00", datetime(2021, 12, 29, 10, 30, tzinfo=UTC)),
        ("2021-12-29T10:30:00Z", datetime(2021, 12, 29, 10, 30, tzinfo=UTC)),
        ("2021-12-29T12:30:00+02:00", datetime(2021, 12, 29, 10, 30, tzinfo=UTC)),
    ],
)
def test_published_accepts_iso_dates_and_datetimes_as_utc(published, expected):
    article = RawArticle(title="t", text="x", published=published)
    assert article.published == expected
    assert article.published.utcoffset().total_seconds() == 0


@pytest.mark.parametrize("published", ["yesterday", "2021-13-01", 12.5j])
def test_published_rejects_what_is_not_a_date(published):
    with pytest.raises(ValidationError):
        RawArticle(title="t", text="x", published=published)


def test_id_is_derived_from_the_url_when_absent():
    a = RawArticle(title="A", text="one", url="https://example.org/story/")
    b = RawArticle(title="B", text="two", url="https://EXAMPLE.org/story")
    assert a.id == b.id
    assert a.id.startswith("u")


def test_id_is_derived_from_the_content_without_a_url():
    a = RawArticle(title="A", text="one")
    assert a.id == RawArticle(title="A", text="one").id
    assert a.id != RawArticle(title="A", text="two").id


def test_a_given_id_is_kept_and_unknown_fields_are_ignored():
    article = RawArticle.model_validate({"id": "x1", "title": "t", "text": "b", "label": "other"})
    assert article.id == "x1"
    assert "label" not in article.model_dump()


@pytest.mark.parametrize("value", [b"plain text", "caf\u00e9 \u2013".encode(), b"\xff\xfe\x00bad"])
def test_dead_letter_keeps_the_original_bytes_exactly(value):
    original, encoding = encode_original(value)
    letter = DeadLetter(
        stage="clean",
        reason="invalid_json",
        original=original,
        original_encoding=encoding,
        failed_at=datetime.now(UTC),
    )
    assert DeadLetter.model_validate_json(letter.model_dump_json()).original_bytes() == value


def test_exported_json_schemas_are_up_to_date():
    """Run `python -m schemas.export` after changing a model."""
    rendered = rendered_schemas()
    on_disk = {path.name: path.read_text(encoding="utf-8") for path in JSON_DIR.glob("*.json")}
    assert on_disk == rendered


def test_construct_makes_what_pydantic_s_model_construct_makes():
    """schemas.common.construct, the alert stage's fast path, against pydantic's own."""
    from schemas import Alert
    from schemas.common import construct
    from streams.alerting.state import Story

    now = datetime(2026, 1, 2, tzinfo=UTC)
    story = {"id": "s1", "topic": "t", "topic_name": "T", "signature": (1, 2), "bands": ("x",)}
    story |= {"first_seen": now, "last_seen": now, "title": "A", "summary": "B", "score": 0.5}
    story |= {"base_severity": "high", "evidence": (), "taxonomy_version": "1", "articles": ()}
    alert = {"id": "a1", "topic": "t", "topic_name": "T", "severity": "high", "score": 0.5}
    alert |= {"article_id": "n1", "title": "A", "summary": "B", "evidence": [], "alerted": now}
    alert |= {"taxonomy_version": "1"}
    for cls, values in ((Story, story), (Alert, alert)):
        fast, slow = construct(cls, **values), cls.model_construct(**values)
        assert list(fast.__dict__.items()) == list(slow.__dict__.items())
        assert fast.model_fields_set == slow.model_fields_set == values.keys()
        assert fast == slow
        assert fast.model_dump_json() == slow.model_dump_json()
    first, second = construct(Alert, **alert), construct(Alert, **alert)
    assert first.outlets is not second.outlets  # a default factory is called each time

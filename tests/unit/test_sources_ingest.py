"""The HTTP ingest service's pure parts: reading a body, checking the bearer token."""

from __future__ import annotations

import pytest

from streams.settings import Settings
from streams.sources.ingest import Invalid, bearer_ok, parse_body


def test_one_json_article_even_pretty_printed():
    (article,) = parse_body(b'{\n  "title": "Quay",\n  "text": "Body."\n}\n')
    assert article.title == "Quay"


def test_a_json_lines_batch():
    articles = parse_body(b'{"title": "a", "text": "x"}\n\n{"title": "b", "text": "y"}\n')
    assert [a.title for a in articles] == ["a", "b"]


def test_every_bad_line_is_reported_with_its_number_and_without_the_input():
    invalid = parse_body(b'{"title": "a"}\n{"title": 5}\nnot json\n{"published": "tomorrow"}\n')
    assert isinstance(invalid, Invalid)
    assert [(e["line"], e["loc"]) for e in invalid.errors] == [
        (2, ["title"]),
        (3, []),
        (4, ["published"]),
    ]
    assert all("input" not in e for e in invalid.errors)


def test_a_single_document_with_a_wrong_type_is_reported_as_line_one():
    invalid = parse_body(b'{"title": ["not", "a", "string"]}')
    assert isinstance(invalid, Invalid) and invalid.errors[0]["line"] == 1


@pytest.mark.parametrize("body", [b"", b"  \n"])
def test_an_empty_body_is_invalid(body):
    assert isinstance(parse_body(body), Invalid)


@pytest.mark.parametrize(
    ("header", "ok"),
    [
        ("Bearer s3cret-token", True),
        ("bearer s3cret-token", True),
        ("Bearer s3cret-toke", False),
        ("Bearer ", False),
        ("Basic s3cret-token", False),
        ("s3cret-token", False),
        (None, False),
    ],
)
def test_bearer_token(header, ok):
    assert bearer_ok(header, "s3cret-token") is ok


@pytest.mark.parametrize("token", ["changeme", "", " ", "<your token>", "TOKEN"])
def test_production_refuses_a_placeholder_token(token):
    with pytest.raises(ValueError, match="placeholder"):
        Settings(environment="production", sources={"ingest_token": token})


def test_a_real_token_or_a_development_machine_is_fine():
    chosen = Settings(environment="production", sources={"ingest_token": "k3p9-" + "x" * 30})
    assert chosen.sources.ingest_token is not None
    assert "k3p9" not in repr(chosen.sources)  # a SecretStr never prints
    assert Settings(sources={"ingest_token": "changeme"}).environment == "development"

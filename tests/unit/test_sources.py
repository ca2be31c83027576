import io

import pytest

from schemas import RawArticle
from streams.rejection import Rejected
from streams.sources.files import parse_bytes, read_paths


def _articles(where, suffix, data):
    return [item.article for item in parse_bytes(where, suffix, data)]


def test_plain_text_first_line_is_the_title():
    (article,) = _articles("a.txt", ".txt", b"\n\nHarbour reopens\n\nShips sail again.\n")
    assert isinstance(article, RawArticle)
    assert (article.title, article.text.strip()) == ("Harbour reopens", "Ships sail again.")


@pytest.mark.parametrize("suffix", [".jsonl", ""])
def test_json_lines_each_line_is_an_article_and_bad_lines_are_reported(suffix):
    data = b'{"title": "a", "text": "one"}\n\nnot json\n{"id": "x", "title": "b", "text": "two"}\n'
    items = list(parse_bytes("in", suffix, data))
    assert [i.where for i in items] == ["in:1", "in:3", "in:4"]
    assert isinstance(items[1].article, Rejected) and items[1].article.reason == "invalid_json"
    assert items[2].article.id == "x"


@pytest.mark.parametrize(("suffix", "data"), [(".html", b"<p>x</p>"), ("", b"  <html><p>x</p>")])
def test_html_is_passed_on_as_html(suffix, data):
    (article,) = _articles("p", suffix, data)
    assert article.html is not None and article.text is None


def test_empty_plain_text_is_rejected():
    assert _articles("e.txt", ".txt", b"  \n\n") == [Rejected("empty_text", "the file has no text")]


def test_stdin_is_read_for_dash():
    items = list(read_paths(["-"], io.BytesIO(b"Title\nBody.")))
    assert items[0].where == "<stdin>" and items[0].article.title == "Title"

import gzip
import io

import pytest

from schemas import RawArticle
from streams.rejection import Rejected
from streams.sources.files import expand, parse_bytes, read_paths, total_bytes


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


# Directories, gzip and streaming.

JSONL = b'{"title": "One", "text": "First body."}\n{"title": "Two", "text": "Second body."}\n'
HTML = b"<html><head><title>Page</title></head><body><p>Words.</p></body></html>"
TEXT = b"A plain title\n\nA plain body.\n"


def _tree(root):
    (root / "deep" / "deeper").mkdir(parents=True)
    (root / ".hidden").mkdir()
    (root / "a.jsonl").write_bytes(JSONL)
    (root / "deep" / "b.html.gz").write_bytes(gzip.compress(HTML))
    (root / "deep" / "deeper" / "c.txt.gz").write_bytes(gzip.compress(TEXT))
    (root / "deep" / "d.ndjson.gz").write_bytes(gzip.compress(JSONL))
    (root / "notes.pdf").write_bytes(b"%PDF-1.4 not an article")
    (root / ".secret.txt").write_bytes(TEXT)
    (root / ".hidden" / "e.txt").write_bytes(TEXT)
    return root


def test_a_directory_is_walked_recursively_for_article_files_only(tmp_path):
    names = [p.removeprefix(str(tmp_path) + "/") for p in expand([str(_tree(tmp_path))])]
    assert names == ["a.jsonl", "deep/b.html.gz", "deep/d.ndjson.gz", "deep/deeper/c.txt.gz"]


def test_every_format_is_read_also_when_gzipped(tmp_path):
    items = list(read_paths([str(_tree(tmp_path))], io.BytesIO()))
    by_where = {i.where.removeprefix(str(tmp_path) + "/"): i.article for i in items}
    assert set(by_where) == {
        "a.jsonl:1", "a.jsonl:2", "deep/b.html.gz", "deep/d.ndjson.gz:1",
        "deep/d.ndjson.gz:2", "deep/deeper/c.txt.gz",
    }  # fmt: skip
    assert by_where["deep/b.html.gz"].html.startswith("<html>")
    assert by_where["deep/deeper/c.txt.gz"].title == "A plain title"
    assert by_where["deep/d.ndjson.gz:2"].id == by_where["a.jsonl:2"].id


def test_ids_are_the_same_on_every_read_of_the_same_files(tmp_path):
    first = [i.article.id for i in read_paths([str(_tree(tmp_path))], io.BytesIO())]
    second = [i.article.id for i in read_paths([str(tmp_path)], io.BytesIO())]
    assert first == second and len(set(first)) == 4  # a.jsonl and d.ndjson.gz hold the same two


def test_gzipped_json_lines_on_stdin_are_sniffed():
    items = list(read_paths(["-"], io.BytesIO(gzip.compress(JSONL))))
    assert [i.where for i in items] == ["<stdin>:1", "<stdin>:2"]


def test_a_corrupt_file_is_one_rejected_item_and_the_rest_go_on(tmp_path):
    (tmp_path / "bad.jsonl.gz").write_bytes(gzip.compress(JSONL)[:30])
    (tmp_path / "good.txt").write_bytes(TEXT)
    items = list(read_paths([str(tmp_path)], io.BytesIO()))
    assert [type(i.article).__name__ for i in items] == ["Rejected", "RawArticle"]
    assert items[0].article.reason == "unreadable"


def test_a_missing_path_is_an_error_of_the_command_line(tmp_path):
    with pytest.raises(FileNotFoundError):
        expand([str(tmp_path / "nope.jsonl")])


def test_progress_counts_the_bytes_read_from_disk(tmp_path):
    paths = expand([str(_tree(tmp_path))])
    counted = []
    list(read_paths(paths, io.BytesIO(), counted.append))
    assert sum(counted) == total_bytes(paths) > 0
    assert total_bytes([*paths, "-"]) is None


def test_json_lines_are_streamed_not_read_whole(tmp_path):
    path = tmp_path / "many.jsonl"
    path.write_bytes(JSONL * 5000)  # about 350 KB
    counted = []
    first = next(iter(read_paths([str(path)], io.BytesIO(), counted.append)))
    assert first.where.endswith(":1") and sum(counted) < path.stat().st_size

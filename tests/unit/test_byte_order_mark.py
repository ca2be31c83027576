"""A UTF-8 byte-order mark (what Windows tools put first in a file) is not part of the input.

Every reader gives the same articles with or without one: files of every format (also
gzipped), stdin, lines of files concatenated with `cat`, HTTP ingest bodies and fetched pages.
"""

from __future__ import annotations

import codecs
import gzip
import io
import json
import sys
from pathlib import Path

import pytest

from schemas import RawArticle
from streams.cli import main
from streams.codec import decode
from streams.rejection import Rejected
from streams.sources.feeds import FeedSpec, parse_feed
from streams.sources.fetch import decode_html
from streams.sources.files import read_paths
from streams.sources.ingest import parse_body
from streams.sources.opml import parse_opml

BOM = codecs.BOM_UTF8
BODY = "Ferry crossings to the island resume after the storm damaged the quay last week."
BODY2 = "Engineers finished repairing the quay on Tuesday, two days earlier than planned."
JSONL = (
    b'{"title": "Ferries resume", "text": "' + BODY.encode() + b'"}\n'
    b'{"title": "Quay repaired", "text": "' + BODY2.encode() + b'"}\n'
)
JSON = b'{"title": "Ferries resume", "text": "' + BODY.encode() + b'"}'
PRETTY = b'{\n  "title": "Ferries resume",\n  "text": "' + BODY.encode() + b'"\n}\n'
TEXT = b"Ferries resume\n\n" + BODY.encode() + b"\n"
HTML = b"<html><head><title>Ferries resume</title></head><body><p>%s</p></body></html>" % (
    BODY.encode()
)
FORMATS = {"a.jsonl": JSONL, "a.json": JSON, "a.txt": TEXT, "a.html": HTML}


def _articles(items) -> list[RawArticle]:
    return [item.article for item in items]


@pytest.mark.parametrize("name", sorted(FORMATS))
@pytest.mark.parametrize("gzipped", [False, True])
def test_a_file_with_a_bom_gives_the_same_articles_as_without(tmp_path: Path, name, gzipped):
    data = FORMATS[name]
    plain, marked = tmp_path / "plain", tmp_path / "marked"
    plain.mkdir(), marked.mkdir()
    suffix = ".gz" if gzipped else ""
    (plain / f"{name}{suffix}").write_bytes(gzip.compress(data) if gzipped else data)
    (marked / f"{name}{suffix}").write_bytes(gzip.compress(BOM + data) if gzipped else BOM + data)
    expected = _articles(read_paths([str(plain)], io.BytesIO()))
    assert all(isinstance(article, RawArticle) for article in expected)
    assert _articles(read_paths([str(marked)], io.BytesIO())) == expected


@pytest.mark.parametrize("name", sorted(FORMATS))
@pytest.mark.parametrize("gzipped", [False, True])
def test_stdin_with_a_bom_is_sniffed_and_read_as_without(name, gzipped):
    data = FORMATS[name]

    def stdin(value: bytes) -> list[RawArticle]:
        stream = io.BytesIO(gzip.compress(value) if gzipped else value)
        return _articles(read_paths(["-"], stream))

    expected = stdin(data)
    assert all(isinstance(article, RawArticle) for article in expected)
    assert stdin(BOM + data) == expected


def test_files_concatenated_with_cat_keep_every_line():
    (first, second) = JSONL.splitlines(keepends=True)
    items = list(read_paths(["-"], io.BytesIO(BOM + first + BOM + second)))
    assert [a.title for a in _articles(items)] == ["Ferries resume", "Quay repaired"]


def test_a_record_with_a_bom_decodes():
    assert decode(RawArticle, BOM + JSONL.splitlines()[0]) == decode(
        RawArticle, JSONL.splitlines()[0]
    )


@pytest.mark.parametrize("body", [PRETTY, JSONL, JSONL.replace(b"\n{", b"\n" + BOM + b"{")])
def test_an_http_ingest_body_with_a_bom_is_accepted(body):
    assert parse_body(BOM + body) == parse_body(body.replace(BOM, b""))
    assert isinstance(parse_body(BOM + body), list)


def test_a_fetched_page_s_bom_is_not_text_and_outranks_a_declared_charset():
    page = "<p>Kyiv – Київ</p>".encode()
    assert decode_html(BOM + page, "text/html; charset=windows-1252") == page.decode()
    assert decode_html(BOM + page, None) == page.decode()


def test_process_keeps_the_first_record_of_a_file_with_a_bom(tmp_path: Path, capsys):
    (tmp_path / "plain.jsonl").write_bytes(JSONL)
    (tmp_path / "marked.jsonl").write_bytes(BOM + JSONL)
    assert main(["process", str(tmp_path / "plain.jsonl")]) == 0
    expected = capsys.readouterr()
    assert main(["process", str(tmp_path / "marked.jsonl")]) == 0
    got = capsys.readouterr()
    assert got.err == expected.err == ""
    assert len(got.out.splitlines()) == 2 and _unstamped(got.out) == _unstamped(expected.out)


def _unstamped(out: str) -> list[dict[str, object]]:
    """The printed articles without `ingested`, which is the time of the run."""
    articles = [json.loads(line) for line in out.splitlines()]
    return [{k: v for k, v in article.items() if k != "ingested"} for article in articles]


def test_a_dropped_record_is_one_line_on_stderr_ending_in_a_newline(tmp_path: Path, capsys):
    bad = tmp_path / "bad\x1b[2J\nname.jsonl"
    bad.write_bytes(BOM + b"not json\n" + JSONL)
    assert main(["process", str(bad)]) == 0
    err = capsys.readouterr().err
    assert err.endswith("\n") and err.count("\n") == 1
    assert "\x1b" not in err and "invalid_json" in err


def test_process_reads_stdin_with_a_bom_as_json_lines(monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(BOM + JSONL)))
    assert main(["process", "-"]) == 0
    out = capsys.readouterr().out
    assert '"title":"Ferries resume"' in out and '"title":"Quay repaired"' in out


def test_feed_and_opml_documents_with_a_bom_are_read_by_their_parsers():
    """feedparser and ElementTree decode these themselves and skip the mark: pinned here."""
    feed = b'<rss version="2.0"><channel><title>Port news</title><item><title>Ferries resume'
    feed += b"</title><link>https://port.example/ferries</link></item></channel></rss>"
    parsed = parse_feed(BOM + feed, "https://port.example/rss")
    assert not isinstance(parsed, Rejected) and parsed.articles[0].title == "Ferries resume"
    opml = b'<opml version="2.0"><body><outline xmlUrl="https://port.example/rss"/></body></opml>'
    assert parse_opml(BOM + opml) == [FeedSpec("https://port.example/rss")]

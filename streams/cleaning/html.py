"""HTML to paragraphs with the standard library: page furniture out, block text in."""

from __future__ import annotations

from html.parser import HTMLParser

# Elements whose content is never article text.
_SKIPPED = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "nav",
        "header",
        "footer",
        "aside",
        "form",
        "button",
        "svg",
        "iframe",
        "select",
        "figcaption",
    }
)
# Elements that end a paragraph.
_BLOCKS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "table",
        "tr",
        "br",
        "hr",
        "figure",
        "dd",
        "dt",
    }
)
_VOID = frozenset({"br", "hr", "img", "meta", "link", "input", "source", "wbr", "area", "col"})


class _Extractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.title = ""
        self.h1 = ""
        self._skip_depth = 0
        self._current: list[str] = []
        self._in: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID:
            if tag in _BLOCKS:
                self._flush()
            return
        self._in.append(tag)
        if tag in _SKIPPED:
            self._skip_depth += 1
        elif tag in _BLOCKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag not in self._in:
            return
        while self._in:
            closed = self._in.pop()
            if closed in _SKIPPED:
                self._skip_depth -= 1
            if closed == tag:
                break
        if tag in _BLOCKS or tag == "title":
            self._flush(tag)

    def handle_data(self, data: str) -> None:
        if (self._skip_depth == 0 and "head" not in self._in) or "title" in self._in[-1:]:
            self._current.append(data)

    def _flush(self, closing: str = "") -> None:
        text = " ".join("".join(self._current).split())
        self._current = []
        if not text:
            return
        if closing == "title":
            self.title = self.title or text
        elif closing == "h1" and not self.h1:
            self.h1 = text
        else:
            self.paragraphs.append(text)


def html_to_text(html: str) -> tuple[str, str]:
    """(title, text): the page's title and its block text, one paragraph per line."""
    parser = _Extractor()
    parser.feed(html)
    parser.close()
    parser._flush()
    return parser.h1 or parser.title, "\n\n".join(parser.paragraphs)

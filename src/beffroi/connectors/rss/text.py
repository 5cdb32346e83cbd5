"""HTML to plain text, for feed entries (the moderation engine and the veille read plain text)."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

_BLOCK = frozenset(
    {"p", "div", "br", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "table",
     "section", "article", "header", "footer", "figure", "figcaption", "pre", "hr", "dd", "dt"}
)
_SKIP = frozenset({"script", "style", "noscript", "template", "iframe", "svg", "head"})


class _Stripper(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP:
            self.skipping += 1
        elif tag in _BLOCK:
            self.parts.append("\n")
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.parts.append(f" {alt} ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BLOCK:
            self.parts.append("\n")
        elif tag == "img":
            self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in _BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(value: str) -> str:
    """Visible text of an HTML fragment: tags dropped (scripts and styles with their content), entities
    decoded, paragraphs kept as line breaks, runs of spaces collapsed."""
    if not value:
        return ""
    if "<" not in value and "&" not in value:
        text = value
    else:
        stripper = _Stripper()
        try:
            stripper.feed(value)
            stripper.close()
            text = "".join(stripper.parts)
        except Exception:  # malformed markup: fall back to a crude strip
            text = html.unescape(re.sub(r"<[^>]*>", " ", value))
    lines = [" ".join(line.split()) for line in text.replace("\xa0", " ").splitlines()]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()

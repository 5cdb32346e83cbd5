"""Showing a connector's GUIDE.fr.md in the accounts screen: a small, safe Markdown subset.

Supported: ``#`` headings, paragraphs, ``-``/``*`` and ``1.`` lists, ``>`` notes, fenced code, inline
``code``, ``**bold**``, ``*italic*`` and ``[links](https://…)``. Everything is HTML-escaped first, so a
guide cannot inject markup; links only to http(s) or relative addresses.
"""

from __future__ import annotations

import html
import re

_LINK = re.compile(r"\[([^\]]+)\]\(((?:https?://|/)[^)\s]+)\)")
_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*([^*]+)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*([^*\s][^*]*)\*(?!\*)")


def _inline(text: str) -> str:
    out = html.escape(text, quote=True)
    out = _CODE.sub(r"<code>\1</code>", out)
    out = _LINK.sub(lambda m: f'<a href="{m.group(2)}" rel="noopener noreferrer">{m.group(1)}</a>', out)
    out = _BOLD.sub(r"<strong>\1</strong>", out)
    return _ITALIC.sub(r"<em>\1</em>", out)


def render_guide(markdown: str) -> str:
    lines = markdown.splitlines()
    out: list[str] = []
    paragraph: list[str] = []
    list_tag: str | None = None
    in_code = False
    code: list[str] = []

    def flush_paragraph() -> None:
        if paragraph:
            out.append("<p>" + _inline(" ".join(paragraph)) + "</p>")
            paragraph.clear()

    def close_list() -> None:
        nonlocal list_tag
        if list_tag:
            out.append(f"</{list_tag}>")
            list_tag = None

    for line in lines:
        stripped = line.strip()
        if stripped.startswith("```"):
            if in_code:
                out.append("<pre><code>" + html.escape("\n".join(code)) + "</code></pre>")
                code.clear()
                in_code = False
            else:
                flush_paragraph()
                close_list()
                in_code = True
            continue
        if in_code:
            code.append(line)
            continue
        heading = re.match(r"^(#{1,4})\s+(.*)$", stripped)
        bullet = re.match(r"^[-*]\s+(.*)$", stripped)
        numbered = re.match(r"^\d+[.)]\s+(.*)$", stripped)
        if not stripped:
            flush_paragraph()
            close_list()
        elif heading:
            flush_paragraph()
            close_list()
            level = min(4, len(heading.group(1)) + 1)  # the page's <h1> is the platform's name
            out.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif bullet or numbered:
            flush_paragraph()
            tag = "ul" if bullet else "ol"
            if list_tag != tag:
                close_list()
                out.append(f"<{tag}>")
                list_tag = tag
            out.append("<li>" + _inline((bullet or numbered).group(1)) + "</li>")  # type: ignore[union-attr]
        elif stripped.startswith(">"):
            flush_paragraph()
            close_list()
            out.append('<p class="note">' + _inline(stripped.lstrip("> ")) + "</p>")
        elif list_tag and line.startswith(("  ", "\t")):
            out[-1] = out[-1][: -len("</li>")] + " " + _inline(stripped) + "</li>"
        else:
            close_list()
            paragraph.append(stripped)
    flush_paragraph()
    close_list()
    if in_code:
        out.append("<pre><code>" + html.escape("\n".join(code)) + "</code></pre>")
    return "\n".join(out)

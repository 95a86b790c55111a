"""The section's Markdown as blocks — headings, paragraphs and pipe tables — which is all the
report template produces and all the Word writer needs; and the escaping that keeps user text
(names, reasons, notes) inert in that Markdown (issue 16).

`escape` makes text from inspection files or criteria literal Markdown: no table column, link,
emphasis, heading or HTML can come out of a name, in report.md or in any Markdown viewer. `parse`
undoes it, so the Word document (and the web page) built from the blocks shows every name as it
was written: unescape(escape(text)) == text for any text without line breaks (a line break
cannot stand in a table cell; it becomes a space)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
# Backslash-escaped anywhere: what makes a table column, code, emphasis, a link, or an escape.
_INLINE = re.compile(r"([\\`*_\[\]|~])")
# Escaped at the start of a value, where a line could begin with it: a heading, a list item, a
# rule or setext underline (each needs a space or the end after it: "-0.5" and "3#楼" stay as
# they are).
_LEADING = re.compile(r"^(?:#{1,6}|[-+]|\d+(?=[.)]))(?:[.)]?)(?=\s|$)|^[-=]+\s*$")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}  # HTML tags and entities, in every Markdown
_BREAKS = re.compile("[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")  # what str.splitlines splits at
_UNESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])|&(amp|lt|gt);")
_CHARS = {"amp": "&", "lt": "<", "gt": ">"}
_SEPARATOR = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")


@dataclass
class Block:
    """One heading (level 1–6), paragraph or table."""

    kind: str  # heading | paragraph | table
    text: str = ""
    level: int = 0
    rows: list[list[str]] = field(default_factory=list)


def escape(text: str) -> str:
    """`text` as literal Markdown (inline, in a paragraph, heading or table cell)."""
    text = _BREAKS.sub(" ", text)
    text = "".join(_ENTITIES.get(ch, ch) for ch in text) if any(ch in text for ch in "&<>") else text
    text = _INLINE.sub(r"\\\1", text)
    if _LEADING.match(text):  # "1. " → "1\. ": the escape goes before the marker's last character
        digits = len(text) - len(text.lstrip("0123456789"))
        text = text[:digits] + "\\" + text[digits:]
    return text


def unescape(text: str) -> str:
    """Markdown text as it reads: backslash escapes and &amp; &lt; &gt; undone (CommonMark)."""
    if "\\" not in text and "&" not in text:
        return text
    return _UNESCAPE.sub(lambda m: m.group(1) or _CHARS[m.group(2)], text)


def _cells(line: str) -> list[str]:
    """A table row's cells as they read: split at every `|` that is not escaped."""
    cells, cell, escaped = [], [], False
    for ch in line.strip():
        if escaped:
            cell.append(ch)
            escaped = False
        elif ch == "\\":
            cell.append(ch)
            escaped = True
        elif ch == "|":
            cells.append("".join(cell))
            cell = []
        else:
            cell.append(ch)
    cells.append("".join(cell))
    if cells and not cells[0].strip():  # the row's leading and closing pipes
        cells = cells[1:]
    if len(cells) > 1 and not cells[-1].strip():
        cells = cells[:-1]
    return [unescape(c.strip()) for c in cells]


def parse(markdown: str) -> list[Block]:
    """Headings, paragraphs (consecutive lines joined) and pipe tables (the separator dropped)."""
    blocks: list[Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Block("paragraph", unescape("".join(paragraph))))
            paragraph.clear()

    for raw in markdown.splitlines():
        line = raw.strip()
        heading = _HEADING.match(line)
        if not line:
            flush()
        elif heading:
            flush()
            blocks.append(Block("heading", unescape(heading.group(2).strip()), len(heading.group(1))))
        elif line.startswith("|"):
            flush()
            if _SEPARATOR.match(line):
                continue
            if not blocks or blocks[-1].kind != "table" or not blocks[-1].rows:
                blocks.append(Block("table"))
            blocks[-1].rows.append(_cells(line))
        else:
            paragraph.append(line)
    flush()
    # Two tables separated only by a blank line are two tables; a table ends at a blank line.
    return blocks

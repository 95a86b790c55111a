"""The section's Markdown as blocks — headings, paragraphs and pipe tables — which is all the
report template produces and all the Word writer needs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")
_SEPARATOR = re.compile(r"^\|?\s*:?-{3,}:?\s*(\|\s*:?-{3,}:?\s*)*\|?$")


@dataclass
class Block:
    """One heading (level 1–6), paragraph or table."""

    kind: str  # heading | paragraph | table
    text: str = ""
    level: int = 0
    rows: list[list[str]] = field(default_factory=list)


def _cells(line: str) -> list[str]:
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line.strip().strip("|"))]


def parse(markdown: str) -> list[Block]:
    """Headings, paragraphs (consecutive lines joined) and pipe tables (the separator dropped)."""
    blocks: list[Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            blocks.append(Block("paragraph", "".join(paragraph)))
            paragraph.clear()

    for raw in markdown.splitlines():
        line = raw.strip()
        heading = _HEADING.match(line)
        if not line:
            flush()
        elif heading:
            flush()
            blocks.append(Block("heading", heading.group(2).strip(), len(heading.group(1))))
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

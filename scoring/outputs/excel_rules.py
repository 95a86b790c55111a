"""Excel's limits, and the rules user text must follow wherever it lands in a generated
workbook: a cell, a sheet name, a formula's string, a page header, a drop-down's prompt.

Excel counts text in UTF-16 units (an emoji is two) and refuses — or "repairs" away — a sheet of
more than 1,048,576 rows or 16,384 columns, a cell of more than 32,767 units, a sheet name of
more than 31 units or with `[]:*?/\\`, a string constant in a formula of more than 255 units, and
a page header of more than 255. XML cannot hold a lone surrogate, U+FFFE/U+FFFF or most control
characters at all. Everything here keeps user text inside those rules and says so where it
cuts (TRUNCATED), so nothing is lost without a word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from scoring.text import NOT_XML, SURROGATES, UNWRITABLE

TRUNCATED = "…（已截断）"  # ends a cell's text that was cut to Excel's limit
MAX_SHEET_NAME = 31
MAX_FORMULA_STRING = 255  # a string constant inside a formula
MAX_FORMULA = 8192
MAX_HEADER_FOOTER = 255  # a page header or footer, codes included
MAX_PROMPT_TITLE = 32  # a data validation's input/error title
MAX_PROMPT = 255  # a data validation's input/error message
MAX_ROW_HEIGHT = 409.0  # points
RESERVED_SHEET_NAMES = {"history"}  # Excel keeps "History" for a shared workbook's change log

_SURROGATE = re.compile(f"[{SURROGATES}]")
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\\x00-\x1f" + NOT_XML + "]")  # Excel's, controls and NOT_XML


@dataclass(frozen=True)
class SheetLimits:
    """The most one sheet holds. Excel's own by default; tests lower them to exercise what
    happens beyond without writing a million rows."""

    rows: int = 1_048_576
    columns: int = 16_384
    text: int = 32_767  # UTF-16 units in one cell

    def __post_init__(self) -> None:
        if self.rows < 2 or self.columns < 2 or self.text < 16:  # a header and a row; a name and a value
            raise ValueError(f"limits too small to hold a table: {self}")


EXCEL = SheetLimits()


def utf16_len(text: str) -> int:
    """The length Excel counts: characters beyond U+FFFF take two units."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF) if not text.isascii() else len(text)


def clip(text: str, limit: int, mark: str = "…") -> str:
    """`text` cut to at most `limit` UTF-16 units, ending in `mark` when cut."""
    if len(text) <= limit // 2 or utf16_len(text) <= limit:
        return text
    room, units = limit - utf16_len(mark), 0
    for n, ch in enumerate(text):
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > room:
            return text[:n] + mark
    return text  # not reached: the text was longer than the limit


def cell_text(text: str, limit: int = EXCEL.text) -> str:
    """Text for a cell: a lone surrogate (no character; UTF-8 cannot hold it) as U+FFFD, and at
    most `limit` units, visibly truncated. Control characters stay: the writers escape them."""
    if _SURROGATE.search(text):
        text = _SURROGATE.sub("\ufffd", text)
    return clip(text, limit, TRUNCATED)


def plain_text(text: str, limit: int | None = None) -> str:
    """Text for where Excel takes no escapes (attributes such as prompts; headers): every
    character XML cannot hold as U+FFFD, at most `limit` units ending in "…"."""
    if UNWRITABLE.search(text):
        text = UNWRITABLE.sub("\ufffd", text)
    return text if limit is None else clip(text, limit)


def formula_string(text: str) -> str | None:
    """`text` as a string expression in a formula: quoted, each `"` doubled, split into
    constants of at most 255 units joined by `&`; None when it cannot be one (a character XML
    cannot hold, or longer than a formula may be) — then the formula is better left out."""
    if UNWRITABLE.search(text) or "\n" in text or "\r" in text or "\t" in text:
        return None
    parts: list[str] = []
    current: list[str] = []
    units = 0
    for ch in text:
        size = (2 if ch == '"' else 1) * (2 if ord(ch) > 0xFFFF else 1)
        if units + size > MAX_FORMULA_STRING:
            parts.append("".join(current))
            current, units = [], 0
        current.append('""' if ch == '"' else ch)
        units += size
    parts.append("".join(current))
    formula = "&".join(f'"{part}"' for part in parts)
    return formula if utf16_len(formula) <= MAX_FORMULA else None


def header_footer(text: str, limit: int) -> str:
    """Text for a page header or footer: `&` doubled (it starts a code there), no character XML
    cannot hold, at most `limit` units after doubling ("…" when cut), never ending in a lone `&`."""
    out = plain_text(text).replace("&", "&&")
    if utf16_len(out) <= limit:
        return out
    out = clip(out, limit)
    body = out[:-1]
    trailing = len(body) - len(body.rstrip("&"))
    return (body[:-1] if trailing % 2 else body) + "…"


def sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unique sheet name made from `name` (which may be user text): no `[]:*?/\\` or
    control characters, at most 31 units, not blank, not starting or ending with `'`, not the
    reserved "History", unique ignoring case — a second `X` becomes `X(2)`. Adds it to `taken`."""
    base = _BAD_SHEET_CHARS.sub("_", name)
    folded = {t.lower() for t in taken} | RESERVED_SHEET_NAMES
    n = 1
    while True:
        suffix = f"({n})" if n > 1 else ""
        candidate = clip(base, MAX_SHEET_NAME - len(suffix), "").strip("'") or "Sheet"
        candidate += suffix
        if candidate.lower() not in folded:
            taken.add(candidate)
            return candidate
        n += 1

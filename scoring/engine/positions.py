"""Positions as the user sees them: 1-based Excel rows and column letters. Nothing else in the
toolkit does this arithmetic."""

from __future__ import annotations

import re

_CELL = re.compile(r"^([A-Z]+)(\d+)$")


def column_letter(index: int) -> str:
    """0-based column index → Excel letters (0 → A, 25 → Z, 26 → AA)."""
    if index < 0:
        raise ValueError(index)
    letters = ""
    n = index + 1
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(ord("A") + rem) + letters
    return letters


def cell_ref(column: int, row: int) -> str:
    """0-based column index and 1-based Excel row → `F12`."""
    return f"{column_letter(column)}{row}"


def column_index(letters: str) -> int:
    """Excel letters → 0-based column index (A → 0, AA → 26)."""
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - ord("A") + 1
    return n - 1


def cell_sort_key(cell: str | None) -> tuple[int, int]:
    """(row, column) of a cell like `F12`, for listing issues row by row; (0, 0) otherwise."""
    match = _CELL.match(cell or "")
    if not match:
        return (0, 0)
    return (int(match.group(2)), column_index(match.group(1)))

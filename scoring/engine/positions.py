"""Positions as the user sees them: 1-based Excel rows and column letters. Nothing else in the
toolkit does this arithmetic."""

from __future__ import annotations


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

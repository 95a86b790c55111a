"""Values as a clerk types them into the 标准编制表 and the register workbook: 是/否 and √/×,
full-width digits, "3分", "90%", dates as dates or as 2026-01-01 / 2026年1月1日.

Each parser returns the value, None for a blank cell, or raises `CellError` with what was
expected (the caller names the sheet, cell and item).
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from scoring import marks
from scoring.engine.dates import parse_date
from scoring.text import normalise

_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_EXCEL_ERROR = re.compile(r"^#[A-Z0-9/!?]+$")


class CellError(ValueError):
    """A cell whose value is not of the kind its column needs; `expected` says what is."""

    def __init__(self, expected: str, shown: str) -> None:
        super().__init__(expected)
        self.expected = expected
        self.shown = shown


def shown(value: Any) -> str:
    """A cell value as text for messages (numbers without a trailing .0)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not normalise(value))


def _check_plain(value: Any, expected: str) -> None:
    """Excel error values and formulas without a saved result are never data."""
    text = shown(value)
    if text == "NO_RESULT" or (isinstance(value, str) and _EXCEL_ERROR.match(value.strip())):
        raise CellError(f"{expected}（单元格是公式错误值或没有保存计算结果，请在 Excel/WPS 中改正后保存）", text)


def text(value: Any) -> str | None:
    """Free text, trimmed; numbers as typed (1 not 1.0)."""
    if _blank(value):
        return None
    _check_plain(value, "文字")
    if isinstance(value, bool):
        return "是" if value else "否"
    return shown(value).strip()


def _plain(d: Decimal) -> Decimal:
    """5.0 → 5, 2.50 → 2.5: the number as the office reads it (and as messages show it)."""
    return d.to_integral_value() if d == d.to_integral_value() else d.normalize()


def number(value: Any, expected: str = "数字") -> Decimal | None:
    """An exact number from a number cell or text like `３`, ` 3分 `, `2.5`."""
    found = _number(value, expected)
    return None if found is None else _plain(found)


def _number(value: Any, expected: str) -> Decimal | None:
    if _blank(value):
        return None
    _check_plain(value, expected)
    if isinstance(value, (bool, date, datetime)):
        raise CellError(expected, shown(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CellError(expected, shown(value))
        return Decimal(repr(value))
    cleaned = normalise(str(value)).removesuffix("分").strip()
    if not _NUMBER.match(cleaned):
        raise CellError(expected, shown(value))
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        raise CellError(expected, shown(value)) from None


def integer(value: Any, expected: str = "0 或正整数") -> int | None:
    """A whole number ≥ 0 (名额)."""
    n = number(value, expected)
    if n is None:
        return None
    if n < 0 or n != n.to_integral_value():
        raise CellError(expected, shown(value))
    return int(n)


def yes_no(value: Any) -> bool | None:
    """是/否, √/×, Y/N, TRUE/FALSE, 1/0, 有/无 — the marks the engine accepts."""
    if _blank(value):
        return None
    if isinstance(value, bool):
        return value
    found = marks.check_value(normalise(shown(value)))
    if found is None:
        raise CellError("“是”或“否”（也认 √/×）", shown(value))
    return found


def choice(value: Any, labels: dict[str, str], expected: str) -> str | None:
    """A value from a closed list: the office's word (or the JSON word) → the JSON word."""
    if _blank(value):
        return None
    key = normalise(shown(value))
    for json_word, word in labels.items():
        if key in (word, json_word):
            return json_word
    raise CellError(expected, shown(value))


def iso_date(value: Any) -> str | None:
    """A date cell, or 2026-01-01, 2026/1/1, 2026年1月1日 → 2026-01-01."""
    if _blank(value):
        return None
    _check_plain(value, "日期")
    found = parse_date(value)
    if found is None:
        raise CellError("日期，如 2026-01-01", shown(value))
    return found.isoformat()


def rate(text_value: str) -> Decimal | None:
    """90% or 0.9 → 0.9 (a number above 1 is read as a percentage); None when not a number."""
    cleaned = normalise(text_value).strip()
    percent = cleaned.endswith("%")
    cleaned = cleaned.removesuffix("%").strip()
    if not _NUMBER.match(cleaned):
        return None
    value = Decimal(cleaned)
    return _plain(value / 100 if percent or value > 1 else value)

"""Inspection dates as the office types them: date cells, Excel serial numbers, 2023-03-05,
2023/3/5, 2023.3.5, 2023年3月5日, 20230305 (a time of day is ignored)."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from typing import Any

from scoring.text import normalise

_EXCEL_EPOCH = date(1899, 12, 30)  # serial 1 = 1900-01-01, counting Excel's phantom 1900-02-29
_EPOCH_1904 = date(1904, 1, 1)  # workbooks saved with the 1904 date system (old Mac Excel)
_SERIAL_RANGE = (20000, 80000)  # 1954 .. 2119: anything else is not a plausible inspection date
_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T].*)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?(?:\s.*)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)


def parse_date(value: Any, date1904: bool = False) -> date | None:
    """The date a cell holds, or None when it holds no recognisable date. A bare serial number
    counts from the workbook's date system."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        if _SERIAL_RANGE[0] <= value < _SERIAL_RANGE[1] and float(value).is_integer():
            return (_EPOCH_1904 if date1904 else _EXCEL_EPOCH) + timedelta(days=int(value))
        return None
    if not isinstance(value, str):
        return None
    text = normalise(value)
    for pattern in _PATTERNS:
        match = pattern.match(text)
        if match:
            year, month, day = (int(g) for g in match.groups()[:3])
            try:
                return date(year, month, day)
            except ValueError:
                return None
    return None

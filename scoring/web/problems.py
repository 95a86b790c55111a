"""The problem table of the 评分 page: every issue of a run that could not be scored, one row
each (file, sheet, cell, item, the value written, what to write, the message), sortable by any
column. The value and the expectation are read back out of the message by the catalogue's own
template for the issue's code, so the table says exactly what the command line says."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from scoring.engine.positions import cell_sort_key
from scoring.issues import CATALOGUE, Issue

COLUMNS = {"file": "文件", "sheet": "工作表", "cell": "单元格", "community": "社区", "courtyard": "楼院",
           "item": "项目", "value": "填写值", "expected": "应填", "message": "问题"}
_ROW = re.compile(r"[A-Z]+(\d+)")
_FIELD = re.compile(r"\{(\w+)\}")


@dataclass(frozen=True)
class Problem:
    """One row of the problem table."""

    code: str
    level: str  # 错误 | 提示
    file: str
    sheet: str
    cell: str
    community: str  # of the cell's row, when the row is an inspection
    courtyard: str
    item: str
    value: str
    expected: str
    message: str

    def sort_key(self, column: str) -> tuple[object, ...]:
        """Cells sort by row then column, like Excel; everything else as text."""
        if column == "cell":
            return (self.file, self.sheet, *cell_sort_key(self.cell or None))
        return (str(getattr(self, column)),)


@cache
def _pattern(code: str) -> re.Pattern[str] | None:
    template = CATALOGUE.get(code)
    if template is None:
        return None
    seen: set[str] = set()
    parts: list[str] = []
    last = 0
    for match in _FIELD.finditer(template):
        parts.append(re.escape(template[last:match.start()]))
        name = match.group(1)
        parts.append(f"(?P={name})" if name in seen else f"(?P<{name}>.*?)")
        seen.add(name)
        last = match.end()
    parts.append(re.escape(template[last:]))
    return re.compile("".join(parts), re.DOTALL)


def cell_row(cell: str | None) -> int:
    """The Excel row of a cell like `AF12` (0 when there is none)."""
    match = _ROW.fullmatch(cell or "")
    return int(match.group(1)) if match else 0


def problem(issue: Issue, place: tuple[str, ...] = ("", "")) -> Problem:
    """An issue as a row of the table; `place` is the (社区, 楼院) of its row."""
    pattern = _pattern(issue.code)
    found = pattern.fullmatch(issue.message) if pattern else None
    fields = found.groupdict() if found else {}
    return Problem(issue.code, "错误" if issue.is_error else "提示", issue.file or "", issue.sheet or "",
                   issue.cell or "", place[0], place[1], issue.item or "", fields.get("value") or "",
                   fields.get("expected") or "", issue.message)


def problem_rows(issues: list[tuple[Issue, tuple[str, ...]]], sort: str | None = None,
                 descending: bool = False) -> list[Problem]:
    """The rows of (issue, (社区, 楼院)) pairs, in the order found, or sorted by `sort` (a key
    of COLUMNS)."""
    rows = [problem(i, place) for i, place in issues]
    if sort in COLUMNS:
        rows.sort(key=lambda p: p.sort_key(sort), reverse=descending)
    return rows

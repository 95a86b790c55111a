"""The problem table of the 评分 page: every issue of a run that could not be scored, one row
each (file, sheet, cell, 社区, 楼院, item, the value written, what to write, the message),
sortable by any column — the same Issue objects the command line prints."""

from __future__ import annotations

from dataclasses import dataclass

from scoring.engine.positions import cell_sort_key
from scoring.issues import Issue

COLUMNS = {"file": "文件", "sheet": "工作表", "cell": "单元格", "community": "社区", "courtyard": "楼院",
           "item": "项目", "value": "填写值", "expected": "应填", "message": "问题"}


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


def problem(issue: Issue) -> Problem:
    """An issue as a row of the table: its position, the 社区 and 楼院 of its row, the value
    written and what to write come with the issue itself."""
    return Problem(issue.code, "错误" if issue.is_error else "提示", issue.file or "", issue.sheet or "",
                   issue.cell or "", issue.community or "", issue.courtyard or "", issue.item or "",
                   issue.value or "", issue.expected or "", issue.message)


def problem_rows(issues: list[Issue], sort: str | None = None, descending: bool = False) -> list[Problem]:
    """The rows of the issues, in the order found, or sorted by `sort` (a key of COLUMNS)."""
    rows = [problem(i) for i in issues]
    if sort in COLUMNS:
        rows.sort(key=lambda p: p.sort_key(sort), reverse=descending)
    return rows

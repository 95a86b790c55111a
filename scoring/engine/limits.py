"""Limits that every input is held to before any reader parses it (docs/reliability.md): a hostile
or broken file is refused with a clear message instead of exhausting memory or time.

The defaults fit a city-wide year of inspections (100k rows × 50 columns) with room to spare;
`score run --max-cells/--max-sheets/--max-size` raise them. `refuse` is how every reader turns
one problem with an input into the error that stops reading it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scoring.errors import InvalidInputError
from scoring.files import MB
from scoring.issues import make

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
RAISE_CELLS = "可用 --max-cells 调高；通常是远处某个单元格有内容或格式，请删除多余的行列后另存"
RAISE_SIZE = "可用 --max-size 调高；文件可能已损坏或被恶意构造"


@dataclass(frozen=True)
class Limits:
    """Upper bounds for one input file."""

    max_size_mb: int = 1024  # the file on disk, and all parts of an .xlsx unpacked together
    max_sheets: int = 200
    max_cells: int = 20_000_000  # rows × columns that one sheet spans, and all sheets together

    @property
    def max_bytes(self) -> int:
        """max_size_mb in bytes."""
        return self.max_size_mb * MB


DEFAULT_LIMITS = Limits()


def refuse(file: str, code: str, sheet: str | None = None, **fields: Any) -> InvalidInputError:
    """The error that stops reading `file`: one issue of kind `code` (scoring.issues.make)."""
    issue = make(code, file=file, sheet=sheet, **fields)
    return InvalidInputError(issue.message, [issue])


def check_total_cells(file: str, total: int, sheets: int, limits: Limits) -> None:
    """Refuse a workbook whose sheets span more than --max-cells together (E129): the readers
    hold every sheet at once, so many sheets each within the limit still add up."""
    if total > limits.max_cells:
        raise refuse(file, "E129", detail=f"各工作表的数据范围合计 {total:,} 个单元格（{sheets} 个工作表）",
                     value=f"{total:,}", expected=f"{limits.max_cells:,} 个", advice=RAISE_CELLS)

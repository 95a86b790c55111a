"""What the tests of the 标准编制表 and the 法规库编制表 share: the bundled register, a workspace,
editing a workbook as a clerk would in Excel, finding a row, and any value a cell may hold."""

from __future__ import annotations

import warnings
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import strategies as st
from openpyxl import load_workbook

from scoring.criteria.standard import load_standard
from scoring.workspace import Workspace, init_workspace

REGISTER = load_standard(workspace=None).register


def workspace(tmp: Path) -> Workspace:
    return init_workspace(tmp / "ws", today=date(2026, 3, 1))


def edit(path: Path, changes: dict[tuple[str, str], Any]) -> None:
    """Change cells as a clerk would in Excel, and save."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl: data validation extensions are dropped
        book = load_workbook(path)
    for (sheet, cell), value in changes.items():
        book[sheet][cell] = value
    book.save(path)


def row_of(path: Path, sheet: str, column: str, value: str) -> int:
    """The Excel row whose cell in `column` holds `value`."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = load_workbook(path, read_only=True)
    try:
        for row in book[sheet].iter_rows(min_col=1, max_col=20):
            for cell in row:
                if getattr(cell, "column_letter", None) == column and cell.value == value:
                    return int(cell.row)
    finally:
        book.close()
    raise AssertionError(f"{value} not in {sheet}!{column}")


CELL_VALUES = st.one_of(
    st.none(), st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),  # as Excel holds them
    st.integers(-5, 200), st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(), st.dates(), st.sampled_from(["=1+1", "#N/A", "３分", "√", "×", "《》", "《民法典》", "选项",
                                                "2026年2月30日", "不适用", "\n", "；；", "1e400"]))


def table_rows(out: str) -> list[list[str]]:
    """The rows of the rich tables printed, cell texts stripped."""
    return [[c.strip() for c in line.strip("│").split("│")] for line in out.splitlines() if line.startswith("│")]

"""Plain tables (a title, headers and rows of text or numbers) and their renderings: a rich
table for the terminal, Markdown for the office's documents, and sheets of a workbook."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path, PureWindowsPath
from typing import TYPE_CHECKING, Any

from rich.table import Table as RichTable

from scoring.exact import percent

if TYPE_CHECKING:
    from scoring.outputs.excel_rules import SheetLimits


@dataclass
class Table:
    """A titled table; `formats` gives each column's number format ("" text, "score", "rate", "int")."""

    title: str
    headers: list[str]
    rows: list[list[Any]]
    formats: list[str] | None = None


def cell_text(value: Any, fmt: str = "") -> str:
    """A value as the office reads it: scores to 2 decimals, rates as %, changes signed."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (int, float)):
        if fmt == "score":
            return f"{value:.2f}"
        if fmt == "delta":
            return f"{value:+.2f}"
        if fmt == "rate":
            return percent(value, trim=False)
    return str(value)


def _texts(table: Table, row: list[Any]) -> list[str]:
    formats = table.formats or [""] * len(row)
    return [cell_text(v, f) for v, f in zip(row, formats, strict=True)]


@cache
def _file_name(path: str) -> str:
    return PureWindowsPath(path).name


def short_cells(cells: list[str]) -> str:
    """Source cells grouped by file and sheet, without folders:
    `D:\\检查\\一季度.xlsx › 检查记录!F12`, `…!F13` → `一季度.xlsx › 检查记录!F12、F13`."""
    if len(cells) == 1:  # the usual case: one file and sheet
        file, sep, rest = cells[0].partition(" › ")
        return f"{_file_name(file)}{sep}{rest}" if sep else rest
    groups: dict[str, list[str]] = {}
    for cell in cells:
        file, sep, rest = cell.partition(" › ")
        where, bang, ref = rest.rpartition("!") if sep else ("", "", cell)
        name = f"{_file_name(file)}{sep}{where}{bang}" if sep else ""
        groups.setdefault(name, []).append(ref)
    return "\n".join(f"{name}{'、'.join(refs)}" for name, refs in groups.items())


def to_rich(table: Table) -> RichTable:
    """A rich table for the terminal."""
    out = RichTable(title=table.title)
    for header in table.headers:
        out.add_column(header, overflow="fold")  # never cut a citation or a name short
    for row in table.rows:
        out.add_row(*_texts(table, row))
    return out


def to_markdown(table: Table) -> str:
    """A Markdown section with a pipe table."""
    def esc(text: str) -> str:
        return text.replace("|", "\\|").replace("\n", " ")

    lines = [f"### {table.title}", "", "| " + " | ".join(table.headers) + " |",
             "|" + "---|" * len(table.headers)]
    lines += ["| " + " | ".join(esc(t) for t in _texts(table, row)) + " |" for row in table.rows]
    if not table.rows:
        lines.append("| " + " | ".join(["（无）"] + [""] * (len(table.headers) - 1)) + " |")
    return "\n".join(lines) + "\n"


def write_workbook(tables: list[Table], path: Path, limits: SheetLimits | None = None) -> None:
    """Each table on its own sheet (or several, when beyond a sheet's `limits`: then a 说明 sheet
    at the end says which)."""
    from scoring.outputs.excel_rules import EXCEL
    from scoring.outputs.xlsx import Column, TableWriter, new_workbook

    book = new_workbook(path)
    try:
        out = TableWriter(book, limits=limits or EXCEL)
        for table in tables:
            formats = table.formats or [""] * len(table.headers)
            columns = [Column(h, f) for h, f in zip(table.headers, formats, strict=True)]
            out.table(table.title, columns, [[_cell(v) for v in row] for row in table.rows])
        if out.splits:
            out.table("说明", [Column("项目"), Column("内容", "wrap")],
                      [["分表", split.note()] for split in out.splits], landscape=False, keep=1)
    finally:
        book.close()


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return cell_text(value)

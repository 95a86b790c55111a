"""Read inspection files into raw sheets: rows of plain Python values, with their Excel rows.

Supported here: .xlsx/.xlsm (openpyxl read-only; defusedxml guards its XML) and .csv
(UTF-8 with or without BOM, or GB18030 as WPS writes it). Booleans become the text
TRUE/FALSE so that a TRUE cell is never mistaken for the number 1.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scoring.errors import InvalidInputError
from scoring.issues import Issue, make

EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
CSV_SUFFIXES = {".csv"}
SUPPORTED = EXCEL_SUFFIXES | CSV_SUFFIXES


@dataclass(frozen=True)
class RawSheet:
    """One sheet as read: `rows[i]` is Excel row `i + 1`."""

    file: str
    sheet: str | None  # None for CSV files
    rows: list[list[Any]]


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, str) and value == "":
        return None
    return value


def _read_excel(path: Path, shown: str) -> list[RawSheet]:
    import openpyxl  # imported here: CSV-only runs do not pay for it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        issue = make("E103", file=shown, detail=f"不是有效的 Excel 工作簿（{type(exc).__name__}）")
        raise InvalidInputError(issue.message, [issue]) from exc
    try:
        sheets = []
        for ws in book.worksheets:
            rows = [[_cell(v) for v in row] for row in ws.iter_rows(values_only=True)]
            sheets.append(RawSheet(shown, ws.title, rows))
        return sheets
    finally:
        book.close()


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (WPS's 'ANSI' on Chinese Windows)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("gb18030")


def _read_csv(path: Path, shown: str) -> list[RawSheet]:
    try:
        text = decode_text(path.read_bytes())
    except UnicodeDecodeError as exc:
        issue = make("E103", file=shown, detail="无法识别文件编码，请另存为 UTF-8 或 GB18030 编码的 CSV")
        raise InvalidInputError(issue.message, [issue]) from exc
    rows = [[_cell(v) for v in row] for row in csv.reader(io.StringIO(text, newline=""))]
    return [RawSheet(shown, None, rows)]


def expand_inputs(paths: list[Path]) -> tuple[list[Path], list[Issue]]:
    """Files named directly, and the supported files inside named folders (sorted)."""
    files: list[Path] = []
    issues: list[Issue] = []
    for path in paths:
        if path.is_dir():
            found = sorted(
                p for p in path.iterdir()
                if p.is_file() and p.suffix.lower() in SUPPORTED and not p.name.startswith("~$")
            )
            if not found:
                issues.append(make("E104", file=str(path)))
            files += found
        elif path.is_file():
            files.append(path)
        else:
            issues.append(make("E101", file=str(path), value=str(path)))
    return files, issues


def read_file(path: Path) -> list[RawSheet]:
    """All sheets of one file; InvalidInputError with a clear message when it cannot be read."""
    shown = str(path)
    suffix = path.suffix.lower()
    if suffix in EXCEL_SUFFIXES:
        return _read_excel(path, shown)
    if suffix in CSV_SUFFIXES:
        return _read_csv(path, shown)
    issue = make("E102", file=shown, value=path.suffix or path.name)
    raise InvalidInputError(issue.message, [issue])


def read_all(paths: list[Path]) -> Iterator[RawSheet | Issue]:
    """Every sheet of every input, or an Issue for an input that cannot be read."""
    for path in paths:
        try:
            yield from read_file(path)
        except InvalidInputError as exc:
            yield from exc.issues

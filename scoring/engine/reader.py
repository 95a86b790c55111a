"""Read inspection files into raw sheets: rows of plain Python values, with their Excel rows.

Every file goes through the pre-flight first (`sniff`, `limits`, `xlsx_package`, `xlsx_scan`, `xls_scan`): its
real format is taken from its bytes, its size and its sheets' true extent are bounded, and only
then does a parser see it; CSV is read streaming and bounded while it is read (`csv_text`).
Values are read by python-calamine (fast; also reads legacy .xls) or, as the fallback, openpyxl
in read-only mode (defusedxml guards its XML). Cells that calamine reads as
empty but are not — Excel error values and formulas saved without a result — are put back from
the scan, so neither becomes a blank or a 0. Booleans become the text TRUE/FALSE so that a TRUE
cell is never taken for the number 1; a vertical merged range gives its value to every row.
"""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from scoring.engine.csv_text import BAD_ENCODING, read_csv
from scoring.engine.limits import DEFAULT_LIMITS, Limits, refuse
from scoring.engine.sniff import ZIP_ERRORS, Kind, sniff
from scoring.engine.xls_scan import ENCRYPTED, scan_xls
from scoring.engine.xlsx_package import check_archive, check_directory_of, check_shared_parts, read_structure
from scoring.engine.xlsx_scan import OpenpyxlBudget, SheetScan, check_merges, check_total, scan_sheet
from scoring.errors import InvalidInputError
from scoring.files import FileRefused, check_regular, shown_path, size_text
from scoring.issues import Issue, make

SUPPORTED = {".xlsx", ".xlsm", ".xls", ".csv", ".txt"}
# The template's hidden sheet of drop-down choices (outputs/template.py): skipped without a word.
CHOICE_LISTS_SHEET = "下拉选项"
Backend = Literal["calamine", "openpyxl"]


class _NoResult:
    """A formula saved without its calculated value."""

    def __repr__(self) -> str:
        return "NO_RESULT"


NO_RESULT: Any = _NoResult()


@dataclass
class RawSheet:
    """One sheet as read: `rows[i]` is Excel row `i + 1`. An empty cell is None or ""; a
    boolean cell stays a bool (the engine reads it as the text TRUE/FALSE)."""

    file: str
    sheet: str | None  # None for CSV files
    rows: list[list[Any]]
    date1904: bool = False
    hidden_rows: list[int] = field(default_factory=list)


def _put(rows: list[list[Any]], row: int, col: int, value: Any) -> None:
    """Set 1-based row / 0-based column, growing the grid where a reader left it short."""
    while len(rows) < row:
        rows.append([])
    line = rows[row - 1]
    if len(line) <= col:
        line.extend([None] * (col + 1 - len(line)))
    line[col] = value


def _apply_scan(rows: list[list[Any]], scan: SheetScan) -> None:
    for (row, col), text in scan.errors.items():
        _put(rows, row, col, text)
    for row, col in scan.no_result:
        _put(rows, row, col, NO_RESULT)
    for r0, c0, r1, c1 in scan.merges:
        if r1 <= r0 or r0 > len(rows) or c0 >= len(rows[r0 - 1]):
            continue
        value = rows[r0 - 1][c0]
        for r in range(r0 + 1, min(r1, len(rows)) + 1):
            for c in range(c0, c1 + 1):
                if c >= len(rows[r - 1]) or rows[r - 1][c] in (None, ""):
                    _put(rows, r, c, value)


def _values_calamine(path: Path, names: list[str]) -> dict[str, list[list[Any]]]:
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_path(str(path))
    try:
        return {name: book.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in names}
    finally:
        book.close()


def _values_openpyxl(path: Path, names: list[str], budget: OpenpyxlBudget) -> dict[str, list[list[Any]]]:
    import openpyxl

    # openpyxl warns (in English) about features it drops, e.g. slicers and data validation
    # extensions; none of them carries inspection data, so the office never sees those.
    # The file is opened here, so that it is closed even when openpyxl fails while loading.
    with warnings.catch_warnings(), path.open("rb") as handle:
        warnings.simplefilter("ignore")
        book = openpyxl.load_workbook(handle, read_only=True, data_only=True)
        try:
            out = {}
            for name in names:
                sheet = book[name]
                sheet.reset_dimensions()  # never trust <dimension>: read-only mode would pad to it
                out[name] = budget.rows(name, sheet.iter_rows(values_only=True))
            return out
        finally:
            book.close()


def _read_values(path: Path, shown: str, names: list[str], backend: Backend,
                 limits: Limits) -> dict[str, list[list[Any]]]:
    """Cell values by sheet. calamine first when asked; where it cannot read a file that the
    scan passed (it is stricter about some number formats), openpyxl reads it instead, held
    to the cell limit row by row (it places cells by their row elements, which the scan of
    calamine's cells does not bound)."""
    if backend == "calamine":
        try:
            return _values_calamine(path, names)
        except Exception:  # a third-party parser meeting a damaged file: never crash
            pass
    try:
        return _values_openpyxl(path, names, OpenpyxlBudget(shown, limits))
    except InvalidInputError:
        raise
    except Exception:  # a third-party parser meeting a damaged file: never crash
        raise refuse(shown, "E103", detail="工作簿内容已损坏") from None


def _read_xlsx(path: Path, shown: str, limits: Limits, backend: Backend) -> tuple[list[RawSheet], list[Issue]]:
    issues: list[Issue] = []
    check_directory_of(path, shown)  # before zipfile reads the whole directory
    with zipfile.ZipFile(path) as archive:
        check_archive(archive, shown, limits)
        structure = read_structure(archive, shown, limits)
        visible = [entry for entry in structure.sheets if not entry.hidden]
        issues += [make("W207", file=shown, sheet=entry.name) for entry in structure.sheets
                   if entry.hidden and entry.name != CHOICE_LISTS_SHEET]
        scans = {entry.name: scan_sheet(archive, entry, shown, limits) for entry in visible}
        check_total(scans, shown, limits)
        check_shared_parts(archive, structure, scans, shown)
    for name, scan in scans.items():
        scan.merges = check_merges(scan, shown, name)
    values = _read_values(path, shown, list(scans), backend, limits)
    sheets = []
    for name, scan in scans.items():
        rows = values[name]
        _apply_scan(rows, scan)
        if scan.hidden_rows:
            listed = "、".join(f"第{r}行" for r in scan.hidden_rows[:5])
            more = f"等 {len(scan.hidden_rows)} 行" if len(scan.hidden_rows) > 5 else ""
            issues.append(make("W208", file=shown, sheet=name, value=listed + more))
        sheets.append(RawSheet(shown, name, rows, structure.date1904, scan.hidden_rows))
    return sheets, issues


def _read_xls(path: Path, shown: str, limits: Limits) -> tuple[list[RawSheet], list[Issue]]:
    listed = scan_xls(path, shown, limits)  # before calamine sees the file: it aborts on a lie
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    issues: list[Issue] = []
    try:
        book = CalamineWorkbook.from_path(str(path))
        try:
            # calamine lists every BOUNDSHEET record, in order, whatever its kind (worksheet,
            # chart, macro sheet, VBA module; any other kind is an error), as the pre-flight
            # does: other counts mean the two did not read the same file.
            metadata = book.sheets_metadata
            if len(metadata) != len(listed):
                raise ValueError("sheets differ from the pre-flight")
            names = [sheet.name for sheet in metadata]
            twice = next((name for name in names if names.count(name) > 1), None)
            if twice is not None:  # calamine keeps one of them: the other's rows would be read twice
                raise refuse(shown, "E103", detail=f"工作簿结构已损坏（有两个工作表都叫“{twice}”）")
            sheets = []
            for sheet in metadata:
                if sheet.typ in (SheetTypeEnum.ChartSheet, SheetTypeEnum.Vba):
                    continue  # a chart or a macro module: no cells
                if sheet.visible != SheetVisibleEnum.Visible:
                    issues.append(make("W207", file=shown, sheet=sheet.name))
                    continue
                rows = book.get_sheet_by_name(sheet.name).to_python(skip_empty_area=False)
                sheets.append(RawSheet(shown, sheet.name, rows))
            return sheets, issues
        finally:
            book.close()
    except BaseException as exc:  # a third-party parser meeting a damaged file: say so, never crash
        # pyo3 raises a Rust panic as PanicException, which derives from BaseException.
        if isinstance(exc, InvalidInputError) or (
                not isinstance(exc, Exception) and type(exc).__name__ != "PanicException"):
            raise
        raise refuse(shown, "E103", detail="不是有效的 .xls 工作簿") from None


def _regular(path: Path) -> str | None:
    """Why `path` (which exists) cannot be read as a file, or None when it can."""
    try:
        check_regular(path, 1 << 62)
    except FileRefused as exc:
        return exc.reason
    return None


def expand_inputs(paths: list[Path]) -> tuple[list[Path], list[Issue]]:
    """Files named directly, and the supported files inside named folders (sorted; the ~$ lock
    files Excel/WPS leave beside open workbooks are skipped). The issues are errors for paths
    that cannot be read and a warning (W225) for each folder whose sub-folders are not read;
    they name paths as `shown_path` writes them."""
    files: list[Path] = []
    issues: list[Issue] = []
    for path in paths:
        if path.is_dir():
            entries = sorted(path.iterdir())
            found = [p for p in entries
                     if p.is_file() and p.suffix.lower() in SUPPORTED and not p.name.startswith("~$")]
            skipped = [shown_path(p.name) for p in entries if p.is_dir() and not p.name.startswith(".")]
            if skipped:
                listed = "、".join(skipped[:10]) + (f" 等 {len(skipped)} 个" if len(skipped) > 10 else "")
                issues.append(make("W225", file=shown_path(path), value=listed))
            if not found:
                issues.append(make("E104", file=shown_path(path)))
            files += found
        elif not path.exists():
            issues.append(make("E101", file=shown_path(path), value=shown_path(path)))
        elif (reason := _regular(path)) is not None:
            issues.append(make("E103", file=shown_path(path), detail=reason))
        else:
            files.append(path)
    return files, issues


REFUSED = {
    Kind.EMPTY: "文件是空的（0 字节）",
    Kind.ENCRYPTED: ENCRYPTED,
    Kind.HTML: "这是网页（HTML）文件，只是扩展名像 Excel；请在 Excel/WPS 中打开后“另存为”Excel 工作簿（.xlsx）",
    Kind.XML2003: "这是 Excel 2003 XML 表格，请在 Excel/WPS 中打开后“另存为”Excel 工作簿（.xlsx）",
    Kind.ODS: "这是 OpenDocument 表格（.ods），请在 WPS/LibreOffice 中另存为 .xlsx",
    Kind.WORD: "这是 Word 文档，不是检查记录表",
    Kind.ZIP: "这是一个压缩包，不是 Excel 工作簿",
    Kind.XLSB: "这是 Excel 二进制工作簿（.xlsb），无法直接读取；请在 Excel/WPS 中打开后另存为 .xlsx",
    Kind.BAD_TEXT: BAD_ENCODING,
    Kind.BROKEN_ZIP: "文件已损坏或不完整（不是有效的 Excel 工作簿），请重新保存或重新拷贝",
    Kind.UNKNOWN: "无法识别的文件格式；请使用 .xlsx、.xls 或 .csv 文件",
}


def read_file(path: Path, limits: Limits = DEFAULT_LIMITS,
              backend: Backend = "calamine") -> tuple[list[RawSheet], list[Issue]]:
    """All visible sheets of one file and the warnings met; InvalidInputError when the file
    cannot be read, with a message that says why and what to do."""
    shown = shown_path(path)
    if path.name.startswith("~$"):
        raise refuse(shown, "E102", value=shown_path(path.name))
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise refuse(shown, "E129", detail=f"文件有 {size_text(size)}", value=size,
                         expected=f"{limits.max_size_mb} MB", advice="可用 --max-size 调高；请确认选择了正确的文件")
        kind = sniff(path)
        if kind is Kind.XLSX:
            return _read_xlsx(path, shown, limits, backend)
        if kind is Kind.XLS:
            return _read_xls(path, shown, limits)
        if kind is Kind.CSV:
            warnings = [] if path.suffix.lower() in (".csv", ".txt") else [
                make("W211", file=shown, value=path.suffix or "（无）")]
            return [RawSheet(shown, None, read_csv(path, shown, limits))], warnings
    except PermissionError:
        raise refuse(shown, "E103", detail="没有读取权限，或文件正被其他程序独占打开") from None
    except ZIP_ERRORS:
        raise refuse(shown, "E103", detail="文件已损坏或不完整") from None
    raise refuse(shown, "E103", detail=REFUSED[kind])


def read_all(paths: list[Path], limits: Limits = DEFAULT_LIMITS,
             backend: Backend = "calamine") -> Iterator[RawSheet | Issue]:
    """Every sheet of every input, or an Issue for an input that cannot be read."""
    for path in paths:
        try:
            sheets, warnings = read_file(path, limits, backend)
        except InvalidInputError as exc:
            yield from exc.issues
            continue
        yield from warnings
        yield from sheets

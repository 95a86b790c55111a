"""Writing tables into xlsxwriter sheets the way the office expects: bold frozen header,
auto-filter, widths that fit Chinese text, number formats, print set-up (landscape, fit to
width, header repeated) — and user text always as text.

xlsxwriter's `write()` would turn `=…` into a formula and URLs into links (docs/reliability.md);
everything here goes through `write_string` / `write_number`, or is written as inline text and
numbers by bulk.py (a table's rows, however many).
"""

from __future__ import annotations

import io
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import xlsxwriter
from xlsxwriter import xmlwriter

from scoring.outputs.bulk import DeferredRows, splice
from scoring.outputs.excel_rules import (
    EXCEL,
    MAX_HEADER_FOOTER,
    MAX_ROW_HEIGHT,
    SheetLimits,
    cell_text,
    formula_string,
    header_footer,
    sheet_name,
)

__all__ = ["Book", "Column", "PageTexts", "SheetPart", "TableWriter", "new_workbook", "plain_workbook",
           "print_setup", "sheet_name", "text_width"]
# Never let text become a formula, a link or a number.
SAFE_OPTIONS = {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}
# xlsxwriter escapes a literal `_xHHHH_` in text (Excel would read it as an escaped character)
# without overlaps: `_x0041_x0042_` came back as `_x0041B`. Every underscore that starts such a
# text is escaped instead, as bulk.py does (ECMA-376 Part 1, §22.4.2.4 ST_Xstring);
# tests/test_hostile_workbooks.py reads such texts back; xlsxwriter is pinned to the releases this
# was checked in (pyproject.toml) and tests/test_text_rules.py fails when one changes it.
xmlwriter.re_control_chars_1 = re.compile(r"(_)(?=x[0-9a-fA-F]{4}_)")
# Fills for grades, best first; the failing grade is always red.
GRADE_FILLS = ["#63BE7B", "#A9D08E", "#C6E0B4", "#FFEB84", "#FCE4D6", "#F4B183"]
FAIL_FILL = "#F8696B"
NUMBER_WIDTH = 8  # a number column's header wraps rather than widen it
WIDTH_SAMPLE = 500  # column widths are fitted to the first rows; enough for a clerk's screen
WRAP_WIDTH = 26  # long text wraps within this width
LINE_HEIGHT = 16.5  # points per line of 11-point text, with the spacing programs add
# Printing on A4 (xlsxwriter's default font is 11-point Calibri): never below 82 %, so no text
# prints under 9 points (11 × 0.82 = 9.02); a sheet wider than that goes over several pages,
# its identity columns repeated on each.
MIN_PRINT_SCALE = 82
MARGINS_IN = {"left": 0.5, "right": 0.5, "top": 0.9, "bottom": 0.7}  # room for the page header
A4_IN = (8.27, 11.69)


@dataclass(frozen=True)
class Column:
    """A column: its header and the number format of its values ("" for text)."""

    header: str
    fmt: str = ""  # "score" (0.00), "delta" (+0.00), "rate" (0.0%), "int" (0), "wrap" or "" for text


class Book(xlsxwriter.Workbook):  # type: ignore[misc]  # xlsxwriter has no type information
    """An xlsxwriter workbook that never turns text into formulas, links or numbers, built in
    memory; the rows of its tables are deferred and streamed into the file when it closes
    (bulk.py), so what xlsxwriter writes itself is small. Not in xlsxwriter's constant-memory
    mode: that mode writes a text like `<r>…</r>` as raw rich-text XML (the text is lost)."""

    def __init__(self, path: Path) -> None:
        self.target = path
        self.buffer = io.BytesIO()
        self.deferred: dict[str, DeferredRows] = {}
        super().__init__(self.buffer, SAFE_OPTIONS)

    def defer(self, sheet: Any, rows: DeferredRows) -> None:
        """Write `rows` into `sheet` when the workbook closes."""
        self.deferred[sheet.name] = rows

    def close(self) -> None:
        super().close()
        if self.deferred:
            splice(self.buffer.getvalue(), self.target, self.deferred)
        else:
            self.target.write_bytes(self.buffer.getvalue())


@dataclass(frozen=True)
class PageTexts:
    """What the printed page header says besides the sheet's title: the standard and version on
    the left, the period on the right."""

    standard: str = ""
    period: str = ""


def column_width(chars: int) -> int:
    """The Excel width of a column whose text is `chars` wide (a margin, 8 to 62)."""
    return min(max(chars + 2, 8), 62)


def width_points(widths: Sequence[float]) -> float:
    """Printed width in points of columns of Excel widths `widths`, as LibreOffice lays them
    out (measured: 7 pt per width unit, the 0.71 xlsxwriter adds included); Excel and WPS use
    about 5.25 pt per unit (7 px), so there the page has room to spare — better than a column
    cut off at the page edge."""
    return sum((w + 0.71) * 7.0 for w in widths)


def print_scale(widths: Sequence[float], *, landscape: bool, extra_width: float = 0) -> int:
    """The print scale (percent) at which the columns fit the A4 page's width, never below
    MIN_PRINT_SCALE (a wider sheet goes over several pages) nor above 100."""
    paper = A4_IN[1] if landscape else A4_IN[0]
    printable = (paper - MARGINS_IN["left"] - MARGINS_IN["right"]) * 72
    natural = width_points(widths) + extra_width
    return max(MIN_PRINT_SCALE, min(100, int(printable * 100 // natural))) if natural else 100


def print_setup(sheet: Any, widths: Sequence[float], page: PageTexts, *, landscape: bool, header_row: int,
                keep: int, title: str | None = None, extra_width: float = 0) -> None:
    """A4, landscape or portrait, scaled to the page width but never below MIN_PRINT_SCALE; when
    still too wide, the first `keep` columns (the names) repeated on every page and pages
    ordered across then down; the header row(s) up to `header_row` repeated; a page header with
    the standard, the sheet's title in bold and the period; "第 N 页 共 M 页" at the foot."""
    sheet.set_paper(9)  # A4
    if landscape:
        sheet.set_landscape()
    else:
        sheet.set_portrait()
    sheet.set_margins(**MARGINS_IN)
    scale = print_scale(widths, landscape=landscape, extra_width=extra_width)
    sheet.set_print_scale(scale)
    paper = A4_IN[1] if landscape else A4_IN[0]
    printable = (paper - MARGINS_IN["left"] - MARGINS_IN["right"]) * 72
    if keep and width_points(widths) * scale / 100 > printable:
        sheet.repeat_columns(0, keep - 1)
        sheet.print_across()
    sheet.repeat_rows(header_row)
    # A font size code reads every digit after it ("&92023" would be size 92023): a font code
    # after the size ends it.
    small = '&9&"-,Regular"'
    codes = ("&L" + small, '&C&14&"-,Bold"', "&R" + small)  # the size ended by a font code too
    room = (MAX_HEADER_FOOTER - sum(len(c) for c in codes)) // 3  # Excel's limit, shared by the three
    texts = (page.standard, title or sheet.name, page.period)
    sheet.set_header("".join(c + header_footer(t, room) for c, t in zip(codes, texts, strict=True)),
                     {"scale_with_doc": False, "margin": 0.4})
    sheet.set_footer("&C第 &P 页 共 &N 页", {"scale_with_doc": False, "margin": 0.35})


def new_workbook(path: Path) -> Book:
    """A workbook to be written to `path` (see Book)."""
    return Book(path)


def plain_workbook(path: Path) -> Any:
    """An xlsxwriter workbook written cell by cell to `path`, text never a formula, link or number
    (for the small workbooks the office edits: the 标准编制表 and the 法规库编制表)."""
    return xlsxwriter.Workbook(str(path), SAFE_OPTIONS)


def text_width(text: str) -> int:
    """Display width: CJK and full-width characters count twice."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def wrapped_lines(text: str) -> int:
    """About how many lines `text` takes in a wrapping column WRAP_WIDTH wide. Width from the
    UTF-8 length (a CJK character is 3 bytes and 2 columns, ASCII 1 and 1): no per-character
    work for long texts. A lone surrogate (only a JSON file holds one) counts as 3 bytes."""
    if "\n" not in text:  # most texts: one line
        return max(1, -(-((len(text.encode("utf-8", "surrogatepass")) + len(text)) // 2) // WRAP_WIDTH))
    return sum(wrapped_lines(line) for line in text.split("\n"))


@dataclass(frozen=True)
class SheetPart:
    """One sheet of a table: which of the table's columns it holds, and how many of its rows
    from which one (a table beyond a sheet's limits is split over several)."""

    sheet: Any
    columns: list[int]
    first: int
    rows: int


@dataclass(frozen=True)
class Split:
    """A table that did not fit one sheet, and the sheets it went to."""

    title: str
    sheets: list[str]
    rows: int
    columns: int
    keep: int
    limits: SheetLimits

    def note(self) -> str:
        """What the 说明 sheet says about it."""
        reasons = []
        if self.rows + 1 > self.limits.rows:
            reasons.append(f"共 {self.rows:,} 行，超过 Excel 每张工作表 {self.limits.rows:,} 行（含表头）的上限")
        if self.columns > self.limits.columns:
            reasons.append(f"共 {self.columns:,} 列，超过 Excel 每张工作表 {self.limits.columns:,} 列的上限"
                           f"（每张都重复前 {self.keep} 列）")
        return (f"“{self.title}”{'，'.join(reasons)}，依次分在 {'、'.join(self.sheets)} "
                f"共 {len(self.sheets)} 张工作表中，每张都有表头")


class TableWriter:
    """Writes tables into one xlsxwriter workbook with shared formats, each sheet within
    `limits` (Excel's): a bigger table goes on several sheets, listed in `splits`."""

    def __init__(self, book: Any, page: PageTexts | None = None, limits: SheetLimits = EXCEL) -> None:
        self.book = book
        self.page = page or PageTexts()
        self.limits = limits
        self.splits: list[Split] = []
        self.names: set[str] = set()
        self.header = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1,
                                       "text_wrap": True, "valign": "vcenter"})
        self.title = book.add_format({"bold": True, "font_size": 13})
        # Top-aligned throughout, so that a row grown by wrapped text still reads as one row.
        self.formats = {
            "": book.add_format({"valign": "top"}),
            "score": book.add_format({"num_format": "0.00", "valign": "top"}),
            "rate": book.add_format({"num_format": "0.0%", "valign": "top"}),
            "delta": book.add_format({"num_format": "+0.00;-0.00;0.00", "valign": "top"}),
            "int": book.add_format({"num_format": "0", "valign": "top"}),
            "wrap": book.add_format({"text_wrap": True, "valign": "top"}),
        }

    def add_sheet(self, name: str) -> Any:
        """A new sheet with a sanitised unique name."""
        return self.book.add_worksheet(sheet_name(name, self.names))

    def text(self, value: str) -> str:
        """User text as a cell holds it (excel_rules.cell_text, within `limits`)."""
        return cell_text(value, self.limits.text)

    def write_cell(self, sheet: Any, row: int, col: int, value: Any, fmt: str = "") -> None:
        """One value: numbers as numbers, everything else as literal text; nothing for None."""
        kind = type(value)
        if kind is str and value.startswith("<r>") and value.endswith("</r>"):
            # xlsxwriter would put such a text into the file as raw rich-text XML (and lose it);
            # as three runs of a rich string it stays the text it is.
            text = self.text(value)
            sheet.write_rich_string(row, col, text[:1], text[1:3], text[3:], self.formats[fmt])
        elif kind is str:
            sheet.write_string(row, col, self.text(value), self.formats[fmt])
        elif kind is float or kind is int:
            sheet.write_number(row, col, value, self.formats[fmt])
        elif kind is bool:
            sheet.write_string(row, col, "是" if value else "否", self.formats[fmt])
        elif value is not None:
            sheet.write_string(row, col, self.text(str(value)), self.formats[fmt])

    def write_header(self, sheet: Any, row: int, columns: Sequence[Column], widths: list[int]) -> None:
        """The bold header row; widens `widths` to fit it."""
        for col, column in enumerate(columns):
            sheet.write_string(row, col, self.text(column.header), self.header)
            # A number column need not be as wide as its header: the header wraps instead.
            header = text_width(column.header[:200])
            widths[col] = max(widths[col], min(header, NUMBER_WIDTH) if column.fmt not in ("", "wrap") else header)

    @staticmethod
    def fit_widths(columns: Sequence[Column], rows: Sequence[Sequence[Any]], widths: list[int]) -> None:
        """Widens `widths` to the text of the first WIDTH_SAMPLE rows."""
        for row in rows[:WIDTH_SAMPLE]:
            for col, value in enumerate(row):
                if value is not None and not isinstance(value, (int, float)):
                    limit = WRAP_WIDTH if columns[col].fmt == "wrap" else 60
                    widths[col] = max(widths[col], min(text_width(str(value)[:limit]), limit))

    @staticmethod
    def row_heights(columns: Sequence[Column], rows: Sequence[Sequence[Any]]) -> list[float | None] | None:
        """The height of each row whose wrapped text takes more than one line (not every program
        grows a row for wrapped text by itself), at most Excel's 409 points; None where the
        default height fits."""
        wraps = [col for col, column in enumerate(columns) if column.fmt == "wrap"]
        if not wraps:
            return None
        heights: list[float | None] = []
        for row in rows:
            lines = max(wrapped_lines(str(row[c])) if row[c] is not None else 1 for c in wraps)
            heights.append(min(LINE_HEIGHT * lines, MAX_ROW_HEIGHT) if lines > 1 else None)
        return heights

    def write_block(self, sheet: Any, first: int, columns: Sequence[Column],
                    rows: Sequence[Sequence[Any]], widths: list[int]) -> int:
        """Header at row `first`, then the rows, cell by cell through xlsxwriter (for small
        blocks that fit the sheet; TableWriter.table defers a table's rows to bulk.py); widens
        `widths`; returns the next free row."""
        self.write_header(sheet, first, columns, widths)
        self.fit_widths(columns, rows, widths)
        heights = self.row_heights(columns, rows)
        for n, row in enumerate(rows):
            r = first + 1 + n
            if heights is not None and heights[n] is not None:
                sheet.set_row(r, heights[n])
            for col, value in enumerate(row):
                self.write_cell(sheet, r, col, value, columns[col].fmt)
        return first + 1 + len(rows)

    def fits(self, rows: int, columns: int) -> bool:
        """Whether `rows` rows (headers and titles included) of `columns` columns fit one sheet."""
        return rows <= self.limits.rows and columns <= self.limits.columns

    def finish(self, sheet: Any, widths: list[int], *, landscape: bool = True, header_row: int = 0,
               columns: Sequence[Column] | None = None, keep: int = 2, extra_width: int = 0) -> None:
        """Column widths (and, given `columns`, each column's format) and the print set-up
        (print_setup)."""
        for col, width in enumerate(widths):
            fmt = self.formats[columns[col].fmt] if columns is not None else None
            sheet.set_column(col, col, column_width(width), fmt)
        if columns is not None:  # the header's wrapped lines (not every program grows the row)
            lines = max((-(-text_width(c.header[:2000]) // max(column_width(w) - 2, 1)) for c, w in zip(
                columns, widths, strict=True)), default=1)
            if lines > 1:
                sheet.set_row(header_row, min(LINE_HEIGHT * lines, MAX_ROW_HEIGHT))
        print_setup(sheet, [column_width(w) for w in widths], self.page, landscape=landscape,
                    header_row=header_row, keep=keep, extra_width=extra_width)

    def _column_groups(self, count: int, keep: int) -> list[list[int]]:
        """The table's columns on each sheet: all, or the first `keep` on every sheet and the
        others in order, as many as fit."""
        if count <= self.limits.columns:
            return [list(range(count))]
        keep = min(keep, self.limits.columns - 1)
        room = self.limits.columns - keep
        return [list(range(keep)) + list(range(start, min(start + room, count)))
                for start in range(keep, count, room)]

    def table(self, name: str, columns: Sequence[Column], rows: Sequence[Sequence[Any]],
              *, landscape: bool = True, keep: int = 2) -> list[SheetPart]:
        """A sheet holding one table, header frozen and filtered, widths fitted; its rows are
        written when the workbook closes (bulk.py), each column in its own format. A table
        beyond the sheet's limits goes on `name`, `name(2)`, … each with its header (and the
        first `keep` columns when it is too wide), and is listed in `splits`."""
        all_widths = [0] * len(columns)
        self.fit_widths(columns, rows, all_widths)
        all_heights = self.row_heights(columns, rows)
        per_sheet = self.limits.rows - 1  # below the header
        chunks = [(start, min(start + per_sheet, len(rows))) for start in range(0, len(rows), per_sheet)] or [(0, 0)]
        parts = []
        for group in self._column_groups(len(columns), keep):
            whole = len(group) == len(columns)
            for start, end in chunks:
                sheet = self.add_sheet(name)
                cols = [columns[c] for c in group]
                widths = [all_widths[c] for c in group]
                self.write_header(sheet, 0, cols, widths)
                part: Sequence[Sequence[Any]] = rows if end - start == len(rows) else rows[start:end]
                if not whole:
                    part = [[row[c] for c in group] for row in part]
                heights = None if all_heights is None else all_heights[start:end]
                if cols and part:
                    self.book.defer(sheet, DeferredRows(part, len(cols), heights, self.limits.text))
                sheet.freeze_panes(1, 0)
                if cols:
                    sheet.autofilter(0, 0, max(len(part), 1), len(cols) - 1)
                self.finish(sheet, widths, landscape=landscape, columns=cols, keep=keep)
                parts.append(SheetPart(sheet, group, start, end - start))
        if len(parts) > 1:
            self.splits.append(Split(name, [p.sheet.name for p in parts], len(rows), len(columns), keep,
                                     self.limits))
        return parts

    def colour_grades(self, sheet: Any, col: int, first: int, last: int, grades: list[tuple[str, bool]]) -> None:
        """Conditional formatting: each grade name in column `col` gets its own fill. The name
        is a string in the rule's formula (quotes doubled, excel_rules.formula_string); a name
        no formula can hold is left uncoloured."""
        passing = [name for name, ok in grades if ok]
        for name, ok in grades:
            value = formula_string(self.text(name))
            if value is None:
                continue
            colour = GRADE_FILLS[min(passing.index(name), len(GRADE_FILLS) - 1)] if ok else FAIL_FILL
            sheet.conditional_format(first, col, max(last, first), col, {
                "type": "cell", "criteria": "==", "value": value,
                "format": self.book.add_format({"bg_color": colour})})

    def colour_table(self, parts: Sequence[SheetPart], col: int, grades: list[tuple[str, bool]]) -> None:
        """colour_grades on column `col` of a table, on each sheet it went to."""
        for part in parts:
            if col in part.columns:
                self.colour_grades(part.sheet, part.columns.index(col), 1, part.rows, grades)

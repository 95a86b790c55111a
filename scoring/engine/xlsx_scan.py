"""Look inside an .xlsx's sheets before any reader parses them (docs/reliability.md); the package
around them (zip directory, workbook.xml, shared strings, styles) is checked by `xlsx_package`.

From each sheet's XML, streamed in bounded chunks: the rows and columns its cells really span
(a `<dimension>` may lie), hidden rows, merged ranges, cells holding Excel error values and
formulas saved without a result — the last two are what python-calamine reads as empty cells,
so the reader puts them back from here. The shared-string table and the style sheet are counted
before a reader materialises them. No DTD or entity is accepted anywhere.

The extent is what the readers allocate: python-calamine pads a sheet from A1 to its last cell
(`to_python(skip_empty_area=False)`), openpyxl yields every row up to the last row number with
as many cells as its last cell's column. Positions follow the XML grammar, not one spelling:
a cell or row without `r` takes the next position (calamine counts a row at `</row>`, openpyxl
at `<row>`), references may be lowercase, quoted either way, prefixed, spaced around `=`.

Two ways through a sheet's XML:

- the fast path, for what Excel, WPS, LibreOffice, openpyxl and xlsxwriter write: every element
  named `c` is `<c r="A1" …>` with a capital reference first, double quotes and only the
  attributes s/t/cm/vm/ph after it, and no element has a namespace prefix. Then every cell
  calamine reads has an explicit reference that this path reads the same way, so the extent is
  exact; a chunk that breaks any of these conditions sends the whole part to
- the exact path: an expat parse (well-formed XML only; no DTD) that follows both readers'
  rules for implicit positions (`_Grammar`).

openpyxl, the fallback reader, places cells by their row element's number, which the fast path
does not read: `OpenpyxlBudget` holds it to the same limits row by row while it reads.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from string import digits
from typing import Any
from xml.parsers import expat

from scoring.engine.limits import EXCEL_MAX_COLUMNS, EXCEL_MAX_ROWS, RAISE_CELLS, Limits, check_total_cells, refuse
from scoring.engine.positions import column_index
from scoring.engine.sniff import ZIP_ERRORS
from scoring.engine.xlsx_package import CHUNK, SheetEntry, part_chunks, too_many, whole_tags

# Merged ranges a sheet may have beyond half its cells (in formatted rows below the data).
MERGES_OUTSIDE = 65_536
_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_ROW_NUMBER = re.compile(rb'\br="(\d{1,7})"')
_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')
# The fast path: every `<c` followed by a name end is either the canonical cell tag (groups
# filled) or something else (groups empty, which sends the part to the exact path).
_FAST_CELL = re.compile(rb'<c(?: r="([A-Z]{1,3})([0-9]{1,7})"(?: (?:s|t|cm|vm|ph)="[^"]*")*/?>|(?=[\s/>]))')
_CELL_START = re.compile(rb"<c[\s/>]")
_PREFIXED = re.compile(rb":[cf][\s/>]")  # a cell or formula element with a namespace prefix
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_REF = re.compile(rb'\br="([A-Z]{1,3})(\d{1,7})"')
_MERGE = re.compile(rb"""<(?:[^\s/>:]+:)?mergeCell\b[^>]*?\bref\s*=\s*["']\s*"""
                    rb"([A-Za-z]{1,9})(\d{1,9}):([A-Za-z]{1,9})(\d{1,9})")
_ERROR_TYPE = re.compile(rb'\bt="e"')
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")
_DECLARED = re.compile(rb"""^<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")


@dataclass
class SheetScan:
    """What the scan found in one sheet (rows 1-based, columns 0-based)."""

    max_row: int = 0
    max_col: int = -1
    hidden_rows: list[int] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # row0, col0, row1, col1
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    no_result: set[tuple[int, int]] = field(default_factory=set)  # formulas without a saved value
    string_cells: int = 0  # cells of type t="s" (each may use one shared string)

    @property
    def cells(self) -> int:
        """Rows × columns from A1 to the last cell: what a reader allocates for the sheet."""
        return self.max_row * (self.max_col + 1)


# ---------------------------------------------------------------- positions, as the readers read them

def _calamine_cell(ref: str) -> tuple[int, int] | None:
    """(row, col) of a cell reference as calamine reads it (letters of either case, then
    digits; 1-based row, 0-based column); None where calamine fails."""
    letters = ref.rstrip(digits)
    number = ref[len(letters):]
    if not letters or not number or not letters.isascii() or not letters.isalpha() or int(number) == 0:
        return None
    return int(number), _column(letters)


def _column(letters: str) -> int:
    """The 0-based column of reference letters of either case; past Excel's last column for
    more than three letters (never computed: a megabyte of letters would take minutes)."""
    return column_index(letters.upper()) if len(letters) <= 3 else EXCEL_MAX_COLUMNS


def _openpyxl_column(ref: str) -> int | None:
    """The 0-based column openpyxl takes from a cell reference (it splits at the first digit);
    None where openpyxl fails."""
    at = next((i for i, ch in enumerate(ref) if ch in digits), len(ref))
    letters = ref[:at]
    if not 1 <= len(letters) <= 3 or not letters.isascii() or not letters.isalpha():
        return None
    try:
        int(ref[at:])
    except ValueError:
        return None
    return column_index(letters.upper())


def _calamine_row(value: str) -> int | None:
    letters = value.rstrip(digits)
    number = value[len(letters):]
    if not number or (letters and not (letters.isascii() and letters.isalpha())) or int(number) == 0:
        return None
    return int(number)


def _openpyxl_row(value: str) -> int | None:
    try:
        return int(value)
    except ValueError:
        try:
            number = float(value)
        except (ValueError, OverflowError):
            return None
        return int(number) if number.is_integer() else None


class _Grammar:
    """Follows an expat parse of a sheet with both readers' rules and reports every position a
    cell takes (`place(row, col)`), every row number (`row(number)`) and, for calamine's cells,
    the type, formula and value (`cell_done`). Well-formed XML only: expat refuses the rest.

    calamine (quick-xml events from the first <sheetData> to its end): a <c> outside any cell
    is a cell at its `r`, or at the current row and column; everything inside it is its value.
    A <row r> sets the row, </row> moves to the next row and column A.
    openpyxl (every element named row, at its end): the row is its `r` or the previous one + 1;
    each child element is a cell at its `r` column or the next column, in that row."""

    def __init__(self, place: Callable[[int, int], None], row: Callable[[int], None]) -> None:
        self.place, self.row = place, row
        self.depth = 0
        self.sheet_data = 0  # 0 before <sheetData>, 1 inside it, 2 after
        self.cal_row, self.cal_col = 1, 0
        self.cell_depth = 0  # depth of the calamine cell being read, 0 outside cells
        self.cell: tuple[int, int] = (0, 0)
        self.cell_type = ""
        self.formula = False
        self.value: list[str] | None = None
        self.values: list[str] = []
        self.opx_row = 0
        self.frames: list[tuple[int, str | None, list[str | None]]] = []  # depth, r, children's r
        self.string_cells = 0
        self.hidden_rows: set[int] = set()
        self.finished: list[tuple[tuple[int, int], str, bool, str | None]] = []

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition("}")[2]
        self.depth += 1
        if self.frames and self.frames[-1][0] == self.depth - 1:
            self.frames[-1][2].append(attrs.get("r"))
        if local == "row":
            self.frames.append((self.depth, attrs.get("r"), []))
            if attrs.get("hidden", "").lower() in ("1", "true"):
                number = _openpyxl_row(attrs["r"]) if "r" in attrs else self.opx_row + 1
                if number and number <= EXCEL_MAX_ROWS:
                    self.hidden_rows.add(number)
        if self.cell_depth:
            if local == "f":
                self.formula = True
            elif local == "v":
                self.value = []
            return
        if self.sheet_data == 0:
            self.sheet_data = 1 if local == "sheetData" else 0
        elif self.sheet_data == 1 and local == "row":
            number = _calamine_row(attrs.get("r", "")) if "r" in attrs else None
            if number is not None:
                self.row(number)
                self.cal_row = number
        elif self.sheet_data == 1 and local == "c":
            at = _calamine_cell(attrs["r"]) if "r" in attrs else None
            if at is None:
                at = (self.cal_row, self.cal_col)
            self.place(*at)
            self.cal_col = at[1] + 1
            self.cell, self.cell_depth = at, self.depth
            self.cell_type, self.formula, self.values = attrs.get("t", ""), False, []
            self.string_cells += self.cell_type == "s"

    def text(self, data: str) -> None:
        if self.value is not None:
            self.value.append(data)

    def end(self, name: str) -> None:
        local = name.rpartition("}")[2]
        if self.value is not None and local == "v":
            self.values.append("".join(self.value))
            self.value = None
        if self.cell_depth == self.depth:
            value = self.values[0] if self.values else None
            self.finished.append((self.cell, self.cell_type, self.formula, value))
            self.cell_depth = 0
        elif not self.cell_depth and self.sheet_data == 1:
            if local == "row":
                self.cal_row, self.cal_col = self.cal_row + 1, 0
            elif local == "sheetData":
                self.sheet_data = 2
        if self.frames and self.frames[-1][0] == self.depth:
            self._openpyxl_row(*self.frames.pop())
        self.depth -= 1

    def _openpyxl_row(self, _depth: int, r: str | None, children: list[str | None]) -> None:
        number = _openpyxl_row(r) if r is not None else self.opx_row + 1
        if number is None:
            return  # openpyxl fails on this sheet
        self.opx_row = number
        self.row(number)
        column = 0  # 1-based, as openpyxl counts
        for ref in children:
            at = _openpyxl_column(ref) if ref else None
            column = at + 1 if at is not None else column + 1
            self.place(number, column - 1)


class _SheetScanner:
    """Accumulates a SheetScan over a sheet's XML."""

    def __init__(self, file: str, sheet: str, limits: Limits) -> None:
        self.file, self.sheet, self.limits = file, sheet, limits
        self.scan = SheetScan()
        self.hidden: set[int] = set()  # a set: a built file may repeat one row millions of times

    def done(self) -> SheetScan:
        """The scan, its hidden rows in order (those Excel can have)."""
        self.scan.hidden_rows = sorted(r for r in self.hidden if r <= EXCEL_MAX_ROWS)
        return self.scan

    def _bounds(self, row: int, col: int) -> None:
        s = self.scan
        if row > s.max_row or col > s.max_col:
            s.max_row, s.max_col = max(s.max_row, row), max(s.max_col, col)
            if s.max_row > EXCEL_MAX_ROWS or s.max_col >= EXCEL_MAX_COLUMNS:
                raise refuse(self.file, "E108", sheet=self.sheet, value=f"{s.max_row} 行 × {s.max_col + 1} 列")
            if s.cells > self.limits.max_cells:
                raise refuse(self.file, "E109", sheet=self.sheet, value=f"{s.cells:,}",
                            expected=f"{self.limits.max_cells:,}")

    def _row_number(self, number: int) -> None:
        if number > EXCEL_MAX_ROWS:
            raise refuse(self.file, "E108", sheet=self.sheet,
                        value=f"{number} 行 × {self.scan.max_col + 1} 列")

    def feed_fast(self, data: bytes) -> bool:
        """Take one chunk of whole elements on the fast path; False (nothing taken) when the
        chunk is not written the common way."""
        if _PREFIXED.search(data):
            return False
        found = _FAST_CELL.findall(data)
        letters = set(map(itemgetter(0), found))
        if b"" in letters:
            return False
        if found:
            rows = max(map(int, set(map(itemgetter(1), found))))
            widest = max(letters, key=lambda c: (len(c), c))
            self._bounds(rows, column_index(widest.decode()))
        self.scan.string_cells += data.count(b't="s"')  # the only spelling the fast path takes
        self._extras(data)
        return True

    def _extras(self, data: bytes) -> None:
        # Byte tests first: a pattern starting with \b or an optional prefix gets no fast search.
        if b'hidden="' in data:  # rare: only then look at each row's attributes
            for attrs in _ROW.findall(data):
                number = _ROW_NUMBER.search(attrs)
                if number and _HIDDEN.search(attrs) and int(number.group(1)) <= EXCEL_MAX_ROWS:
                    self.hidden.add(int(number.group(1)))
        if b't="e"' in data or b"<f" in data:  # no prefixed f on the fast path
            for attrs, content in _CELL.findall(data):
                ref = _REF.search(attrs)
                if ref is None:
                    continue
                at = (int(ref.group(2)), _column(ref.group(1).decode()))
                value = _VALUE.search(content or b"")
                text = value.group(1).decode("utf-8", "replace") if value else None
                self._cell_value(at, "e" if _ERROR_TYPE.search(attrs) else "",
                                 bool(_FORMULA.search(content or b"")), text)
        self.merges(data)

    def merges(self, data: bytes) -> None:
        """Take the <mergeCell> ranges of a chunk of whole tags."""
        if b"mergeCell" in data:
            for c0, r0, c1, r1 in _MERGE.findall(data):
                self.scan.merges.append((int(r0), _column(c0.decode()), int(r1), _column(c1.decode())))
            # Merged ranges cover two cells or more and never overlap: at most half the sheet's
            # cells, plus some in formatted empty rows below them.
            allowed = self.scan.cells // 2 + MERGES_OUTSIDE
            if len(self.scan.merges) > allowed:
                raise too_many(self.file, f"合并单元格已有 {len(self.scan.merges):,} 处", len(self.scan.merges),
                                f"{allowed:,} 处", sheet=self.sheet)

    def _cell_value(self, at: tuple[int, int], kind: str, formula: bool, value: str | None) -> None:
        if kind == "e":
            self.scan.errors[at] = value or "#N/A"
        elif formula and not value:
            self.scan.no_result.add(at)

    def exact(self, chunks: Iterator[bytes]) -> None:
        """The exact path over the whole part."""
        grammar = _Grammar(self._bounds, self._row_number)
        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True
        parser.StartElementHandler = grammar.start
        parser.EndElementHandler = grammar.end
        parser.CharacterDataHandler = grammar.text

        def no_dtd(*_args: object) -> None:
            raise refuse(self.file, "E107")

        parser.StartDoctypeDeclHandler = no_dtd
        parser.EntityDeclHandler = no_dtd
        try:
            for chunk in chunks:
                parser.Parse(chunk, False)
                self._take(grammar)
            parser.Parse(b"", True)
        except expat.ExpatError:
            detail = f"工作簿内容已损坏（工作表“{self.sheet}”的 XML 不完整或格式错误）"
            raise refuse(self.file, "E103", detail=detail) from None
        self._take(grammar)
        self.scan.string_cells = grammar.string_cells
        self.hidden = grammar.hidden_rows

    def _take(self, grammar: _Grammar) -> None:
        for at, kind, formula, value in grammar.finished:
            self._cell_value(at, kind, formula, value)
        grammar.finished.clear()


def _last_end(data: bytes) -> int:
    """The position just after the last `</row>` (or, failing that, `</c>`), with or without a
    namespace prefix; 0 when there is none."""
    for end in (b"row>", b"c>"):
        at = data.rfind(end)
        while at > 0 and data[at - 1 : at] != b"/" and data[at - 1 : at] != b":":
            at = data.rfind(end, 0, at)
        if at > 0:
            return at + len(end)
    return 0


def _ascii_markup(head: bytes) -> bool:
    """Whether a part is UTF-8 (or ASCII), so that its markup can be searched as bytes."""
    head = head.removeprefix(b"\xef\xbb\xbf").lstrip(b" \t\r\n")
    if not head.startswith(b"<") or b"\x00" in head[:4]:
        return False
    declared = _DECLARED.match(head)
    return declared is None or declared.group(1).lower().replace(b"-", b"").replace(b"_", b"") in (
        b"utf8", b"usascii", b"ascii")


def scan_sheet(archive: zipfile.ZipFile, entry: SheetEntry, file: str, limits: Limits) -> SheetScan:
    """Stream one sheet's XML and return what it holds; InvalidInputError when over a limit."""
    try:
        scanner = _SheetScanner(file, entry.name, limits)
        if _fast(archive, entry.part, scanner):
            return scanner.done()
        _count_cells(archive, entry, file, limits)
        scanner = _SheetScanner(file, entry.name, limits)
        scanner.exact(part_chunks(archive, entry.part))
        for data in whole_tags(archive, entry.part):
            scanner.merges(data)
        return scanner.done()
    except KeyError:
        raise refuse(file, "E103", detail=f"工作表“{entry.name}”在文件中不存在") from None
    except ZIP_ERRORS:
        raise refuse(file, "E103", detail=f"工作表“{entry.name}”已损坏") from None


def _count_cells(archive: zipfile.ZipFile, entry: SheetEntry, file: str, limits: Limits) -> None:
    """Refuse a sheet with more cell elements than the cell limit before the exact path parses
    them one by one (calamine holds every cell it reads, so that many would not fit either;
    cells at distinct positions span at least as many). Counting is some thirty times faster
    than parsing: a built sheet of 49 million implicit cells is refused in seconds."""
    cells = 0
    for data in whole_tags(archive, entry.part):
        cells += len(_CELL_START.findall(data))
        if cells > limits.max_cells:
            raise refuse(file, "E109", sheet=entry.name, value=f"{cells:,}", expected=f"{limits.max_cells:,}")


def _fast(archive: zipfile.ZipFile, part: str, scanner: _SheetScanner) -> bool:
    """The fast path over a whole part; False when some chunk needs the exact path."""
    carry = b""
    first = True
    for chunk in part_chunks(archive, part):
        data = carry + chunk
        if first and not _ascii_markup(data[:512]):
            return False
        first = False
        # Feed whole elements only: up to the end of the last complete row (or cell), else
        # up to the last tag start (no end in sight: a pathological file).
        cut = _last_end(data)
        if cut == 0 and len(data) > 4 * CHUNK:
            cut = max(data.rfind(b"<"), 1)
        if not scanner.feed_fast(data[:cut]):
            return False
        carry = data[cut:]
    return scanner.feed_fast(carry) if carry else True


class OpenpyxlBudget:
    """Holds openpyxl to the cell limit while it reads, row by row: it yields every row up to
    the last row element's number, each as wide as the row's last cell, so what it holds is
    known only as it goes (no more than one row past the limit is ever held)."""

    def __init__(self, file: str, limits: Limits) -> None:
        self.file, self.limits = file, limits
        self.total = 0

    def rows(self, sheet: str, rows: Iterator[tuple[Any, ...]]) -> list[list[Any]]:
        """The rows as lists; InvalidInputError past Excel's rows or the cell limit."""
        out: list[list[Any]] = []
        cells = widest = 0
        for row in rows:
            out.append(list(row))
            cells += len(row)
            widest = max(widest, len(row))
            if len(out) > EXCEL_MAX_ROWS:
                raise refuse(self.file, "E108", sheet=sheet, value=f"{len(out)} 行 × {widest} 列")
            if cells > self.limits.max_cells:
                raise refuse(self.file, "E109", sheet=sheet, value=f"{cells:,}", expected=f"{self.limits.max_cells:,}")
        self.total += cells
        if self.total > self.limits.max_cells:
            raise too_many(self.file, f"各工作表的数据合计 {self.total:,} 个单元格", self.total,
                            f"{self.limits.max_cells:,} 个", advice=RAISE_CELLS)
        return out


def check_total(scans: dict[str, SheetScan], file: str, limits: Limits) -> None:
    """All sheets read together stay within the cell limit: the readers hold them at once."""
    check_total_cells(file, sum(scan.cells for scan in scans.values()), len(scans), limits)


def check_merges(scan: SheetScan, file: str, sheet: str) -> list[tuple[int, int, int, int]]:
    """The merged ranges clipped to the cells the sheet holds. Merged ranges never overlap,
    so together they cover at most the sheet's cells; more means a built file."""
    clipped = []
    area = 0
    for r0, c0, r1, c1 in scan.merges:
        r1, c1 = min(r1, scan.max_row), min(c1, scan.max_col)
        if r0 <= r1 and c0 <= c1:
            clipped.append((r0, c0, r1, c1))
            area += (r1 - r0 + 1) * (c1 - c0 + 1)
    if area > max(scan.cells, 1):
        raise too_many(file, f"合并单元格共覆盖 {area:,} 个单元格，多于工作表的 {scan.cells:,} 个（合并区域相互重叠）",
                        area, f"{scan.cells:,} 个", sheet=sheet)
    return clipped

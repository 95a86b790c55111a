"""Look inside an .xlsx before any reader parses it (docs/reliability.md).

From the zip directory: the unpacked size of every part. From workbook.xml: the sheets, which
are hidden, and the 1900/1904 date system. From each sheet's XML, streamed in bounded chunks:
the rows and columns its cells really span (a `<dimension>` may lie), hidden rows, merged
ranges, cells holding Excel error values and formulas saved without a result — the last two
are what python-calamine reads as empty cells, so the reader puts them back from here.
No DTD or entity is accepted anywhere (XML bombs and external entities are refused).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from typing import Any
from xml.etree.ElementTree import Element

from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException

from scoring.engine.limits import EXCEL_MAX_COLUMNS, EXCEL_MAX_ROWS, Limits
from scoring.engine.positions import column_index
from scoring.engine.sniff import ZIP_ERRORS
from scoring.errors import InvalidInputError
from scoring.issues import make

CHUNK = 1 << 20
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)", re.IGNORECASE)
_ROW = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_ROW_NUMBER = re.compile(rb'\br="(\d+)"')
_HIDDEN = re.compile(rb'\bhidden="(?:1|true)"')
_CELL_REF = re.compile(rb'<(?:\w+:)?c\b[^>]*?\br="([A-Z]+)(\d+)"')
# What Excel, WPS, LibreOffice, openpyxl and xlsxwriter all write: the reference first. Several
# times faster than _CELL_REF; used when it accounts for every cell of a chunk.
_CELL_COLUMN = re.compile(rb'<c r="([A-Z]+)')
_CELL_ROW = re.compile(rb'<c r="[A-Z]+(\d+)"')
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_REF = re.compile(rb'\br="([A-Z]+)(\d+)"')
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*\bref="([A-Z]+)(\d+):([A-Z]+)(\d+)"')
_ERROR_TYPE = re.compile(rb'\bt="e"')
_FORMULA = re.compile(rb"<(?:\w+:)?f\b")


@dataclass(frozen=True)
class SheetEntry:
    """A worksheet as workbook.xml lists it."""

    name: str
    part: str  # the zip member holding its XML
    hidden: bool


@dataclass
class SheetScan:
    """What the scan found in one sheet (rows 1-based, columns 0-based)."""

    max_row: int = 0
    max_col: int = -1
    hidden_rows: list[int] = field(default_factory=list)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # row0, col0, row1, col1
    errors: dict[tuple[int, int], str] = field(default_factory=dict)
    no_result: set[tuple[int, int]] = field(default_factory=set)  # formulas without a saved value


@dataclass
class WorkbookScan:
    """The sheets of a workbook and its date system."""

    sheets: list[SheetEntry]
    date1904: bool


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _fail(file: str, code: str, sheet: str | None = None, **fields: Any) -> InvalidInputError:
    issue = make(code, file=file, sheet=sheet, **fields)
    return InvalidInputError(issue.message, [issue])


def _xml(archive: zipfile.ZipFile, name: str, file: str) -> Element:
    try:
        return ElementTree.fromstring(archive.read(name), forbid_dtd=True)
    except DefusedXmlException:
        raise _fail(file, "E107") from None
    except (ElementTree.ParseError, *ZIP_ERRORS):
        raise _fail(file, "E103", detail=f"工作簿结构已损坏（{name}）") from None


def check_archive(archive: zipfile.ZipFile, file: str, limits: Limits) -> None:
    """Refuse a workbook whose parts unpack to more than the limit, or that declares a DTD."""
    members = archive.infolist()
    unpacked = sum(m.file_size for m in members)
    if unpacked > limits.max_bytes:
        raise _fail(file, "E105", value=f"{unpacked / (1 << 20):.0f} MB", expected=f"{limits.max_size_mb} MB")
    for member in members:
        if member.filename.endswith((".xml", ".rels")) and member.file_size:
            try:
                with archive.open(member) as handle:
                    head = handle.read(4096)
            except ZIP_ERRORS:
                raise _fail(file, "E103", detail=f"压缩包已损坏（{member.filename}）") from None
            if _DTD.search(head):
                raise _fail(file, "E107")


def read_structure(archive: zipfile.ZipFile, file: str, limits: Limits) -> WorkbookScan:
    """The worksheets listed in workbook.xml, in order, and the date system."""
    book = _xml(archive, "xl/workbook.xml", file)
    rels = _xml(archive, "xl/_rels/workbook.xml.rels", file)
    targets = {}
    for rel in rels:
        if _local(rel.tag) == "Relationship" and rel.get("Type", "").endswith("/worksheet"):
            target = rel.get("Target", "")
            part = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join("xl", target))
            targets[rel.get("Id")] = part
    date1904 = False
    sheets = []
    for element in book.iter():
        name = _local(element.tag)
        if name == "workbookPr":
            date1904 = element.get("date1904", "").lower() in ("1", "true")
        elif name == "sheet":
            rid = next((v for k, v in element.attrib.items() if _local(k) == "id"), None)
            if rid in targets:  # chartsheets and dialog sheets have no cells to read
                sheets.append(SheetEntry(element.get("name", ""), targets[rid],
                                         element.get("state", "visible") != "visible"))
    if len(sheets) > limits.max_sheets:
        raise _fail(file, "E106", value=len(sheets), expected=limits.max_sheets)
    return WorkbookScan(sheets, date1904)


class _SheetScanner:
    """Accumulates a SheetScan over whole elements of a sheet's XML."""

    def __init__(self, file: str, sheet: str, limits: Limits) -> None:
        self.file, self.sheet, self.limits = file, sheet, limits
        self.scan = SheetScan()
        self.min_row: int | None = None
        self.min_col: int | None = None

    def _bounds(self, row: int, col: int) -> None:
        s = self.scan
        s.max_row, s.max_col = max(s.max_row, row), max(s.max_col, col)
        self.min_row = row if self.min_row is None else min(self.min_row, row)
        self.min_col = col if self.min_col is None else min(self.min_col, col)
        if s.max_row > EXCEL_MAX_ROWS or s.max_col >= EXCEL_MAX_COLUMNS:
            raise _fail(self.file, "E108", sheet=self.sheet, value=f"{s.max_row} 行 × {s.max_col + 1} 列")
        span = (s.max_row - self.min_row + 1) * (s.max_col - self.min_col + 1)
        if span > self.limits.max_cells:
            raise _fail(self.file, "E109", sheet=self.sheet, value=f"{span:,}",
                        expected=f"{self.limits.max_cells:,}")

    def feed(self, data: bytes) -> None:
        # Byte tests first: a pattern starting with \b or an optional prefix gets no fast search.
        if b'hidden="' in data:  # rare: only then look at each row's attributes
            for attrs in _ROW.findall(data):
                number = _ROW_NUMBER.search(attrs)
                if number and _HIDDEN.search(attrs):
                    self.scan.hidden_rows.append(int(number.group(1)))
        columns = _CELL_COLUMN.findall(data)
        if len(columns) == data.count(b"<c ") and b":c " not in data:
            letters, numbers = set(columns), set(_CELL_ROW.findall(data))
        else:  # cells written some other way (attributes reordered, a namespace prefix)
            refs = _CELL_REF.findall(data)
            letters, numbers = {c for c, _ in refs}, {r for _, r in refs}
        if letters and numbers:
            rows = [int(r) for r in numbers]
            indexes = [column_index(c.decode()) for c in letters]
            self._bounds(max(rows), max(indexes))
            self._bounds(min(rows), min(indexes))
        if b't="e"' in data or b"<f" in data or b":f" in data:
            for attrs, content in _CELL.findall(data):
                ref = _REF.search(attrs)
                if ref is None:
                    continue
                at = (int(ref.group(2)), column_index(ref.group(1).decode()))
                value = _VALUE.search(content or b"")
                if _ERROR_TYPE.search(attrs):
                    self.scan.errors[at] = value.group(1).decode("utf-8", "replace") if value else "#N/A"
                elif _FORMULA.search(content or b"") and (value is None or not value.group(1)):
                    self.scan.no_result.add(at)
        for c0, r0, c1, r1 in _MERGE.findall(data):
            self.scan.merges.append((int(r0), column_index(c0.decode()), int(r1),
                                     column_index(c1.decode())))


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


def scan_sheet(archive: zipfile.ZipFile, entry: SheetEntry, file: str, limits: Limits) -> SheetScan:
    """Stream one sheet's XML and return what it holds; InvalidInputError when over a limit."""
    scanner = _SheetScanner(file, entry.name, limits)
    carry = b""
    try:
        with archive.open(entry.part) as handle:
            while True:
                chunk = handle.read(CHUNK)
                data = carry + chunk
                if not chunk:
                    scanner.feed(data)
                    break
                # Feed whole elements only: up to the end of the last complete row (or cell).
                cut = _last_end(data)
                if cut == 0 and len(data) > 4 * CHUNK:  # no end in sight: a pathological file
                    cut = len(data)
                scanner.feed(data[:cut])
                carry = data[cut:]
    except KeyError:
        raise _fail(file, "E103", detail=f"工作表“{entry.name}”在文件中不存在") from None
    except ZIP_ERRORS:
        raise _fail(file, "E103", detail=f"工作表“{entry.name}”已损坏") from None
    return scanner.scan

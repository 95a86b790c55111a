"""Look inside a legacy .xls before python-calamine parses it (docs/reliability.md, issue 16).

calamine trusts what the file declares and aborts the whole process (no exception to catch)
when an allocation fails. Measured and read in its source (calamine 0.36, python-calamine
0.9.1), it trusts:

- in the OLE2 container: the DIFAT and directory sector chains (followed until their end, so a
  loop grows memory until the process aborts) and every stream's declared size (its sectors
  are copied until it is reached);
- in the Workbook stream: each sheet's DIMENSIONS record (rows × columns cells reserved; its
  row fields are 32-bit), the real extent of the cell records (the sheet is made dense from
  the first to the last cell), each sheet's position (out of range: a panic), a MERGECELLS
  record's count (read past its end: a panic), and the shared strings (every LABELSST cell
  gets its own copy of its string, so one long string referenced a million times is copied
  a million times).

The container is read with olefile (which bounds its own loops); the chains calamine follows
are checked here for loops and range, and the BIFF records are walked the way calamine walks
them (CONTINUE records joined to the record before), so each of those is bounded first.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import olefile

from scoring.engine.limits import RAISE_SIZE, Limits, check_total_cells, refuse
from scoring.errors import InvalidInputError
from scoring.files import size_text

XLS_MAX_ROWS = 65_536  # BIFF8
XLS_MAX_COLUMNS = 256
STREAMS = ("Workbook", "Book")  # BIFF8 and BIFF5 names of the workbook stream
# Sector ids at or above this end a chain (ENDOFCHAIN, FREESECT, FATSECT, DIFSECT).
_RESERVED = 0xFFFFFFFA
_CONTINUE = 0x003C
_BOF, _EOF = 0x0809, 0x000A
_BOUNDSHEET, _CODEPAGE, _SST = 0x0085, 0x0042, 0x00FC
_DIMENSIONS, _MERGECELLS, _MULRK, _LABELSST = 0x0200, 0x00E5, 0x00BD, 0x00FD
# Records that calamine turns into a cell at (row, col) given by their first four bytes.
_CELLS = {0x0006, 0x0203, 0x0204, 0x00D6, 0x0205, 0x027E, _LABELSST}
_FILEPASS = 0x002F
_DAMAGED = "不是有效的 .xls 工作簿（文件结构已损坏）"
ENCRYPTED = "工作簿设置了打开密码，无法读取；请在 Excel/WPS 中取消密码（文件 › 信息 › 保护工作簿）后另存"


@dataclass(frozen=True)
class XlsSheet:
    """A sheet as the workbook's BOUNDSHEET record lists it."""

    name: str
    hidden: bool


def _damaged(file: str) -> InvalidInputError:
    return refuse(file, "E103", detail=_DAMAGED)


def _walk_chain(start: int, fat: Any, sectors: int, file: str) -> None:
    """Follow a FAT chain as calamine does (until an id ≥ 0xFFFFFFFA) and refuse a loop or an
    id outside the file."""
    seen: set[int] = set()
    sector = start
    while sector < _RESERVED:
        if sector >= sectors or sector >= len(fat) or sector in seen:
            raise _damaged(file)
        seen.add(sector)
        sector = fat[sector]


def _check_container(path: Path, ole: olefile.OleFileIO, file: str, size: int) -> None:
    """The container fields calamine trusts (see the module docstring)."""
    with path.open("rb") as handle:
        header = handle.read(512)
    sector_size = ole.sectorsize
    sectors = max(size // sector_size, 1)
    # The DIFAT chain as calamine follows it: each sector's last entry names the next one.
    seen: set[int] = set()
    sector, = struct.unpack_from("<I", header, 68)
    with path.open("rb") as handle:
        while sector < _RESERVED:
            if sector >= sectors or sector in seen:
                raise _damaged(file)
            seen.add(sector)
            handle.seek((sector + 1) * sector_size)
            block = handle.read(sector_size)
            if len(block) < 4:
                raise _damaged(file)
            sector, = struct.unpack_from("<I", block, len(block) - 4)
    fat = ole.fat
    _walk_chain(ole.first_dir_sector, fat, sectors, file)
    if ole.first_mini_fat_sector < _RESERVED:
        _walk_chain(ole.first_mini_fat_sector, fat, sectors, file)
    for entry in ole.direntries:
        if entry is None:
            continue
        if entry.size > size:
            raise _damaged(file)
        if entry.entry_type == olefile.STGTY_ROOT or entry.size >= ole.minisectorcutoff:
            _walk_chain(entry.isectStart, fat, sectors, file)


def _records(data: bytes, start: int) -> Iterator[tuple[int, int, list[bytes] | None] | None]:
    """(type, position, parts) of each record of the workbook globals from `start` to the end
    of the stream; `parts` only for the SST, whose CONTINUE records carry on its strings (as
    calamine joins them). None for a record cut short."""
    end = len(data)
    pos = start
    unpack = struct.unpack_from
    while pos + 4 <= end:
        kind, length = unpack("<HH", data, pos)
        body_end = pos + 4 + length
        if body_end > end:
            yield None
            return
        record_pos = pos
        pos = body_end
        if kind == _SST:  # the one record here whose CONTINUE parts matter
            parts = [data[record_pos + 4:body_end]]
            while pos + 4 <= end and unpack("<H", data, pos)[0] == _CONTINUE:
                length = unpack("<H", data, pos + 2)[0]
                if pos + 4 + length > end:
                    yield None
                    return
                parts.append(data[pos + 4:pos + 4 + length])
                pos += 4 + length
            yield kind, record_pos, parts
            continue
        yield kind, record_pos, None


class _Parts:
    """A cursor over an SST record and its CONTINUE parts."""

    def __init__(self, parts: list[bytes]) -> None:
        self.parts, self.index, self.at = parts, 0, 0

    def room(self) -> int:
        """Bytes left in the current part, moving to the next part when none are (-1 at the end)."""
        while self.at >= len(self.parts[self.index]):
            if self.index + 1 >= len(self.parts):
                return -1
            self.index, self.at = self.index + 1, 0
        return len(self.parts[self.index]) - self.at

    def read(self, fmt: str) -> tuple[int, ...] | None:
        """Fixed fields, which never straddle two parts."""
        if self.room() < struct.calcsize(fmt):
            return None
        fields = struct.unpack_from(fmt, self.parts[self.index], self.at)
        self.at += struct.calcsize(fmt)
        return fields

    def skip(self, count: int) -> bool:
        """Skip bytes that are not characters (no flag byte where a part begins)."""
        while count:
            room = self.room()
            if room < 0:
                return False
            step = min(count, room)
            self.at += step
            count -= step
        return True

    def characters(self, count: int, wide: bool) -> bool:
        """Skip `count` characters; where they go on in the next part, one flag byte says
        whether they are 1 or 2 bytes wide there."""
        while count:
            part = self.parts[self.index]
            room = (len(part) - self.at) // (2 if wide else 1)
            if room == 0:
                if self.at < len(part) or self.index + 1 >= len(self.parts) or not self.parts[self.index + 1]:
                    return False  # half a character, or the strings end early
                self.index += 1
                wide, self.at = bool(self.parts[self.index][0] & 0x1), 1
                continue
            step = min(count, room)
            self.at += step * (2 if wide else 1)
            count -= step
        return True


def _string_lengths(parts: list[bytes]) -> list[int]:
    """The length in characters of each string of an SST record (what calamine reads of it)."""
    cursor = _Parts(parts)
    lengths: list[int] = []
    if cursor.read("<II") is None:
        return lengths
    while cursor.room() > 0:
        head = cursor.read("<HB")
        if head is None:
            break
        cch, flags = head
        runs = cursor.read("<H") if flags & 0x8 else (0,)
        extra = cursor.read("<I") if flags & 0x4 else (0,)
        if runs is None or extra is None or not cursor.characters(cch, bool(flags & 0x1)):
            break
        lengths.append(cch)
        if not cursor.skip(runs[0] * 4) or not cursor.skip(extra[0]):
            break
    return lengths


def _sheet_name(body: bytes, codepage: str) -> str:
    """The name of a BOUNDSHEET record (BIFF8: a short Unicode string; BIFF5: code page bytes)."""
    if len(body) < 8:
        return ""
    count, flags = body[6], body[7]
    if flags in (0, 1) and len(body) >= 8 + count * (2 if flags else 1):
        raw = body[8:8 + count * (2 if flags else 1)]
        return raw.decode("utf-16-le" if flags else "latin-1", "replace").replace("\x00", "")
    return body[7:7 + count].decode(codepage, "replace").replace("\x00", "")


def _codepage(body: bytes) -> str:
    number = struct.unpack_from("<H", body)[0] if len(body) >= 2 else 1200
    return {936: "gbk", 950: "big5", 1200: "utf-16-le", 1252: "cp1252"}.get(number, "cp1252")


class _Sheet:
    """One sheet's bounds: its cells' extent and its declared dimensions."""

    def __init__(self, file: str, name: str, limits: Limits) -> None:
        self.file, self.name, self.limits = file, name, limits
        self.strings = 0  # characters that LABELSST cells copy
        self.cells = 0  # the largest rows × columns met: what calamine holds for the sheet

    def check(self, rows: int, cols: int) -> None:
        """Refuse `rows` × `cols` (counted from A1, as the reader pads them) when over a limit."""
        if rows > XLS_MAX_ROWS or cols > XLS_MAX_COLUMNS:
            raise refuse(self.file, "E136", sheet=self.name, value=f"{rows} 行 × {cols} 列")
        if rows * cols > self.limits.max_cells:
            raise refuse(self.file, "E109", sheet=self.name, value=f"{rows * cols:,}",
                         expected=f"{self.limits.max_cells:,}")
        self.cells = max(self.cells, rows * cols)

    def dimensions(self, body: bytes) -> None:
        if len(body) == 14:
            first_row, last_row, _first_col, last_col = struct.unpack_from("<IIHH", body)
        elif len(body) == 10:
            first_row, last_row, _first_col, last_col = struct.unpack_from("<HHHH", body)
        else:
            return  # calamine refuses it with an error of its own
        if first_row > last_row:  # calamine's row count would wrap round to 4 billion
            raise _damaged(self.file)
        self.check(last_row, last_col)  # the last fields are one past the end


_HEAD = struct.Struct("<HH").unpack_from  # a record's type and length; a cell's row and column
_U32 = struct.Struct("<I").unpack_from


def _scan_sheet(data: bytes, start: int, sheet: _Sheet, strings: list[int]) -> None:
    """Walk one sheet's records as calamine does (from its BOUNDSHEET position to its EOF,
    nested substreams skipped). The hot loop of the pre-flight: kept flat."""
    end, pos = len(data), start
    depth, seen_bof = 0, False
    max_row = max_col = -1
    copied, known = 0, len(strings)
    while pos + 4 <= end:
        kind, length = _HEAD(data, pos)
        body, pos = pos + 4, pos + 4 + length
        if pos > end:
            raise _damaged(sheet.file)
        if depth:  # a nested substream (an embedded chart): calamine skips it
            depth += 1 if kind == _BOF else -1 if kind == _EOF else 0
        elif kind in _CELLS:
            if length >= 4:
                row, col = _HEAD(data, body)
                if row > max_row or col > max_col:
                    max_row, max_col = max(max_row, row), max(max_col, col)
                    sheet.check(max_row + 1, max_col + 1)
                if kind == _LABELSST and length >= 10:
                    index = _U32(data, body + 6)[0]
                    copied += strings[index] if index < known else 0
        elif kind == _MULRK:
            if length >= 6:
                row = _HEAD(data, body)[0]
                col = _HEAD(data, body + length - 2)[0]
                if row > max_row or col > max_col:
                    max_row, max_col = max(max_row, row), max(max_col, col)
                    sheet.check(max_row + 1, max_col + 1)
        elif kind == _BOF:
            depth, seen_bof = (1 if seen_bof else 0), True
        elif kind == _EOF:
            break
        elif kind == _DIMENSIONS:
            sheet.dimensions(data[body:pos])
        elif kind == _MERGECELLS and (length < 2 or length < 2 + 8 * _HEAD(data, body)[0]):
            raise _damaged(sheet.file)  # calamine would read past its end
    sheet.strings = copied


def scan_xls(path: Path, file: str, limits: Limits) -> list[XlsSheet]:
    """The sheets of the .xls at `path` in workbook order; InvalidInputError when it is damaged
    or over a limit in a way that would make calamine abort or blow up."""
    size = path.stat().st_size
    try:
        ole = olefile.OleFileIO(str(path))
    except Exception:  # olefile's own checks of a damaged container (OSError and others)
        raise _damaged(file) from None
    try:
        _check_container(path, ole, file, size)
        name = next((n for n in STREAMS if ole.exists(n)), None)
        if name is None:
            raise refuse(file, "E103", detail="不是有效的 .xls 工作簿（没有工作簿数据）")
        if ole.get_size(name) > limits.max_bytes:
            raise refuse(file, "E129", detail=f"工作簿中的表格数据有 {size_text(ole.get_size(name))}",
                         value=ole.get_size(name), expected=f"{limits.max_size_mb} MB", advice=RAISE_SIZE)
        data = ole.openstream(name).read()
    except InvalidInputError:
        raise
    except Exception:
        raise _damaged(file) from None
    finally:
        ole.close()
    return _scan_workbook(data, file, limits)


def _scan_workbook(data: bytes, file: str, limits: Limits) -> list[XlsSheet]:
    boundsheets: list[tuple[int, str, bool]] = []
    count = 0
    strings: list[int] = []
    codepage = "cp1252"
    for record in _records(data, 0):
        if record is None:
            raise _damaged(file)
        kind, pos, parts = record
        length = struct.unpack_from("<H", data, pos + 2)[0]
        body = data[pos + 4:pos + 4 + length] if kind in (_BOUNDSHEET, _CODEPAGE) else b""
        if kind == _EOF:
            break
        if kind == _FILEPASS:  # the records after it are encrypted (calamine: XlsError::Password)
            raise refuse(file, "E103", detail=ENCRYPTED)
        if kind == _CODEPAGE:
            codepage = _codepage(body)
        elif kind == _SST and parts is not None:
            strings = _string_lengths(parts)
        elif kind == _BOUNDSHEET:
            if len(body) < 6:
                raise _damaged(file)
            start = struct.unpack_from("<I", body)[0]
            if start >= len(data):
                raise _damaged(file)
            count += 1
            if count <= limits.max_sheets:
                boundsheets.append((start, _sheet_name(body, codepage), body[4] & 0x3F != 0))
    if count > limits.max_sheets:
        raise refuse(file, "E106", value=count, expected=limits.max_sheets)
    copied = cells = 0
    for start, name, _hidden in boundsheets:
        sheet = _Sheet(file, name, limits)
        _scan_sheet(data, start, sheet, strings)
        copied += sheet.strings
        cells += sheet.cells
    # calamine makes every sheet dense when it opens the file, hidden ones too.
    check_total_cells(file, cells, len(boundsheets), limits)
    # Each copy is held once by calamine (UTF-8, up to 3 bytes a character) and once by Python.
    if copied * 3 > limits.max_bytes:
        raise refuse(file, "E129", detail=f"同一段文字被许多单元格引用，逐格读出后共有 {size_text(copied * 3)}",
                     value=copied * 3, expected=f"{limits.max_size_mb} MB", advice=RAISE_SIZE)
    return [XlsSheet(name, hidden) for _start, name, hidden in boundsheets]

"""Build legacy .xls files in code (no binary fixtures): a BIFF8 Workbook stream of the few
records python-calamine needs, in a minimal OLE2 container (512-byte sectors, no mini stream).
Every field a test wants to lie about is a parameter."""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FREESECT, ENDOFCHAIN, FATSECT, NOSTREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
SECTOR = 512


def record(kind: int, body: bytes) -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def _short_string(text: str) -> bytes:
    """BIFF8 ShortXLUnicodeString, UTF-16 (flag 1)."""
    return struct.pack("<BB", len(text), 1) + text.encode("utf-16-le")


def _sst(strings: list[str]) -> bytes:
    body = struct.pack("<II", len(strings), len(strings))
    for text in strings:
        body += struct.pack("<HB", len(text), 1) + text.encode("utf-16-le")
    return record(0x00FC, body)


@dataclass
class Sheet:
    """One worksheet: rows of values (str → shared string, number → NUMBER, None → nothing),
    extra cells as (row, col, value) (0-based), records appended verbatim, an optional
    DIMENSIONS (first row, last row + 1, first col, last col + 1) and the hidden flag."""

    name: str
    rows: list[list[Any]] = field(default_factory=list)
    cells: list[tuple[int, int, Any]] = field(default_factory=list)
    dimensions: tuple[int, int, int, int] | None = None
    hidden: bool = False
    extra: bytes = b""


def _cells(sheet: Sheet, strings: dict[str, int]) -> bytes:
    out: list[bytes] = []
    every = [(r, c, v) for r, row in enumerate(sheet.rows) for c, v in enumerate(row)] + sheet.cells
    for row, col, value in every:
        if value is None:
            continue
        if isinstance(value, str):
            index = strings.setdefault(value, len(strings))
            out.append(record(0x00FD, struct.pack("<HHHI", row, col, 0, index)))
        else:
            out.append(record(0x0203, struct.pack("<HHHd", row, col, 0, float(value))))
    return b"".join(out)


def workbook_stream(sheets: list[Sheet], strings: list[str] | None = None) -> bytes:
    """The Workbook stream: globals (BOF, CODEPAGE, BOUNDSHEETs, SST, EOF), then each sheet."""
    table: dict[str, int] = {s: i for i, s in enumerate(strings or [])}
    bodies = []
    for sheet in sheets:
        rows, cols = len(sheet.rows), max((len(r) for r in sheet.rows), default=0)
        dims = sheet.dimensions or (0, rows, 0, cols)
        bodies.append(record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0010, 0x0DBB, 0x07CC, 0, 6))
                      + record(0x0200, struct.pack("<IIHHH", *dims, 0))
                      + _cells(sheet, table) + sheet.extra + record(0x000A, b""))
    ordered = sorted(table, key=table.__getitem__)
    head = record(0x0809, struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 6))
    head += record(0x0042, struct.pack("<H", 1200))
    tail = _sst(ordered) + record(0x000A, b"")
    sizes = [len(record(0x0085, b"\0" * 6 + _short_string(s.name))) for s in sheets]
    pos = len(head) + sum(sizes) + len(tail)
    bound = b""
    for sheet, body in zip(sheets, bodies, strict=True):
        bound += record(0x0085, struct.pack("<IBB", pos, 1 if sheet.hidden else 0, 0) + _short_string(sheet.name))
        pos += len(body)
    return head + bound + tail + b"".join(bodies)


def _entry(name: str, kind: int, child: int, start: int, size: int) -> bytes:
    encoded = (name + "\0").encode("utf-16-le") if name else b""
    return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", NOSTREAM, NOSTREAM, child) + bytes(16) + struct.pack("<I", 0)
            + bytes(16) + struct.pack("<IQ", start, size))


def ole2(stream: bytes, name: str = "Workbook") -> bytes:
    """A compound file holding one stream (padded to at least 4,096 bytes, so that it lives in
    normal sectors)."""
    stream = stream.ljust(4096, b"\0")
    data_sectors = math.ceil(len(stream) / SECTOR)
    fat_sectors = 1
    while fat_sectors * (SECTOR // 4) < fat_sectors + 1 + data_sectors:
        fat_sectors += 1
    assert fat_sectors <= 109
    directory = fat_sectors
    first = directory + 1
    fat = [FATSECT] * fat_sectors + [ENDOFCHAIN]
    fat += [first + i + 1 for i in range(data_sectors - 1)] + [ENDOFCHAIN]
    fat += [FREESECT] * (fat_sectors * (SECTOR // 4) - len(fat))
    difat = list(range(fat_sectors)) + [FREESECT] * (109 - fat_sectors)
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16)
              + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
              + struct.pack("<IIIIIIIII", 0, fat_sectors, directory, 0, 4096, ENDOFCHAIN, 0, ENDOFCHAIN, 0)
              + struct.pack("<109I", *difat))
    entries = (_entry("Root Entry", 5, 1, ENDOFCHAIN, 0) + _entry(name, 2, NOSTREAM, first, len(stream))
               + _entry("", 0, NOSTREAM, 0, 0) * 2)
    return (header + struct.pack(f"<{len(fat)}I", *fat) + entries
            + stream.ljust(data_sectors * SECTOR, b"\0"))


def build_xls(path: Path, sheets: list[Sheet], strings: list[str] | None = None) -> Path:
    """An .xls of `sheets` at `path`."""
    path.write_bytes(ole2(workbook_stream(sheets, strings)))
    return path

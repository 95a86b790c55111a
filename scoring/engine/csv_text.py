"""Read a CSV (or tab-separated text) file streaming, held to the input limits while it is read
(issue 16): never the whole file in memory at once, and reading stops at the first row that
passes a bound — rows × widest row (a blank line counts as one cell) within --max-cells,
Excel's grid (1,048,576 rows × 16,384 columns), the bytes read within --max-size — with a
message naming the file and the row reached.

Encodings: UTF-8 with or without BOM, else GB18030 (WPS's "ANSI" on Chinese Windows), and
UTF-16 with its BOM (Excel's "Unicode 文本", tab-separated) or without it; anything else is named as an
encoding that cannot be told, with what to do.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from scoring.engine.limits import EXCEL_MAX_COLUMNS, EXCEL_MAX_ROWS, Limits, refuse
from scoring.engine.sniff import HEAD, UTF16_BOMS, utf16_without_bom
from scoring.files import sizes_apart


class _TooLarge(Exception):
    """More bytes than the limit came out of a file whose size said otherwise."""


class _Counted(io.RawIOBase):
    """A binary file that raises _TooLarge once more than `limit` bytes have been read."""

    def __init__(self, handle: io.BufferedReader, limit: int) -> None:
        super().__init__()
        self.handle, self.limit, self.count = handle, limit, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        got = self.handle.readinto(buffer)
        self.count += got or 0
        if self.count > self.limit:
            raise _TooLarge
        return got or 0


LINE_PIECE = 1 << 20  # characters: a longer line is read in pieces and checked first
BATCH = 4096  # rows parsed between two checks of the bounds, at most
# The most characters one field of the csv module's can take on a line (quoted, every quote
# doubled): a line holding more per field must hold a field the module refuses.
FIELD_CHARACTERS = 2 * csv.field_size_limit() + 2


class _CsvBounds:
    """A CSV's rows and widest row, counted while it is read, against the limits: rows ×
    widest row (a blank line counts as one cell) within --max-cells, and Excel's grid."""

    def __init__(self, shown: str, limits: Limits) -> None:
        self.shown, self.limits = shown, limits
        self.rows = 0
        self.widest = 1

    def room(self) -> int:
        """How many rows can be parsed before the next check without passing a bound by more
        than one check's worth, however wide they are."""
        cells = (self.limits.max_cells - self.rows * self.widest) // EXCEL_MAX_COLUMNS
        return max(1, min(BATCH, cells, EXCEL_MAX_ROWS + 1 - self.rows))

    def add(self, batch: list[list[str]]) -> None:
        """Count `batch`; at the first row that passes a bound, refuse naming that row."""
        widest = max(self.widest, max(map(len, batch)))
        if ((self.rows + len(batch)) * widest <= self.limits.max_cells
                and self.rows + len(batch) <= EXCEL_MAX_ROWS and widest <= EXCEL_MAX_COLUMNS):
            self.rows, self.widest = self.rows + len(batch), widest
            return
        for row in batch:  # past a bound: find the row
            self.rows += 1
            self.widest = max(self.widest, len(row))
            if self.rows > EXCEL_MAX_ROWS or self.widest > EXCEL_MAX_COLUMNS:
                raise refuse(self.shown, "E108", value=f"{self.rows} 行 × {self.widest} 列")
            if self.rows * self.widest > self.limits.max_cells:  # the span, as for a sheet
                raise refuse(self.shown, "E137", value=self.rows, detail=f"{self.rows * self.widest:,}",
                             expected=f"{self.limits.max_cells:,}")

    def long_line(self, line: int, delimiters: int) -> None:
        """Line `line`, too long to hand to the csv module unchecked, has `delimiters` so far:
        no more columns than Excel's."""
        if delimiters >= EXCEL_MAX_COLUMNS:
            raise refuse(self.shown, "E146", value=line, expected=f"{EXCEL_MAX_COLUMNS:,}")


def _lines(text: io.TextIOWrapper, bounds: _CsvBounds, delimiter: str) -> Iterator[str]:
    """The lines of `text`; one longer than LINE_PIECE is checked piece by piece before it is
    put together. The delimiters handed to the csv module are counted too: a record can run
    over many lines (quoted line breaks), and the module builds a whole record before it
    returns it. Messages name the line (as a text editor counts them)."""
    read = text.readline
    budget = 2 * bounds.limits.max_cells  # fields ≤ delimiters + rows; quoted delimiters count too
    fed = number = 0
    while line := read(LINE_PIECE):
        number += 1
        count = line.count(delimiter)
        if len(line) == LINE_PIECE and not line.endswith(("\n", "\r")):
            pieces, size = [line], len(line)
            while len(line) == LINE_PIECE and not line.endswith(("\n", "\r")):
                bounds.long_line(number, count)
                if size > (count + 1) * FIELD_CHARACTERS + count:
                    # A field longer than the csv module takes: it would refuse the line once
                    # put together (up to --max-size of it); refuse it now, as it would.
                    raise csv.Error("field larger than field limit")
                line = read(LINE_PIECE)
                count += line.count(delimiter)
                size += len(line)
                pieces.append(line)
            bounds.long_line(number, count)
            line = "".join(pieces)
        fed += count
        if fed > budget:
            raise refuse(bounds.shown, "E137", value=number, detail=f"{fed:,}",
                         expected=f"{bounds.limits.max_cells:,}")
        yield line


def _csv_format(head: bytes) -> tuple[str, str]:
    """The encoding to try first and the delimiter: a tab when the first line has tabs and no
    commas (Excel's "Unicode 文本" and "文本文件（制表符分隔）")."""
    if head.startswith(UTF16_BOMS):
        encoding = "utf-16"
    elif bare := utf16_without_bom(head):
        encoding = bare
    elif head.startswith(b"\xef\xbb\xbf"):
        encoding = "utf-8-sig"
    else:
        encoding = "utf-8"
    first = head.decode(encoding, "replace").split("\n", 1)[0]
    return encoding, "\t" if "\t" in first and "," not in first else ","


def _parse_csv(path: Path, shown: str, limits: Limits, encoding: str, delimiter: str) -> list[list[Any]]:
    bounds = _CsvBounds(shown, limits)
    rows: list[list[Any]] = []
    with path.open("rb") as handle:
        raw = _Counted(handle, limits.max_bytes)
        text = io.TextIOWrapper(io.BufferedReader(raw), encoding=encoding, newline="")
        reader = csv.reader(_lines(text, bounds, delimiter), delimiter=delimiter)
        try:
            while batch := list(itertools.islice(reader, bounds.room())):
                bounds.add(batch)
                rows += batch
        except _TooLarge:
            raise refuse(shown, "E138", value=bounds.rows + 1, detail=sizes_apart(raw.count, limits.max_bytes)[0],
                        expected=f"{limits.max_size_mb} MB") from None
    return rows


BAD_ENCODING = ("无法识别文件编码（不是 UTF-8、GB18030/GBK 或 UTF-16）；请在 Excel/WPS 中打开后"
                "另存为“CSV UTF-8（逗号分隔）”文件")


def read_csv(path: Path, shown: str, limits: Limits) -> list[list[Any]]:
    """The rows of the CSV at `path` (`shown` in messages); InvalidInputError when it passes a
    bound or cannot be decoded. UTF-8 is tried first; where it fails, even late in the file,
    the file is read again as GB18030."""
    with path.open("rb") as handle:
        head = handle.read(HEAD)
    encoding, delimiter = _csv_format(head)
    tried = [encoding] if encoding != "utf-8" else ["utf-8", "gb18030"]
    for attempt in tried:
        try:
            rows = _parse_csv(path, shown, limits, attempt, delimiter)
            break
        except UnicodeDecodeError:
            continue
        except csv.Error:
            raise refuse(shown, "E103",
                        detail="CSV 格式错误：有无法解析的内容（如空字符 NUL 或引号不配对的超长字段）") from None
    else:
        raise refuse(shown, "E103", detail=BAD_ENCODING)
    return rows

"""Big tables written straight into an xlsx package.

xlsxwriter spends about 4 µs on every cell (a method call, a format lookup and an escape per
cell); a city-wide 整改清单 has millions of cells. So a table's header, widths, filter, frozen
pane and print set-up are laid out by xlsxwriter, its rows are deferred, and when the workbook
closes its sheet's `<sheetData>` is completed here: each row's cells are serialised with one
string operation each (a distinct value's XML is made once per column and reused), and the
package is re-zipped with the rows streamed into their sheet.

The XML is what xlsxwriter itself writes in constant-memory mode: inline strings (escaped the
same way, control characters as `_xHHHH_`), numbers as `<v>`, one style per column. The style
ids are read from the sheet's own `<cols>` element, where xlsxwriter put each column's format.
"""

from __future__ import annotations

import io
import itertools
import math
import re
import zipfile
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from xml.etree import ElementTree

from scoring.engine.positions import column_letter
from scoring.outputs.excel_rules import EXCEL, TRUNCATED, cell_text, clip
from scoring.text import NOT_XML

MAX_CELL_TEXT = EXCEL.text  # UTF-16 units
CHUNK_ROWS = 2000  # rows serialised per write to the zip stream
CACHED_TEXT = 48  # texts up to this length are serialised once per column
WRITE_AHEAD = 4  # chunks serialised while earlier ones are being compressed
# Deflate level: 4 compresses a big sheet 2.2× faster than zlib's default 6, for a file about
# a fifth larger (measured on a 180 MB 整改清单); the compressing thread then keeps up.
DEFLATE_LEVEL = 4
# What text_xml must change: markup, what XML cannot hold (text.NOT_XML) and CR (an XML reader
# turns a bare CR into LF, so it is kept as `_x000D_`), and a literal `_xHHHH_`.
_ESCAPED = re.compile(f"[&<>\r{NOT_XML}]|_x[0-9a-fA-F]{{4}}_")
# Excel reads `_xHHHH_` as an escaped character: every underscore that starts such a text is
# itself escaped (`_x005F_`), overlapping ones too (`_x0041_x0042_` has two).
_ESCAPE_OF_ESCAPE = re.compile(r"_(?=x[0-9a-fA-F]{4}_)")
_CONTROL = re.compile(f"[\r{NOT_XML}]")  # as _xHHHH_ (lone surrogates are U+FFFD by then)
_NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
       "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
       "p": "http://schemas.openxmlformats.org/package/2006/relationships"}
_COL = re.compile(r'<col min="(\d+)" max="(\d+)"[^>]*?\bstyle="(\d+)"')
_DIMENSION = re.compile(r'<dimension ref="[^"]*"/>')


@dataclass
class DeferredRows:
    """The rows of one table, to be written below its header in the sheet's first row."""

    rows: Sequence[Sequence[Any]]
    columns: int
    heights: Sequence[float | None] | None = None  # per row, points; None = default
    text_limit: int = MAX_CELL_TEXT  # UTF-16 units per cell (lowered in tests)


def text_xml(text: str, limit: int = MAX_CELL_TEXT) -> str:
    """`<is>` content of an inline string: XML-escaped, control characters as `_xHHHH_` (and a
    literal `_xHHHH_` kept literal), a lone surrogate as U+FFFD, whitespace at either end
    preserved; at most `limit` UTF-16 units (Excel's 32,767), visibly truncated (excel_rules)."""
    if len(text) > limit // 2:
        text = clip(text, limit, TRUNCATED)
    if _ESCAPED.search(text):
        text = cell_text(text, limit)  # lone surrogates
        text = _ESCAPE_OF_ESCAPE.sub("_x005F_", text)
        text = _CONTROL.sub(lambda m: f"_x{ord(m.group()):04X}_", text)
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if text[:1].isspace() or text[-1:].isspace():
        return f'<is><t xml:space="preserve">{text}</t></is>'
    return f"<is><t>{text}</t></is>"


def _fragment(value: Any, style: str, limit: int) -> str:
    """A cell's XML after its `r="…` reference: numbers as numbers, everything else as text."""
    kind = type(value)
    if kind is int or (kind is float and math.isfinite(value)):
        return f'"{style}><v>{value!r}</v></c>'
    if kind is bool:
        value = "是" if value else "否"
    return f'"{style} t="inlineStr">{text_xml(str(value), limit)}</c>'


def rows_xml(table: DeferredRows, styles: Sequence[int | None]) -> Iterator[str]:
    """The `<row>` elements of a table, in chunks. None is an empty cell."""
    letters = [column_letter(c) for c in range(table.columns)]
    style_attrs = ["" if s is None else f' s="{s}"' for s in styles]
    caches: list[dict[Any, str]] = [{} for _ in range(table.columns)]
    heights = table.heights
    limit = table.text_limit
    out: list[str] = []
    for n, row in enumerate(table.rows):
        ref = str(n + 2)  # 1-based, below the header
        height = heights[n] if heights is not None else None
        out.append(f'<row r="{ref}">' if height is None else f'<row r="{ref}" ht="{height:g}" customHeight="1">')
        for c, value in enumerate(row):
            if value is None:
                continue
            cache = caches[c]
            kind = type(value)
            fragment = cache.get(value) if kind is not bool else None  # True == 1 as a key
            if fragment is None:
                fragment = _fragment(value, style_attrs[c], limit)
                if kind is not bool and (kind is not str or len(value) <= CACHED_TEXT):
                    cache[value] = fragment
            out.append(f'<c r="{letters[c]}{ref}{fragment}')
        out.append("</row>")
        if n % CHUNK_ROWS == CHUNK_ROWS - 1:
            yield "".join(out)
            out.clear()
    yield "".join(out)


def _sheet_members(package: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → its member in the package, from workbook.xml and its relationships."""
    rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.findall("p:Relationship", _NS)}
    book = ElementTree.fromstring(package.read("xl/workbook.xml"))
    members = {}
    for sheet in book.iterfind("m:sheets/m:sheet", _NS):
        target = targets[sheet.get(f"{{{_NS['r']}}}id")]
        members[sheet.get("name", "")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return members


def _column_styles(head: str, columns: int) -> list[int | None]:
    """Each column's style id, from the `<col … style="N">` elements xlsxwriter wrote."""
    styles: list[int | None] = [None] * columns
    for first, last, style in _COL.findall(head):
        for c in range(int(first) - 1, min(int(last), columns)):
            styles[c] = int(style)
    return styles


def _sheet_parts(xml: str, table: DeferredRows) -> tuple[str, str]:
    """The sheet's XML before and after the deferred rows, its dimension widened to them."""
    end = xml.index("</sheetData>")  # after the header row xlsxwriter wrote
    last = f"{column_letter(table.columns - 1)}{len(table.rows) + 1}"
    head = _DIMENSION.sub(f'<dimension ref="A1:{last}"/>', xml[:end], count=1)
    return head, xml[end:]


def write_behind(stream: IO[bytes], chunks: Iterable[bytes]) -> None:
    """Write `chunks` to `stream` in a second thread, a few chunks behind the serialising one:
    zlib compresses without holding the GIL, so both cores work. A failed write stops the
    serialising and is raised here."""
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="xlsx-deflate") as writer:
        pending: deque[Future[int]] = deque()
        for chunk in chunks:
            pending.append(writer.submit(stream.write, chunk))
            if len(pending) > WRITE_AHEAD:
                pending.popleft().result()
        for done in pending:
            done.result()


def splice(package_bytes: bytes, target: Path, deferred: dict[str, DeferredRows]) -> None:
    """Write the package to `target` with each deferred table's rows in its sheet."""
    with zipfile.ZipFile(io.BytesIO(package_bytes)) as source, \
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=DEFLATE_LEVEL) as out:
        members = {member: name for name, member in _sheet_members(source).items() if name in deferred}
        if len(members) != len(deferred):  # a bug, never the data: rows must not vanish quietly
            raise RuntimeError(f"sheets not in the package: {sorted(set(deferred) - set(members.values()))}")
        for info in source.infolist():
            name = members.get(info.filename)
            if name is None:
                out.writestr(info, source.read(info), zipfile.ZIP_DEFLATED)
                continue
            table = deferred[name]
            head, tail = _sheet_parts(source.read(info).decode("utf-8"), table)
            styles = _column_styles(head, table.columns)
            with out.open(info.filename, "w", force_zip64=True) as stream:
                write_behind(stream, (part.encode("utf-8") for part in
                                      itertools.chain([head], rows_xml(table, styles), [tail])))

"""Tables whose rows bulk.py writes straight into the package read back exactly like the same
tables written cell by cell through xlsxwriter: values, number formats, wrapping, row heights,
dimension — including the text that xlsxwriter would turn into a formula, a link, rich text or
a control character."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from scoring.engine.positions import column_letter
from scoring.outputs.bulk import text_xml, write_behind
from scoring.outputs.xlsx import WRAP_WIDTH, Column, TableWriter, new_workbook, wrapped_lines

COLUMNS = [Column("文字"), Column("得分", "score"), Column("得分率", "rate"), Column("名次", "int"),
           Column("扣分原因", "wrap")]
TRICKY = ["=1+1", "http://example.com", "001", "a\x01b", "_x0041_", " 前有空格", "后有空格 ", "<r>x</r>",
          "a&b<c>", "TRUE", "", "第1社区\t楼院"]


def _rows() -> list[list[Any]]:
    rows: list[list[Any]] = []
    for n, text in enumerate(TRICKY):
        rows.append([text, n * 1.25, 0.1 + 0.2 if n == 3 else n / 7, n, "一行\n两行\n三行" if n % 2 else None])
    rows += [[True, 2**40, None, -3, "很长的扣分原因" * 30], [False, 1, 0.5, 0, "x"], [None, None, None, None, None]]
    return rows


def _both(tmp_path: Path, rows: list[list[Any]]) -> tuple[Path, Path]:
    """The same table written by bulk.py and cell by cell by xlsxwriter."""
    bulk, cells = tmp_path / "bulk.xlsx", tmp_path / "cells.xlsx"
    book = new_workbook(bulk)
    TableWriter(book).table("表", COLUMNS, rows)
    book.close()
    book = new_workbook(cells)
    out = TableWriter(book)
    sheet = out.add_sheet("表")
    widths = [0] * len(COLUMNS)
    out.write_block(sheet, 0, COLUMNS, rows, widths)
    out.finish(sheet, widths, columns=COLUMNS)
    book.close()
    return bulk, cells


def _cells(path: Path) -> list[tuple[Any, ...]]:
    """Every cell's value as calamine reads it (openpyxl leaves `_xHHHH_` escapes of inline text
    as they are; Excel and calamine decode them), numbers to 15 significant digits (xlsxwriter
    writes 16, bulk.py every digit); and its format and row height as openpyxl reads them."""
    values = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("表").to_python()
    ws = load_workbook(path)["表"]
    return [(c.coordinate, float(f"{v:.15g}") if isinstance(v, float) else v, c.number_format,
             c.alignment.wrap_text, c.alignment.vertical, ws.row_dimensions[c.row].height)
            for row, row_values in zip(ws.iter_rows(), values, strict=True)
            for c, v in zip(row, row_values, strict=True) if v != ""]


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 51, 52, 701, 702, 16383)] == [
        "A", "Z", "AA", "AZ", "BA", "ZZ", "AAA", "XFD"]


def test_text_is_escaped_as_excel_reads_it() -> None:
    assert text_xml("a&b<c>") == "<is><t>a&amp;b&lt;c&gt;</t></is>"
    assert text_xml(" 空格") == '<is><t xml:space="preserve"> 空格</t></is>'
    assert text_xml("x\x01y\x1f") == "<is><t>x_x0001_y_x001F_</t></is>"
    assert text_xml("_x0041_") == "<is><t>_x005F_x0041_</t></is>"
    assert text_xml("<r>粗体</r>") == "<is><t>&lt;r&gt;粗体&lt;/r&gt;</t></is>"  # text, never rich text
    assert text_xml("两行\n文字") == "<is><t>两行\n文字</t></is>"


def test_text_is_cut_at_excels_limit_in_utf16_units() -> None:
    # Cut visibly: "…（已截断）" (6 units) ends a text that was longer.
    assert text_xml("字" * 40000) == f"<is><t>{'字' * 32761}…（已截断）</t></is>"
    assert text_xml("😀" * 20000) == f"<is><t>{'😀' * 16380}…（已截断）</t></is>"  # two units each
    assert text_xml("字" * 32767) == f"<is><t>{'字' * 32767}</t></is>"


def test_bulk_rows_read_back_like_xlsxwriter_cells(tmp_path: Path) -> None:
    bulk, cells = _both(tmp_path, _rows())
    got, want = _cells(bulk), _cells(cells)
    assert got == want
    values = {coordinate: value for coordinate, value, *_ in got}
    assert values["A6"] == "_x0041_" and values["A5"] == "a\x01b"
    assert (values["A2"], values["A3"], values["A9"], values["A14"]) == ("=1+1", "http://example.com", "<r>x</r>", "是")
    ws = load_workbook(bulk)["表"]
    assert ws["B14"].value == 2**40 and ws["C5"].value == 0.1 + 0.2 and ws["C3"].value == 1 / 7  # every digit
    assert ws.auto_filter.ref == "A1:E16" and ws.freeze_panes == "A2"
    with zipfile.ZipFile(bulk) as z:
        assert '<dimension ref="A1:E16"/>' in z.read("xl/worksheets/sheet1.xml").decode()
    assert ws.row_dimensions[3].height == 49.5  # three lines of wrapped text
    assert (ws["B2"].number_format, ws["C2"].number_format, ws["D2"].number_format) == ("0.00", "0.0%", "0")
    # calamine, the other reader the office's files meet, agrees
    rows = CalamineWorkbook.from_path(str(bulk)).get_sheet_by_name("表").to_python()
    assert rows[1][0] == "=1+1" and rows[4][0] == "a\x01b" and rows[5][0] == "_x0041_" and rows[13][:2] == ["是", 2**40]


def test_an_empty_table_has_its_header_only(tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    book = new_workbook(path)
    TableWriter(book).table("表", COLUMNS, [])
    book.close()
    ws = load_workbook(path)["表"]
    assert [c.value for c in ws[1]] == [c.header for c in COLUMNS] and ws.max_row == 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.text(st.characters(exclude_categories=("Cs",)), max_size=30), min_size=1, max_size=8))
def test_any_text_reads_back_like_xlsxwriter(tmp_path: Path, texts: list[str]) -> None:
    rows: list[list[Any]] = [[t, None, None, None, t] for t in texts]
    bulk, cells = _both(tmp_path, rows)
    assert _cells(bulk) == _cells(cells)


class _Full(io.RawIOBase):
    """A stream whose disk is full after the first write."""

    def __init__(self) -> None:
        self.writes = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.writes += 1
        if self.writes > 1:
            raise OSError(28, "No space left on device")
        return len(data)


def test_a_failed_write_stops_the_serialising_and_is_raised() -> None:
    produced = []

    def chunks() -> Any:
        for n in range(1000):
            produced.append(n)
            yield b"x" * 10

    with pytest.raises(OSError, match="No space"):
        write_behind(_Full(), chunks())  # type: ignore[arg-type]
    assert len(produced) < 20  # it stopped a few chunks after the failure, not at the end


def test_the_package_holds_each_part_once(tmp_path: Path) -> None:
    bulk, _ = _both(tmp_path, _rows())
    with zipfile.ZipFile(bulk) as z:
        names = z.namelist()
        assert len(names) == len(set(names)) and z.testzip() is None
        assert all(i.compress_type == zipfile.ZIP_DEFLATED for i in z.infolist())


def test_sheets_are_found_by_name_whatever_the_name(tmp_path: Path) -> None:
    path = tmp_path / "names.xlsx"
    book = new_workbook(path)
    out = TableWriter(book)
    names = ["A&B's <表>", "红榜（前 5 名）", '引号"']
    for n, name in enumerate(names):
        out.table(name, COLUMNS[:2], [[name, n]])
    book.close()
    loaded = load_workbook(path)
    assert loaded.sheetnames == names
    got = [(loaded[name]["A2"].value, loaded[name]["B2"].value) for name in names]
    assert got == [(name, n) for n, name in enumerate(names)]


def test_wrapped_lines_are_estimated_from_the_text_width() -> None:
    assert wrapped_lines("") == 1
    assert WRAP_WIDTH == 26
    assert wrapped_lines("a" * 26) == 1 and wrapped_lines("a" * 27) == 2
    assert wrapped_lines("字" * 13) == 1 and wrapped_lines("字" * 14) == 2  # two columns each
    assert wrapped_lines("一行\n" + "字" * 14 + "\n") == 4  # 1 + 2 + an empty last line

"""Issue 16, item 2: legacy .xls that lies to python-calamine (DIMENSIONS, far cells, string
copies, sector chains, sheets together) is refused before calamine opens it. Fixtures are built
here (tests/xls_builder.py); whatever could blow up memory runs in a child under a limit."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from scoring.engine.limits import Limits
from scoring.errors import InvalidInputError
from tests.helpers import write_csv
from tests.input_support import ROWS, TOTALS, refused, scored, totals
from tests.xls_builder import Sheet, build_xls, ole2, workbook_stream
from tests.xls_builder import record as biff

# ---------------------------------------------------------------- item 2: legacy .xls

def test_xls_built_here_is_scored_and_a_hidden_sheet_is_named(tmp_path: Path) -> None:
    path = build_xls(tmp_path / "旧.xls", [Sheet("检查记录", ROWS), Sheet("旧数据", ROWS, hidden=True)])
    assert scored(tmp_path, path) == (f"提示 {path} › 旧数据 工作表已隐藏，未读取；如需评分，请在 Excel/WPS 中"
                                      "取消隐藏（W207）\n")
    assert totals(tmp_path) == TOTALS


FAR = "工作表的数据范围达到 {}，超过 .xls 格式允许的最大范围（65,536 行 × 256 列），文件已损坏（E136）"
DAMAGED = "无法打开该文件：不是有效的 .xls 工作簿（文件结构已损坏）（E103）"


@pytest.mark.parametrize(("sheet", "options", "message"), [
    # DIMENSIONS is 32-bit for rows: calamine reserved rows × columns from it and aborted
    (Sheet("检查记录", ROWS, dimensions=(0, 0xFFFFFFFF, 0, 15)), (), FAR.format("4294967295 行 × 15 列")),
    (Sheet("检查记录", ROWS, dimensions=(0, 3, 0, 300)), (), FAR.format("3 行 × 300 列")),
    # a first row after the last: calamine's row count wraps round to four billion
    (Sheet("检查记录", ROWS, dimensions=(10, 5, 0, 15)), (), DAMAGED),
    # a cell record far away: the sheet is made dense up to it (65,536 × 65,001 cells)
    (Sheet("检查记录", ROWS, cells=[(65535, 65000, "x")]), (), FAR.format("65536 行 × 65001 列")),
    # within BIFF8's grid, but over --max-cells (counted from A1, as the reader pads)
    (Sheet("检查记录", ROWS, cells=[(65535, 255, "x")]), ("--max-cells", "1000000"),
     "工作表的数据范围跨越 16,777,216 个单元格，超过上限 1,000,000（可用 --max-cells 调高）；"
     "通常是远处某个单元格有内容或格式，请删除多余的行列后另存（E109）"),
    (Sheet("检查记录", ROWS, dimensions=(0, 65536, 0, 256)), ("--max-cells", "1000000"),
     "工作表的数据范围跨越 16,777,216 个单元格，超过上限 1,000,000（可用 --max-cells 调高）；"
     "通常是远处某个单元格有内容或格式，请删除多余的行列后另存（E109）"),
    # MERGECELLS says 500 ranges and holds none: calamine read past its end (a Rust panic)
    (Sheet("检查记录", ROWS, extra=biff(0x00E5, struct.pack("<H", 500))), (), DAMAGED),
])
def test_xls_sheet_extent_is_bounded_before_calamine(tmp_path: Path, sheet: Sheet, options: tuple[str, ...],
                                                      message: str) -> None:
    path = build_xls(tmp_path / "in.xls", [sheet])
    where = f"{path} › 检查记录" if "E103" not in message else str(path)
    assert refused(tmp_path, path, options=options, child=True) == [f"错误 {where} {message}"]


def test_xls_shared_string_copies_are_bounded(tmp_path: Path) -> None:
    # One 8,000-character shared string in 20,000 cells: calamine copies it into each cell.
    sheet = Sheet("检查记录", ROWS, cells=[(r, 20, "长" * 8000) for r in range(3, 20003)])
    path = build_xls(tmp_path / "in.xls", [sheet])
    assert path.stat().st_size < 400_000
    assert refused(tmp_path, path, options=("--max-size", "64"), child=True) == [
        f"错误 {path} 同一段文字被许多单元格引用，逐格读出后共有 457.8 MB，超过上限 64 MB；可用 --max-size 调高；"
        "文件可能已损坏或被恶意构造（E129）"]


def test_xls_sheet_count_and_position_are_bounded(tmp_path: Path) -> None:
    path = build_xls(tmp_path / "多.xls", [Sheet(f"表{i}", ROWS) for i in range(5)])
    assert refused(tmp_path, path, options=("--max-sheets", "3")) == [
        f"错误 {path} 工作簿有 5 个工作表，超过上限 3 个（可用 --max-sheets 调高）（E106）"]
    stream = bytearray(workbook_stream([Sheet("检查记录", ROWS)]))
    at = stream.index(b"\x85\x00") + 4  # BOUNDSHEET: the sheet's position in the stream
    struct.pack_into("<I", stream, at, 10_000_000)  # out of range: a Rust panic in calamine
    (tmp_path / "位置.xls").write_bytes(ole2(bytes(stream)))
    assert refused(tmp_path, tmp_path / "位置.xls") == [f"错误 {tmp_path / '位置.xls'} {DAMAGED}"]


@pytest.mark.parametrize("patch", [
    # the DIFAT chain loops back to its own sector: calamine grew its list until it aborted
    [(512 + 4 * 127, 0), (68, 0)],
    # the directory chain loops: calamine read it for ever
    [(512 + 4 * 1, 1)],
    # the stream is declared larger than the file
    [(1024 + 128 + 120, 1 << 30)],
])
def test_xls_container_chains_are_checked(tmp_path: Path, patch: list[tuple[int, int]]) -> None:
    data = bytearray(ole2(workbook_stream([Sheet("检查记录", ROWS)])))
    for offset, value in patch:
        struct.pack_into("<I", data, offset, value)
    path = tmp_path / "in.xls"
    path.write_bytes(bytes(data))
    assert refused(tmp_path, path, child=True) == [f"错误 {path} {DAMAGED}"]


def test_xls_with_a_password_says_so(tmp_path: Path) -> None:
    stream = workbook_stream([Sheet("检查记录", ROWS)])
    at = stream.index(b"\x42\x00")  # before CODEPAGE: FILEPASS, RC4
    path = tmp_path / "密码.xls"
    path.write_bytes(ole2(stream[:at] + biff(0x002F, struct.pack("<HHH", 1, 1, 1) + bytes(48)) + stream[at:]))
    assert refused(tmp_path, path) == [
        f"错误 {path} 无法打开该文件：工作簿设置了打开密码，无法读取；请在 Excel/WPS 中取消密码"
        "（文件 › 信息 › 保护工作簿）后另存（E103）"]


# ---------------------------------------------------------------- round two (review of issue 16)

def test_xls_sheets_are_bounded_together(tmp_path: Path) -> None:
    # Review 1: 40 sheets of A1 and IV65536 each (16.7M cells, within --max-cells alone): calamine
    # makes every one dense when it opens the file (22.5 GB, exit 0 before).
    path = build_xls(tmp_path / "多表.xls", [Sheet(f"表{i}", [["x"]], cells=[(65535, 255, "x")]) for i in range(40)])
    assert path.stat().st_size < 20_000
    assert refused(tmp_path, path, child=True) == [
        f"错误 {path} 各工作表的数据范围合计 671,088,640 个单元格（40 个工作表），超过上限 20,000,000 个；"
        "可用 --max-cells 调高；通常是远处某个单元格有内容或格式，请删除多余的行列后另存（E129）"]
    # a hidden sheet counts too: calamine reads it as well
    hidden = build_xls(tmp_path / "隐藏.xls", [Sheet("检查记录", ROWS), Sheet("旧", [["x"]], cells=[(999, 99, "x")],
                                                                            hidden=True)])
    assert refused(tmp_path, hidden, options=("--max-cells", "100000")) == [
        f"错误 {hidden} 各工作表的数据范围合计 100,045 个单元格（2 个工作表），超过上限 100,000 个；"
        "可用 --max-cells 调高；通常是远处某个单元格有内容或格式，请删除多余的行列后另存（E129）"]


def test_xls_chart_and_macro_sheets_keep_the_sheets_in_step(tmp_path: Path) -> None:
    # Review 13: calamine lists every BOUNDSHEET whatever its kind, as the pre-flight does; a
    # chart sheet or a VBA module is passed over without a word.
    stream = bytearray(workbook_stream([Sheet("图表", [["x"]]), Sheet("检查记录", ROWS), Sheet("模块", [["x"]])]))
    bounds = [at for at in range(len(stream) - 1) if stream[at:at + 2] == b"\x85\x00"][:3]
    stream[bounds[0] + 9], stream[bounds[2] + 9] = 0x02, 0x06  # the sheet kind: chart, VBA module
    path = tmp_path / "图表.xls"
    path.write_bytes(ole2(bytes(stream)))
    assert scored(tmp_path, path) == ""
    assert totals(tmp_path) == TOTALS


def test_xls_with_two_sheets_of_one_name_is_refused(tmp_path: Path) -> None:
    # calamine keeps one of them by name: the other's rows would have been read twice.
    path = build_xls(tmp_path / "同名.xls", [Sheet("检查记录", ROWS), Sheet("检查记录", ROWS)])
    assert refused(tmp_path, path) == [
        f"错误 {path} 无法打开该文件：工作簿结构已损坏（有两个工作表都叫“检查记录”）（E103）"]


def test_a_file_over_max_size_says_what_is_large(tmp_path: Path) -> None:
    # Review 23: the file on disk is not "unpacked" (it was E105 "文件解压后有 2 MB").
    path = write_csv(tmp_path / "大.csv", ROWS + [["一社区", f"院{i}", "2023-03-01"] for i in range(90_000)])
    assert refused(tmp_path, path, options=("--max-size", "1")) == [
        f"错误 {path} 文件有 {path.stat().st_size / (1 << 20):.1f} MB，超过上限 1 MB；"
        "可用 --max-size 调高；请确认选择了正确的文件（E129）"]


NUMBERS = Sheet("检查记录", ROWS, cells=[(r, c, r + 0.5) for r in range(3, 3503) for c in range(20)])


def test_xls_workbook_stream_over_the_limit_is_named(tmp_path: Path) -> None:
    from scoring.engine.xls_scan import scan_xls

    path = build_xls(tmp_path / "in.xls", [NUMBERS])
    size = path.stat().st_size
    assert size > 1 << 20
    with pytest.raises(InvalidInputError) as caught:
        scan_xls(path, "in.xls", Limits(max_size_mb=1))
    assert caught.value.issues[0].line() == (
        f"in.xls 工作簿中的表格数据有 {size / (1 << 20):.1f} MB，超过上限 1 MB；可用 --max-size 调高；"
        "文件可能已损坏或被恶意构造（E129）")


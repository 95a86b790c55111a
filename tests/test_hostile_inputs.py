"""Issue 16, items 2, 4, 12 and 16: legacy .xls that lies to python-calamine, CSV without
bounds, the same input counted twice, and the small ones (UTF-16 and unknown encodings, .xlsb,
look-alike headers, control characters on the terminal). Fixtures are built here; whatever could
blow up memory runs in a child under a memory limit (tests/limited.py)."""

from __future__ import annotations

import io
import json
import os
import struct
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from scoring.engine.csv_text import read_csv
from scoring.engine.limits import Limits
from scoring.engine.reader import read_file
from scoring.errors import InvalidInputError
from tests.helpers import MINI, criteria_dir, record, rows_for, write_csv
from tests.limited import Outcome, run_limited
from tests.test_cli import invoke
from tests.xls_builder import Sheet, build_xls, ole2, workbook_stream
from tests.xls_builder import record as biff

MB_LIMIT = 512  # the whole run of a small file takes < 300 MB of address space
ROWS = rows_for([record("一社区", "甲院", "2023-03-01"), record("一社区", "乙院", "2023-03-02", A1="否")])
TOTALS = [("一社区", "乙院", 19.0), ("一社区", "甲院", 23.0)]  # A1 否: 17/21 of 21 + bonus 2


def limited(tmp: Path, *paths: Path, options: tuple[str, ...] = (), child: bool = True) -> Outcome:
    """`score run` on MINI — in a child under MB_LIMIT for a fixture meant to blow up memory,
    else in-process (faster); inputs byte-identical afterwards."""
    folder = criteria_dir(tmp, MINI)
    before = {p: p.read_bytes() for p in paths if p.is_file()}
    args = ["run", *map(str, paths), "--criteria", str(folder), "--out", str(tmp / "o"), *options]
    done = run_limited(args, tmp, mb=MB_LIMIT) if child else Outcome(*invoke(*args))
    assert not done.crashed, done.stderr
    assert {p: p.read_bytes() for p in paths if p.is_file()} == before
    return done


def refused(tmp: Path, *paths: Path, options: tuple[str, ...] = (), child: bool = False) -> list[str]:
    """The error lines of a run that must end with exit 1 and write nothing (`child`: under a
    memory limit)."""
    done = limited(tmp, *paths, options=options, child=child)
    assert done.code == 1, done.stderr
    assert not (tmp / "o").exists()
    lines = done.stderr.splitlines()
    assert lines[-1].startswith("共 ") and lines[-1].endswith("未生成任何输出文件。")
    return lines[:-1]


def totals(tmp: Path) -> list[tuple[str, str, float]]:
    results = json.loads((tmp / "o" / "results.json").read_text(encoding="utf-8"))
    return sorted((y["community"], y["courtyard"], y["total"]) for y in results["courtyards"])


def scored(tmp: Path, *paths: Path) -> str:
    """Run in-process; exit 0; the stderr."""
    folder = criteria_dir(tmp, MINI)
    code, _, err = invoke("run", *map(str, paths), "--criteria", str(folder), "--out", str(tmp / "o"))
    assert code == 0, err
    return err


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


# ---------------------------------------------------------------- item 4: CSV bounds

def test_csv_of_commas_stops_at_the_first_long_line(tmp_path: Path) -> None:
    path = tmp_path / "逗号.csv"
    path.write_bytes(b"," * 30_000_000)  # 30M cells in one line
    assert refused(tmp_path, path, child=True) == [
        f"错误 {path} 第 1 行超过 16,384 列（Excel 允许的最多列数），文件可能已损坏或不是检查记录（E146）"]


def test_csv_cells_are_rows_times_the_widest_row(tmp_path: Path) -> None:
    path = tmp_path / "宽.csv"
    path.write_bytes(("," * 999 + "\n").encode() * 5000)  # 1,000 cells a row
    assert refused(tmp_path, path, options=("--max-cells", "1000000"), child=True) == [
        f"错误 {path} 读到第 1001 行时已有 1,001,000 个单元格，超过上限 1,000,000（可用 --max-cells 调高）；"
        "文件可能已损坏或不是检查记录（E137）"]


def test_csv_blank_lines_count_as_cells_and_rows(tmp_path: Path) -> None:
    path = tmp_path / "空行.csv"
    path.write_bytes(b"\n" * 1_100_000)
    assert refused(tmp_path, path, child=True) == [
        f"错误 {path} 工作表的数据范围达到 1048577 行 × 1 列，超过 Excel 允许的最大范围"
        "（1,048,576 行 × 16,384 列），文件已损坏（E108）"]
    assert refused(tmp_path, path, options=("--max-cells", "100000"), child=True)[0].startswith(
        f"错误 {path} 读到第 100001 行时已有 100,001 个单元格")


def test_csv_record_over_many_lines_is_bounded_while_it_is_built(tmp_path: Path) -> None:
    # Quoted line breaks join 200,000 lines of commas into one record: 2M+ fields, built whole
    # by the csv module before it returns the record.
    path = tmp_path / "引号.csv"
    path.write_bytes(b'a,"' + b'\n",,,,,,,,,,"' * 200_000 + b"\n")
    assert refused(tmp_path, path, options=("--max-cells", "100000"), child=True) == [
        f"错误 {path} 读到第 20001 行时已有 200,001 个单元格，超过上限 100,000（可用 --max-cells 调高）；"
        "文件可能已损坏或不是检查记录（E137）"]


def test_csv_bytes_are_counted_while_reading(tmp_path: Path) -> None:
    # A file that grows after its size was checked (or a /proc file, whose size is 0).
    path = write_csv(tmp_path / "in.csv", ROWS + [["一社区", f"院{i}", "2023-03-01"] for i in range(60_000)])
    assert path.stat().st_size > 1 << 20
    with pytest.raises(InvalidInputError) as caught:
        read_csv(path, str(path), Limits(max_size_mb=1))
    assert caught.value.issues[0].line().startswith(f"{path} 读到第 ")
    assert caught.value.issues[0].line().endswith("字节，超过上限 1 MB（可用 --max-size 调高）（E138）")


def test_csv_whose_utf8_fails_late_is_read_again_as_gb18030(tmp_path: Path) -> None:
    # The encoding is found while streaming: 9,000 ASCII rows, then GB18030 — past the sample
    # sniffed and the first chunks decoded, so reading starts again, without doubled rows.
    path = write_csv(tmp_path / "in.csv", [["a", "b", "c"]] * 9000 + [["一社区", "丙院", "2023-03-03"]],
                     encoding="gb18030")
    assert path.read_bytes()[:54000].isascii()
    sheets, _ = read_file(path)
    assert len(sheets[0].rows) == 9001
    assert sheets[0].rows[0] == ["a", "b", "c"]
    assert sheets[0].rows[-1] == ["一社区", "丙院", "2023-03-03"]


# ---------------------------------------------------------------- item 12: the same input twice

def test_the_same_file_named_twice_or_by_a_link_is_refused(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", ROWS)
    link = tmp_path / "链接.csv"
    link.symlink_to(path)
    same = "是同一个文件（重复列出，或是它的链接），其中的检查记录会被计算两次；请只列出一次（E139）"
    assert refused(tmp_path, path, path) == [f"错误 {path} 与 {path} {same}"]
    assert refused(tmp_path, path, link) == [f"错误 {link} 与 {path} {same}"]


def test_an_identical_copy_is_refused_naming_both(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "一.csv", ROWS)
    folder = tmp_path / "汇总"
    folder.mkdir()
    copy = folder / "一（副本）.csv"
    copy.write_bytes(path.read_bytes())
    assert refused(tmp_path, path, folder) == [
        f"错误 {copy} 与 {path} 内容完全相同（是它的副本），其中的检查记录会被计算两次；请删除或移走其中一个（E139）"]


def test_sub_folders_are_named_in_one_warning(tmp_path: Path) -> None:
    folder = tmp_path / "检查记录"
    (folder / "三月").mkdir(parents=True)
    (folder / "四月").mkdir()
    (folder / ".git").mkdir()
    write_csv(folder / "in.csv", ROWS)
    write_csv(folder / "三月" / "in.csv", ROWS)
    err = scored(tmp_path, folder)
    assert err == (f"提示 {folder} 文件夹中的子文件夹未读取：三月、四月；如其中有检查记录，"
                   "请把文件放到该文件夹中或单独列出（W225）\n")
    assert totals(tmp_path) == TOTALS


def test_a_device_is_not_a_file(tmp_path: Path) -> None:
    assert refused(tmp_path, Path("/dev/zero")) == [
        "错误 /dev/zero 无法打开该文件：这不是普通文件（是设备、管道或其他特殊文件），不能读取（E103）"]


# ---------------------------------------------------------------- item 16: the small ones

@pytest.mark.parametrize("delimiter", ["\t", ","])
def test_utf16_text_as_excel_saves_it_is_read(tmp_path: Path, delimiter: str) -> None:
    text = "\r\n".join(delimiter.join("" if v is None else str(v) for v in row) for row in ROWS) + "\r\n"
    path = tmp_path / "Unicode 文本.csv"
    path.write_bytes(text.encode("utf-16"))  # with its BOM, little-endian here
    scored(tmp_path, path)
    assert totals(tmp_path) == TOTALS


def test_text_in_an_unknown_encoding_says_what_to_do(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes("社区,楼院,检查日期\nCafé,Olé,2023-03-01\n".encode().replace(b"\xc3\xa9", b"\xe9"))
    assert refused(tmp_path, path) == [
        f"错误 {path} 无法打开该文件：无法识别文件编码（不是 UTF-8、GB18030/GBK 或 UTF-16）；"
        "请在 Excel/WPS 中打开后另存为“CSV UTF-8（逗号分隔）”文件（E103）"]


def test_xlsb_is_named(tmp_path: Path) -> None:
    path = tmp_path / "in.xlsb"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.bin", b"\x83\x01\x00")
    assert refused(tmp_path, path) == [
        f"错误 {path} 无法打开该文件：这是 Excel 二进制工作簿（.xlsb），无法直接读取；"
        "请在 Excel/WPS 中打开后另存为 .xlsx（E103）"]


def test_look_alike_headers_are_matched(tmp_path: Path) -> None:
    rows: list[list[Any]] = [list(r) for r in ROWS]
    # 社 + zero-width space + 区, 楼 + soft hyphen + 院, 检查 + Kangxi radical ⽇ + 期,
    # full-width Ａ１, A2 behind a left-to-right mark, A3 with a BOM and an NBSP
    rows[0][:6] = ["社\u200b区", "楼\u00ad院", "检查\u2f47期", "Ａ１", "\u200eA2", "\ufeffA3\u00a0"]
    path = write_csv(tmp_path / "in.csv", rows)
    assert scored(tmp_path, path) == ""
    assert totals(tmp_path) == TOTALS


def test_control_characters_in_a_file_name_reach_the_terminal_visible(tmp_path: Path) -> None:
    path = tmp_path / "a\x1b[2J\x1b]0;x\x07b.csv"
    path.write_bytes(b"")
    folder = criteria_dir(tmp_path, MINI)
    code, _, err = invoke("run", str(path), "--criteria", str(folder), "--out", str(tmp_path / "o"))
    assert code == 1
    shown = str(tmp_path / "a<U+001B>[2J<U+001B>]0;x<U+0007>b.csv")
    assert err.splitlines()[0] == f"错误 {shown} 无法打开该文件：文件是空的（0 字节）（E103）"
    assert "\x1b" not in err and "\x07" not in err


def test_control_characters_in_a_sheet_name_and_a_value(tmp_path: Path) -> None:
    rows = [list(r) for r in ROWS]
    rows[1][3] = "\x1b[31m是"
    path = build_xls(tmp_path / "in.xls", [Sheet("表\x1b[2J", rows)])
    folder = criteria_dir(tmp_path, MINI)
    code, _, err = invoke("run", str(path), "--criteria", str(folder), "--out", str(tmp_path / "o"))
    assert code == 1
    assert f"错误 {path} › 表<U+001B>[2J!D2 " in err
    assert "\x1b" not in err
    assert path.exists()


def test_the_same_workbook_uploaded_twice_is_refused_by_its_names(tmp_path: Path) -> None:
    from scoring.workspace import init_workspace
    from tests.web_support import SAMPLE, client_for, upload

    ws = init_workspace(tmp_path / "ws")
    with client_for(ws.root) as client:
        response = upload(client, ("三月.xlsx", SAMPLE.read_bytes()), ("三月（副本）.xlsx", SAMPLE.read_bytes()))
        page = client.get(response.headers["location"]).text  # type: ignore[attr-defined]
    assert "三月（副本）.xlsx" in page
    assert "与 三月.xlsx 内容完全相同（是它的副本），其中的检查记录会被计算两次；请删除或移走其中一个" in page
    assert "与 /" not in page  # no stored path in the message


def test_the_progress_line_is_text_not_markup() -> None:
    from scoring.cli.common import SafeConsole

    out = io.StringIO()
    console = SafeConsole(file=out, force_terminal=True, width=100)
    with console.status("正在读取检查记录……") as status:
        status.update("正在读取 a[/x]\x1b[2J.csv ……")  # was a MarkupError: exit 70 on a terminal
        console.print("完成", markup=False)
    assert "a[/x]<U+001B>[2J.csv" in out.getvalue()
    assert "\x1b[2J" not in out.getvalue()


def test_names_that_look_like_console_markup_are_shown_as_written(tmp_path: Path) -> None:
    # "[/x]" was a MarkupError in the summary table (exit 70 after the outputs were written);
    # "[b]" vanished into bold.
    path = write_csv(tmp_path / "in.csv", rows_for([record("[/x]社区", "[b]甲院", "2023-03-01")]))
    folder = criteria_dir(tmp_path, MINI)
    code, out, err = invoke("run", str(path), "--criteria", str(folder), "--out", str(tmp_path / "o"))
    assert code == 0, err
    assert "[/x]社区" in out and "[b]甲院" in out


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


def test_csv_long_line_is_named_by_its_line(tmp_path: Path) -> None:
    # Review 6: the long line is line 2 (it was named as line 1, in a garbled E108).
    path = tmp_path / "长行.csv"
    path.write_bytes(b"a,b\n" + b"," * 3_000_000 + b"\n")
    assert refused(tmp_path, path, child=True) == [
        f"错误 {path} 第 2 行超过 16,384 列（Excel 允许的最多列数），文件可能已损坏或不是检查记录（E146）"]
    # the delimiters fed to the csv module: counted by line, not by the rows parsed so far
    quoted = tmp_path / "引号.csv"
    quoted.write_bytes(b"a,b\nc,d\n" + b'a,"' + b'\n",,,,,,,,,,"' * 20_000 + b"\n")
    assert refused(tmp_path, quoted, options=("--max-cells", "100000"), child=True) == [
        f"错误 {quoted} 读到第 20003 行时已有 200,003 个单元格，超过上限 100,000（可用 --max-cells 调高）；"
        "文件可能已损坏或不是检查记录（E137）"]


def test_csv_long_line_is_read_in_linear_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A long line's pieces were joined again for every piece (quadratic: a 1 GB line is 1,024
    # pieces). Here 8 MB in pieces of 1 KB: 8,192 pieces, 32 GB copied before.
    from scoring.engine import csv_text

    monkeypatch.setattr(csv_text, "LINE_PIECE", 1024)
    path = tmp_path / "一行.csv"
    path.write_bytes(("x" * 100_000 + ",").encode() * 80)
    started = time.perf_counter()
    rows = read_csv(path, "一行.csv", Limits())
    assert time.perf_counter() - started < 10  # about 0.2 s
    assert rows == [["x" * 100_000] * 80 + [""]]


def test_csv_field_longer_than_the_csv_module_takes_is_refused_early(tmp_path: Path) -> None:
    # 256 MB in one line without a comma: put together whole (twice its size) before the csv
    # module refused it; now refused after its first pieces.
    path = tmp_path / "一行.csv"
    with path.open("wb") as handle:
        for _ in range(256):
            handle.write(b"x" * (1 << 20))
    done = run_limited(["run", str(path), "--criteria", str(criteria_dir(tmp_path, MINI)),
                        "--out", str(tmp_path / "o")], tmp_path, mb=400)
    assert done.code == 1 and not done.crashed, done.stderr
    assert done.stderr.splitlines()[0] == (
        f"错误 {path} 无法打开该文件：CSV 格式错误：有无法解析的内容（如空字符 NUL 或引号不配对的超长字段）（E103）")


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_without_its_byte_order_mark_is_read(tmp_path: Path, encoding: str) -> None:
    # Review 28: no BOM, so NUL bytes in every other position; it was "无法识别的文件格式".
    text = "\r\n".join("\t".join("" if v is None else str(v) for v in row) for row in ROWS) + "\r\n"
    path = tmp_path / "无BOM.csv"
    path.write_bytes(text.encode(encoding))
    scored(tmp_path, path)
    assert totals(tmp_path) == TOTALS


def test_binary_with_nuls_is_still_unknown(tmp_path: Path) -> None:
    path = tmp_path / "in.csv"
    path.write_bytes(bytes(range(256)) * 8)
    assert refused(tmp_path, path) == [
        f"错误 {path} 无法打开该文件：无法识别的文件格式；请使用 .xlsx、.xls 或 .csv 文件（E103）"]


GBK_NAME = os.fsdecode("三月检查".encode("gbk") + b".csv")  # as Linux holds a GBK name: \udcc8...
BAD_NAME = os.fsdecode(b"\xff\xfe" + "表".encode() + b".csv")  # neither UTF-8 nor GB18030


def test_file_names_that_are_not_utf8_are_shown_decoded(tmp_path: Path) -> None:
    # Review 2: a GBK name copied from a Windows USB drive: results.json failed (exit 70).
    path = write_csv(tmp_path / "x.csv", ROWS).rename(tmp_path / GBK_NAME)
    assert "\udcc8" in str(path)
    done = limited(tmp_path, path, child=True)
    assert done.code == 0, done.stderr
    shown = f"{tmp_path}/三月检查.csv"
    results = json.loads((tmp_path / "o" / "results.json").read_text(encoding="utf-8"))
    assert [i["path"] for i in results["inputs"]] == [shown]
    import openpyxl

    book = openpyxl.load_workbook(tmp_path / "o" / "ranking.xlsx", read_only=True)
    notes = [v for row in book["说明"].iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert any(v.startswith(f"{shown}；sha256 ") for v in notes)
    assert totals(tmp_path) == TOTALS


def test_file_names_that_are_not_utf8_reach_the_workspace_history(tmp_path: Path) -> None:
    # The run is archived from the file itself (its name as the file system holds it) and
    # recorded under the name shown.
    from scoring.workspace import init_workspace

    workspace = init_workspace(tmp_path / "ws")
    path = write_csv(tmp_path / "x.csv", ROWS).rename(tmp_path / GBK_NAME)
    done = limited(tmp_path, path, options=("--workspace", str(workspace.root)), child=True)
    assert done.code == 0, done.stderr
    (run,) = (workspace.root / "runs").iterdir()
    recorded = json.loads((run / "run.json").read_text(encoding="utf-8"))
    assert [(i["name"], i["stored"]) for i in recorded["inputs"]] == [("三月检查.csv", "inputs/1.csv")]
    assert (run / "inputs" / "1.csv").read_bytes() == path.read_bytes()
    code, out, err = invoke("history", "--workspace", str(workspace.root))
    assert code == 0, err
    assert "三月检查.csv" in out


def test_file_names_that_are_not_utf8_in_messages(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / BAD_NAME).write_bytes(b"")  # an error naming it
    (folder / GBK_NAME).mkdir()  # a sub-folder named in W225
    done = limited(tmp_path, folder, child=True)
    assert done.code == 1, done.stderr
    assert done.stderr.splitlines() == [
        f"提示 {folder} 文件夹中的子文件夹未读取：三月检查.csv；如其中有检查记录，"
        "请把文件放到该文件夹中或单独列出（W225）",
        f"错误 {folder}/\ufffd\ufffd表.csv 无法打开该文件：文件是空的（0 字节）（E103）",
        "共 1 处错误，未生成任何输出文件。"]


def test_a_criteria_folder_whose_name_is_not_utf8_is_named_readably(tmp_path: Path) -> None:
    # Every Issue names its file as shown_path writes it, whichever reader made it.
    folder = criteria_dir(tmp_path, MINI).parent / os.fsdecode("标准".encode("gbk"))  # beside regulations.json
    folder.mkdir()
    path = write_csv(tmp_path / "in.csv", ROWS)
    code, _, err = invoke("run", str(path), "--criteria", str(folder), "--out", str(tmp_path / "o"))
    assert code == 1
    assert err.splitlines()[0] == f"错误 考核标准目录 {tmp_path}/criteria/标准 中没有任何版本文件（*.json）（C032）"


def test_the_same_file_twice_on_a_drive_without_file_numbers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Review 8: some network drives report 0 as every file's number: two files are not one.
    from scoring import files
    from scoring.pipeline import distinct_inputs

    real_stat = Path.stat

    def no_numbers(self: Path, **kwargs: Any) -> Any:
        info = real_stat(self, **kwargs)
        return os.stat_result((*info[:1], 0, *info[2:]))

    one, two = write_csv(tmp_path / "一.csv", ROWS), write_csv(tmp_path / "二.csv", ROWS[:2])
    monkeypatch.setattr(files.Path, "stat", no_numbers)
    assert one.stat().st_ino == 0
    inputs, issues = distinct_inputs([one, two])
    assert [i.path for i in inputs] == [str(one), str(two)] and issues == []
    inputs, issues = distinct_inputs([one, one])
    assert [i.path for i in inputs] == [str(one)]
    assert [i.message for i in issues] == [
        f"与 {one} 是同一个文件（重复列出，或是它的链接），其中的检查记录会被计算两次；请只列出一次"]

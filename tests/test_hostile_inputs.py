"""Issue 16, items 4, 12 and 16: CSV without bounds, the same input counted twice, and the small
ones (UTF-16 and unknown encodings, .xlsb, look-alike headers, control characters on the
terminal); legacy .xls is in test_hostile_xls.py. Fixtures are built here; whatever could blow up
memory runs in a child under a memory limit (tests/limited.py)."""

from __future__ import annotations

import io
import json
import os
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
from tests.input_support import ROWS, TOTALS, limited, refused, scored, totals
from tests.limited import run_limited
from tests.test_cli import invoke
from tests.xls_builder import Sheet, build_xls

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


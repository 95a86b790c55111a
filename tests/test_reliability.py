"""Every case of docs/reliability.md: a clear message naming file, sheet and cell, the right
exit code, inputs byte-identical and no output written — or a correct score."""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.styles import PatternFill
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from tests.helpers import MINI, criteria_dir, record, rows_for, write_csv, write_xlsx
from tests.test_cli import invoke
from tests.xlsx_builder import build_xlsx, sheet_xml

FIXTURES = Path(__file__).parent / "fixtures"


def mini_rows(*records: dict[str, Any]) -> list[list[Any]]:
    return rows_for(list(records) or [record("一社区", "甲院", "2023-03-01")])


def digests(paths: list[Path]) -> dict[Path, str]:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths if p.is_file()}


def run_files(tmp: Path, *paths: Path, options: tuple[str, ...] = ()) -> tuple[int, str, str]:
    """`score run` on MINI; asserts inputs are unchanged whatever happens."""
    folder = criteria_dir(tmp, MINI)
    before = digests(list(paths))
    result = invoke("run", *map(str, paths), "--criteria", str(folder), "--out", str(tmp / "o"),
                    *options)
    assert digests(list(paths)) == before
    return result


def refused(tmp: Path, *paths: Path, code: int = 1, options: tuple[str, ...] = ()) -> list[str]:
    """Run, expect failure with `code`, no output folder and no stray files; the error lines."""
    listing = sorted(p.name for p in tmp.iterdir())
    got, _, err = run_files(tmp, *paths, options=options)
    assert got == code, err
    assert not (tmp / "o").exists()
    assert sorted(p.name for p in tmp.iterdir()) == sorted({*listing, "criteria"})
    return err.splitlines()


def scored(tmp: Path, *paths: Path, options: tuple[str, ...] = ()) -> tuple[dict[str, Any], str]:
    code, _, err = run_files(tmp, *paths, options=options)
    assert code == 0, err
    return json.loads((tmp / "o" / "results.json").read_text(encoding="utf-8")), err


def totals(results: dict[str, Any]) -> list[tuple[str, str, float]]:
    return sorted((y["community"], y["courtyard"], y["total"]) for y in results["courtyards"])


# ---------------------------------------------------------------- file and container

def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "in.xlsx"
    path.write_bytes(b"")
    assert refused(tmp_path, path) == [f"错误 {path} 无法打开该文件：文件是空的（0 字节）（E103）",
                                       "共 1 处错误，未生成任何输出文件。"]


def test_a_directory_without_inspection_files(tmp_path: Path) -> None:
    folder = tmp_path / "空文件夹"
    folder.mkdir()
    assert refused(tmp_path, folder)[0] == f"错误 {folder} 文件夹中没有可读取的检查记录文件（E104）"


def test_csv_renamed_xlsx_is_read_as_csv(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.xlsx", mini_rows())
    results, err = scored(tmp_path, path)
    assert totals(results) == [("一社区", "甲院", 23.0)]
    assert err == f"提示 {path} 文件扩展名是 .xlsx，但内容是 CSV 文本，已按 CSV 读取（W211）\n"


@pytest.mark.parametrize(("content", "name", "why"), [
    ("<html><body><table><tr><td>社区</td></tr></table></body></html>", "in.xls",
     "这是网页（HTML）文件，只是扩展名像 Excel；请在 Excel/WPS 中打开后“另存为”Excel 工作簿（.xlsx）"),
    ('<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"/>', "in.xml.xls",
     "这是 Excel 2003 XML 表格，请在 Excel/WPS 中打开后“另存为”Excel 工作簿（.xlsx）"),
])
def test_html_or_xml_pretending_to_be_a_workbook(tmp_path: Path, content: str, name: str, why: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    assert refused(tmp_path, path)[0] == f"错误 {path} 无法打开该文件：{why}（E103）"


def test_legacy_xls(tmp_path: Path) -> None:
    results, _ = scored(tmp_path, FIXTURES / "legacy.xls")
    assert totals(results) == [("一社区", "甲院", 19.0)]  # A1 否: 17/21 of 21 + bonus 2


def test_password_protected_workbook(tmp_path: Path) -> None:
    path = tmp_path / "加密.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600) + "EncryptedPackage".encode("utf-16-le")
                     + bytes(600))
    assert refused(tmp_path, path)[0] == (
        f"错误 {path} 无法打开该文件：工作簿设置了打开密码，无法读取；请在 Excel/WPS 中取消密码"
        "（文件 › 信息 › 保护工作簿）后另存（E103）")


def test_truncated_zip(tmp_path: Path) -> None:
    whole = write_xlsx(tmp_path / "whole.xlsx", mini_rows()).read_bytes()
    path = tmp_path / "半截.xlsx"
    path.write_bytes(whole[: len(whole) // 2])
    (tmp_path / "whole.xlsx").unlink()
    assert refused(tmp_path, path)[0] == (f"错误 {path} 无法打开该文件：文件已损坏或不完整（不是有效的 Excel 工作簿），"
                                          "请重新保存或重新拷贝（E103）")


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "in.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "hello")
    assert refused(tmp_path, path)[0] == f"错误 {path} 无法打开该文件：这是一个压缩包，不是 Excel 工作簿（E103）"


def test_lock_file_named_directly_and_skipped_in_folders(tmp_path: Path) -> None:
    folder = tmp_path / "记录"
    folder.mkdir()
    write_csv(folder / "in.csv", mini_rows())
    lock = folder / "~$in.xlsx"
    lock.write_bytes(b"\x0bowner" + bytes(150))
    assert refused(tmp_path, lock)[0].startswith(f"错误 {lock} “~$in.xlsx”是 Excel/WPS 打开文件时生成的临时锁定文件")
    results, err = scored(tmp_path, folder)
    assert (totals(results), err) == ([("一社区", "甲院", 23.0)], "")


def bulky_sheet(rows: list[list[Any]]) -> str:
    """A valid sheet padded with 3 MB of whitespace (which deflates to almost nothing)."""
    return sheet_xml(rows, extra=" " * 3_000_000)


def test_sheet_that_inflates_past_the_limit(tmp_path: Path) -> None:
    path = build_xlsx(tmp_path / "in.xlsx", [("检查记录", bulky_sheet(mini_rows()))])
    assert path.stat().st_size < 100_000
    assert refused(tmp_path, path, options=("--max-size", "1"))[0] == (
        f"错误 {path} 文件解压后有 3 MB，超过上限 1 MB（可用 --max-size 调高）；文件可能已损坏或被恶意构造（E105）")
    results, _ = scored(tmp_path, path, options=("--max-size", "5"))
    assert totals(results) == [("一社区", "甲院", 23.0)]


def test_shared_string_bomb(tmp_path: Path) -> None:
    strings = ('<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               + "<si><t>啊啊啊啊啊啊啊啊</t></si>" * 200_000 + "</sst>")
    path = build_xlsx(tmp_path / "in.xlsx", [("检查记录", sheet_xml(mini_rows()))],
                      extra_parts={"xl/sharedStrings.xml": strings})
    (line, *_) = refused(tmp_path, path, options=("--max-size", "1"))
    assert line.endswith("超过上限 1 MB（可用 --max-size 调高）；文件可能已损坏或被恶意构造（E105）")


@pytest.mark.parametrize("prolog", [
    '<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;">]>',
    '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
])
def test_entity_tricks_are_refused(tmp_path: Path, prolog: str) -> None:
    path = build_xlsx(tmp_path / "in.xlsx", [("检查记录", sheet_xml(mini_rows(), prolog=prolog))])
    assert refused(tmp_path, path)[0] == (
        f"错误 {path} 文件包含不安全的 XML 内容（DTD/实体声明），已拒绝读取；"
        "请在 Excel/WPS 中打开后另存为新的 .xlsx（E107）")


def test_far_away_cell_is_refused_before_calamine_opens_the_file(tmp_path: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    far = '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
    path = build_xlsx(tmp_path / "far.xlsx", [("检查记录", sheet_xml(mini_rows(), extra=far))])
    assert path.stat().st_size < 5000

    def never(*args: object) -> None:
        raise AssertionError("calamine must not open this file")

    monkeypatch.setattr("scoring.engine.reader._values_calamine", never)
    assert refused(tmp_path, path)[0] == (
        f"错误 {path} › 检查记录 工作表的数据范围跨越 17,179,869,184 个单元格，超过上限 20,000,000"
        "（可用 --max-cells 调高）；通常是远处某个单元格有内容或格式，请删除多余的行列后另存（E109）")


@pytest.mark.parametrize("reader", ["calamine", "openpyxl"])
def test_lying_dimension(tmp_path: Path, reader: str) -> None:
    path = build_xlsx(tmp_path / "in.xlsx", [("检查记录", sheet_xml(mini_rows(), dimension="A1:XFD1048576"))])
    results, _ = scored(tmp_path, path, options=("--reader", reader))
    assert totals(results) == [("一社区", "甲院", 23.0)]


def test_more_rows_than_excel_allows(tmp_path: Path) -> None:
    extra = '<row r="1048577"><c r="A1048577"><v>1</v></c></row>'
    path = build_xlsx(tmp_path / "in.xlsx", [("检查记录", sheet_xml(mini_rows(), extra=extra))])
    assert refused(tmp_path, path)[0] == (
        f"错误 {path} › 检查记录 工作表的数据范围达到 1048577 行 × 15 列，超过 Excel 允许的最大范围"
        "（1,048,576 行 × 16,384 列），文件已损坏（E108）")


def test_thousands_of_sheets(tmp_path: Path) -> None:
    xml = sheet_xml([["说明"]])
    path = build_xlsx(tmp_path / "in.xlsx", [(f"Sheet{i}", xml) for i in range(1, 1201)])
    assert refused(tmp_path, path)[0] == (
        f"错误 {path} 工作簿有 1200 个工作表，超过上限 200 个（可用 --max-sheets 调高）（E106）")


def test_malformed_sheet_xml(tmp_path: Path) -> None:
    whole = sheet_xml(mini_rows())
    broken = whole[: whole.index("</sheetData>") - 30]  # cut off mid-element, closing tags lost
    path = build_xlsx(tmp_path / "in.xlsx", [("检查记录", broken)])
    (line, *_) = refused(tmp_path, path)
    assert line.startswith(f"错误 {path} 无法打开该文件：工作簿内容已损坏（")


def test_openpyxl_uses_defusedxml() -> None:
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML is True


def test_several_files_in_one_run(tmp_path: Path) -> None:
    first = write_csv(tmp_path / "一.csv", mini_rows())
    second = write_xlsx(tmp_path / "二.xlsx", mini_rows(record("二社区", "乙院", "2023-05-01", A1="否")))
    results, _ = scored(tmp_path, first, second)
    assert totals(results) == [("一社区", "甲院", 23.0), ("二社区", "乙院", 19.0)]
    assert [i["path"] for i in results["inputs"]] == [str(first), str(second)]


# ---------------------------------------------------------------- sheet layout

def test_hidden_sheet_is_skipped_and_said(tmp_path: Path) -> None:
    other = rows_for([record("二社区", "乙院", "2023-03-01")])
    path = build_xlsx(tmp_path / "in.xlsx", [("检查记录", sheet_xml(mini_rows())), ("旧数据", sheet_xml(other))],
                      hidden=("旧数据",))
    results, err = scored(tmp_path, path)
    assert totals(results) == [("一社区", "甲院", 23.0)]
    assert err == f"提示 {path} › 旧数据 工作表已隐藏，未读取；如需评分，请在 Excel/WPS 中取消隐藏（W207）\n"


def test_hidden_rows_still_count(tmp_path: Path) -> None:
    rows = rows_for([record("一社区", "甲院", "2023-03-01"), record("一社区", "乙院", "2023-03-01", A1="否")])
    path = build_xlsx(tmp_path / "in.xlsx", [("检查记录", sheet_xml(rows, hidden_rows=(3,)))])
    results, err = scored(tmp_path, path)
    assert totals(results) == [("一社区", "乙院", 19.0), ("一社区", "甲院", 23.0)]
    assert err == f"提示 {path} › 检查记录 第3行被隐藏，这些行仍参与评分（W208）\n"


def test_merged_community_cell_covers_the_rows_below(tmp_path: Path) -> None:
    rows = rows_for([record("一社区", "甲院", "2023-03-01"), record(None, "乙院", "2023-03-01"),  # type: ignore[arg-type]
                     record(None, "丙院", "2023-03-01")])  # type: ignore[arg-type]
    book = Workbook()
    ws = book.active
    ws.title = "检查记录"
    for row in rows:
        ws.append(row)
    ws.merge_cells("A2:A4")
    book.save(tmp_path / "in.xlsx")
    results, _ = scored(tmp_path, tmp_path / "in.xlsx")
    assert [c for c, _, _ in totals(results)] == ["一社区"] * 3


def test_blank_and_formatted_but_empty_rows(tmp_path: Path) -> None:
    book = Workbook()
    ws = book.active
    rows = mini_rows()
    ws.append(rows[0])
    ws.append([])
    ws.append(rows[1])
    for r in range(10, 400):
        ws.cell(r, 3).fill = PatternFill("solid", fgColor="FFFF00")
    book.save(tmp_path / "in.xlsx")
    results, err = scored(tmp_path, tmp_path / "in.xlsx")
    assert (totals(results), err) == ([("一社区", "甲院", 23.0)], "")


def test_duplicate_header(tmp_path: Path) -> None:
    rows = mini_rows()
    rows[0].append("社区")
    rows[1].append("二社区")
    path = write_xlsx(tmp_path / "in.xlsx", rows)
    assert refused(tmp_path, path)[0] == (
        f"错误 {path} › 检查记录!第1行 表头中“社区”列出现了两次（第 1 列和第 16 列），无法判断以哪一列为准（E112）")


# ---------------------------------------------------------------- cell values

def openpyxl_book(tmp: Path, rows: list[list[Any]], edit: Any = None, **book_options: Any) -> Path:
    book = Workbook()
    for key, value in book_options.items():
        setattr(book, key, value)
    ws = book.active
    ws.title = "检查记录"
    for row in rows:
        ws.append(row)
    if edit is not None:
        edit(ws)
    path = tmp / "in.xlsx"
    book.save(path)
    return path


def test_formula_without_saved_result(tmp_path: Path) -> None:
    path = openpyxl_book(tmp_path, mini_rows(record("一社区", "甲院", "2023-03-01", A1="=1+1")))
    assert refused(tmp_path, path)[0] == (
        f"错误 {path} › 检查记录!D2 ［A1］一社区 甲院 2023-03-01：单元格是公式，但文件中没有保存计算结果："
        "请在 Excel/WPS 中打开该文件、保存后重试（E127）")


def test_excel_error_value(tmp_path: Path) -> None:
    def put_error(ws: Any) -> None:
        ws["E2"].value = "#DIV/0!"  # openpyxl stores this as an error cell (t="e")

    path = openpyxl_book(tmp_path, mini_rows(), put_error)
    with zipfile.ZipFile(path) as z:
        assert 't="e"' in z.read("xl/worksheets/sheet1.xml").decode()
    assert refused(tmp_path, path)[0] == (
        f"错误 {path} › 检查记录!E2 ［A2］一社区 甲院 2023-03-01：单元格是 Excel 错误值 #DIV/0!："
        "请在 Excel/WPS 中修正公式后保存（E124）")


@pytest.mark.parametrize(("value", "code"), [("—", "E122"), ("未检查", "E120"), ("None", "E120"),
                                             ("？", "E120"), ("1,234", "E120")])
def test_placeholders_and_unknown_marks(tmp_path: Path, value: str, code: str) -> None:
    path = write_csv(tmp_path / "in.csv", mini_rows(record("一社区", "甲院", "2023-03-01", A1=value)))
    (line, *_) = refused(tmp_path, path)
    assert line.startswith(f"错误 {path} › D2 ［A1］") and line.endswith(f"（{code}）")


def test_no_mark_earns_nothing(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", mini_rows(record("一社区", "甲院", "2023-03-01", A1="无")))
    assert totals(scored(tmp_path, path)[0]) == [("一社区", "甲院", 19.0)]


def test_1904_workbook(tmp_path: Path) -> None:
    serial = (date(2023, 3, 1) - date(1904, 1, 1)).days
    rows = mini_rows(record("一社区", "甲院", date(2023, 3, 1)), record("一社区", "乙院", serial))  # type: ignore[arg-type]
    path = openpyxl_book(tmp_path, rows, epoch=CALENDAR_MAC_1904)
    with zipfile.ZipFile(path) as z:
        assert 'date1904="1"' in z.read("xl/workbook.xml").decode()
    results, _ = scored(tmp_path, path)
    assert [y["inspections"] for y in results["courtyards"]] == [1, 1]
    assert results["period"] == "2023"


def test_control_characters_in_names(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", mini_rows(record("一社区", "甲\x07院\x1f", "2023-03-01")))
    assert totals(scored(tmp_path, path)[0]) == [("一社区", "甲院", 23.0)]


def test_wps_in_cell_image(tmp_path: Path) -> None:
    def picture(ws: Any) -> None:
        ws["D2"].value = '=DISPIMG("ID_9A7E",1)'
        ws["D2"].data_type = "s"  # WPS saves the formula text as the cell's value

    path = openpyxl_book(tmp_path, mini_rows(), picture)
    (line, *_) = refused(tmp_path, path)
    assert line.startswith(f"错误 {path} › 检查记录!D2 ［A1］一社区 甲院 2023-03-01："
                           "单元格中是 WPS 嵌入图片（DISPIMG），不是检查结果：")


def test_same_courtyard_spelled_two_ways(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", mini_rows(record("一社区", "建设路1号院", "2023-03-01"),
                                                    record("一社区", "建设路一号院", "2023-06-01")))
    _, err = scored(tmp_path, path)
    assert err == ("提示 “一社区 建设路1号院”和“一社区 建设路一号院”可能是同一楼院的两种写法，"
                   "现按两个楼院分别计算；如是同一楼院，请统一名称（W209）\n")


def test_duplicated_inspection(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", mini_rows(record("一社区", "甲院", "2023-03-01"),
                                                    record("一社区", "甲院", "2023-03-01")))
    results, err = scored(tmp_path, path)
    assert err == (f"提示 {path} › 第3行 一社区 甲院 2023-03-01：与第 2 行是同一楼院同一天、"
                   "内容完全相同的检查记录（可能重复录入），两行都已计入（W210）\n")
    assert results["courtyards"][0]["inspections"] == 2


# ---------------------------------------------------------------- outputs

def test_text_over_32767_characters(tmp_path: Path) -> None:
    name = "院" * 40_000
    path = write_csv(tmp_path / "in.csv", mini_rows(record("一社区", name, "2023-03-01")))
    results, _ = scored(tmp_path, path)
    assert results["courtyards"][0]["courtyard"] == name
    cell = load_workbook(tmp_path / "o" / "ranking.xlsx")["楼院排名"]["C2"].value
    assert cell == name[:32761] + "…（已截断）"  # cut visibly at Excel's 32,767 (issue 16)


def test_tab_and_carriage_return_before_formula_text(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", mini_rows(record("一社区", "\t=1+1", "2023-03-01"),
                                                    record("一社区", "\r@A1", "2023-03-01")))
    scored(tmp_path, path)
    with zipfile.ZipFile(tmp_path / "o" / "ranking.xlsx") as z:
        assert "<f>" not in z.read("xl/worksheets/sheet1.xml").decode()


def test_failure_mid_save_leaves_earlier_outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_csv(tmp_path / "in.csv", mini_rows())
    out = tmp_path / "o"
    out.mkdir()
    (out / "ranking.xlsx").write_bytes(b"earlier")

    def disk_full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("scoring.outputs.workbook._write", disk_full)
    code, _, err = run_files(tmp_path, path)
    assert code == 3
    assert err == f"无法写入 {out / 'ranking.xlsx'}：磁盘空间已满，请清理磁盘后重试\n"
    assert [(p.name, p.read_bytes()) for p in out.iterdir()] == [("ranking.xlsx", b"earlier")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["criteria", "in.csv", "o"]


def test_read_only_output_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write_csv(tmp_path / "in.csv", mini_rows())

    def denied(*args: object, **kwargs: object) -> str:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(tempfile, "mkdtemp", denied)
    code, _, err = run_files(tmp_path, path)
    assert code == 3
    # The folder and the reason, never "close Excel" (issue 16).
    assert err == f"无法在文件夹 {tmp_path / 'o'} 中写入文件：没有在该文件夹中新建文件的权限；请换一个输出文件夹\n"


def test_criteria_with_full_width_comma(tmp_path: Path) -> None:
    folder = criteria_dir(tmp_path, MINI)
    text = json.dumps(MINI, ensure_ascii=False).replace(', "title"', '， "title"')
    (folder / "1.json").write_text(text, encoding="utf-8")
    code, _, err = invoke("criteria", "validate", str(folder))
    assert code == 1 and "此处是中文逗号“，”，JSON 的引号和标点必须是英文半角（C003）" in err

"""Workbooks the toolkit writes stay within what Excel opens (issue 16, items 13 and 14): a table
beyond a sheet's rows or columns goes on more sheets, text beyond a cell is cut visibly, user
text in formulas, drop-downs, sheet names and page headers follows Excel's rules, and no text
ever becomes a formula. Checked the way Excel would read them: the sheet XML itself, calamine
(which decodes `_xHHHH_` as Excel does), openpyxl, and LibreOffice converting each to PDF.

The limits are lowered (SheetLimits) so that no test needs a million rows."""

from __future__ import annotations

import copy
import csv
import dataclasses
import functools
import inspect
import json
import re
import shutil
import subprocess
import warnings
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from python_calamine import CalamineWorkbook

from scoring.criteria import load_standard
from scoring.criteria.regulations import load_register
from scoring.criteria.resources import bundled_root
from scoring.criteria.workbook_export import write_standard_workbook
from scoring.engine.results import Results
from scoring.errors import InvalidCriteriaError
from scoring.outputs.excel_rules import (
    EXCEL,
    TRUNCATED,
    SheetLimits,
    clip,
    formula_string,
    header_footer,
    sheet_name,
    utf16_len,
)
from scoring.outputs.paper_form import write_paper_form
from scoring.outputs.tables import Table, write_workbook
from scoring.outputs.template import write_template
from scoring.outputs.workbook import write_ranking
from scoring.outputs.xlsx import Column, PageTexts, TableWriter, new_workbook
from tests.helpers import MINI, MINI_COLUMNS, criteria_dir, record, score_results
from tests.test_cli import invoke

SMALL = SheetLimits(rows=6, columns=7, text=40)  # 5 data rows under a header, 7 columns
LONG_GRADE = "良" * 300  # longer than a formula's string constant (255)
LONG_LABEL = "很长的选项" * 60  # 300 characters: an inline drop-down list could not hold it
LABELS = {"好,很好": 3, '"中"': 1.5, LONG_LABEL: 1, "=SUM(1)": 0.5, "差&劣": 0}
# Text that Excel or a writer could take for something else. The lone surrogate comes back as
# U+FFFD (no character; UTF-8 cannot hold it), everything else as itself.
HOSTILE = ["_x0041_", "_x0041_x0042_", "_x005F_x0041_", "a\x01b\x1fc", "x\ufffey\uffff", "孤\ud800",
           "=1+1", "+1", "-2", "@SUM(A1)", "\t=tab", "<r>rich</r>", "a\rb", "&amp;", '"q"', " lead"]


def read_back(text: str) -> str:
    return text.replace("\ud800", "\ufffd")


def sheet_xml(path: Path, sheet: str) -> str:
    """The XML of the sheet called `sheet`."""
    with zipfile.ZipFile(path) as z:
        book = z.read("xl/workbook.xml").decode()
        rels = z.read("xl/_rels/workbook.xml.rels").decode()
        rid = re.search(rf'<sheet name="{re.escape(sheet)}" sheetId="\d+"(?: state="hidden")? r:id="(rId\d+)"',
                        book)
        assert rid, sheet
        target = re.search(rf'Id="{rid.group(1)}" Type="[^"]+" Target="([^"]+)"', rels)
        assert target
        return z.read(f"xl/{target.group(1)}").decode()


@functools.cache
def opened(path: Path) -> Workbook:
    return load_workbook(path)


def values(path: Path, sheet: str) -> list[list[Any]]:
    """The values as openpyxl reads them (it leaves `_xHHHH_` in inline strings undecoded)."""
    return [list(r) for r in opened(path)[sheet].iter_rows(values_only=True)]


def decoded(path: Path, sheet: str) -> list[list[Any]]:
    """The values as calamine reads them: `_xHHHH_` decoded, as Excel does."""
    book = CalamineWorkbook.from_path(str(path))
    try:
        return [list(r) for r in book.get_sheet_by_name(sheet).to_python()]
    finally:
        book.close()


def lo_convert(paths: list[Path], out: Path, target: str) -> None:
    """LibreOffice headless converts every file (one process for all)."""
    profile = out / "lo-profile"
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{profile}", "--convert-to", target,
                    "--outdir", str(out), *map(str, paths)], check=True, capture_output=True, timeout=180)


needs_lo = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")


# ---------------------------------------------------------------- fixtures built in code

def hostile_criteria() -> dict[str, Any]:
    crit = copy.deepcopy(MINI)
    crit["title"] = "2023&楼院" + "很" * 200  # a digit first, an ampersand, far past a page header
    crit["grades"][0]["name"] = '优"秀'
    crit["grades"][1]["name"] = LONG_GRADE
    item = crit["categories"][0]["items"][2]
    item["name"] = 'A&B "绿化"'
    item["choices"] = LABELS
    return crit


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return criteria_dir(tmp_path_factory.mktemp("criteria"), hostile_criteria())


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Results:
    tmp = tmp_path_factory.mktemp("results")
    records = [record("=社区" if n % 2 else "+社区", f"_x0041_院{n}", f"2023-03-{1 + n:02d}", A3="好,很好",
                      A1="否" if n % 3 else "是", B1=n % 3) for n in range(12)]
    records.append(record("=社区", "坏院", "2023-03-20", A2="不是数", A3='"中"'))
    return score_results(tmp, records, hostile_criteria(), lenient=True)


@pytest.fixture(scope="module")
def rankings(tmp_path_factory: pytest.TempPathFactory, results: Results) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("rankings")
    paths = {"small": out / "small.xlsx", "excel": out / "excel.xlsx"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no library warning, in English or otherwise
        write_ranking(results, paths["small"], SMALL)
        write_ranking(results, paths["excel"])
    return paths


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory, folder: Path) -> Path:
    path = tmp_path_factory.mktemp("template") / "检查记录表.xlsx"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        code, out, err = invoke("template", "-o", str(path), "--criteria", str(folder), "--rows", "20")
    assert (code, err) == (0, "")
    assert out.startswith(f"已生成 {path}：")
    return path


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The same hostile texts through the fast row writer (bulk.py) and cell by cell through
    xlsxwriter, with a text far past a cell's limit and one of 100 lines."""
    path = tmp_path_factory.mktemp("hostile") / "hostile.xlsx"
    rows = [[text] for text in HOSTILE] + [["字" * 40000], ["\n".join(["行"] * 100)]]
    book = new_workbook(path)
    out = TableWriter(book, PageTexts("&" * 300, "2023 " + "期" * 300))
    out.table("bulk", [Column("值", "wrap")], rows)
    sheet = out.add_sheet("cells")
    out.write_block(sheet, 0, [Column("值", "wrap")], rows, [0])
    out.finish(sheet, [10])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        book.close()
    return path


@pytest.fixture(scope="module")
def standard_workbook(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("standard") / "标准.xlsx"
    data = json.loads(json.dumps(hostile_criteria()))
    data["categories"][1]["items"][0]["standard"] = "长" * 40000  # past a cell's limit
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        write_standard_workbook(data, load_register(bundled_root() / "regulations.json"), path)
    return path


# ---------------------------------------------------------------- item 13: Excel's limits

def test_the_real_limits_are_excels() -> None:
    assert (EXCEL.rows, EXCEL.columns, EXCEL.text) == (1_048_576, 16_384, 32_767)
    for writer in (write_ranking, write_template):
        assert inspect.signature(writer).parameters["limits"].default is EXCEL
    assert inspect.signature(TableWriter).parameters["limits"].default is EXCEL


def test_tables_beyond_a_sheet_go_on_numbered_sheets(rankings: dict[str, Path]) -> None:
    small, excel = rankings["small"], rankings["excel"]
    names = load_workbook(small).sheetnames
    whole = values(excel, "整改清单")
    assert (len(whole), len(whole[0])) == (17, 12)  # 16 rows: 4 sheets of rows (5, 5, 5, 1) …
    groups = [range(7), [0, 1, 2, *range(7, 11)], [0, 1, 2, 11]]  # … for each of 3 groups of columns
    fixes = [n for n in names if n.startswith("整改清单")]
    assert fixes == ["整改清单", *(f"整改清单({k})" for k in range(2, 13))]
    for group, columns in enumerate(groups):
        got: list[list[Any]] = []
        for part in range(4):
            rows = values(small, fixes[4 * group + part])
            assert rows[0] == [whole[0][c] for c in columns]  # every sheet has its header
            assert len(rows) == (6 if part < 3 else 2)
            got += rows[1:]
        assert got == [[read_back_cut(row[c]) for c in columns] for row in whole[1:]]
    notes = [row[1] for n in names if n.startswith("说明") for row in values(small, n) if row[0] == "分表"]
    assert "“整改清单”共 16 行，超过 Excel 每张工作表 6 行（含表…（已截断）" in notes  # 40 units
    assert load_workbook(excel).sheetnames == ["楼院排名", "社区排名", "分项得分", "法治建设", "红黑榜", "整改清单",
                                               "数据问题", "说明"]  # within Excel's limits: one sheet each


def test_the_about_sheet_lists_every_split(results: Results, tmp_path: Path) -> None:
    path = tmp_path / "ranking.xlsx"
    write_ranking(results, path, SheetLimits(rows=6, columns=7))  # a cell holds the whole note
    notes = [row[1] for n in load_workbook(path).sheetnames if n.startswith("说明") for row in values(path, n)
             if row[0] == "分表"]
    assert notes[0].startswith("“楼院排名”共 13 行，")
    assert ("“整改清单”共 16 行，超过 Excel 每张工作表 6 行（含表头）的上限，共 12 列，超过 Excel 每张工作表 7 列的上限"
            "（每张都重复前 3 列），依次分在 整改清单、" + "、".join(f"整改清单({k})" for k in range(2, 13))
            + " 共 12 张工作表中，每张都有表头") in notes


def read_back_cut(value: Any) -> Any:
    """A value as it reads back from a sheet whose cells hold SMALL.text units."""
    return value if not isinstance(value, str) else clip(value, SMALL.text, TRUNCATED)


def test_every_part_of_a_split_table_is_set_up_like_the_first(rankings: dict[str, Path]) -> None:
    book = load_workbook(rankings["small"])
    for name in ("整改清单", "整改清单(2)", "整改清单(9)", "数据问题(2)", "楼院排名(3)", "分项得分(6)"):
        ws = book[name]
        assert ws.freeze_panes == "A2" and ws.print_title_rows == "$1:$1", name
        assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}{max(ws.max_row, 2)}", name
        assert ws.page_setup.paperSize == 9 and ws["A1"].font.b, name
        assert ws.oddHeader.center.text == name
    # Each sheet of 楼院排名 holding 等级 colours it; the others have no rule.
    rules = {name: [r.formula[0] for rng in book[name].conditional_formatting for r in rng.rules]
             for name in ("楼院排名", "楼院排名(3)", "楼院排名(4)")}
    assert rules["楼院排名"] == rules["楼院排名(3)"] and len(rules["楼院排名"]) == 4 and rules["楼院排名(4)"] == []


def test_text_beyond_a_cell_is_cut_visibly(rankings: dict[str, Path], hostile: Path) -> None:
    yards = decoded(rankings["small"], "楼院排名")
    assert yards[1][1:3] == ["+社区", "_x0041_院0"]
    grades = values(rankings["small"], "社区排名")[0]
    assert grades[5] == "良" * 34 + TRUNCATED  # 34 + 6 = 40 units; the header of a grade count
    for sheet in ("bulk", "cells"):
        cut = values(hostile, sheet)[len(HOSTILE) + 1][0]
        assert cut == "字" * 32761 + TRUNCATED and utf16_len(cut) == 32767, sheet


def test_rows_never_taller_than_excel_allows(hostile: Path) -> None:
    for sheet in ("bulk", "cells"):
        heights = re.findall(r'<row r="\d+"[^>]* ht="([\d.]+)"', sheet_xml(hostile, sheet))
        assert 408 < max(float(h) for h in heights) <= 409, sheet  # xlsxwriter: whole pixels


def test_wide_tables_repeat_their_names_on_each_sheet(rankings: dict[str, Path]) -> None:
    book = load_workbook(rankings["small"])
    heads = [[c.value for c in book[n][1]] for n in ("分项得分", "分项得分(4)")]
    assert heads == [["社区", "楼院", "A1 名牌齐全", "A2 地面平整", 'A3 A&B "绿化"', "B1 杂物堆放", "B2 信息公示"],
                     ["社区", "楼院", "B3 电梯标识", "B4 消防设施", "X1 获得荣誉", "X2 媒体报道"]]
    # Lists longer than the sheet: 红榜 and 黑榜 on sheets of their own, split as any table.
    assert [n for n in book.sheetnames if n.startswith(("红", "黑"))] == ["红榜", "红榜(2)", "红榜(3)", "黑榜"]


GENERIC_ROWS: list[list[Any]] = [[f"院{n}", n] for n in range(12)]


@pytest.fixture(scope="module")
def generic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A comparison workbook (tables.write_workbook) whose sheet names come from user text."""
    path = tmp_path_factory.mktemp("generic") / "对比.xlsx"
    tables = [Table("楼院's 变化&[1]", ["楼院", "变化"], GENERIC_ROWS, ["", "delta"]),
              Table("HISTORY", ["a"], [["=1"]])]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        write_workbook(tables, path, SheetLimits(rows=6))
    return path


def test_generic_workbooks_split_and_say_so(generic: Path) -> None:
    book = load_workbook(generic)
    assert book.sheetnames == ["楼院's 变化&_1_", "楼院's 变化&_1_(2)", "楼院's 变化&_1_(3)", "HISTORY(2)", "说明"]
    assert [r for n in book.sheetnames[:3] for r in values(generic, n)[1:]] == GENERIC_ROWS
    assert book["楼院's 变化&_1_(3)"].print_title_rows == "$1:$1"  # a defined name quoting the '
    assert values(generic, "说明")[1] == ["分表", "“楼院's 变化&[1]”共 12 行，超过 Excel 每张工作表 6 行（含表头）的"
                                          "上限，依次分在 楼院's 变化&_1_、楼院's 变化&_1_(2)、楼院's 变化&_1_(3) "
                                          "共 3 张工作表中，每张都有表头"]


def test_a_standard_wider_than_a_sheet_gets_no_template(tmp_path: Path) -> None:
    crit = load_standard().get("2023.1")
    path = tmp_path / "表.xlsx"
    with pytest.raises(InvalidCriteriaError) as caught:
        write_template(crit, path, limits=SheetLimits(columns=44))
    (issue,) = caught.value.issues
    assert issue.code == "E155" and issue.file == crit.path
    assert issue.message == ("2023.1 版考核标准的检查记录表需要 45 列（社区、楼院等 6 列和每个项目、否决项各一列），"
                             "超过 Excel 每张工作表 44 列的上限，无法生成；请减少项目")
    assert not path.exists()
    write_template(crit, path, limits=SheetLimits(columns=45))  # exactly as many: written
    assert load_workbook(path)["检查记录"].max_column == 45


# ---------------------------------------------------------------- item 14: what Excel flags

def test_grade_names_are_quoted_in_conditional_formats(rankings: dict[str, Path]) -> None:
    xml = sheet_xml(rankings["excel"], "楼院排名")
    formulas = re.findall(r"<cfRule [^>]*><formula>(.*?)</formula></cfRule>", xml)
    long = f'"{"良" * 255}"&amp;"{"良" * 45}"'
    assert formulas == ['"优""秀"', long, '"合格"', '"不合格"']
    assert formula_string("a\nb") is None and formula_string("x" * 9000) is None


def test_template_drop_downs_come_from_a_hidden_list(template: Path) -> None:
    xml = sheet_xml(template, "检查记录")
    checks = re.findall(r'<dataValidation type="list"[^>]*sqref="([A-Z]+)3:[A-Z]+22"><formula1>(.*?)</formula1>', xml)
    sources = dict(checks)
    assert sources["G"] == "'下拉选项'!$B$1:$B$5"  # A3: its five labels
    assert sources["E"] == sources["L"] == "'下拉选项'!$A$1:$A$23"  # A1 and X1: the same marks
    assert '"' not in "".join(sources.values())  # no inline list anywhere
    book = load_workbook(template)
    lists = book["下拉选项"]
    assert lists.sheet_state == "hidden"
    assert [lists.cell(r, 2).value for r in range(1, 6)] == list(LABELS)
    ws = book["检查记录"]
    assert ws["G2"].value == 'A3 A&B "绿化"' and ws["G2"].comment.text.startswith('A3 A&B "绿化"（3 分，选项）')
    # The page header: the title's & doubled, within Excel's 255, the size ended by the font.
    header = re.search(r"<oddHeader>(.*?)</oddHeader>", xml)
    assert header and utf16_len(header.group(1).replace("&amp;", "&")) <= 255
    assert "&amp;L&amp;9&amp;\"-,Regular\"2023&amp;&amp;楼院很" in header.group(1)


def test_a_filled_template_with_any_label_scores_cleanly(template: Path, folder: Path, tmp_path: Path) -> None:
    book = load_workbook(template)
    ws = book["检查记录"]
    headers = [c.value for c in ws[2]]
    for n, label in enumerate(LABELS):
        values_by_id = {"社区": "一社区", "楼院": f"院{n}", "检查日期": "2023-03-05", **{
            k: v for k, v in record("", "", "").items() if k in MINI_COLUMNS}, "A3": label}
        for col, header in enumerate(headers, start=1):
            cell = ws.cell(3 + n, col)
            cell.value = values_by_id.get(str(header).split(" ")[0])
            cell.data_type = "s" if isinstance(cell.value, str) else cell.data_type  # "=SUM(1)" as chosen: text
    filled = tmp_path / "已填写.xlsx"
    book.save(filled)
    code, _, err = invoke("run", str(filled), "--criteria", str(folder), "--out", str(tmp_path / "o"), "--period",
                          "2023")
    assert (code, err) == (0, ""), err  # the hidden list sheet is skipped without a word
    got = json.loads((tmp_path / "o" / "results.json").read_text(encoding="utf-8"))
    assert got["issues"] == []
    earned = {y["courtyard"]: y["items"]["A3"]["earned"] for y in got["courtyards"]}
    assert earned == {f"院{n}": points for n, points in enumerate(LABELS.values())}


def test_sheet_names_from_user_text() -> None:
    taken: set[str] = set()
    assert sheet_name("a/b[c]:d*e?f\\g\x01", taken) == "a_b_c__d_e_f_g_"
    assert sheet_name("'引号'", taken) == "引号"
    assert sheet_name("History", taken) == "History(2)"  # Excel keeps History for itself
    assert sheet_name("😀" * 20, taken) == "😀" * 15  # 30 units: one more would make 32
    assert sheet_name("引号", taken) == "引号(2)"
    assert sheet_name("A" * 30 + "'x", taken) == "A" * 30  # cut, then no trailing '
    assert sheet_name("a" * 30, taken) == "a" * 28 + "(2)"  # unique ignoring case
    assert sheet_name("", taken) == "Sheet"
    assert all(utf16_len(name) <= 31 for name in taken)


def test_page_header_text_is_escaped_and_bounded() -> None:
    assert header_footer("a&b", 20) == "a&&b"
    assert header_footer("&" * 200, 68) == "&&" * 33 + "…"  # never a lone & before the cut
    assert header_footer("x\x01y\ud800", 20) == "x\ufffdy\ufffd"


def test_user_text_is_text_and_reads_back_as_written(hostile: Path) -> None:
    book = CalamineWorkbook.from_path(str(hostile))
    for sheet in ("bulk", "cells"):
        got = [r[0] for r in book.get_sheet_by_name(sheet).to_python()[1:len(HOSTILE) + 1]]
        # calamine decodes every _xHHHH_ as Excel does, except U+FFFE/U+FFFF (not XML characters)
        want = [read_back(t).replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_") for t in HOSTILE]
        assert got == want, sheet
    bulk = sheet_xml(hostile, "bulk")
    assert "<f>" not in bulk and 't="str"' not in bulk and "<hyperlink" not in bulk
    # Every underscore that starts an _xHHHH_ is escaped, overlapping ones too.
    assert "<t>_x005F_x0041_</t>" in bulk and "<t>_x005F_x0041_x005F_x0042_</t>" in bulk
    assert "<t>_x005F_x005F_x005F_x0041_</t>" in bulk and "<t>孤\ufffd</t>" in bulk
    with zipfile.ZipFile(hostile) as z:
        shared = z.read("xl/sharedStrings.xml").decode()
    assert "<t>_x005F_x0041_x005F_x0042_</t>" in shared  # xlsxwriter's cells the same way
    cells = load_workbook(hostile)["cells"]
    assert all(c.data_type == "s" for (c,) in cells.iter_rows(min_row=2, max_row=len(HOSTILE) + 1))


@needs_lo
def test_libreoffice_reads_every_text_back(hostile: Path, tmp_path: Path) -> None:
    lo_convert([hostile], tmp_path, "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1")
    for sheet in ("bulk", "cells"):
        with (tmp_path / f"hostile-{sheet}.csv").open(encoding="utf-8", newline="") as handle:
            got = [row[0] for row in csv.reader(handle)][1:len(HOSTILE) + 1]
        assert got == [read_back(t) for t in HOSTILE], sheet


@needs_lo
def test_libreoffice_opens_every_workbook(rankings: dict[str, Path], template: Path, generic: Path,
                                          standard_workbook: Path, tmp_path: Path) -> None:
    # The ranking within limits: tests/test_print.py; the hostile texts: the CSV test above.
    paths = [rankings["small"], template, generic, standard_workbook]
    lo_convert(paths, tmp_path, "pdf")
    for path in paths:
        pdf = tmp_path / f"{path.stem}.pdf"
        assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF"), path.name
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(tmp_path / "small.pdf"), "-"], capture_output=True, text=True,
                              check=True).stdout
        assert "整改清单(9)" in text  # its page header


def test_the_standard_workbook_stays_within_excel(standard_workbook: Path) -> None:
    ws = load_workbook(standard_workbook)["项目"]
    cut = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str) and c.value.startswith("长")]
    assert cut == ["长" * 32761 + TRUNCATED]
    header = ws.oddHeader.center.text
    assert header.startswith("2023&&楼院很") and utf16_len(header) <= 255 - len('&C&12&"黑体"')


def test_the_paper_form_takes_any_item_name(tmp_path: Path) -> None:
    crit = copy.deepcopy(MINI)
    crit["categories"][0]["items"][0]["name"] = "名\x01牌\ufffe"  # no XML holds these
    folder = criteria_dir(tmp_path, crit)
    path = tmp_path / "纸质表.docx"
    # Loading refuses such a name (C203, tests/test_hostile_data.py) ...
    code, _, err = invoke("template", "--paper", "-o", str(path), "--criteria", str(folder))
    assert code == 1 and "（C203）" in err and not path.exists()
    # ... and the writer itself, given one all the same, shows it as U+FFFD instead of failing.
    version = load_standard(criteria_dir(tmp_path / "ok", MINI)).versions[0]
    first = version.categories[0]
    named = dataclasses.replace(first, items=(dataclasses.replace(first.items[0], name="名\x01牌\ufffe"),
                                              *first.items[1:]))
    write_paper_form(dataclasses.replace(version, categories=(named, *version.categories[1:])), path)
    with zipfile.ZipFile(path) as z:
        assert "<w:t>名\ufffd牌\ufffd</w:t>" in z.read("word/document.xml").decode()

"""Reading inspection files: layouts, header forms, encodings, value errors with exact cells."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from scoring.errors import InvalidInputError
from scoring.outputs.results_json import results_dict
from scoring.pipeline import run
from tests.helpers import (
    FULL,
    MINI,
    MINI_COLUMNS,
    criteria_dir,
    record,
    rows_for,
    score_records,
    write_csv,
    write_xlsx,
    yard,
)


def score_file(tmp: Path, path: Path, **options: Any) -> dict[str, Any]:
    return results_dict(run([path], criteria=criteria_dir(tmp, MINI), **options))


def issues_of(tmp: Path, records: list[dict[str, Any]]) -> list[tuple[str, str | None, str | None, str]]:
    with pytest.raises(InvalidInputError) as info:
        score_records(tmp, records)
    return [(i.code, i.cell, i.item, i.message) for i in info.value.issues]


def test_title_row_aliases_and_header_forms(tmp_path: Path) -> None:
    header = ["序号", "所属社区", "小区名称", "日期", "A1 名牌齐全", "地面平整（分）", "Ａ３", "B1杂物堆放",
              "B2", "B3", "B4", "X1", "X2", "V1", "V2", "V3", "扣分原因", "备注"]
    row = [1, "一社区", "甲院", datetime(2023, 3, 1), "是", "2.5分", "中", 1, 2, "不适用", "免检",
           "是", 1, None, None, None, "杂物1处", None]
    path = write_xlsx(tmp_path / "in.xlsx", [header, [None] * 5, row], title="2023年第一季度美丽楼院检查记录表")
    res = score_file(tmp_path, path)
    assert yard(res, "甲院")["total"] == 17.47  # the worked example of test_engine
    assert yard(res, "甲院")["items"]["A2"]["cells"] == [f"{path} › 检查记录!F4"]
    assert res["issues"] == []


def test_unknown_column_is_a_warning(tmp_path: Path) -> None:
    rows = rows_for([record("一社区", "甲院", "2023-03-01")], [*MINI_COLUMNS, "Z9 其他"])
    res = score_file(tmp_path, write_xlsx(tmp_path / "in.xlsx", rows))
    assert [(i["code"], i["cell"], i["message"]) for i in res["issues"]] == [
        ("W201", "P1", "表头“Z9 其他”不是任何版本考核标准中的项目，该列未参与评分")]


def test_one_sheet_per_community_and_a_notes_sheet(tmp_path: Path) -> None:
    book = Workbook()
    notes = book.active
    notes.title = "填表说明"  # instructions: skipped without a word
    notes.append(["请按标准填写"])
    book.create_sheet("汇总").append(["合计", 3])  # anything else without a header: said
    for community in ("一社区", "二社区"):
        ws = book.create_sheet(community)
        for row in rows_for([record(community, "甲院", "2023-03-01")]):
            ws.append(row)
    book.save(tmp_path / "in.xlsx")
    res = score_file(tmp_path, tmp_path / "in.xlsx")
    assert sorted((y["community"], y["total"]) for y in res["courtyards"]) == [
        ("一社区", 23.0), ("二社区", 23.0)]
    assert [(i["code"], i["sheet"]) for i in res["issues"]] == [("W205", "汇总")]


def test_no_header_anywhere(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "in.xlsx", [["甲", "乙"], [1, 2]])
    with pytest.raises(InvalidInputError) as info:
        score_file(tmp_path, path)
    assert [i.code for i in info.value.issues] == ["W205", "E110"]
    assert info.value.issues[1].message == (
        "所有工作表（检查记录）的前 20 行中都找不到表头（需要“社区”“楼院”“检查日期”三列）")


def test_header_missing_an_identity_column(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "in.csv", [["社区", "检查日期", "A1"], ["一社区", "2023-03-01", "是"]])
    with pytest.raises(InvalidInputError) as info:
        score_file(tmp_path, path)
    assert [(i.code, i.message) for i in info.value.issues] == [
        ("E111", "表头缺少“楼院”列（也可写作：楼院名称、小区、小区名称）")]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_encodings_and_multiline_notes(tmp_path: Path, encoding: str) -> None:
    rows = rows_for([record("一社区", "甲院", "2023-03-01", A1="否")], [*MINI_COLUMNS, "备注"])
    rows[1][-1] = "第一行\n第二行，含逗号"
    res = score_file(tmp_path, write_csv(tmp_path / "in.csv", rows, encoding=encoding))
    assert (yard(res, "甲院")["total"], res["issues"]) == (19.0, [])


def test_long_layout(tmp_path: Path) -> None:
    values = {**FULL, "A1": "否"}
    rows: list[list[Any]] = [["社区", "楼院", "检查日期", "项目编号", "得分"]]
    rows += [["一社区", "甲院", "2023-03-01", ident, value] for ident, value in values.items()]
    rows += [["一社区", "乙院", "2023-03-02", ident, value] for ident, value in FULL.items()]
    res = score_file(tmp_path, write_csv(tmp_path / "in.csv", rows))
    assert (yard(res, "甲院")["total"], yard(res, "乙院")["total"]) == (19.0, 23.0)
    assert yard(res, "甲院")["items"]["A1"]["cells"] == [f"{tmp_path / 'in.csv'} › E2"]


@pytest.mark.parametrize("day", [date(2023, 3, 5), 44990, "2023/3/5", "2023年3月5日", "2023.03.05",
                                 "20230305", "2023-03-05 09:30"])
def test_date_forms(tmp_path: Path, day: Any) -> None:
    rows = rows_for([record("一社区", "甲院", day)])  # type: ignore[arg-type]
    res = score_file(tmp_path, write_xlsx(tmp_path / "in.xlsx", rows))
    assert yard(res, "甲院")["inspections"] == 1


def test_odd_spaces_name_one_courtyard(tmp_path: Path) -> None:
    res = score_records(tmp_path, [record("一社区", "甲\u00a0院", "2023-03-01"),
                                   record(" 一社区\u200b", "甲 院", "2023-04-01", A1="否")])
    assert [(y["courtyard"], y["inspections"], y["total"]) for y in res["courtyards"]] == [
        ("甲 院", 2, 21.0)]


def test_value_errors_name_cell_item_and_accepted_values(tmp_path: Path) -> None:
    got = issues_of(tmp_path, [
        record("一社区", "甲院", "2023-03-01", A1="可以", A2=3.5, A3="优"),
        record("一社区", "乙院", "2023-03-01", A2=1.2, B1=-1, B2=5, B3=None),
        record("一社区", "丙院", "2023-03-01", A1="不适用", B4="#DIV/0!", B3="免检", B1="nan"),
        record("一社区", "丁院", "2023-03-01", B1="1_000", A2="inf", B2="1.5"),
    ])
    check = "应填“是”（得分）或“否”（不得分），也可用 √/×、Y/N、1/0、有/无、合格/不合格"
    scale = "应填 0 到 3 之间的分数，按 0.5 分一档（可写“分”，如 3 或 3分）"
    deduct = "应填发现问题的处数（0 或正整数，可写“处”“次”“项”“个”，如 3 或 3处；不写“分”），每处扣 2 分，扣完为止"
    count = "应填符合的项数（0 到 4 的整数，可写“项”“个”等，如 3 或 3项；不写“分”）：甲、乙、丙、丁"
    b3 = "应填“是”（得分）或“否”（不得分），也可用 √/×、Y/N、1/0、合格/不合格；不适用的填“不适用”"
    assert got == [
        ("E120", "D2", "A1", f"一社区 甲院 2023-03-01：“可以”不是有效的名牌齐全填写值：{check}"),
        ("E120", "E2", "A2", f"一社区 甲院 2023-03-01：“3.5”不是有效的地面平整填写值：{scale}"),
        ("E120", "F2", "A3", "一社区 甲院 2023-03-01：“优”不是有效的绿化填写值：应填以下选项之一：好、中、差"),
        ("E120", "E3", "A2", f"一社区 乙院 2023-03-01：“1.2”不是有效的地面平整填写值：{scale}"),
        ("E120", "G3", "B1", f"一社区 乙院 2023-03-01：“-1”不是有效的杂物堆放填写值：{deduct}"),
        ("E120", "H3", "B2", f"一社区 乙院 2023-03-01：“5”不是有效的信息公示填写值：{count}"),
        ("E121", "I3", "B3", f"一社区 乙院 2023-03-01：该项为空：{b3}"),
        ("E122", "D4", "A1", f"一社区 丙院 2023-03-01：该项不允许填“不适用”：{check}"),
        ("E120", "G4", "B1", f"一社区 丙院 2023-03-01：“nan”不是有效的杂物堆放填写值：{deduct}"),
        ("E123", "I4", "B3", f"一社区 丙院 2023-03-01：该项不允许填“免检”：{b3}"),
        ("E124", "J4", "B4", "一社区 丙院 2023-03-01：单元格是 Excel 错误值 #DIV/0!：请在 Excel/WPS 中修正公式后保存"),
        ("E120", "E5", "A2", f"一社区 丁院 2023-03-01：“inf”不是有效的地面平整填写值：{scale}"),
        ("E120", "G5", "B1", f"一社区 丁院 2023-03-01：“1_000”不是有效的杂物堆放填写值：{deduct}"),
        ("E120", "H5", "B2", f"一社区 丁院 2023-03-01：“1.5”不是有效的信息公示填写值：{count}"),
    ]


def test_identity_errors(tmp_path: Path) -> None:
    got = issues_of(tmp_path, [record("", "甲院", "2023-03-01"), record("一社区", "", "2023-03-01"),
                               record("一社区", "甲院", "三月五日"), record("一社区", "甲院", "")])
    assert got == [
        ("E132", "A2", None, "甲院 2023-03-01：社区名称为空"),
        ("E133", "B3", None, "一社区 2023-03-01：楼院名称为空"),
        ("E130", "C4", None, "一社区 甲院：检查日期“三月五日”无法识别：请填写如 2023-03-05 或 2023年3月5日 的日期"),
        ("E131", "C5", None, "一社区 甲院：检查日期为空"),
    ]


def test_a_date_is_never_a_score(tmp_path: Path) -> None:
    rows = rows_for([record("一社区", "甲院", "2023-03-01", B1=datetime(2023, 1, 2))])
    with pytest.raises(InvalidInputError) as info:
        score_file(tmp_path, write_xlsx(tmp_path / "in.xlsx", rows))
    assert [(i.code, i.cell) for i in info.value.issues] == [("E120", "G2")]


def test_veto_value_must_be_yes_or_no(tmp_path: Path) -> None:
    got = issues_of(tmp_path, [record("一社区", "甲院", "2023-03-01", V1="也许")])
    assert got == [("E135", "M2", "V1", "一社区 甲院 2023-03-01：否决项“V1”的值“也许”无法识别："
                                        "发生“重大事故”的填“是”，未发生的填“否”或留空")]


def test_all_items_not_applicable(tmp_path: Path) -> None:
    # MINI allows 不适用 only on B3, so use a standard whose one item may be N/A.
    only = {**MINI, "scale": 2, "categories": [{"id": "B", "name": "法治", "items": [
        {"id": "B3", "name": "电梯标识", "type": "check", "points": 2, "na": True}]}],
        "grades": [{"name": "合格", "min": 0, "pass": True}], "vetoes": [],
        "bonus": {"cap": 0, "items": []}}
    with pytest.raises(InvalidInputError) as info:
        score_records(tmp_path, [{"社区": "一社区", "楼院": "甲院", "检查日期": "2023-03-01",
                                  "B3": "/"}], only, columns=["B3"])
    assert [(i.code, i.cell, i.message) for i in info.value.issues] == [
        ("E125", "第2行", "一社区 甲院 2023-03-01：该次检查所有项目均为“不适用”，无法计算得分")]


def test_lenient_scores_valid_rows_and_lists_the_rest(tmp_path: Path) -> None:
    res = score_records(tmp_path, [record("一社区", "甲院", "2023-03-01"),
                                   record("一社区", "乙院", "2023-03-01", A1="可以"),
                                   record("一社区", "", "2023-03-01")], lenient=True)
    assert [y["courtyard"] for y in res["courtyards"]] == ["甲院"]
    assert [(i["code"], i["cell"]) for i in res["issues"]] == [("E133", "B4"), ("E120", "D3")]


@pytest.mark.parametrize("header", ["A2", "a2", "A2 地面平整", "A2：地面平整", "A2地面平整", "地面平整",
                                    "地面平整（分）", "Ａ２　地面平整"])
def test_item_header_forms(tmp_path: Path, header: str) -> None:
    rows = rows_for([record("一社区", "甲院", "2023-03-01", A2=1)])
    rows[0][rows[0].index("A2")] = header
    res = score_file(tmp_path, write_csv(tmp_path / "in.csv", rows))
    assert (yard(res, "甲院")["items"]["A2"]["earned"], res["issues"]) == (1.0, [])


def test_id_glued_to_a_name_starting_with_digits(tmp_path: Path) -> None:
    standard = {**MINI, "categories": [{"id": "A", "name": "环境", "items": [
        {"id": "A1", "name": "5S管理", "type": "check", "points": 4},
        {"id": "A15", "name": "其他", "type": "check", "points": 17}]}],
        "vetoes": [], "bonus": {"cap": 0, "items": []},
        "grades": [{"name": "合格", "min": 0, "pass": True}]}
    rows = [["社区", "楼院", "检查日期", "A1 5S管理", "A15其他"], ["一社区", "甲院", "2023-03-01", "是", "否"]]
    res = results_dict(run([write_csv(tmp_path / "in.csv", rows)], criteria=criteria_dir(tmp_path, standard)))
    assert yard(res, "甲院")["items"]["A1"]["earned"] == 4.0
    assert yard(res, "甲院")["items"]["A15"]["earned"] == 0.0

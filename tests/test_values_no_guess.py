"""No value is guessed: a bare 无 where 不适用 is allowed is refused with both readings, units are
taken where they fit the item type and refused where they do not, the template's validation lets
in exactly what the reader accepts, and the footer lines of a paper form are skipped with a
warning. Every message about a row names its 社区, 楼院 and 检查日期."""

from __future__ import annotations

import itertools
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from scoring import marks
from scoring.criteria.standard import load_standard
from scoring.engine.values import expected_text, interpret
from scoring.errors import InvalidInputError
from scoring.outputs.results_json import results_dict
from scoring.outputs.template import CHECK_MARKS, NA_MARKS, write_template
from scoring.pipeline import run
from tests.excel_formula import accepts
from tests.helpers import MINI, criteria_dir, record, rows_for, score_records, write_csv, yard
from tests.test_cli import invoke

ACCEPTED = {"ok", "na", "exempt"}
ITEMS = {i.id: i for i in load_standard(criteria_dir(Path("/tmp") / "no-guess", MINI)).latest.all_items}
ROW = "一社区 甲院 2023-03-01："


def issues(tmp: Path, **values: Any) -> list[tuple[str, str | None, str | None, str]]:
    with pytest.raises(InvalidInputError) as info:
        score_records(tmp, [record("一社区", "甲院", "2023-03-01", **values)])
    return [(i.code, i.cell, i.item, i.message) for i in info.value.issues]


# ---------------------------------------------------------------- a bare 无

def test_a_bare_wu_where_not_applicable_is_allowed_offers_both_readings(tmp_path: Path) -> None:
    assert issues(tmp_path, B3="无") == [
        ("E160", "I2", "B3", f"{ROW}“无”有两种理解，请改填其中一种：填“否”表示不得分，填“不适用”表示本楼院没有此项")]


def test_wu_is_no_where_not_applicable_is_not_allowed(tmp_path: Path) -> None:
    res = score_records(tmp_path, [record("一社区", "甲院", "2023-03-01", A1="无")])
    assert yard(res, "甲院")["items"]["A1"]["earned"] == 0 and res["issues"] == []


def test_the_check_hint_offers_you_wu_only_where_it_is_unambiguous() -> None:
    assert "有/无" in expected_text(ITEMS["A1"])
    assert "有/无" not in expected_text(ITEMS["B3"])


# ---------------------------------------------------------------- units

@pytest.mark.parametrize(("item", "value", "earned"), [
    ("A2", "2.5分", 2.5), ("A2", "3 分", 3),
    ("B1", "2处", 1), ("B1", "1次", 3), ("B1", "0项", 5), ("B1", "3个", 0),
    ("B2", "3项", 3), ("B2", "2个", 2), ("B2", "1处", 1), ("X2", "2次", 2),
])
def test_units_that_fit_the_item_type_are_taken(tmp_path: Path, item: str, value: str, earned: float) -> None:
    res = score_records(tmp_path, [record("一社区", "甲院", "2023-03-01", **{item: value})])
    assert res["issues"] == []
    assert yard(res, "甲院")["items"][item]["earned"] == earned


def test_a_unit_that_does_not_fit_is_refused_in_words(tmp_path: Path) -> None:
    deduct = ("应填发现问题的处数（0 或正整数，可写“处”“次”“项”“个”，如 3 或 3处；不写“分”），"
              "每处扣 2 分，扣完为止")
    scale = "应填 0 到 3 之间的分数，按 0.5 分一档（可写“分”，如 3 或 3分）"
    assert issues(tmp_path, B1="3分", A2="2处") == [
        ("E161", "E2", "A2", f"{ROW}“2处”的单位不适合这一项：{scale}"),
        ("E161", "G2", "B1", f"{ROW}“3分”的单位不适合这一项：{deduct}"),
    ]


def test_a_unit_on_a_mark_or_a_choice_is_just_not_a_valid_value(tmp_path: Path) -> None:
    assert [(code, item) for code, _, item, _ in issues(tmp_path, A1="1分", A3="3分")] == [
        ("E120", "A1"), ("E120", "A3")]


# ---------------------------------------------------------------- the template accepts what the reader accepts

NUMBER_CANDIDATES: list[Any] = [
    0, 1, 2, 3, 4, 5, 0.5, 1.5, 2.5, 1.2, -1, 10, "3", " 2 ", "+1", "1.0", "0.5", "1,000", "abc", "",
    *(f"{n}{unit}" for n, unit in itertools.product(("1", "2", "2.5", "-1", "5", "9"), "分处次项个元")),
    "3 处", "2分分", "分", "处", "3处处", "３",
]
MARK_CANDIDATES = [*CHECK_MARKS, *NA_MARKS, "免检", "可以", "3分", "好", "中", "差", "优", "不确定"]


def allowed_by(validation: dict[str, Any], value: Any) -> bool:
    """Whether the template's validation of a column lets `value` in (Excel's list validation
    ignores the case of letters)."""
    if validation["validate"] == "list":
        return str(value).lower() in {str(v).lower() for v in validation["source"]}
    return accepts(validation["value"], value)


def validation_of(item_id: str) -> dict[str, Any]:
    from scoring.outputs.template import _validation

    return _validation(ITEMS[item_id], "F3")


@pytest.mark.parametrize("item_id", sorted(ITEMS))
def test_each_validation_allows_exactly_what_the_reader_accepts(item_id: str) -> None:
    item = ITEMS[item_id]
    validation = validation_of(item_id)
    candidates = MARK_CANDIDATES if item.type in ("check", "choice") else NUMBER_CANDIDATES + list(NA_MARKS) + [
        "免检", "无"]
    wrong = [(value, interpret(value, item, 100).kind) for value in candidates
             if allowed_by(validation, value) != (interpret(value, item, 100).kind in ACCEPTED)]
    assert wrong == []


def test_check_drop_downs_list_every_mark_the_reader_knows() -> None:
    assert {marks.key(m) for m in CHECK_MARKS} == marks.YES | marks.NO
    assert {marks.key(m) for m in NA_MARKS} == marks.NOT_APPLICABLE


def accepted_forms(item_id: str) -> list[Any]:
    item = ITEMS[item_id]
    candidates = MARK_CANDIDATES if item.type in ("check", "choice") else NUMBER_CANDIDATES + list(NA_MARKS) + [
        "免检"]
    return [v for v in candidates if v != "" and interpret(v, item, 100).kind in ACCEPTED]


def test_a_template_filled_with_every_accepted_form_reads_back_without_an_issue(tmp_path: Path) -> None:
    folder = criteria_dir(tmp_path, MINI)
    standard = load_standard(folder)
    path = tmp_path / "表.xlsx"
    write_template(standard.latest, path, standard.register, rows=80)
    book = load_workbook(path)
    ws = book["检查记录"]
    headers = [c.value for c in ws[2]]
    forms = {ident: accepted_forms(ident) for ident in ITEMS}
    assert all(len(f) >= 3 for f in forms.values())
    count = max(len(f) for f in forms.values())
    filled = 0
    for r in range(count):
        row = 3 + r
        ws.cell(row, 1, "一社区")
        ws.cell(row, 2, f"{r}号院")
        ws.cell(row, 3, date(2023, 3, 1))
        for col, header in enumerate(headers, start=1):
            ident = str(header).split(" ")[0]
            if ident in forms:
                value = forms[ident][r % len(forms[ident])]
                assert allowed_by(validation_of(ident), value), (ident, value)
                ws.cell(row, col, value)
                filled += 1
    book.save(path)
    results = results_dict(run([path], criteria=folder))
    assert results["issues"] == []
    assert len(results["courtyards"]) == count
    assert filled == count * len(ITEMS)


# ---------------------------------------------------------------- footer lines and rows named in messages

def test_footer_lines_below_the_data_are_skipped_with_a_warning(tmp_path: Path) -> None:
    folder = criteria_dir(tmp_path, MINI)
    rows = rows_for([record("一社区", "甲院", "2023-03-01"), record("一社区", "乙院", "2023-03-02")])
    rows += [["检查组签字：", None, None], [], ["审核人：  负责人：王某"], ["合计"]]
    data = write_csv(tmp_path / "in.csv", rows)
    code, out, err = invoke("run", str(data), "--criteria", str(folder), "--out", str(tmp_path / "o"))
    assert code == 0, err
    skipped = "是表格下方的签字、审核、合计或备注行，不是检查记录，已跳过（W260）"
    assert err.splitlines() == [
        f"提示 {data} › 第4行 “检查组签字：”{skipped}",
        f"提示 {data} › 第6行 “审核人：  负责人：王某”{skipped}",
        f"提示 {data} › 第7行 “合计”{skipped}",
    ]
    assert out.startswith("考核期 2023：1 个社区、2 个楼院，")


def test_rows_that_are_not_only_a_footer_line_are_still_checked(tmp_path: Path) -> None:
    folder = criteria_dir(tmp_path, MINI)
    rows = rows_for([record("一社区", "甲院", "2023-03-01")])
    rows.insert(2, ["备注：", None, None])  # between data rows: not below the data
    rows += [rows_for([record("一社区", "乙院", "2023-03-02")])[1]]
    rows += [["合计", None, None, 8]]  # a total with an item value is not a bare footer line
    data = write_csv(tmp_path / "in.csv", rows)
    code, _, err = invoke("run", str(data), "--criteria", str(folder), "--out", str(tmp_path / "o"))
    assert code == 1
    lines = err.splitlines()
    assert lines[0] == f"错误 {data} › B3 备注:：楼院名称为空（E133）"  # the 社区 cell as the engine reads it
    assert lines[2] == f"错误 {data} › B5 合计：楼院名称为空（E133）"
    assert lines[-1] == "共 4 处错误，未生成任何输出文件。"


def test_every_message_about_a_row_names_its_community_courtyard_and_date(tmp_path: Path) -> None:
    folder = criteria_dir(tmp_path, MINI)
    data = write_csv(tmp_path / "in.csv", rows_for([record("一社区", "甲院", "2023-03-01", A1="可以"),
                                                    record("二社区", "乙院", "2023-03-02", B1="3分", V1="也许")]))
    code, _, err = invoke("run", str(data), "--criteria", str(folder), "--out", str(tmp_path / "o"))
    assert code == 1
    lines = err.splitlines()[:-1]
    assert len(lines) == 3
    assert lines[0].startswith(f"错误 {data} › D2 ［A1］一社区 甲院 2023-03-01：“可以”不是有效的")
    assert lines[1].startswith(f"错误 {data} › G3 ［B1］二社区 乙院 2023-03-02：“3分”的单位不适合这一项：")
    assert lines[2].startswith(f"错误 {data} › M3 ［V1］二社区 乙院 2023-03-02：否决项“V1”的值“也许”无法识别")

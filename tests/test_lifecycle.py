"""The criteria life cycle: diff, changelog check, new versions, audit, regulations, compare."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from scoring.compare import compare
from scoring.criteria import load_standard
from scoring.criteria.audit import audit_version
from scoring.criteria.changelog import check_changelog
from scoring.criteria.diff import diff
from scoring.engine.results import Results
from scoring.outputs.criteria_reports import diff_json
from tests.helpers import BUNDLED_NOTE as NOTE
from tests.helpers import MINI, criteria_dir, mini, record, rows_for, score_results, write_csv
from tests.test_cli import invoke

BUNDLED_NOTE = NOTE.rstrip("\n")


def changed_mini() -> dict[str, Any]:
    """Version 2 of MINI with one change of every kind."""
    v2 = mini(version="2", effective_from="2024-01-01")
    a_items, b_items = v2["categories"][0]["items"], v2["categories"][1]["items"]
    a_items[0]["name"] = "小区名牌齐全"                     # A1 name
    a_items[1]["step"] = 1                                   # A2 step 0.5 → 1
    moved = a_items.pop(2)                                   # A3 moves to B, choices change
    moved["choices"] = {"好": 3, "中": 1, "差": 0}
    b_items.append(moved)
    b_items[0]["per_unit"] = 1                               # B1 per_unit 2 → 1
    b_items[2]["na"] = False                                 # B3 no longer N/A
    b_items[3]["exempt"] = False                             # B4 no longer exempt
    b_items[3]["basis"] = [{"ref": "fire-protection-law", "article": "第十七条"}]
    del b_items[1]                                           # B2 removed (3 points)
    b_items.append({"id": "B5", "name": "调解记录", "type": "check", "points": 3})  # added
    v2["bonus"]["cap"] = 3
    v2["grades"][0]["min"] = 19
    v2["grades"][0]["requires"] = ["A1", "B5"]
    v2["vetoes"][1]["grade"] = "良好"
    return v2


def test_diff_field_by_field(tmp_path: Path) -> None:
    standard = load_standard(criteria_dir(tmp_path, MINI, changed_mini()))
    data = diff_json(diff(*standard.versions))
    changes = {(c["id"], c["action"]): {f["field"]: (f["before"], f["after"]) for f in c["fields"]}
               for c in data["changes"]}
    assert changes == {
        ("A1", "changed"): {"name": ("名牌齐全", "小区名牌齐全")},
        ("A2", "changed"): {"step": ("0.5", "1")},
        ("A3", "changed"): {"choices": ({"好": "3", "中": "1.5", "差": "0"}, {"好": "3", "中": "1", "差": "0"}),
                            "category": ("A", "B")},
        ("B1", "changed"): {"per_unit": ("2", "1")},
        ("B3", "changed"): {"na": (True, False)},
        ("B4", "changed"): {"exempt": (True, False),
                            "basis": ([{"ref": "fire-protection-law", "article": "第十六条"}],
                                      [{"ref": "fire-protection-law", "article": "第十七条"}])},
        ("B5", "added"): {},
        ("B2", "removed"): {},
        ("V2", "changed"): {"grade": ("合格", "良好")},
        ("优秀", "changed"): {"min": ("18", "19"), "requires": (["A1"], ["A1", "B5"])},
    }
    assert data["categories"] == [{"id": "A", "name": "环境", "before": 10.0, "after": 7.0},
                                  {"id": "B", "name": "法治", "before": 11.0, "after": 14.0}]
    assert data["settings"] == [{"field": "bonus_cap", "before": "2", "after": "3"}]


def test_bundled_changelog_agrees_with_the_diff() -> None:
    old, new = load_standard().versions
    assert check_changelog(old, new) == []
    assert {e.id for e in diff(old, new).entries if e.action == "added"} == {"LAW-05", "LAW-06", "LAW-07"}


def test_changelog_mismatches_are_warned(tmp_path: Path) -> None:
    v2 = mini(version="2", effective_from="2024-01-01")
    v2["categories"][0]["items"][0]["points"] = 3
    v2["categories"][1]["items"][0]["points"] = 6
    v2["changelog"] = [{"version": "2", "date": "2023-12-01", "summary": "调整", "changes": [
        {"item": "A1", "action": "changed", "fields": ["points", "name"]},
        {"item": "A2", "action": "removed"}]}]
    standard = load_standard(criteria_dir(tmp_path, MINI, v2))
    got = [(i.code, i.item, i.message) for i in check_changelog(*standard.versions)]
    assert got == [
        ("W303", "A1", "更新记录中“A1修改”的字段与实际变更不符：未变化的字段 name"),
        ("W302", "A2", "更新记录所列变更“A2删除”并未发生（1 → 2 的对比中没有）"),
        ("W301", "B1", "更新记录漏记了一项变更：B1修改（1 → 2 的对比显示有此变更）"),
    ]


def test_validate_shows_changelog_warnings(tmp_path: Path) -> None:
    v2 = mini(version="2", effective_from="2024-01-01")
    v2["bonus"]["cap"] = 3
    folder = criteria_dir(tmp_path, MINI, v2)
    code, out, err = invoke("criteria", "validate", str(folder))
    assert code == 0
    assert "标准设置修改（bonus_cap）" in err and "更新记录有 1 处与实际变更不符" in out


def test_diff_cli_formats(tmp_path: Path) -> None:
    code, out, _ = invoke("criteria", "diff", "2022.1", "2023.1", "--format", "markdown")
    assert code == 0
    assert out.startswith("## 考核标准对比：2022.1 → 2023.1")
    assert ("| 项目 | LAW-04 | 业主共同决定事项依法表决 | 修改 | 依据 | 《物权法》第七十六条 | "
            "《民法典》第二百七十八条 |") in out
    code, out, _ = invoke("criteria", "diff", "2022.1", "2023.1", "--format", "json")
    assert code == 0 and json.loads(out)["to"]["version"] == "2023.1"
    code, _, err = invoke("criteria", "diff", "2022.1", "2023.1", "--format", "xlsx")
    assert (code, err) == (2, f"{BUNDLED_NOTE}\nxlsx 格式需要用 -o 指定输出文件，例如 -o 标准对比.xlsx\n")
    target = tmp_path / "对比.xlsx"
    code, _, _ = invoke("criteria", "diff", "2022.1", "2023.1", "--format", "xlsx", "-o", str(target))
    assert code == 0
    book = load_workbook(target)
    assert book.sheetnames == ["变更明细（2022.1 → 2023.1）", "类别分值（2022.1 → 2023.1）"]
    law = [r for r in book.worksheets[1].iter_rows(values_only=True) if r[0] == "LAW"]
    assert law == [("LAW", "法治建设", 12, 20, 8)]
    path = Path(load_standard().versions[0].path)
    code, out, _ = invoke("criteria", "diff", str(path), "2023.1")
    assert code == 0 and "LAW-05" in out


def test_new_version(tmp_path: Path) -> None:
    folder = criteria_dir(tmp_path, MINI)
    code, out, _ = invoke("criteria", "new", "--from", "1", "--version", "2", "--effective",
                          "2024-01-01", "--criteria", str(folder))
    assert code == 0 and out.startswith(f"已创建 {folder / '2.json'}")
    created = json.loads((folder / "2.json").read_text(encoding="utf-8"))
    assert (created["version"], created["effective_from"]) == ("2", "2024-01-01")
    assert created["changelog"][-1] == {"version": "2", "date": date.today().isoformat(), "summary": ""}
    assert created["categories"] == json.loads(json.dumps(MINI["categories"]))
    assert [v.version for v in load_standard(folder).versions] == ["1", "2"]
    before = (folder / "2.json").read_bytes()
    code, _, err = invoke("criteria", "new", "--from", "1", "--version", "2", "--effective",
                          "2025-01-01", "--criteria", str(folder))
    assert (code, err) == (2, "版本 2 已存在，不会覆盖；请换一个版本号\n")
    assert (folder / "2.json").read_bytes() == before
    code, _, err = invoke("criteria", "new", "--from", "2", "--version", "3", "--effective",
                          "2024-01-01", "--criteria", str(folder))
    assert (code, err) == (2, "新版本的施行日期 2024-01-01 与 2 版相同；同一标准各版本的施行日期不得相同\n")
    assert not (folder / "3.json").exists()


def law_version(tmp: Path, effective: str, ref: str) -> Path:
    v = mini(effective_from=effective)
    v["categories"][1]["items"][3]["basis"] = [{"ref": ref, "article": "第一条"}]
    return criteria_dir(tmp, v)


def test_audit_repealed_law_by_date(tmp_path: Path) -> None:
    standard = load_standard(law_version(tmp_path, "2020-01-01", "property-law"))
    version = standard.latest
    assert audit_version(version, standard.register, date(2020, 12, 31)) == []
    (finding,) = audit_version(version, standard.register, date(2021, 1, 1))
    assert (finding.item, finding.law, finding.level, finding.replacement, finding.finding) == (
        "B4", "物权法", "error", "民法典", "已于 2021-01-01 废止，由《民法典》取代")


def test_audit_amended_law_and_unknown_law(tmp_path: Path) -> None:
    standard = load_standard(law_version(tmp_path, "2025-01-01", "public-security-penalties-law"))
    assert audit_version(standard.latest, standard.register, date(2025, 6, 1)) == []
    (finding,) = audit_version(standard.latest, standard.register, date(2025, 7, 1))
    assert (finding.level, finding.on) == ("review", date(2026, 1, 1))
    assert finding.finding == ("于 2025-06-27 修订，2026-01-01 起施行，晚于本版本施行日期 2025-01-01，相关项目需复核")
    other = tmp_path / "b"
    other.mkdir()
    folder = law_version(other, "2023-01-01", "no-such-law")
    code, out, _ = invoke("criteria", "audit", "--as-of", "2023-06-01", "--criteria", str(folder))
    assert code == 1 and "法规库中没有该法规，无法核对其效力" in out and "共 1 项错误、0 项需复核。" in out


def test_audit_bundled_standard() -> None:
    code, out, _ = invoke("criteria", "audit", "--as-of", "2023-01-01", "--all")
    assert code == 1
    rows = [line for line in out.splitlines() if "LAW-04" in line]
    assert len(rows) == 1 and "2022.1" in rows[0] and "物权法" in rows[0] and "民法典" in rows[0]
    code, out, _ = invoke("criteria", "audit", "--as-of", "2023-01-01")
    assert (code, out) == (0, "审核通过（2023-01-01）：版本 2023.1 未引用已废止、已修改或法规库中没有的法规。\n")
    code, _, err = invoke("criteria", "audit", "--as-of", "2023年1月1日")
    assert (code, err) == (2, "--as-of 的日期“2023年1月1日”格式不对，应为 YYYY-MM-DD，例如 2023-01-01\n")


def test_regulations_commands() -> None:
    code, out, _ = invoke("regulations", "show", "property-law")
    assert code == 0
    assert out.splitlines()[-1] == "状态：2021-01-01 废止，由《中华人民共和国民法典》取代"
    code, out, _ = invoke("regulations", "list")
    assert code == 0 and "public-security-penalties-law" in out and "2025-06-27" in out
    code, _, err = invoke("regulations", "show", "nothing")
    assert (code, err) == (2, "法规库：内置示例法规库（未找到工作区）\n"
                              "法规库中没有“nothing”。可用 score regulations list 查看全部法规\n")
    code, out, _ = invoke("regulations", "show", "《民法典》")
    assert code == 0 and out.splitlines()[0] == "中华人民共和国民法典（civil-code）"


def run_json(tmp: Path, name: str, records: list[dict[str, Any]], *versions: dict[str, Any],
             **options: Any) -> Results:
    folder = tmp / name
    folder.mkdir()
    return score_results(folder, records, *versions, **options)


def test_compare_same_inputs_different_criteria(tmp_path: Path) -> None:
    records = [record("一社区", "甲院", "2023-03-01", A1="否"), record("一社区", "乙院", "2023-03-01")]
    heavy = mini(version="9", effective_from="2022-01-01")
    heavy["categories"][0]["items"][0]["points"] = 8  # A1 worth 8: scale becomes 25
    heavy["scale"] = 25
    a = run_json(tmp_path, "a", records)
    b = run_json(tmp_path, "b", records, heavy)
    result = compare(a, b)  # two CSV files with the same bytes: the same inputs by sha256
    assert (result.same_inputs, result.same_criteria) == (True, False)
    assert result.attribution == "两次评分使用相同的检查记录，分数变化全部由考核标准调整引起。"
    # 甲院: 17/21·21 + 2 = 19 → 17/25·25 + 2 = 19; 乙院: 23 → 27.
    assert [(c.courtyard, str(c.total_a), str(c.total_b), str(c.delta), c.rank_delta) for c in result.courtyards] == [
        ("乙院", "23.00", "27.00", "4.00", 0), ("甲院", "19.00", "19.00", "0.00", 0)]


def test_compare_different_data_same_criteria(tmp_path: Path) -> None:
    a = run_json(tmp_path, "a", [record("一社区", "甲院", "2023-03-01", A1="否")])
    b = run_json(tmp_path, "b", [record("一社区", "甲院", "2023-03-01")])
    assert compare(a, b).attribution == "两次评分使用相同的考核标准，分数变化来自检查数据。"


def test_compare_split_and_only_one_run(tmp_path: Path) -> None:
    last = [record("一社区", "甲院", "2022-03-01", A1="否"), record("一社区", "丙院", "2022-03-01")]
    this = [record("一社区", "甲院", "2023-03-01"), record("一社区", "丁院", "2023-03-01")]
    new = mini(version="2", effective_from="2023-01-01")
    new["bonus"]["cap"] = 1
    old = mini(version="1", effective_from="2022-01-01")
    a = run_json(tmp_path, "a", last, old, new)
    b = run_json(tmp_path, "b", this, old, new)
    c = run_json(tmp_path, "c", last, old, new, version="2")  # same bytes as a's input
    result = compare(a, b, c)
    (yard,) = result.courtyards
    # 甲院 19 → 22: criteria 19 → 18 (cap 2 → 1), data 18 → 22.
    assert (str(yard.delta), str(yard.criteria_effect), str(yard.data_effect)) == ("3.00", "-1.00", "4.00")
    assert [y.courtyard for y in result.only_a] == ["丙院"]
    assert [y.courtyard for y in result.only_b] == ["丁院"]
    code, _, err = invoke("compare", str(tmp_path / "nothing.json"), str(tmp_path / "x.json"))
    assert (code, err) == (1, f"{tmp_path / 'nothing.json'} 不是有效的评分结果文件（results.json）：找不到文件\n")


def test_compare_cli_on_the_samples(tmp_path: Path) -> None:
    samples = Path(__file__).resolve().parents[1] / "samples"
    for name, args in [("2022", [str(samples / "inspections-2022.xlsx")]),
                       ("2023", [str(samples / "inspections.xlsx")]),
                       ("what-if", [str(samples / "inspections-2022.xlsx"), "--criteria-version", "2023.1"])]:
        code, _, err = invoke("run", *args, "--out", str(tmp_path / name))
        assert code == 0, err
    assert err.count("（W206）") == 3  # LAW-05, LAW-06, LAW-07 have no column in 2022's sheet
    r = {n: str(tmp_path / n / "results.json") for n in ("2022", "2023", "what-if")}
    code, out, _ = invoke("compare", r["2022"], r["what-if"])
    assert code == 0 and out.startswith("两次评分使用相同的检查记录，分数变化全部由考核标准调整引起。")
    code, out, _ = invoke("compare", r["2022"], r["2023"], "--rescored", r["what-if"], "--xlsx",
                          str(tmp_path / "对比.xlsx"))
    assert code == 0 and "其中：标准调整" in out
    book = load_workbook(tmp_path / "对比.xlsx")
    assert book.sheetnames == ["楼院变化", "社区变化", "仅出现在一次评分中"]
    for row in book["楼院变化"].iter_rows(min_row=2, values_only=True):
        assert round(row[5] + row[6], 2) == round(row[4], 2)
    code, _, err = invoke("compare", r["2022"], r["2023"], "--rescored", r["2023"])
    assert code == 2 and err.startswith("--rescored 的结果必须是")


def test_what_if_treats_missing_columns_as_not_applicable(tmp_path: Path) -> None:
    v2 = mini(version="2", effective_from="2023-06-01")
    v2["categories"][0]["items"].append({"id": "A4", "name": "单元牌", "type": "check", "points": 2})
    v2["scale"] = 23
    data = write_csv(tmp_path / "in.csv", rows_for([record("一社区", "甲院", "2023-03-01")]))
    code, _out, err = invoke("run", str(data), "--criteria", str(criteria_dir(tmp_path, MINI, v2)),
                            "--criteria-version", "2", "--out", str(tmp_path / "o"))
    assert code == 0
    assert err == (f"提示 {data} ［A4］测算模式（--criteria-version 2）：表中没有项目“A4 单元牌”的列，"
                   "按不适用处理（W206）\n")
    res = json.loads((tmp_path / "o" / "results.json").read_text(encoding="utf-8"))
    assert res["courtyards"][0]["total"] == 25.0  # 21/21 of the applicable items → 23, + 2
    assert res["courtyards"][0]["items"]["A4"] == {"earned": None, "possible": 0.0, "value": "不适用",
                                                  "cells": [], "values": ["不适用"], "earned_each": [None]}


def test_compare_the_same_file_for_two_periods(tmp_path: Path) -> None:
    records = [record("一社区", "甲院", "2023-03-01", A1="否"), record("一社区", "甲院", "2023-09-01")]
    a = run_json(tmp_path, "a", records, period="2023Q1")
    b = run_json(tmp_path, "b", records, period="2023")
    assert compare(a, b).attribution == ("两次评分使用相同的检查记录，但考核期不同（2023Q1、2023），"
                                         "分数变化来自各自考核期内的检查。")

"""The standard as an Excel workbook (docs/design.md §12, issue 14): exact round trips of the
bundled and of random valid standards, values as a clerk types them, every problem at its sheet
and cell with nothing written, the drafted changelog."""

from __future__ import annotations

import json
import shutil
import warnings
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from scoring.criteria.canonical import canonical_text
from scoring.criteria.jsonfile import read_json
from scoring.criteria.resources import bundled_standard
from scoring.criteria.standard import check_data, load_standard
from scoring.criteria.workbook_export import write_standard_workbook
from scoring.criteria.workbook_import import read_standard_workbook
from scoring.workspace import Workspace, init_workspace
from tests.test_cli import invoke
from tests.workbook_support import CELL_VALUES, REGISTER, edit, row_of, table_rows, workspace


@pytest.mark.parametrize("version", ["2022.1", "2023.1"])
def test_bundled_versions_round_trip_exactly(tmp_path: Path, version: str) -> None:
    raw = (bundled_standard() / f"{version}.json").read_text(encoding="utf-8")
    data, _, _ = read_json(bundled_standard() / f"{version}.json")
    target = tmp_path / "标准.xlsx"
    write_standard_workbook(data, REGISTER, target)
    read = read_standard_workbook(target, REGISTER)
    assert read.issues == []
    assert canonical_text(read.data) == raw  # the bundled files are canonical: byte for byte
    # import then export reads back the same
    again = tmp_path / "again.xlsx"
    write_standard_workbook(read.data, REGISTER, again)
    assert read_standard_workbook(again, REGISTER).data == read.data


def test_workbook_layout(tmp_path: Path) -> None:
    data, _, _ = read_json(bundled_standard() / "2023.1.json")
    target = tmp_path / "标准.xlsx"
    write_standard_workbook(data, REGISTER, target)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        book = load_workbook(target)
    assert book.sheetnames == ["说明", "基本信息", "项目", "选项", "加分项", "否决项", "等级", "公示规则", "变更记录",
                               "法规名称"]
    assert book["法规名称"].sheet_state == "hidden"
    items = book["项目"]
    assert [c.value for c in items[1]] == ["分类", "编号", "名称", "考核标准", "考核方法", "类型", "分值", "每处扣分",
                                           "步长", "允许不适用", "允许免检", "法律依据", "计数条件", "备注"]
    law04 = row_of(target, "项目", "B", "LAW-04")
    assert [items[f"{c}{law04}"].value for c in "ABFGL"] == ["法治建设", "LAW-04", "是否", 3,
                                                           "《中华人民共和国民法典》第二百七十八条"]
    assert items.protection.sheet and items["A1"].protection.locked and not items["A2"].protection.locked
    assert items.page_setup.paperSize == 9 and items.page_setup.orientation == "landscape"
    kinds = {str(v.sqref).split(":")[0][:1]: (v.type, v.formula1) for v in items.data_validations.dataValidation}
    assert kinds["F"] == ("list", '"是否,打分,选项,扣分,计数"')
    assert kinds["J"] == ("list", '"是,否"')
    assert kinds["L"][0] == "list" and kinds["L"][1].startswith("'法规名称'!$A$1")
    prompts = {str(v.sqref).split(":")[0][:1]: v.prompt for v in items.data_validations.dataValidation}
    assert prompts["G"] == "该项满分，正数，如 3 或 2.5"
    grades = book["等级"]
    assert [c.value for c in grades[2]] == ["五星级", 95, "是", "LAW-01", "法治建设 90%"]
    basic = book["基本信息"]
    assert [(basic[f"A{r}"].value, basic[f"B{r}"].value) for r in (5, 6, 10)] == [
        ("版本号", "2023.1"), ("施行日期", "2023-01-01"), ("多次检查计分", "平均")]


def test_values_as_a_clerk_types_them(tmp_path: Path) -> None:
    data, _, _ = read_json(bundled_standard() / "2023.1.json")
    target = tmp_path / "标准.xlsx"
    write_standard_workbook(data, REGISTER, target)
    law02 = row_of(target, "项目", "B", "LAW-02")
    fac02 = row_of(target, "项目", "B", "FAC-02")
    env01 = row_of(target, "项目", "B", "ENV-01")
    edit(target, {
        ("项目", f"G{law02}"): "４分",          # full-width digits and 分
        ("项目", f"I{law02}"): " 1 ",
        ("项目", f"J{fac02}"): "×",
        ("项目", f"K{fac02}"): "√",
        ("项目", f"H{env01}"): "0.5分",
        ("项目", f"L{env01}"): "《民法典》第二百八十六条\n《焦作市城市市容和环境卫生管理条例》",
        ("基本信息", "B6"): "2026年1月1日",
        ("等级", "E2"): "法治建设：0.95",
        ("公示规则", "B2"): "５",
        ("公示规则", "B7"): "否",
    })
    read = read_standard_workbook(target, REGISTER)
    assert read.issues == []
    items = {i["id"]: i for c in read.data["categories"] for i in c["items"]}
    assert (items["LAW-02"]["points"], items["LAW-02"]["step"]) == (Decimal(4), Decimal(1))
    assert (items["FAC-02"]["na"], items["FAC-02"]["exempt"]) == (False, True)
    assert items["ENV-01"]["per_unit"] == Decimal("0.5")
    assert items["ENV-01"]["basis"] == [{"ref": "civil-code", "article": "第二百八十六条"},
                                        {"ref": "jiaozuo-city-appearance-regulations"}]
    assert read.data["effective_from"] == "2026-01-01"
    assert read.data["grades"][0]["min_rates"] == {"LAW": Decimal("0.95")}
    assert read.data["lists"] == {"red": {"top": 5}, "black": {"include_disqualified": False}}


def test_every_problem_at_its_cell_and_nothing_written(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    target = tmp_path / "标准.xlsx"
    code, _, _ = invoke("criteria", "export", "2023.1", "-o", str(target), "--workspace", str(ws.root))
    assert code == 0
    rows = {i: row_of(target, "项目", "B", i) for i in ("LAW-02", "ENV-01", "LAW-04", "FAC-02")}
    edit(target, {
        ("项目", f"G{rows['LAW-02']}"): -3,
        ("项目", f"F{rows['ENV-01']}"): "扣",
        ("项目", f"L{rows['LAW-04']}"): "《物业管理法》第一条",
        ("项目", f"J{rows['FAC-02']}"): "可以",
        ("基本信息", "B6"): "2026年13月1日",
    })
    before = sorted(p.name for p in ws.standard_dir.iterdir())
    code, out, err = invoke("criteria", "import", str(target), "--version", "2026.1", "--workspace", str(ws.root))
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        f"考核标准：工作区 {ws.standard_dir}",
        f"错误 {target} › 基本信息!B6 施行日期应为日期，如 2026-01-01，现为“2026年13月1日”（C242）",
        f"错误 {target} › 项目!F{rows['ENV-01']} ［ENV-01］类型应为是否、打分、选项、扣分、计数 之一，现为“扣”（C242）",
        f"错误 {target} › 项目!J{rows['FAC-02']} ［FAC-02］允许不适用应为“是”或“否”（也认 √/×），现为“可以”（C242）",
        f"错误 {target} › 项目!G{rows['LAW-02']} ［LAW-02］分值应为正数，现为“-3”（C242）",
        f"错误 {target} › 项目!L{rows['LAW-04']} ［LAW-04］法律依据“《物业管理法》”不在法规库中，"
        "是否是：《物业管理条例》、"
        "《河南省物业管理条例》、《中华人民共和国物权法》？可用 score regulations list 查看法规库；新法规请先加入法规库"
        "（score regulations export 导出、填写后 score regulations import 导入）（C240）",
        "共 5 处错误。",
    ]
    assert sorted(p.name for p in ws.standard_dir.iterdir()) == before


def test_semantic_problems_are_reported_at_cells(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    target = tmp_path / "标准.xlsx"
    invoke("criteria", "export", "2023.1", "-o", str(target), "--workspace", str(ws.root))
    law02 = row_of(target, "项目", "B", "LAW-02")
    edit(target, {("项目", f"G{law02}"): 5, ("项目", f"I{law02}"): 2, ("等级", "B3"): 96})
    code, _, err = invoke("criteria", "import", str(target), "--version", "2026.1", "--workspace", str(ws.root))
    assert code == 1
    assert err.splitlines()[1:] == [
        f"错误 {target} › 基本信息!B8 各类别分值合计为 101 分，与满分 scale=100 不一致（C021）",
        f"错误 {target} › 项目!I{law02} ［LAW-02］步长 step=2 不能整除该项分值 5（C023）",
        f"错误 {target} › 等级!B3 等级须按分数线从高到低严格递减：“四星级”的 96 分不低于上一等级的 95 分（C024）",
        "共 3 处错误。",
    ]


def test_import_refuses_the_bundled_example_and_existing_versions(tmp_path: Path) -> None:
    target = tmp_path / "标准.xlsx"
    code, out, _ = invoke("criteria", "export", "-o", str(target))
    assert code == 0 and out.startswith("已导出 2023.1（2023-01-01 起施行） 到 ")
    code, _, err = invoke("criteria", "import", str(target))
    assert code == 2 and err.splitlines()[1].startswith("内置示例标准随程序安装，升级时会被替换")
    ws = workspace(tmp_path)
    code, _, err = invoke("criteria", "import", str(target), "--workspace", str(ws.root))
    assert (code, err.splitlines()[1]) == (2, "版本 2023.1 已存在，不会覆盖；请换一个版本号")
    code, _, err = invoke("criteria", "import", str(target), "--version", "2026.1", "--effective", "2023-01-01",
                          "--workspace", str(ws.root))
    assert (code, err.splitlines()[1]) == (
        2, "新版本的施行日期 2023-01-01 与 2023.1 版相同；同一标准各版本的施行日期不得相同")
    code, _, err = invoke("criteria", "export", "-o", str(target))
    assert (code, err.splitlines()[1]) == (
        2, f"{target} 已存在，不会覆盖（其中可能有您的修改）；请换一个文件名，或先把它移走")




def test_draft_changelog(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    target = tmp_path / "标准.xlsx"
    invoke("criteria", "export", "2023.1", "-o", str(target), "--workspace", str(ws.root))
    law02 = row_of(target, "项目", "B", "LAW-02")
    law03 = row_of(target, "项目", "B", "LAW-03")
    edit(target, {("项目", f"G{law02}"): 5, ("项目", f"G{law03}"): 2, ("公示规则", "B2"): 5})
    code, out, err = invoke("criteria", "import", str(target), "--version", "2027.1", "--effective", "2027-01-01",
                            "--draft-changelog", "--workspace", str(ws.root))
    assert code == 0, err
    written = json.loads((ws.standard_dir / "2027.1.json").read_text(encoding="utf-8"))
    assert written["changelog"][-1] == {
        "version": "2027.1", "date": date.today().isoformat(),
        "summary": "（按与 2023.1 版的对比起草，请核对并写明修订原因）",
        "changes": [{"item": "LAW-02", "action": "changed", "fields": ["points"]},
                    {"item": "LAW-03", "action": "changed", "fields": ["points"]},
                    {"action": "changed", "fields": ["lists"]}]}
    assert "提示 已按与 2023.1 版的对比起草 3 条变更记录（原因一栏待填写），请导出后在“变更记录”中核对（W343）" in err
    assert "W30" not in err  # the drafted entries match the diff
    assert ["项目", "LAW-02", "法治宣传栏内容定期更新", "修改", "分值", "4", "5"] in table_rows(out)
    edit(target, {("项目", f"G{law02}"): 4, ("项目", f"G{law03}"): 3})
    code, _, err = invoke("criteria", "import", str(target), "--version", "2027.2", "--effective", "2027-02-01",
                          "--workspace", str(ws.root))
    assert code == 0
    assert err.splitlines()[-1] == (f"提示 {target} › 变更记录 变更记录中没有版本 2027.2 的记录；"
                                    "可加 --draft-changelog 由程序按与 2027.1 版的对比起草变更记录（W342）")
    assert "W301" not in err  # no entry at all: W342 says it once


# --- random valid standards (hypothesis) ---------------------------------------------------

TEXT = st.text(alphabet=st.sampled_from(list("甲乙丙丁戊己庚辛好差中楼院法治 xyzAB12（）")), min_size=1,
               max_size=6).map(str.strip).filter(bool)
POINTS = st.sampled_from([Decimal(1), Decimal(2), Decimal(3), Decimal(4), Decimal("2.5"), Decimal("0.5")])
LAWS = sorted(REGISTER.regulations)


@st.composite
def bases(draw: st.DrawFn) -> list[dict[str, Any]]:
    out = []
    for _ in range(draw(st.integers(1, 2))):
        entry: dict[str, Any] = {"ref": draw(st.sampled_from(LAWS))}
        if draw(st.booleans()):
            entry["article"] = draw(st.sampled_from(["第一条", "第二百七十八条", "第十五条第二款"]))
        if draw(st.integers(0, 4)) == 0:
            entry["note"] = draw(TEXT)
        out.append(entry)
    return out


@st.composite
def items(draw: st.DrawFn, prefix: str, count: int) -> list[dict[str, Any]]:
    out = []
    for k in range(count):
        kind = draw(st.sampled_from(["check", "scale", "choice", "deduct", "count"]))
        points = draw(POINTS)
        item: dict[str, Any] = {"id": f"{prefix}-{k + 1}", "name": draw(TEXT)}
        if draw(st.booleans()):
            item["standard"] = draw(TEXT)
        if draw(st.booleans()):
            item["method"] = draw(st.sampled_from(["查资料", "看现场", "随机调查", "问卷"]))
        item["type"] = kind
        item["points"] = points
        if kind in ("deduct", "count"):
            item["per_unit"] = draw(st.sampled_from([Decimal("0.5"), Decimal(1), Decimal(2)]))
        if kind == "scale" and draw(st.booleans()):
            item["step"] = Decimal("0.5") if points % 1 else draw(st.sampled_from([Decimal("0.5"), Decimal(1)]))
        if kind == "choice":
            labels = draw(st.lists(st.sampled_from(["好", "较好", "一般", "差", "规范"]), min_size=1, max_size=4,
                                   unique=True))
            item["choices"] = {label: draw(st.sampled_from([points, Decimal(0), points / 2])) for label in labels}
        if kind == "count" and draw(st.booleans()):
            # Enough conditions to reach the points (C030): ⌈points / per_unit⌉ of them, at least one.
            needed = max(1, int(-(-points // item["per_unit"])))
            item["conditions"] = draw(st.lists(TEXT, min_size=needed, max_size=needed + 2, unique=True))
        for flag in ("na", "exempt"):
            if draw(st.integers(0, 2)) == 0:
                item[flag] = draw(st.booleans())
        if draw(st.booleans()):
            item["basis"] = draw(bases())
        if draw(st.integers(0, 5)) == 0:
            item["note"] = draw(TEXT)
        out.append(item)
    return out


@st.composite
def standards(draw: st.DrawFn) -> dict[str, Any]:
    categories = []
    for c in range(draw(st.integers(1, 3))):
        cat: dict[str, Any] = {"id": f"C{c}", "name": f"分类{c}{draw(TEXT)}"}
        tags = draw(st.sampled_from([None, [], ["rule_of_law"], ["rule_of_law", "重点"], ["重点"]]))
        if tags is not None:
            cat["tags"] = tags
        if draw(st.integers(0, 3)) == 0:
            cat["description"] = draw(TEXT)
        cat["items"] = draw(items(f"C{c}", draw(st.integers(1, 3))))
        categories.append(cat)
    all_items = [i for c in categories for i in c["items"]]
    data: dict[str, Any] = {"$schema": "../schema/criteria.schema.json", "schema_version": 1, "id": "std-x",
                            "title": draw(TEXT)}
    if draw(st.booleans()):
        data["issuer"] = draw(TEXT)
    data |= {"version": draw(st.sampled_from(["1", "2024.1", "v2-b"])), "effective_from": "2024-03-05"}
    if draw(st.booleans()):
        data["subject"] = draw(st.sampled_from(["courtyard", "community"]))
    data["scale"] = sum((i["points"] for i in all_items), Decimal(0))
    if draw(st.booleans()):
        data["description"] = draw(TEXT)
    data["categories"] = categories
    if draw(st.booleans()):
        data["bonus"] = {"cap": draw(POINTS), "items": draw(items("B", draw(st.integers(0, 2))))}
    mins = [*sorted(draw(st.lists(st.sampled_from([Decimal(10), Decimal("50.5"), Decimal(60), Decimal(85)]),
                                  max_size=3, unique=True)), reverse=True), Decimal(0)]
    grades = []
    for k, low in enumerate(mins):
        grade: dict[str, Any] = {"name": f"等级{k}", "min": low, "pass": draw(st.booleans())}
        if draw(st.integers(0, 2)) == 0:
            grade["requires"] = draw(st.lists(st.sampled_from([i["id"] for i in all_items]), min_size=1,
                                              max_size=2, unique=True))
        if draw(st.integers(0, 2)) == 0:
            grade["min_rates"] = {draw(st.sampled_from([c["id"] for c in categories])):
                                  draw(st.sampled_from([Decimal("0.5"), Decimal("0.9"), Decimal(1), Decimal("0.85")]))}
        grades.append(grade)
    if draw(st.booleans()):
        vetoes = []
        for k in range(draw(st.integers(1, 3))):
            effect = draw(st.sampled_from(["disqualify", "cap_grade", "zero_category"]))
            veto: dict[str, Any] = {"id": f"V-{k}", "name": draw(TEXT)}
            if draw(st.booleans()):
                veto["standard"] = draw(TEXT)
            veto["effect"] = effect
            if effect == "cap_grade":
                veto["grade"] = draw(st.sampled_from([g["name"] for g in grades]))
            if effect == "zero_category":
                veto["category"] = draw(st.sampled_from([c["id"] for c in categories]))
            if draw(st.booleans()):
                veto["basis"] = draw(bases())
            vetoes.append(veto)
        data["vetoes"] = vetoes
    data["grades"] = grades
    if draw(st.booleans()):
        red = {k: v for k, v in (("top", draw(st.none() | st.integers(0, 20))),
                                 ("min_total", draw(st.none() | POINTS)),
                                 ("min_grade", draw(st.none() | st.sampled_from([g["name"] for g in grades]))))
               if v is not None}
        black = {k: v for k, v in (("bottom", draw(st.none() | st.integers(0, 20))),
                                   ("max_total", draw(st.none() | POINTS)),
                                   ("include_disqualified", draw(st.none() | st.booleans()))) if v is not None}
        data["lists"] = {k: v for k, v in (("red", red), ("black", black)) if v}
    if draw(st.booleans()):
        data["repeat"] = draw(st.sampled_from(["mean", "latest", "min"]))
    if draw(st.booleans()):
        log = []
        for k in range(draw(st.integers(1, 2))):
            entry: dict[str, Any] = {"version": f"0.{k}", "date": f"202{k}-12-20",
                                     "summary": draw(st.sampled_from(["", "修订"]))}
            changes = []
            for _ in range(draw(st.integers(0, 2))):
                change: dict[str, Any] = {}
                target = draw(st.sampled_from(["item", "veto", "category", None]))
                if target:
                    change[target] = draw(st.sampled_from(["C0-1", "V-0", "C0"]))
                change["action"] = draw(st.sampled_from(["added", "removed", "changed"]))
                if draw(st.booleans()):
                    change["fields"] = draw(st.lists(st.sampled_from(["points", "basis", "grades", "lists"]),
                                                     min_size=1, max_size=2, unique=True))
                if draw(st.booleans()):
                    change["reason"] = draw(TEXT)
                if draw(st.integers(0, 3)) == 0:
                    change["basis"] = draw(bases())
                changes.append(change)
            if changes:
                entry["changes"] = changes
            log.append(entry)
        data["changelog"] = log
    return data


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(standards())
def test_random_standards_round_trip_exactly(tmp_path: Path, data: dict[str, Any]) -> None:
    assert check_data(data, "generated", REGISTER) == []  # the generator makes valid standards only
    target = tmp_path / "random.xlsx"
    target.unlink(missing_ok=True)
    write_standard_workbook(data, REGISTER, target)
    read = read_standard_workbook(target, REGISTER)
    assert read.issues == []
    assert canonical_text(read.data) == canonical_text(data)


def test_citing_a_repealed_law_blocks_the_import(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    target = tmp_path / "标准.xlsx"
    invoke("criteria", "export", "2023.1", "-o", str(target), "--workspace", str(ws.root))
    law04 = row_of(target, "项目", "B", "LAW-04")
    edit(target, {("项目", f"L{law04}"): "《中华人民共和国物权法》第七十六条"})
    code, out, err = invoke("criteria", "import", str(target), "--version", "2027.1", "--effective", "2027-01-01",
                            "--workspace", str(ws.root))
    assert (code, out) == (1, "")
    assert err.splitlines()[1] == (f"错误 {target} › 项目!L{law04} ［LAW-04］法律依据《物权法》第七十六条"
                                   "已于 2021-01-01 废止，由《民法典》取代，请改为现行法规（C244）")
    assert not (ws.standard_dir / "2027.1.json").exists()


def test_unreadable_workbook(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    bad = tmp_path / "标准.xlsx"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    code, out, err = invoke("criteria", "import", str(bad), "--workspace", str(ws.root))
    assert (code, out) == (1, "")
    assert err.splitlines()[1].startswith(f"错误 {bad} 无法打开该文件：")
    assert "Traceback" not in err


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@example(edits=[("基本信息", 14, 1, "=0")])  # a formula where the category table starts: found by this test
@given(st.lists(st.tuples(st.sampled_from(["基本信息", "项目", "选项", "否决项", "等级", "公示规则", "变更记录"]),
                          st.integers(1, 40), st.integers(1, 14), CELL_VALUES), min_size=1, max_size=6))
def test_any_edit_gives_an_import_or_a_clear_error(tmp_path: Path,
                                                    edits: list[tuple[str, int, int, Any]]) -> None:
    from openpyxl.utils import get_column_letter

    from scoring.criteria.importing import import_standard
    from scoring.errors import ScoreError

    ws_root, pristine, target = tmp_path / "ws", tmp_path / "base.xlsx", tmp_path / "标准.xlsx"
    if not ws_root.exists():  # once per test: hypothesis runs every example in the same tmp_path
        init_workspace(ws_root)
        data, _, _ = read_json(bundled_standard() / "2023.1.json")
        write_standard_workbook(data, REGISTER, pristine)
    shutil.copyfile(pristine, target)
    edit(target, {(sheet, f"{get_column_letter(col)}{row}"): value for sheet, row, col, value in edits})
    standard = load_standard(workspace=Workspace(ws_root.resolve()))
    before = sorted(p.name for p in Path(standard.source).iterdir())
    try:
        result = import_standard(target, standard, version="2030.1", effective=date(2030, 1, 1))
    except ScoreError as exc:
        assert exc.issues or exc.message
        assert sorted(p.name for p in Path(standard.source).iterdir()) == before
    else:
        result.target.unlink()  # the next example imports 2030.1 again

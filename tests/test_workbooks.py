"""The Excel deliverables reloaded with openpyxl: the ranking workbook against results.json,
and the inspection template — its headers, comments, validations, and a round trip."""

from __future__ import annotations

import functools
import json
import random
import re
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from scoring.criteria import load_standard
from tests.helpers import BUNDLED_NOTE
from tests.reference import score_all
from tests.test_cli import SAMPLE, invoke

SHEETS = ["楼院排名", "社区排名", "分项得分", "法治建设", "红黑榜", "整改清单", "数据问题", "说明"]


@pytest.fixture(scope="module")
def ranking(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    out = tmp_path_factory.mktemp("ranking")
    code, _, err = invoke("run", str(SAMPLE), "--out", str(out), "--top", "5")
    assert code == 0, err
    return json.loads((out / "results.json").read_text(encoding="utf-8")), out / "ranking.xlsx"


def rows_of(path: Path, sheet: str, first: int = 2) -> list[tuple[Any, ...]]:
    return list(load_workbook(path)[sheet].iter_rows(min_row=first, values_only=True))


def test_sheet_order_and_conventions(ranking: tuple[dict[str, Any], Path]) -> None:
    _, path = ranking
    book = load_workbook(path)
    assert book.sheetnames == SHEETS
    for name in ("楼院排名", "社区排名", "分项得分", "法治建设", "整改清单", "数据问题"):
        ws = book[name]
        assert ws.freeze_panes == "A2" and ws.auto_filter.ref, name
        assert ws["A1"].font.b, name
        assert ws.print_title_rows == "$1:$1", name
    ws = book["楼院排名"]
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.scale == 82  # see test_print.py
    assert (ws["E2"].number_format, ws["H2"].number_format) == ("0.00", "0.0%")
    grade_rules = [r for rng in ws.conditional_formatting for r in rng.rules]
    assert len(grade_rules) == 5 and {r.formula[0] for r in grade_rules} == {
        '"五星级"', '"四星级"', '"三星级"', '"合格"', '"不合格"'}
    wide = book["分项得分"]  # too wide for one page at a legible scale: names repeated on each page
    assert (wide.print_title_cols, wide.page_setup.scale, wide.page_setup.pageOrder) == ("$A:$B", 82, "overThenDown")
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        assert "xl/charts/chart1.xml" in names
        chart = z.read("xl/charts/chart1.xml").decode()
        assert "<c:barChart>" in chart and "<c:f>社区排名!$D$2:$D$7</c:f>" in chart


def test_rankings_reload_with_the_values_of_results(ranking: tuple[dict[str, Any], Path]) -> None:
    res, path = ranking
    got = [r[:7] for r in rows_of(path, "楼院排名")]
    want = [(y["rank"] if not y["disqualified"] else "取消评选资格", y["community"], y["courtyard"],
             y["inspections"], y["total"], y["grade"], "是" if y["pass"] else "否") for y in res["courtyards"]]
    assert got == want
    grades = list(res["communities"][0]["grade_counts"])
    want_c = [(c["rank"], c["community"], c["courtyards"], c["mean_total"],
               *(c["grade_counts"][g] for g in grades), c["pass_rate"], c["rule_of_law_rate"])
              for c in res["communities"]]
    assert [tuple(r) for r in rows_of(path, "社区排名")] == want_c


def test_item_scores_sheet(ranking: tuple[dict[str, Any], Path]) -> None:
    res, path = ranking
    header = next(load_workbook(path)["分项得分"].iter_rows(max_row=1, values_only=True))
    assert header[:4] == ("社区", "楼院", "ENV-01 楼道杂物堆放", "ENV-02 乱贴乱画小广告")
    ids = [h.split(" ")[0] for h in header[2:]]
    for row, y in zip(rows_of(path, "分项得分"), res["courtyards"], strict=True):
        want = [None if i not in y["items"] else "不适用" if y["items"][i]["earned"] is None
                else y["items"][i]["earned"] for i in ids]
        assert list(row[2:]) == want


def test_rule_of_law_sheet(ranking: tuple[dict[str, Any], Path]) -> None:
    res, path = ranking
    rows = {r[0]: r for r in rows_of(path, "法治建设")}
    assert list(rows) == ["LAW-01", "LAW-02", "LAW-03", "LAW-04", "LAW-05", "LAW-06", "LAW-07"]
    assert rows["LAW-04"][3] == "《民法典》第二百七十八条"
    # Full marks in every inspection ⇔ mean earned equals possible (earned never exceeds it).
    yards = res["courtyards"]
    full = [y["items"]["LAW-01"]["earned"] == y["items"]["LAW-01"]["possible"] for y in yards]
    assert rows["LAW-01"][-1] == pytest.approx(sum(full) / len(full))
    # 得分率 per community and overall: points earned ÷ possible, as the report states it.
    first = res["communities"][0]["community"]
    mine = [y["items"]["LAW-01"] for y in yards if y["community"] == first]
    assert rows["LAW-01"][4] == pytest.approx(sum(i["earned"] for i in mine) / sum(i["possible"] for i in mine))
    every = [y["items"]["LAW-01"] for y in yards]
    assert rows["LAW-01"][-2] == pytest.approx(sum(i["earned"] for i in every) / sum(i["possible"] for i in every))
    header = next(load_workbook(path)["法治建设"].iter_rows(max_row=1, values_only=True))
    assert header[-3:] == (f"{res['communities'][-1]['community']}得分率", "全部楼院得分率", "满分率（得满分楼院占比）")


def test_red_and_black_lists(ranking: tuple[dict[str, Any], Path]) -> None:
    res, path = ranking  # --top 5: five each, ties at the cut included, disqualified on the black list
    cells = [r for r in rows_of(path, "红黑榜", first=1) if any(v is not None for v in r)]
    red, black = res["lists"]["red"], res["lists"]["black"]
    assert cells[0][0] == f"红榜（前 5 名，含并列，共 {len(red)} 个）"
    assert cells[1] == ("名次", "社区", "楼院", "总分", "等级", "上榜理由")
    assert [r[2] for r in cells[2:2 + len(red)]] == [e["courtyard"] for e in red]
    assert [e["courtyard"] for e in red] == [y["courtyard"] for y in res["courtyards"] if y["rank"] and y["rank"] <= 5]
    at = 2 + len(red)
    assert cells[at][0] == f"黑榜（后 5 名、取消评选资格的楼院，含并列，共 {len(black)} 个）"
    assert cells[at + 2][0] == "取消评选资格" and cells[at + 2][5].startswith("一票否决：")
    assert all(r[5].startswith("失分最多的项目：") for r in cells[at + 3:at + 2 + len(black)])


def test_fix_list(ranking: tuple[dict[str, Any], Path]) -> None:
    res, path = ranking
    rows = rows_of(path, "整改清单")
    entries = [r for r in rows if r[2] is not None]
    # Every base item short of full points at a courtyard's latest inspection is open.
    open_ = {(y["courtyard"], i) for y in res["courtyards"] for i, v in y["items"].items()
             if not i.startswith("BON") and v["earned_each"] and v["earned_each"][-1] is not None
             and v["earned_each"][-1] < v["possible"]}
    assert {(r[1], r[2]) for r in entries if r[8] == "待整改"} >= open_
    assert {r[8] for r in entries} == {"待整改", "已整改"}
    for yard in {r[1] for r in entries}:
        mine = [r for r in entries if r[1] == yard]
        lost = [r[6] for r in mine if r[8] == "待整改"]
        assert lost == sorted(lost, reverse=True)  # most points lost first, put right last
        assert [r[8] for r in mine] == sorted((r[8] for r in mine), key=lambda s: s != "待整改")
    assert all(r[6] == pytest.approx(r[4] - r[5], abs=0.011) for r in entries)
    assert not any(r[2].startswith("BON") for r in entries)  # a bonus not earned is nothing to fix
    assert all(re.match(r"\d+月\d+日 ", r[7]) for r in entries)
    assert all(re.search(r"!\w+\d", r[11]) for r in entries)


def test_about_sheet(ranking: tuple[dict[str, Any], Path]) -> None:
    res, path = ranking
    about = dict(r[:2] for r in rows_of(path, "说明"))
    assert about["标准版本 2023.1"].endswith(res["criteria"]["versions"][0]["sha256"])
    assert about["考核期"] == "2023（2023-01-01 至 2023-12-31）"
    assert about["检查记录文件"] == f"{SAMPLE}；sha256 {res['inputs'][0]['sha256']}"
    assert "四舍五入" in about and about["工具版本"].startswith("score ")


def test_no_formula_error_or_link_in_any_sheet(ranking: tuple[dict[str, Any], Path]) -> None:
    _, path = ranking
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/sheet"):
                xml = z.read(name).decode()
                assert "<f>" not in xml and 't="e"' not in xml and "<hyperlink" not in xml, name


# ---------------------------------------------------------------- the inspection template

@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "检查记录表.xlsx"
    code, out, err = invoke("template", "-o", str(path), "--criteria-version", "2023.1", "--rows", "60")
    assert code == 0, err
    assert out.startswith(f"已生成 {path}：")
    return path


def validations(path: Path) -> dict[str, Any]:
    ws = load_workbook(path)["检查记录"]
    out = {}
    for dv in ws.data_validations.dataValidation:
        (ref,) = str(dv.sqref).split()
        out[re.sub(r"\d", "", ref.split(":")[0])] = dv
    return out


@functools.cache
def _lists(path: Path) -> Any:
    return load_workbook(path)["下拉选项"]


def choices(path: Path, dv: Any) -> list[str]:
    """The choices of a drop-down: the cells of its range on the hidden sheet 下拉选项."""
    sheet, cells = dv.formula1.split("!")
    assert sheet == "'下拉选项'"
    return [c.value for (c,) in _lists(path)[cells.replace("$", "")]]


def test_template_layout(template: Path) -> None:
    book = load_workbook(template)
    assert book.sheetnames == ["检查记录", "填表说明", "下拉选项"]
    assert book["下拉选项"].sheet_state == "hidden"  # the drop-downs' choices
    ws = book["检查记录"]
    headers = [c.value for c in ws[2]]
    crit = load_standard().get("2023.1")
    assert headers == ["社区", "楼院", "检查日期", "检查人", *(f"{i.id} {i.name}" for i in crit.all_items),
                       *(f"{v.id} {v.name}" for v in crit.vetoes), "扣分原因", "备注"]
    assert ws["A1"].value.startswith("解放区美丽楼院创建考核标准（示例）检查记录表（2023.1 版")
    assert ws.freeze_panes == "D3"
    law01 = ws.cell(2, headers.index("LAW-01 居民公约经居民会议通过并报街道备案") + 1).comment.text
    assert "考评标准：查阅居民会议记录和备案回执；未备案不得分" in law01
    assert "《城市居民委员会组织法》第十五条" in law01 and "（3 分，是否）" in law01
    guide = list(book["填表说明"].iter_rows(values_only=True))
    assert len([r for r in guide if r[0] and re.match(r"^[A-Z]+-\d+$", str(r[0]))]) == 36 + 3


def test_template_validations(template: Path) -> None:
    dvs = validations(template)
    assert (dvs["C"].type, str(dvs["C"].sqref)) == ("date", "C3:C62")
    number = "--LEFT({0},LEN({0})-ISERR(-{0}))"
    assert (dvs["E"].type, dvs["E"].formula1) == ("custom", (  # ENV-01 deduct: 3 or 3处/次/项/个
        'AND(OR(ISNUMBER(-E3),ISNUMBER(FIND(RIGHT(E3),"个处次项"))),{n}>=0,MOD({n},1)=0)').format(
            n=number.format("E3")))
    assert dvs["G"].formula1 == (  # ENV-03 scale: 0–4 in steps of 0.5, or with 分
        'AND(OR(ISNUMBER(-G3),RIGHT(G3)="分"),ABS({n}-2)<=2,MOD(ROUND({n}/0.5,6),1)=0)').format(n=number.format("G3"))
    assert (dvs["H"].type, choices(template, dvs["H"])) == ("list", ["好", "较好", "一般", "差"])  # ENV-04 choice
    marks = ["√", "×", "有", "无", "合格", "不合格", "达标", "不达标", "Y", "N", "X", "1", "0", "✓", "✗", "✔", "✘",
             "yes", "no", "TRUE", "FALSE"]
    assert choices(template, dvs["L"]) == ["是", "否", "免检", *marks]  # SAF-02 may be exempt
    assert choices(template, dvs["Q"]) == ["是", "否", "不适用", "/", "N/A", "NA", "—", "-",  # FAC-02 may be N/A
                                           *(m for m in marks if m != "无")]
    assert all(dv.showErrorMessage and dv.error for dv in dvs.values())


def _valid_value(template: Path, dv: Any, rnd: random.Random) -> Any:
    """A value the validation accepts, chosen at random."""
    if dv.type == "list":
        return rnd.choice(choices(template, dv))
    if dv.type == "date":
        return date(2023, rnd.randint(1, 12), rnd.randint(1, 28))
    formula = dv.formula1
    marks = [m for m in re.findall(r'[A-Z]+\d+="([^"]+)"', formula)]
    if marks and rnd.random() < 0.2:
        return rnd.choice(marks)
    half = re.search(r"\)<=(\d+(?:\.\d+)?)", formula)  # ABS(n-h)<=h: from 0 to 2h
    top = 2 * float(half.group(1)) if half else 4.0
    step = re.search(r"/(\d+(?:\.\d+)?),6", formula)
    if step:  # scale: multiples of the step up to the points
        n = int(top / float(step.group(1)))
        return rnd.randint(0, n) * float(step.group(1))
    return rnd.randint(0, int(top))


def test_filled_template_scores_cleanly_and_matches_the_reference(template: Path, tmp_path: Path) -> None:
    rnd = random.Random(7)
    dvs = validations(template)
    book = load_workbook(template)
    ws = book["检查记录"]
    headers = [c.value for c in ws[2]]
    records = []
    for row in range(3, 43):
        record: dict[str, Any] = {"社区": rnd.choice(["一社区", "二社区"]), "楼院": rnd.choice("甲乙丙丁") + "院"}
        for col, header in enumerate(headers, start=1):
            letter = ws.cell(2, col).column_letter
            if header in ("社区", "楼院"):
                value = record[header]
            elif letter in dvs and not (header.startswith("VETO") and rnd.random() < 0.9):
                value = _valid_value(template, dvs[letter], rnd)
                if header.startswith("BON") and rnd.random() < 0.5:
                    value = None
            else:
                value = None
            ws.cell(row, col).value = value
            key = "检查日期" if header == "检查日期" else header.split(" ")[0]
            record[key] = value.isoformat() if isinstance(value, date) else value
        records.append(record)
    filled = tmp_path / "已填写.xlsx"
    book.save(filled)
    code, _, err = invoke("run", str(filled), "--out", str(tmp_path / "o"), "--period", "2023")
    assert (code, err) == (0, BUNDLED_NOTE)
    got = json.loads((tmp_path / "o" / "results.json").read_text(encoding="utf-8"))
    assert got["issues"] == []
    crit = json.loads(Path(load_standard().get("2023.1").path).read_text(encoding="utf-8"))
    want = score_all(crit, records)
    for y in got["courtyards"]:
        ref = want["yards"][(y["community"], y["courtyard"])]
        assert (y["total"], y["grade"], y["pass"], y["disqualified"], y["rank"]) == (
            ref["total"], ref["grade"], ref["pass"], ref["disqualified"], ref["rank"])


def test_template_refusals(template: Path, tmp_path: Path) -> None:
    code, _, err = invoke("template", "-o", str(template))
    assert (code, err) == (2, f"{BUNDLED_NOTE}{template} 已存在，不会覆盖（其中可能已有填写的记录）；请换一个文件名\n")
    code, _, err = invoke("template", "-o", str(tmp_path / "表.xls"))
    assert (code, err) == (2, f"{BUNDLED_NOTE}检查记录表请保存为 .xlsx 文件（现为“表.xls”）\n")

"""The annual-report section and `score explain`."""

from __future__ import annotations

import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from docx.shared import Pt

from scoring.report.blocks import parse
from scoring.report.word import MARKER
from tests.drafts import text_of
from tests.helpers import BUNDLED_NOTE, MINI, criteria_dir, record, rows_for, write_csv
from tests.test_cli import SAMPLE, invoke

SAMPLE_2022 = SAMPLE.with_name("inspections-2022.xlsx")


def two_dp(value: Decimal | float) -> str:
    return str(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def pct(value: float) -> str:
    return f"{Decimal(str(value * 100)).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("runs")
    for name, sample in (("2022", SAMPLE_2022), ("2023", SAMPLE)):
        code, _, err = invoke("run", str(sample), "--out", str(root / name))
        assert code == 0, err
    return {name: root / name for name in ("2022", "2023")}


def load(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "results.json").read_text(encoding="utf-8"))


def test_run_writes_the_report(runs: dict[str, Path]) -> None:
    assert sorted(p.name for p in runs["2023"].iterdir()) == ["ranking.xlsx", "report.docx", "report.md",
                                                             "results.json"]


def test_report_figures_equal_those_of_results(runs: dict[str, Path], tmp_path: Path) -> None:
    now, then = load(runs["2023"]), load(runs["2022"])
    code, out, err = invoke("report", str(runs["2023"] / "results.json"), "--previous",
                            str(runs["2022"] / "results.json"), "--out", str(tmp_path))
    assert code == 0, err
    text = (tmp_path / "report.md").read_text(encoding="utf-8")
    yards = now["courtyards"]
    mean = sum(Decimal(str(y["total"])) for y in yards) / len(yards)
    passed = sum(y["pass"] for y in yards)
    assert f"对辖区{len(now['communities'])}个社区、{len(yards)}个楼院开展美丽楼院创建考核" in text
    assert f"共组织检查{sum(y['inspections'] for y in yards)}次" in text
    assert f"全部楼院平均得分{two_dp(mean)}分" in text
    assert f"达标楼院{passed}个，达标率{pct(passed / len(yards))}" in text
    for grade in now["communities"][0]["grade_counts"]:
        total = sum(y["grade"] == grade for y in yards)
        if total:
            assert f"{grade}{total}个（占{pct(total / len(yards))}）" in text
    old = sum(Decimal(str(y["total"])) for y in then["courtyards"]) / len(then["courtyards"])
    word = "提高" if mean > old else "下降"
    assert f"与2022年相比，平均得分{word}{two_dp(abs(mean - old))}分" in text
    old_pass = sum(y["pass"] for y in then["courtyards"]) / len(then["courtyards"])
    pp = Decimal(str((passed / len(yards) - old_pass) * 100)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    assert f"达标率{'提高' if pp > 0 else '下降'}{abs(pp)}个百分点" in text
    best = [c for c in now["communities"] if c["rank"] <= 3]
    assert "得分居前的社区依次为" + "、".join(f"{c['community']}（平均{two_dp(c['mean_total'])}分）"
                                           for c in best) in text
    first = now["communities"][0]
    assert (f"| {first['rank']} | {first['community']} | {first['courtyards']} | {two_dp(first['mean_total'])} | "
            f"{pct(first['pass_rate'])} | {pct(first['rule_of_law_rate'])} |") in text
    assert "根据《中华人民共和国民法典》" in text and "〈中华人民共和国城市居民委员会组织法〉" in text
    assert "及时调整、更新了美丽楼院创建标准，自2023年1月1日起施行2023.1版（修订11项）" in text
    assert "### 二、存在的不足和原因\n\n一是“" in text and "### 三、下一年度主要安排\n\n一是针对“" in text
    assert out.splitlines() == [f"已写入 {tmp_path / 'report.md'}", f"已写入 {tmp_path / 'report.docx'}"]


def test_docx_reloads_with_the_same_text(runs: dict[str, Path]) -> None:
    blocks = parse((runs["2023"] / "report.md").read_text(encoding="utf-8"))
    want = []
    for b in blocks:
        want += [" | ".join(r) for r in b.rows] if b.kind == "table" else [b.text]
    assert text_of(runs["2023"] / "report.docx") == want
    document = Document(str(runs["2023"] / "report.docx"))
    styles = [p.style.name for p in document.paragraphs if p.text]
    assert styles[:3] == ["Title", "Heading 1", "Normal"]
    fonts = document.styles["Normal"].element.rPr.rFonts
    assert fonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia") == "仿宋_GB2312"


def make_draft(path: Path, marker: bool = True) -> None:
    document = Document()
    section = document.sections[0]
    section.header.paragraphs[0].text = "解放区社区办文件"
    section.footer.paragraphs[0].text = "第 1 页"
    document.add_heading("解放区社区办2023年法治政府建设情况报告", level=1)
    document.add_heading("一、主要举措和成效", level=2)
    document.add_paragraph("（一）深入学习贯彻习近平法治思想。", style="List Number")
    document.add_paragraph("（二）严格规范公正文明执法。", style="List Number")
    if marker:
        document.add_paragraph(MARKER)
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(1, 1).text = "指标", "数值"
    document.add_heading("二、存在的不足和原因", level=2)
    document.add_paragraph("普法宣传不到位。").paragraph_format.first_line_indent = Pt(28)
    document.save(str(path))


def test_into_a_draft_keeps_everything_else(runs: dict[str, Path], tmp_path: Path) -> None:
    draft = tmp_path / "2023年报告草稿.docx"
    make_draft(draft)
    before = draft.read_bytes()
    code, out, err = invoke("report", str(runs["2023"] / "results.json"), "--into", str(draft),
                            "--out", str(tmp_path / "out"))
    assert code == 0, err
    filled = tmp_path / "2023年报告草稿-已填写.docx"
    assert out.splitlines()[0] == f"已写入 {filled}"
    assert draft.read_bytes() == before
    old, new = text_of(draft), text_of(filled)
    at = old.index(MARKER)
    # The marker follows the item "（二）严格规范公正文明执法。" (one paragraph, not a title): the
    # section becomes the next item, （三）, its parts 1. 2. 3.
    section = text_of(runs["2023"] / "report.docx")
    renumbered = {"2023年美丽楼院考核情况": "（三）2023年美丽楼院考核情况", "一、主要举措和成效": "1.主要举措和成效",
                  "二、存在的不足和原因": "2.存在的不足和原因", "三、下一年度主要安排": "3.下一年度主要安排"}
    assert new == old[:at] + [renumbered.get(t, t) for t in section] + old[at + 1:]
    document = Document(str(filled))
    assert document.sections[0].header.paragraphs[0].text == "解放区社区办文件"
    assert document.sections[0].footer.paragraphs[0].text == "第 1 页"
    assert len(document.tables) == 2
    numbered = [(p.style.name, p.text) for p in document.paragraphs if p.text.startswith("（")]
    assert numbered == [("List Number", "（一）深入学习贯彻习近平法治思想。"),
                        ("List Number", "（二）严格规范公正文明执法。"),
                        ("List Number", "（三）2023年美丽楼院考核情况")]  # the draft's own item formatting
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings == [("Heading 1", "解放区社区办2023年法治政府建设情况报告"),
                        ("Heading 2", "一、主要举措和成效"), ("Heading 2", "二、存在的不足和原因")]


def test_draft_without_marker(runs: dict[str, Path], tmp_path: Path) -> None:
    draft = tmp_path / "草稿.docx"
    make_draft(draft, marker=False)
    code, _, err = invoke("report", str(runs["2023"] / "results.json"), "--into", str(draft),
                          "--out", str(tmp_path / "out"))
    assert code == 1
    assert err.splitlines()[1] == (f"草稿 {draft} 中没有找到单独成段的“{MARKER}”标记；"
                                   "请在要插入考核情况的位置单独一段输入该标记（只输入一处）")
    assert not (tmp_path / "草稿-已填写.docx").exists()


def test_custom_and_broken_templates(runs: dict[str, Path], tmp_path: Path) -> None:
    mine = tmp_path / "我的模板.md.j2"
    mine.write_text("## {{ period_text }}考核\n\n共 {{ f.courtyards }} 个楼院，均分 {{ f.mean_total | score }}。\n",
                    encoding="utf-8")
    code, _, err = invoke("report", str(runs["2023"] / "results.json"), "--template", str(mine),
                          "--out", str(tmp_path))
    assert code == 0, err
    assert (tmp_path / "report.md").read_text(encoding="utf-8").startswith("## 2023年考核\n\n共 48 个楼院，均分 ")
    mine.write_text("{{ f.no_such_figure }}", encoding="utf-8")
    code, _, err = invoke("report", str(runs["2023"] / "results.json"), "--template", str(mine),
                          "--out", str(tmp_path / "x"))
    assert code == 1 and err.startswith(f"{BUNDLED_NOTE}报告模板 {mine} 第 1 行有误：")


# ---------------------------------------------------------------- explain

def mini_results(tmp: Path, records: list[dict[str, Any]]) -> tuple[Path, Path]:
    folder = criteria_dir(tmp, MINI)
    data = write_csv(tmp / "in.csv", rows_for(records))
    code, _, err = invoke("run", str(data), "--criteria", str(folder), "--out", str(tmp / "o"))
    assert code == 0, err
    return tmp / "o" / "results.json", folder


def explain_json(results: Path, folder: Path, name: str) -> dict[str, Any]:
    code, out, err = invoke("explain", str(results), name, "--criteria", str(folder), "--json")
    assert code == 0, err
    return json.loads(out)


def test_explain_blocked_by_a_prerequisite_not_by_points(tmp_path: Path) -> None:
    # A1 否: total 19 ≥ 优秀's 18, but 优秀 requires A1 at full points → 良好.
    results, folder = mini_results(tmp_path, [record("一社区", "甲院", "2023-03-01", A1="否")])
    e = explain_json(results, folder, "甲院")
    assert (e["total"], e["grade"], e["next_grade"], e["gap"], e["reachable"]) == (19.0, "良好", "优秀", 0.0, True)
    assert e["grade_reasons"] == ["未评为优秀（18分以上）：前置条件“A1 名牌齐全”未得满分（0.00/4.00）",
                                  "评为良好：总分19.00分，达到15分"]
    assert e["steps"] == [{"id": "A1", "name": "名牌齐全", "lost": 4.0, "gain": 4.0, "required": True}]


def test_explain_gap_in_points_cheapest_first(tmp_path: Path) -> None:
    # A2 1 of 3 → A 8/10; B1 2 处 → 1 of 5 → B 7/11: 15/21 → base 15, total 17 → 良好 (15..18).
    # To 优秀 (18): gap 1, and B at 63.6% < 80% makes B1 (−4, gain 4) required; that closes the gap.
    results, folder = mini_results(tmp_path, [record("一社区", "甲院", "2023-03-01", A2=1, B1=2)])
    e = explain_json(results, folder, "一社区/甲院")
    assert (e["total"], e["grade"], e["gap"]) == (17.0, "良好", 1.0)
    assert [(s["id"], s["gain"], s["required"]) for s in e["steps"]] == [("B1", 4.0, True)]
    assert e["grade_reasons"][0] == ("未评为优秀（18分以上）：总分17.00分，低于18分；"
                                     "“法治”得分率63.6%，低于要求的80%")
    items = {i["id"]: i for i in e["items"]}
    assert (items["A2"]["value"], items["A2"]["earned"], items["A2"]["status"]) == ("1", 1.0, "失分")
    assert items["A2"]["cells"] == [f"{tmp_path / 'in.csv'} › E2"]


def test_explain_items_that_gain_most_close_the_gap(tmp_path: Path) -> None:
    # A2 2 of 3 (−1), A3 中 1.5 of 3 (−1.5), B2 2 of 3 (−1): 17.5/21 → 17.5 + 2 = 19.5 → 优秀 already;
    # with V2 capped at 合格 there is nothing to gain by points. Use no veto: next above 优秀 is none.
    results, folder = mini_results(tmp_path, [record("一社区", "甲院", "2023-03-01", A2=2, A3="中", B2=2,
                                                     X1=None, X2=None)])
    e = explain_json(results, folder, "甲院")
    # 17.5/21 · 21 = 17.5, no bonus → 良好; gap to 18 is 0.5: the item that gains most closes it.
    assert (e["total"], e["grade"], e["gap"]) == (17.5, "良好", 0.5)
    assert [(s["id"], s["gain"], s["required"]) for s in e["steps"]] == [("A3", 1.5, False)]


def test_explain_disqualified_and_vetoes(tmp_path: Path) -> None:
    results, folder = mini_results(tmp_path, [record("一社区", "甲院", "2023-03-01", V1="是")])
    e = explain_json(results, folder, "甲院")
    assert e["disqualified"] and e["next_grade"] is None
    assert e["vetoes"] == ["V1 重大事故（3月1日，in.csv 第 2 行）：取消评选资格，不参加排名"]
    assert e["grade_reasons"] == ["一票否决“重大事故”：取消评选资格，评为不合格"]


def test_explain_text_and_name_errors(tmp_path: Path) -> None:
    results, folder = mini_results(tmp_path, [record("一社区", "甲院", "2023-03-01", A1="否"),
                                              record("二社区", "甲院", "2023-03-01")])
    code, _, err = invoke("explain", str(results), "甲院", "--criteria", str(folder))
    assert (code, err) == (2, "有 2 个楼院都叫“甲院”，请写成 社区/楼院，如：一社区/甲院、二社区/甲院\n")
    code, _, err = invoke("explain", str(results), "乙院", "--criteria", str(folder))
    assert (code, err) == (2, "结果中没有楼院“乙院”；是否要找：甲院\n")
    code, out, _ = invoke("explain", str(results), "一社区/甲院", "--criteria", str(folder))
    assert code == 0
    assert out.splitlines()[:2] == ["一社区 甲院（按 1 版评分，检查 1 次）",
                                    "总分 19.00（基础分 17.00 + 加分 2.00），良好，全部第 2 名、社区内第 1 名"]
    assert "总分已达到优秀的分数线，将以下项目补足满分即可达到（前置条件在前，其余按可提高的分数从多到少）：" in out
    assert "各项目得分" not in out  # every item only with --all
    code, out, _ = invoke("explain", str(results), "一社区/甲院", "--criteria", str(folder), "--all")
    assert code == 0 and "各项目得分" in out

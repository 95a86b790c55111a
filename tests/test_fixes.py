"""整改清单 that a courtyard can act on (scoring/fixes.py): open items at the latest inspection,
items put right since, every inspection's value, notes attached only to the items they name."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from openpyxl import load_workbook

import scoring
from scoring.fixes import courtyard_fixes
from tests.helpers import MINI, criteria_dir, record, rows_for, write_csv

COLUMNS = ["A1", "A2", "A3", "B1", "B2", "B3", "B4", "X1", "X2", "V1", "V2", "V3", "扣分原因"]


def sheet_rows(path: Path, sheet: str) -> list[tuple[object, ...]]:
    """The non-empty rows of a sheet (the workbook closed again)."""
    book = load_workbook(path, read_only=True)
    try:
        return [r for r in book[sheet].iter_rows(values_only=True) if any(v is not None for v in r)]
    finally:
        book.close()


def year(tmp: Path) -> scoring.Results:
    folder = criteria_dir(tmp, MINI)
    records = [
        record("一社区", "甲院", "2023-03-05", A1="否", B1=1, 扣分原因="A1 名牌缺失，楼道有杂物"),
        record("一社区", "甲院", "2023-06-12", A1="是", B1=2, B3="不适用", 扣分原因="杂物堆放仍未清理"),
        record("一社区", "甲院", "2023-09-10", A1="是", B1=2, 扣分原因="居民反映良好"),
        record("一社区", "乙院", "2023-09-10"),
    ]
    data = write_csv(tmp / "in.csv", rows_for(records, COLUMNS))
    return scoring.score([data], scoring.load_standard(folder))


def test_open_and_fixed_items_with_every_inspection(tmp_path: Path) -> None:
    res = year(tmp_path)
    fixes = courtyard_fixes(res.courtyard("甲院"), res)
    # B1 (杂物堆放, 5 points, 2 per instance): 2 处 at the latest inspection → 1 of 5, open.
    # A1 (名牌齐全): 否 in March, 是 since → put right. B3 不适用 once is no loss.
    assert [(e.item, e.status, e.points, e.earned, e.lost) for e in fixes.entries] == [
        ("B1", "待整改", Decimal(5), Decimal("1.00"), Decimal("4.00")),
        ("A1", "已整改", Decimal(4), Decimal("4.00"), Decimal("0.00"))]
    b1, a1 = fixes.entries
    assert b1.history == "3月5日 1处；6月12日 2处；9月10日 2处"
    assert a1.history == "3月5日 否；6月12日 是；9月10日 是"
    # A note is attached to the items it names (by id or name); the others are 备注, once.
    assert a1.notes == ["3月5日：A1 名牌缺失，楼道有杂物"]
    assert b1.notes == ["6月12日：杂物堆放仍未清理"]
    assert fixes.remarks == ["9月10日：居民反映良好"]
    assert courtyard_fixes(res.courtyard("乙院"), res).entries == []


def test_the_fix_list_sheet(tmp_path: Path) -> None:
    res = year(tmp_path)
    scoring.write_outputs(res, tmp_path / "out")
    rows = sheet_rows(tmp_path / "out" / "ranking.xlsx", "整改清单")
    header = next(k for k, r in enumerate(rows) if r[0] == "社区")
    assert rows[header] == ("社区", "楼院", "编号", "项目", "满分", "最近一次得分", "失分", "各次检查结果", "状态",
                            "检查人员意见", "备注", "来源单元格")
    assert [r[:11] for r in rows[header + 1:]] == [
        ("一社区", "甲院", "B1", "杂物堆放", 5, 1, 4, "3月5日 1处；6月12日 2处；9月10日 2处", "待整改",
         "6月12日：杂物堆放仍未清理", "9月10日：居民反映良好"),
        ("一社区", "甲院", "A1", "名牌齐全", 4, 4, 0, "3月5日 否；6月12日 是；9月10日 是", "已整改",
         "3月5日：A1 名牌缺失，楼道有杂物", None)]


def test_history_round_trips_through_results_json(tmp_path: Path) -> None:
    res = year(tmp_path)
    res.save(tmp_path / "results.json")
    same = scoring.Results.load(tmp_path / "results.json", res.standard)
    yard = same.courtyard("甲院")
    assert yard.notes == ["A1 名牌缺失，楼道有杂物", "杂物堆放仍未清理", "居民反映良好"]
    assert yard.scored_by == ["1", "1", "1"]
    assert (yard.items["B3"].values, yard.items["B3"].earned_each_cents) == (["是", "不适用", "是"], [200, None, 200])
    assert courtyard_fixes(yard, same) == courtyard_fixes(res.courtyard("甲院"), res)


def test_a_courtyard_lost_under_lenient_is_listed_as_unscored(tmp_path: Path) -> None:
    # 丙院's two rows both have errors (A1 "可以", a bad date): under --lenient it cannot be
    # scored, and every output says so instead of leaving it out.
    folder = criteria_dir(tmp_path, MINI)
    records = [record("一社区", "甲院", "2023-03-05"), record("二社区", "丙院", "2023-03-05", A1="可以"),
               record("二社区", "丙院", "2023-13-40"), record("二社区", "丁院", "2023-03-05")]
    data = write_csv(tmp_path / "in.csv", rows_for(records, COLUMNS))
    res = scoring.score([data], scoring.load_standard(folder), lenient=True)
    (u,) = res.unscored
    assert (u.community, u.courtyard, u.rows, u.where) == ("二社区", "丙院", 2, f"{data} 第 3、4 行")
    assert u.reason == f"全部 2 条检查记录有误（{data} 第 3、4 行），未参加评分，详见“数据问题”"
    assert [y.courtyard for y in res.courtyards] == ["甲院", "丁院"]
    scoring.write_outputs(res, tmp_path / "out")
    same = scoring.Results.load(tmp_path / "out" / "results.json", res.standard)
    assert same.unscored == res.unscored
    last = sheet_rows(tmp_path / "out" / "ranking.xlsx", "楼院排名")[-1]
    assert (last[0], last[1], last[2], last[-1]) == ("未评分", "二社区", "丙院", u.reason)
    report = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "另有1个楼院因检查记录有误未参加评分" in report
    # 数据问题 names the 社区 and 楼院 of each row, the value filled in and what it should be.
    problems = sheet_rows(tmp_path / "out" / "ranking.xlsx", "数据问题")
    header = next(k for k, r in enumerate(problems) if r[0] == "编号")
    assert problems[header] == ("编号", "社区", "楼院", "问题", "文件", "工作表", "单元格", "项目", "填写值", "应填")
    e120 = next(r for r in problems if r[0] == "E120")
    assert (e120[1], e120[2], e120[6], e120[7], e120[8]) == ("二社区", "丙院", "D3", "A1", "可以")
    assert e120[9].startswith("应填“是”")
    (issue,) = [i for i in same.issues if i.code == "E120"]
    assert (issue.community, issue.courtyard, issue.value) == ("二社区", "丙院", "可以")


def test_explain_as_a_document_for_the_courtyard(tmp_path: Path) -> None:
    from scoring.explain import explain
    from scoring.outputs.explain_doc import explanation_markdown, write_explanation
    from tests.drafts import text_of

    res = year(tmp_path)
    e = explain(res, "甲院")
    text = explanation_markdown(e)
    # The document states the engine's figures, why this grade, and every inspection's values
    # with the notes.
    assert ("1. 未评为优秀（18分以上）：前置条件“A1 名牌齐全”未得满分（2.67/4.00）；"
            "“法治”得分率67%，低于要求的80%。") in text
    assert f"总分{e.total:.2f}分（基础分{e.base:.2f}分，加分{e.bonus:.2f}分），评为{e.grade}" in text
    assert "### 二、需要整改的事项" in text  # headings numbered as in the report
    assert "| B1 | 杂物堆放 | 3月5日 1处；6月12日 2处；9月10日 2处 | 4.00 |" in text
    assert "检查人员意见：杂物堆放——6月12日：杂物堆放仍未清理。" in text
    assert "以下项目已在此后的检查中整改到位：“名牌齐全”。" in text
    assert "检查人员的其他意见：9月10日：居民反映良好。" in text
    assert "| A1 | 名牌齐全 | 3月5日 否；6月12日 是；9月10日 是 |" in text
    write_explanation(e, tmp_path / "说明.docx")
    paragraphs = text_of(tmp_path / "说明.docx")
    assert paragraphs[0] == "甲院美丽楼院考核评分说明"
    assert any(row.startswith("A1 | 名牌齐全 | 3月5日 否；6月12日 是；9月10日 是 | ") for row in paragraphs)


def test_a_note_names_an_item_by_its_id_standing_alone() -> None:
    from scoring.fixes import names_item

    assert names_item("A1名牌缺失", "A1", "名牌齐全")
    assert names_item("见 a1", "A1", "名牌齐全")
    assert not names_item("A10 缺失", "A1", "名牌齐全")
    assert not names_item("BA1", "A1", "名牌齐全")
    assert names_item("名牌齐全一项未做到", "A1", "名牌齐全")


def test_the_remarks_column_is_read_with_the_reasons(tmp_path: Path) -> None:
    # The template's 备注 column (docs/design.md: what the inspector wrote) is a note too: alone,
    # or after the 扣分原因 of the same row.
    folder = criteria_dir(tmp_path, MINI)
    records = [
        record("一社区", "甲院", "2023-03-05", A1="否", B1=1, 扣分原因="A1 名牌缺失", 备注="楼道有杂物"),
        record("一社区", "甲院", "2023-06-12", B1=2, 备注="杂物堆放仍未清理"),
        record("一社区", "甲院", "2023-09-10", B1=2),
    ]
    data = write_csv(tmp_path / "in.csv", rows_for(records, [*COLUMNS, "备注"]))
    res = scoring.score([data], scoring.load_standard(folder))
    assert res.courtyard("甲院").notes == ["A1 名牌缺失；楼道有杂物", "杂物堆放仍未清理", None]
    b1, a1 = courtyard_fixes(res.courtyard("甲院"), res).entries
    assert a1.notes == ["3月5日：A1 名牌缺失；楼道有杂物"]
    assert b1.notes == ["6月12日：杂物堆放仍未清理"]

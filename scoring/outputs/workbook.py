"""`ranking.xlsx`: the ranking workbook the office publishes. Sheets, in this order: 楼院排名,
社区排名 (with a bar chart of mean totals), 分项得分, 法治建设, 红黑榜, 整改清单, 数据问题, 说明.

A table beyond one sheet's limits (e.g. 整改清单 of 32,000 courtyards: a million rows) goes on
several — 整改清单, 整改清单(2), … — each with its header and print set-up, and 说明 says so."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from scoring import __version__
from scoring.engine.results import Results
from scoring.outputs import ranking_sheets as sheets
from scoring.outputs.excel_rules import EXCEL, SheetLimits
from scoring.outputs.tables import Table
from scoring.outputs.xlsx import Column, PageTexts, SheetPart, TableWriter, new_workbook

RULES_TEXT = [
    ("分值计算", "基础分 = 满分 × 各类别实得分之和 ÷ 各类别应得分之和（不适用项目不计入应得分）；"
                 "总分 = 基础分 + 加分（加分不超过上限）"),
    ("四舍五入", "总分、基础分、加分按四舍五入保留两位小数（按精确值计算，90.005 记为 90.01）；"
                 "等级和排名按保留两位小数后的总分确定"),
    ("多次检查", "同一楼院在考核期内多次检查的，按考核标准规定的方式（平均/取最近一次/取最低）合并"),
    ("并列名次", "总分相同的名次并列，其后名次顺延（如 1、2、2、4）"),
    ("不适用", "填“不适用”的项目不计入该楼院的应得分，满分按比例折算"),
    ("免检", "免检项目按满分计"),
    ("一票否决", "取消评选资格的楼院评为最低等级、不参加排名、列于最后；限制等级的最高只能评为规定等级；"
                 "类别清零的该类别本次检查得分为 0"),
    ("得分率", "实得分 ÷ 应得分（不适用的不计入应得分）；项目、类别和法治建设的得分率都按此计算，"
               "与年度报告中的得分率一致"),
    ("满分率（得满分楼院占比）", "某法治建设项目在适用的楼院中、每次检查均得满分的楼院所占比例（不是得分率）"),
]


def write_ranking(results: Results, path: Path, limits: SheetLimits = EXCEL) -> None:
    """Write the ranking workbook to `path`, each sheet within `limits` (Excel's)."""
    book = new_workbook(path)
    try:
        _write(book, results, limits)
    finally:
        book.close()


def _columns(table: Table) -> list[Column]:
    formats = table.formats or [""] * len(table.headers)
    return [Column(h, f) for h, f in zip(table.headers, formats, strict=True)]


# Identity columns repeated on every printed page of a sheet too wide for one.
KEEP = {"楼院排名": 3, "社区排名": 2, "分项得分": 2, "法治建设": 2, "整改清单": 3, "数据问题": 2, "说明": 1}


def _plain(out: TableWriter, table: Table, *, landscape: bool = True) -> list[SheetPart]:
    return out.table(table.title, _columns(table), table.rows, landscape=landscape, keep=KEEP.get(table.title, 2))


def page_texts(results: Results) -> PageTexts:
    """The printed page header's standard (with the versions used) and period."""
    versions = "、".join(c.version for c in sheets.newest_first(results))
    period = results.period
    return PageTexts(f"{results.standard_title}（{versions} 版）",
                     f"考核期 {period.label}（{period.start.isoformat()} 至 {period.end.isoformat()}）")


def _grades(results: Results) -> list[tuple[str, bool]]:
    seen: dict[str, bool] = {}
    for crit in sheets.newest_first(results):
        for g in crit.grades:
            seen.setdefault(g.name, g.passing)
    return list(seen.items())


def _chart(book: Any, part: SheetPart, limits: SheetLimits) -> None:
    """A native bar chart of the communities' mean totals under the table (so that it prints
    on the table's pages), its value axis from 0 so that gaps are not exaggerated; none when
    it would reach past the sheet's last row."""
    n, sheet = part.rows, part.sheet
    height = max(240, 28 * n + 80)
    if not n or n + 3 + height // 20 > limits.rows or part.columns[:4] != [0, 1, 2, 3]:
        return
    chart = book.add_chart({"type": "bar"})
    chart.add_series({"name": "平均分", "categories": [sheet.name, 1, 1, n, 1],
                      "values": [sheet.name, 1, 3, n, 3], "data_labels": {"value": True, "num_format": "0.00"},
                      "fill": {"color": "#4472C4"}, "gap": 60})
    chart.set_title({"name": "各社区平均分", "name_font": {"size": 12}})
    chart.set_legend({"none": True})
    chart.set_x_axis({"min": 0, "name": "平均分（分）", "num_font": {"size": 10}})  # the values (bar chart)
    # The first-ranked community on top, every name shown, the value axis kept at the bottom.
    chart.set_y_axis({"reverse": True, "crossing": "max", "interval_unit": 1, "num_font": {"size": 10}})
    chart.set_size({"width": 640, "height": height})
    sheet.insert_chart(n + 2, 1, chart)


def _red_black(out: TableWriter, red: Table, black: Table, note: str | None,
               grades: list[tuple[str, bool]]) -> str | None:
    """红榜 above 黑榜 on one sheet, each under its title; the note on courtyards kept red only.
    Lists too long for one sheet go on sheets of their own (红榜, 黑榜, split as any table);
    the note is then returned for 说明."""
    grade = red.headers.index("等级")
    if not out.fits(len(red.rows) + len(black.rows) + 5, len(red.headers)):
        for name, table in (("红榜", red), ("黑榜", black)):
            out.colour_table(out.table(name, _columns(table), table.rows, landscape=False, keep=3), grade, grades)
        return note
    sheet = out.add_sheet("红黑榜")
    widths = [0] * len(red.headers)
    row = 0
    for table in (red, black):
        sheet.write_string(row, 0, out.text(table.title), out.title)
        end = out.write_block(sheet, row + 1, _columns(table), table.rows, widths)
        out.colour_grades(sheet, grade, row + 2, end - 1, grades)
        row = end + 1
    if note:
        out.write_cell(sheet, row, 0, note)
    out.finish(sheet, widths, landscape=False, keep=3)
    return None


def _about(results: Results, notes: list[tuple[str, str]]) -> Table:
    """The 说明 sheet; `notes` are (项目, 内容) rows on how the tables were laid out."""
    rows: list[list[Any]] = [["考核标准", f"{results.standard_title}（{results.standard_id}）"]]
    for crit in results.versions:
        rows.append([f"标准版本 {crit.version}", f"{crit.effective_from.isoformat()} 起施行；sha256 {crit.sha256}"])
    if results.forced_version:
        rows.append(["指定版本", f"所有检查均按 {results.forced_version} 版评分（--criteria-version 测算）"])
    for path, sha in results.inputs:
        rows.append(["检查记录文件", f"{path}；sha256 {sha}"])
    period = results.period
    rows += [["考核期", f"{period.label}（{period.start.isoformat()} 至 {period.end.isoformat()}）"],
             ["参与评分的检查记录", f"{results.rows_scored} 条"],
             ["因数据问题未参与评分", f"{results.rows_excluded} 条"]]
    rows += [[k, v] for k, v in RULES_TEXT]
    rows += [[label, note] for label, note in notes]
    rows += [["工具版本", f"score {__version__}"],
             ["生成时间", datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")]]
    return Table("说明", ["项目", "内容"], rows)


def _write(book: Any, results: Results, limits: SheetLimits) -> None:
    out = TableWriter(book, page_texts(results), limits)
    grades = _grades(results)
    yards = sheets.courtyard_ranking(results)
    out.colour_table(_plain(out, yards), yards.headers.index("等级"), grades)
    _chart(book, _plain(out, sheets.community_ranking(results))[0], limits)
    _plain(out, sheets.item_scores(results))
    register = results.standard.register if results.standard is not None else None
    _plain(out, sheets.rule_of_law(results, register))
    red, black, note = sheets.red_and_black(results)
    left = _red_black(out, red, black, note, grades)
    _plain(out, sheets.fix_list(results))
    _plain(out, sheets.data_issues(results))
    notes = [("分表", split.note()) for split in out.splits] + ([("红黑榜", left)] if left else [])
    _plain(out, _about(results, notes), landscape=False)

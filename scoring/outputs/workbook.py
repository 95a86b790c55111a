"""`ranking.xlsx`: the ranking workbook the office publishes (sheets 楼院排名, 社区排名, 数据问题,
说明 so far; issue 4 adds the rest)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from scoring import __version__
from scoring.engine.results import Results
from scoring.exact import round_half_up
from scoring.outputs.xlsx import Column, TableWriter

RULES_TEXT = [
    ("分值计算", "基础分 = 满分 × 各类别实得分之和 ÷ 各类别应得分之和（不适用项目不计入应得分）；"
                 "总分 = 基础分 + 加分（加分不超过上限）"),
    ("四舍五入", "总分、基础分、加分按四舍五入保留两位小数（按精确值计算，90.005 记为 90.01）；"
                 "等级和排名按保留两位小数后的总分确定"),
    ("多次检查", "同一楼院在考核期内多次检查的，按考核标准规定的方式（平均/取最近一次/取最低）合并"),
    ("并列名次", "总分相同的名次并列，其后名次顺延（如 1、2、2、4）"),
    ("一票否决", "取消评选资格的楼院评为最低等级、不参加排名、列于最后；限制等级的最高只能评为规定等级；"
                 "类别清零的该类别本次检查得分为 0"),
    ("免检", "免检项目按满分计"),
]


def _category_columns(results: Results) -> list[tuple[str, str]]:
    seen: dict[str, str] = {}
    for crit in results.versions:
        for cat in crit.categories:
            seen.setdefault(cat.id, cat.name)
    return list(seen.items())


def _veto_names(results: Results) -> dict[str, str]:
    return {v.id: v.name for crit in results.versions for v in crit.vetoes}


def write_ranking(results: Results, path: Path) -> None:
    """Write the ranking workbook to `path`."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                           "strings_to_numbers": False})
    try:
        _write(book, results)
    finally:
        book.close()


def _write(book: Any, results: Results) -> None:
    out = TableWriter(book)
    cats = _category_columns(results)
    vetoes = _veto_names(results)
    columns = [Column("排名", "int"), Column("社区"), Column("楼院"), Column("社区内排名", "int"),
               Column("检查次数", "int"), Column("基础分", "score"), Column("加分", "score"),
               Column("总分", "score"), Column("等级"), Column("是否达标")]
    columns += [Column(f"{name}得分率", "rate") for _, name in cats]
    columns += [Column("法治建设得分率", "rate"), Column("一票否决"), Column("说明")]
    rows: list[list[Any]] = []
    for y in results.courtyards:
        row: list[Any] = [y.rank, y.community, y.courtyard, y.rank_in_community, y.inspections,
                          round_half_up(y.base), round_half_up(y.bonus), y.total_cents / 100,
                          y.grade, y.passing]
        for cid, _ in cats:
            score = y.categories.get(cid)
            row.append(float(score.rate) if score and score.rate is not None else None)
        row.append(float(y.rule_of_law_rate) if y.rule_of_law_rate is not None else None)
        row.append("、".join(vetoes.get(v, v) for v in y.vetoes) or None)
        row.append("取消评选资格" if y.disqualified else (y.grade_reason or None))
        rows.append(row)
    out.table("楼院排名", columns, rows)

    grade_names = list(results.communities[0].grade_counts) if results.communities else []
    c_columns = [Column("排名", "int"), Column("社区"), Column("楼院数", "int"),
                 Column("平均分", "score")]
    c_columns += [Column(f"{g}（个）", "int") for g in grade_names]
    c_columns += [Column("达标率", "rate"), Column("法治建设得分率", "rate")]
    c_rows = [
        [c.rank, c.community, c.courtyards, c.mean_total_cents / 100,
         *[c.grade_counts[g] for g in grade_names], float(c.pass_rate),
         float(c.rule_of_law_rate) if c.rule_of_law_rate is not None else None]
        for c in results.communities
    ]
    out.table("社区排名", c_columns, c_rows)

    i_columns = [Column("编号"), Column("问题"), Column("文件"), Column("工作表"),
                 Column("单元格"), Column("项目")]
    i_rows = [[i.code, i.message, i.file, i.sheet, i.cell, i.item] for i in results.issues]
    out.table("数据问题", i_columns, i_rows)

    about: list[list[Any]] = [["考核标准", f"{results.standard_title}（{results.standard_id}）"]]
    for crit in results.versions:
        about.append([f"标准版本 {crit.version}",
                      f"{crit.effective_from.isoformat()} 起施行；sha256 {crit.sha256}"])
    if results.forced_version:
        about.append(["指定版本", f"所有检查均按 {results.forced_version} 版评分（--criteria-version）"])
    for path, sha in results.inputs:
        about.append(["检查记录文件", f"{path}；sha256 {sha}"])
    about += [["考核期", results.period.label],
              ["参与评分的检查记录", f"{results.rows_scored} 条"],
              ["因数据问题未参与评分", f"{results.rows_excluded} 条"]]
    about += [[k, v] for k, v in RULES_TEXT]
    about += [["工具版本", f"score {__version__}"],
              ["生成时间", datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S")]]
    out.table("说明", [Column("项目"), Column("内容")], about, landscape=False)

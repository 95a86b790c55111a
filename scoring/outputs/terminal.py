"""What `score run` shows on the terminal: a short summary and the issues, in Chinese."""

from __future__ import annotations

from collections import Counter
from fractions import Fraction
from pathlib import Path

from rich.console import Console
from rich.table import Table

from scoring.engine.results import Results
from scoring.exact import percent
from scoring.issues import Issue

MAX_ISSUE_LINES = 200


def print_issues(console: Console, issues: list[Issue]) -> None:
    """Every issue on one line each (at most MAX_ISSUE_LINES, then a count by kind)."""
    for issue in issues[:MAX_ISSUE_LINES]:
        style = "red" if issue.is_error else "yellow"
        console.print(("错误 " if issue.is_error else "提示 ") + issue.line(), style=style,
                      markup=False, highlight=False)
    rest = issues[MAX_ISSUE_LINES:]
    if rest:
        counts = Counter(i.code for i in rest)
        summary = "，".join(f"{code} {n} 处" for code, n in counts.most_common())
        console.print(f"……另有 {len(rest)} 处问题未逐条显示（{summary}）", markup=False)


def print_summary(console: Console, results: Results, written: list[Path]) -> None:
    """Period, counts, the community table and the top courtyards."""
    yards = results.courtyards
    passed = sum(y.passing for y in yards)
    console.print(
        f"考核期 {results.period.label}：{len(results.communities)} 个社区、{len(yards)} 个楼院，"
        f"{results.rows_scored} 条检查记录参与评分；达标 {passed} 个"
        f"（{percent(Fraction(passed, len(yards)), trim=False)}）。", markup=False, highlight=False)
    if results.rows_excluded:
        console.print(f"有 {results.rows_excluded} 条检查记录因数据问题未参与评分，详见“数据问题”工作表。",
                      style="yellow", markup=False)
    if results.unscored:
        console.print(f"{len(results.unscored)} 个楼院因检查记录有误未参加评分（列在“楼院排名”最后）：", style="yellow",
                      markup=False)
        for u in results.unscored:
            console.print(f"  {u.community}/{u.courtyard}：{u.reason}", style="yellow", markup=False)
    table = Table(title="社区排名", show_lines=False)
    for header in ("排名", "社区", "楼院数", "平均分", "达标率"):
        table.add_column(header, justify="right" if header != "社区" else "left", overflow="fold")
    for c in results.communities:
        table.add_row(str(c.rank), c.community, str(c.courtyards), str(c.mean_total),
                      percent(c.pass_rate, trim=False))
    console.print(table)
    top = Table(title="楼院前五名")
    for header in ("排名", "社区", "楼院", "总分", "等级"):
        top.add_column(header, overflow="fold")
    for y in yards[:5]:
        top.add_row(str(y.rank or "—"), y.community, y.courtyard, str(y.total), y.grade)
    console.print(top)
    for path in written:
        console.print(f"已写入 {path}", markup=False, highlight=False)

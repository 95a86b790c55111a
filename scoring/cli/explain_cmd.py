"""`score explain`: why a courtyard got its score, and what would lift it to the next grade."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scoring.cli.common import (
    CriteriaOpt,
    DebugOpt,
    RegulationsOpt,
    WorkspaceOpt,
    command_inputs,
    open_standard,
    rename_hint,
    reported,
    stdout,
)

if TYPE_CHECKING:
    from scoring.explain import Explanation


def _print(e: Explanation, every_item: bool) -> None:
    """The explanation on the terminal: the result, why, what to put right, the next grade;
    every item's table only with --all (the 楼长's copy is --docx)."""
    from scoring.outputs.tables import Table, short_cells, to_rich

    rank = f"全部第 {e.rank} 名、社区内第 {e.rank_in_community} 名" if e.rank else "不参加排名"
    stdout.print(f"{e.community} {e.courtyard}（按 {e.version} 版评分，检查 {e.inspections} 次）", markup=False)
    stdout.print(f"总分 {e.total}（基础分 {e.base} + 加分 {e.bonus}），{e.grade}，{rank}", markup=False)
    if every_item:
        rows = [[i.id, i.name, i.category, i.history or None, None if i.earned is None else float(i.earned),
                 float(i.possible), i.status, short_cells(i.cells) or None] for i in e.items]
        headers = ["编号", "项目", "类别", "各次检查结果", "得分", "应得分", "情况", "来源单元格"]
        stdout.print(to_rich(Table("各项目得分", headers, rows, ["", "", "", "wrap", "score", "score", "", ""])))
    for veto in e.vetoes:
        stdout.print(f"一票否决 {veto}", markup=False)
    for reason in e.grade_reasons:
        stdout.print(reason, markup=False)
    if e.fixes is not None and e.fixes.open:
        rows = [[f.item, f.name, f.history, float(f.lost), "；".join(f.notes) or None] for f in e.fixes.open]
        stdout.print(to_rich(Table("需要整改的事项", ["编号", "项目", "各次检查结果", "失分", "检查人员意见"], rows,
                                   ["", "", "wrap", "score", "wrap"])))
    if e.fixes is not None and e.fixes.fixed:
        stdout.print("已整改：" + "、".join(f"{f.item} {f.name}" for f in e.fixes.fixed), markup=False)
    if e.next_grade is None:
        return
    if not e.steps:
        stdout.print(f"距{e.next_grade}还差 {e.gap} 分，但已没有可补足的项目。", markup=False)
        return
    lead = (f"距{e.next_grade}还差 {e.gap} 分" if e.gap else f"总分已达到{e.next_grade}的分数线")
    tail = "将以下项目补足满分即可达到（前置条件在前，其余按可提高的分数从多到少）：" if e.reachable else \
        "即使以下项目全部补足满分也还达不到："
    stdout.print(f"{lead}，{tail}", markup=False)
    steps = [[s.id, s.name, float(s.lost), float(s.gain), "是" if s.required else None] for s in e.steps]
    stdout.print(to_rich(Table(f"达到{e.next_grade}需要补足的项目", ["编号", "项目", "失分", "可提高总分", "前置条件"],
                               steps, ["", "", "score", "score", ""])))


def explain_command(
    results: Annotated[Path, typer.Argument(help="评分结果 results.json")],
    courtyard: Annotated[str, typer.Argument(help="楼院名称；重名时写成 社区/楼院")],
    as_json: Annotated[bool, typer.Option("--json", help="以 JSON 输出同样的内容")] = False,
    every_item: Annotated[bool, typer.Option("--all", help="同时列出全部项目的检查结果和得分")] = False,
    docx: Annotated[Path | None, typer.Option(
        "--docx", help="另存为可打印的评分说明及整改通知（Word 文件），可交给楼院", show_default=False)] = None,
    criteria: CriteriaOpt = None,
    regulations: RegulationsOpt = None,
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
) -> None:
    """说明某个楼院的得分：各项目得分和来源单元格、否决项、为什么是这个等级、怎样达到上一等级。"""
    with reported(debug):
        from scoring.engine.results import Results
        from scoring.explain import explain

        standard = open_standard(criteria, regulations, workspace)
        result = explain(Results.load(results, standard), courtyard)
        if docx is not None:
            from scoring.outputs.explain_doc import write_explanation
            from scoring.outputs.staging import write_one

            written = write_one(docx, lambda p: write_explanation(result, p),
                                inputs=command_inputs(standard, ("评分结果", results)), hint=rename_hint("--docx"))
            stdout.print(f"已写入 {written}", markup=False)
        if as_json:
            print(json.dumps(result.as_dict(), ensure_ascii=False, indent=2))
        else:
            _print(result, every_item)

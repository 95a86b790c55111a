"""`score template`: the blank inspection workbook for inspectors."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

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
from scoring.errors import UsageError
from scoring.outputs.criteria_reports import item_count
from scoring.outputs.staging import write_one

HINT = rename_hint("-o")


def template_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="要生成的检查记录表，如 检查记录表.xlsx",
                                         show_default=False)],
    criteria_version: Annotated[str | None, typer.Option(
        "--criteria-version", help="按哪个版本生成；默认为今天施行的版本", show_default=False)] = None,
    rows: Annotated[int | None, typer.Option("--rows", help="预设格式和下拉列表的行数（默认 300 行）", min=1,
                                             max=100_000, show_default=False)] = None,
    paper: Annotated[bool, typer.Option(
        "--paper", help="生成供现场打“√”填写的纸质检查表（Word .docx，每页一个楼院）")] = False,
    criteria: CriteriaOpt = None,
    regulations: RegulationsOpt = None,
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
) -> None:
    """生成空白检查记录表：表头、填写提示、下拉列表和数值范围，以及填表说明。"""
    with reported(debug):
        standard = open_standard(criteria, regulations, workspace)
        crit = standard.get(criteria_version) if criteria_version else (
            standard.in_force(date.today()) or standard.latest)
        if output.suffix.lower() != (".docx" if paper else ".xlsx"):
            kind = "纸质检查表请保存为 .docx 文件" if paper else "检查记录表请保存为 .xlsx 文件"
            raise UsageError(f"{kind}（现为“{output.name}”）")
        if output.exists():
            raise UsageError(f"{output} 已存在，不会覆盖（其中可能已有填写的记录）；请换一个文件名")
        if paper:
            from scoring.outputs.paper_form import write_paper_form  # python-docx only when asked for

            write_one(output, lambda p: write_paper_form(crit, p), inputs=command_inputs(standard), hint=HINT)
            stdout.print(f"已生成 {output}：{crit.title} {crit.label} 纸质检查表，{item_count(crit)}，"
                         "每页一个楼院。", markup=False)
            return
        from scoring.outputs.template import DEFAULT_ROWS, write_template

        count = DEFAULT_ROWS if rows is None else rows
        write_one(output, lambda p: write_template(crit, p, standard.register, count), inputs=command_inputs(standard),
                  hint=HINT)
        stdout.print(f"已生成 {output}：{crit.title} {crit.label}，{item_count(crit)}，预设 {count} 行。",
                     markup=False)

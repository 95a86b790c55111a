"""`score compare`: changes between two runs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scoring.cli.common import DebugOpt, command_inputs, rename_hint, reported, stdout

TERMINAL_ROWS = 20


def compare_command(
    first: Annotated[Path, typer.Argument(help="前一次（如上年）的 results.json")],
    second: Annotated[Path, typer.Argument(help="后一次（如本年，或按新标准重算）的 results.json")],
    rescored: Annotated[Path | None, typer.Option(
        "--rescored", help="用第二次的考核标准重算第一次检查记录得到的 results.json，用于区分标准调整和检查数据的影响",
        show_default=False)] = None,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="把完整对比写入 Excel 文件", show_default=False)] = None,
    debug: DebugOpt = False,
) -> None:
    """对比两次评分结果：各楼院、社区的分数和名次变化（变化大的在前）、等级变化、只出现在一次中的楼院。"""
    with reported(debug):
        from scoring.compare import compare
        from scoring.engine.results import Results
        from scoring.outputs.comparison import comparison_tables
        from scoring.outputs.staging import refuse_inputs, write_one
        from scoring.outputs.tables import Table, to_rich, write_workbook

        inputs = command_inputs(None, ("评分结果", first), ("评分结果", second), ("重算的评分结果", rescored))
        if xlsx is not None:  # said before the comparison, not after it fills the screen
            refuse_inputs([xlsx], inputs, rename_hint("--xlsx"))
        result = compare(Results.load(first), Results.load(second),
                         Results.load(rescored) if rescored is not None else None)
        tables = comparison_tables(result)
        stdout.print(result.attribution, markup=False)
        yards, comms, only = tables
        shown = Table(f"{yards.title}（变化最大的 {min(TERMINAL_ROWS, len(yards.rows))} 个）", yards.headers,
                      yards.rows[:TERMINAL_ROWS], yards.formats)
        for table in (shown, comms, only):
            if table.rows:
                stdout.print(to_rich(table))
        if xlsx is not None:
            write_one(xlsx, lambda p: write_workbook(tables, p), inputs=inputs, hint=rename_hint("--xlsx"))
            stdout.print(f"已写入 {xlsx}", markup=False)

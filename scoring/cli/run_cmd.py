"""`score run`: score inspection files and write results.json and ranking.xlsx."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scoring.api import OUTPUT_NAMES
from scoring.cli.common import (
    OUT_HINT,
    CriteriaOpt,
    DebugOpt,
    MaxCellsOpt,
    MaxSheetsOpt,
    MaxSizeOpt,
    RegulationsOpt,
    WorkspaceOpt,
    collector_paused,
    command_inputs,
    open_standard,
    reported,
    stderr,
    stdout,
)
from scoring.cli.history_cmd import archive_cli_run
from scoring.engine.limits import DEFAULT_LIMITS, Limits

if TYPE_CHECKING:
    from scoring.engine.results import Results

class Reader(StrEnum):
    """How .xlsx files are read."""

    calamine = "calamine"
    openpyxl = "openpyxl"


DEFAULT_OUT = Path("score-output")


def inspection_inputs(inputs: list[Path]) -> dict[Path, str]:
    """The inspection files a run reads (folders expanded), which no output may replace."""
    from scoring.engine.reader import expand_inputs

    files, _ = expand_inputs(inputs)
    return dict.fromkeys(files, "检查记录")


def run_command(
    files: Annotated[list[Path], typer.Argument(help="检查记录文件（.xlsx/.xlsm/.csv）或文件夹，可写多个",
                                                show_default=False)],
    criteria: CriteriaOpt = None,
    regulations: RegulationsOpt = None,
    period: Annotated[str | None, typer.Option("--period", help="考核期：2023（年度）或 2023Q2（季度）；"
                                               "默认取检查日期所在的年度", show_default=False)] = None,
    criteria_version: Annotated[str | None, typer.Option(
        "--criteria-version", help="所有检查都按这个版本评分（用于测算），默认按检查日期选用当时施行的版本",
        show_default=False)] = None,
    out: Annotated[Path | None, typer.Option("--out", help="输出文件夹；默认 score-output/<考核期>/",
                                             show_default=False)] = None,
    lenient: Annotated[bool, typer.Option("--lenient", help="有问题的检查记录不参与评分并列入“数据问题”，"
                                          "其余照常评分；默认有任何错误即停止")] = False,
    top: Annotated[int | None, typer.Option("--top", help="红黑榜各列出的楼院数（并列的一并列出）；默认按考核标准的"
                                            "公示规则（前后各 10 名）", min=1, show_default=False)] = None,
    as_json: Annotated[bool, typer.Option("--json", help="在屏幕上输出 results.json 的内容")] = False,
    max_size: MaxSizeOpt = DEFAULT_LIMITS.max_size_mb,
    max_sheets: MaxSheetsOpt = DEFAULT_LIMITS.max_sheets,
    max_cells: MaxCellsOpt = DEFAULT_LIMITS.max_cells,
    reader: Annotated[Reader, typer.Option("--reader", help="读取 Excel 的方式：calamine（快，默认）或 "
                                           "openpyxl（备用）")] = Reader.calamine,
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
) -> None:
    """为检查记录评分、排名，输出 results.json 和 ranking.xlsx。"""
    with reported(debug, writes_outputs=True), collector_paused():
        from scoring.api import output_writers, score
        from scoring.outputs.staging import refuse_inputs, write_all
        from scoring.outputs.terminal import print_issues, print_summary

        if out is not None:  # before any work; checked again as the files are written
            refuse_inputs([out / name for name in OUTPUT_NAMES], inspection_inputs(files), OUT_HINT)
        standard = open_standard(criteria, regulations, workspace)
        limits = Limits(max_size_mb=max_size, max_sheets=max_sheets, max_cells=max_cells)

        def scored(progress: Callable[[str], None] | None = None) -> Results:
            return score(files, standard, period=period, criteria_version=criteria_version, lenient=lenient,
                         limits=limits, reader=reader.value, progress=progress, top=top)

        if stderr.is_terminal:
            with stderr.status("正在读取检查记录……") as status:
                results = scored(lambda where: status.update(f"正在读取 {where} ……"))
        else:
            results = scored()
        out_dir = out if out is not None else DEFAULT_OUT / results.period.label
        inputs = {**inspection_inputs(files), **command_inputs(standard)}
        # Kept in the workspace's runs/ when there is one, copied while --out is still locked.
        written = write_all(out_dir, output_writers(results), inputs=inputs, hint=OUT_HINT,
                            then=lambda done: archive_cli_run(results, done, lenient, workspace))
        print_issues(stderr, results.issues)
        if as_json:  # stdout stays pure JSON; what was written is said on stderr
            stdout.print_json(results.dump())
            for path in written:
                stderr.print(f"已写入 {path}", markup=False)
        else:
            print_summary(stdout, results, written)

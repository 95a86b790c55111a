"""`score report`: the annual-report section from a results.json, optionally into a Word draft."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scoring.cli.common import (
    OUT_HINT,
    CriteriaOpt,
    DebugOpt,
    RegulationsOpt,
    WorkspaceOpt,
    command_inputs,
    open_standard,
    reported,
    stdout,
)

# The draft is an input: the section is written into a copy, never into the draft itself.
DRAFT_HINT = ("请把草稿另存为其他文件名（如“报告草稿.docx”）后再用 --into，"
              "或用 --out 把 report.md、report.docx 写到别的文件夹")


def report_command(
    results: Annotated[Path, typer.Argument(help="本年度（本期）评分结果 results.json")],
    previous: Annotated[Path | None, typer.Option("--previous", help="上年度的 results.json，用于写“与上年相比”",
                                                  show_default=False)] = None,
    template: Annotated[Path | None, typer.Option("--template", help="自定义的报告模板（Jinja2），默认使用内置模板",
                                                  show_default=False)] = None,
    into: Annotated[Path | None, typer.Option(
        "--into", help="把考核情况写入 Word 报告草稿中“【美丽楼院考核情况】”所在位置，另存为“草稿名-已填写.docx”"
        "（草稿本身不变）；这时只写这一个文件，同时指定 --out 才另写 report.md 和 report.docx",
        show_default=False)] = None,
    out: Annotated[Path | None, typer.Option("--out", help="report.md 和 report.docx 的输出文件夹；"
                                             "默认与 results.json 相同", show_default=False)] = None,
    criteria: CriteriaOpt = None,
    regulations: RegulationsOpt = None,
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
) -> None:
    """生成法治政府建设情况报告中的美丽楼院考核情况（report.md、report.docx），可直接写入报告草稿。"""
    with reported(debug, writes_outputs=True):
        from scoring.engine.results import Results
        from scoring.outputs.staging import Writer, refuse_inputs, write_files
        from scoring.report.draft import Draft, open_draft
        from scoring.report.section import build_section
        from scoring.report.word import fill_draft

        targets: list[Path] = []
        if into is not None:
            targets.append(into.with_name(f"{into.stem}-已填写.docx"))
        if into is None or out is not None:
            folder = out if out is not None else results.parent
            targets += [folder / "report.md", folder / "report.docx"]
        hint = DRAFT_HINT if into is not None else OUT_HINT
        named = (("评分结果", results), ("上年度评分结果", previous), ("报告模板", template), ("Word 报告草稿", into))
        # Before any work: an output onto an input, a draft that cannot be used or has no marker
        # (checked and parsed once, and filled from what was parsed).
        refuse_inputs(targets, command_inputs(None, *named), hint)
        standard = open_standard(criteria, regulations, workspace)
        opened: Draft | None = open_draft(into) if into is not None else None
        section = build_section(Results.load(results, standard), standard,
                                Results.load(previous, standard) if previous is not None else None, template)
        writers: list[Writer] = []
        if opened is not None:
            draft = opened
            writers.append(lambda p: fill_draft(section.blocks, draft, p))
        if into is None or out is not None:
            writers += list(section.writers().values())
        # All outputs together or none (the filled draft and report.md/.docx).
        written = write_files(dict(zip(targets, writers, strict=True)), inputs=command_inputs(standard, *named),
                              hint=hint)
        for path in written:
            stdout.print(f"已写入 {path}", markup=False)


"""`score history` and `score reindex`: the workspace's runs and a courtyard's or community's
scores across periods, read from score.db; and rebuilding score.db from `runs/`. Also the hook
that `score run` calls to archive a run when a workspace is in use."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scoring.cli.common import DebugOpt, WorkspaceOpt, reported, stdout
from scoring.errors import UsageError

if TYPE_CHECKING:
    from scoring.engine.results import Results
    from scoring.workspace import Workspace


def _workspace(explicit: Path | None) -> Workspace:
    from scoring.workspace import find_workspace

    found = find_workspace(explicit)
    if found is None:
        raise UsageError("没有找到工作区：请用 --workspace 指定，或先运行 score init 建立工作区")
    return found


def archive_cli_run(results: Results, written: list[Path], lenient: bool, explicit: Path | None = None) -> None:
    """When a workspace is in use (`--workspace`, else the lookup of docs/design.md §8), keep this run
    in its `runs/` and index it; without a workspace nothing is archived. Call it while the output
    folder is still locked (`write_all(..., then=...)`): the outputs copied are this run's, not
    those of a second run that replaced them meanwhile."""
    from scoring.history import record_run
    from scoring.pipeline import input_path
    from scoring.workspace import find_workspace

    workspace = find_workspace(explicit)
    if workspace is None:
        return

    def copy_outputs(folder: Path) -> None:
        for path in written:
            shutil.copyfile(path, folder / path.name)

    inputs = [(Path(i.path).name, input_path(i)) for i in results.inputs]
    record = record_run(workspace, results, inputs, copy_outputs, via="命令行", lenient=lenient)
    stdout.print(f"已存入工作区 {workspace.root}：第 {record.id} 次评分", markup=False, highlight=False)


def reindex_command(workspace: WorkspaceOpt = None, debug: DebugOpt = False) -> None:
    """按工作区 runs 文件夹中的历次评分重建评分索引 score.db。"""
    with reported(debug):
        from scoring.history import reindex

        found = _workspace(workspace)
        count = reindex(found)
        stdout.print(f"已重建 {found.db_path}：{count} 次评分", markup=False, highlight=False)


def _split(name: str) -> tuple[str | None, str]:
    community, sep, courtyard = name.partition("/")
    return (community.strip(), courtyard.strip()) if sep else (None, name.strip())


def history_command(
    courtyard: Annotated[str | None, typer.Option(
        "--courtyard", help="楼院名称（重名时写 社区/楼院）：列出它历次的得分", show_default=False)] = None,
    community: Annotated[str | None, typer.Option("--community", help="社区名称：列出它历次的平均分和名次",
                                                  show_default=False)] = None,
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
) -> None:
    """列出工作区的历次评分，或一个楼院、社区历次的得分。"""
    with reported(debug):
        from scoring.history import community_history, courtyard_history, list_runs
        from scoring.outputs.tables import Table, to_rich

        found = _workspace(workspace)
        if courtyard is not None and community is not None:
            raise UsageError("--courtyard 和 --community 只能选一个")
        if courtyard is not None:
            where, name = _split(courtyard)
            rows = courtyard_history(found, where, name)
            if not rows:
                raise UsageError(f"历次评分中没有楼院“{courtyard}”")
            if len({r.community for r in rows}) > 1:
                places = "、".join(sorted({f"{r.community}/{r.courtyard}" for r in rows}))
                raise UsageError(f"“{courtyard}”在多个社区都有：{places}；请写成 社区/楼院")
            table = Table(f"{rows[0].community} {rows[0].courtyard} 历次得分",
                          ["考核期", "评分", "总分", "等级", "名次"],
                          [[r.period, r.run_id, r.total_cents / 100, r.grade, r.rank or "不参加排名"] for r in rows],
                          ["", "", "score", "", ""])
        elif community is not None:
            rows = community_history(found, community.strip())
            if not rows:
                raise UsageError(f"历次评分中没有社区“{community}”")
            table = Table(f"{community} 历次得分", ["考核期", "评分", "平均分", "达标率", "名次"],
                          [[r.period, r.run_id, r.total_cents / 100, r.pass_rate, r.rank] for r in rows],
                          ["", "", "score", "rate", ""])
        else:
            runs = list_runs(found)
            if not runs:
                stdout.print(f"工作区 {found.root} 中还没有评分记录。", markup=False, highlight=False)
                return
            table = Table("历次评分",
                          ["评分", "考核期", "时间", "评分人", "方式", "标准版本", "检查记录文件", "楼院数"],
                          [[r.id, r.period, r.created.replace("T", " ")[:19], r.who, r.via, "、".join(r.versions),
                            "、".join(r.inputs), r.courtyards] for r in runs])
        stdout.print(to_rich(table))

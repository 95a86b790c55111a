"""`score init [DIR]`: create the office's workspace (docs/design.md §8)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scoring.cli.common import DebugOpt, reported, stdout


def init_command(
    folder: Annotated[Path, typer.Argument(help="工作区文件夹（默认为用户主目录下的 score-workspace）",
                                           show_default=False)] = Path("~/score-workspace"),
    debug: DebugOpt = False,
) -> None:
    """建立工作区：复制内置示例标准和法规库，之后修改的标准、评分记录都保存在这里。"""
    from scoring.workspace import ENV_VAR, HOME_FOLDER, MARKER, init_workspace

    with reported(debug):
        ws = init_workspace(folder)
        stdout.print(f"已建立工作区 {ws.root}：考核标准在 {ws.standard_dir}，法规库在 {ws.regulations_path}。",
                     markup=False)
        stdout.print(f"在该文件夹中运行 score 命令即使用工作区的考核标准（它有 {MARKER}）；在别处运行时加 "
                     f"--workspace {ws.root}，或设置环境变量 {ENV_VAR}；放在主目录下的 {HOME_FOLDER} "
                     "则任何地方都能找到。", markup=False)

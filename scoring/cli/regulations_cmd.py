"""`score regulations …`: the regulations register — list, show, and the 法规库编制表
(export / import) through which the office records new, amended and repealed laws.

Heavy modules are imported inside the commands (start-up time)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scoring.cli.common import CriteriaOpt, DebugOpt, RegulationsOpt, WorkspaceOpt, reported, stderr, stdout
from scoring.criteria.lawref import cite
from scoring.errors import UsageError

if TYPE_CHECKING:
    from scoring.criteria.regulations import Register, Regulation

app = typer.Typer(help="法规库：考核标准引用的法律法规及其施行、修改、废止日期；可导出为 Excel 修改后导入",
                  no_args_is_help=True)


def _register(criteria: Path | None, regulations: Path | None, workspace: Path | None) -> Register:
    """`--regulations`, else the one beside `--criteria`, else the workspace's, else the bundled."""
    from scoring.criteria.regulations import load_register
    from scoring.criteria.resources import REGISTER_NAME, bundled_root
    from scoring.workspace import find_workspace

    if regulations is not None:
        return load_register(regulations, schema=False)
    if criteria is not None:
        folder = criteria if criteria.is_dir() else criteria.parent
        return load_register(folder.parent / REGISTER_NAME, schema=False)
    found = find_workspace(workspace)
    if found is not None and found.regulations_path.is_file():
        stderr.print(f"法规库：工作区 {found.regulations_path}", markup=False)
        return load_register(found.regulations_path, schema=False)
    stderr.print("法规库：内置示例法规库（未找到工作区）", markup=False)
    return load_register(bundled_root() / REGISTER_NAME, schema=False)


def status(reg: Regulation, register: Register) -> str:
    """施行中 / 已废止 …, in words."""
    if reg.repealed_on is None:
        return "施行中"
    replacing = register.regulations.get(reg.repealed_by) if reg.repealed_by else None
    by = replacing.title if replacing else None
    return f"{reg.repealed_on.isoformat()} 废止" + (f"，由{cite(by)}取代" if by else "")


@app.command("list")
def list_command(criteria: CriteriaOpt = None, regulations: RegulationsOpt = None,
                 workspace: WorkspaceOpt = None, debug: DebugOpt = False) -> None:
    """列出法规库中的全部法律法规。"""
    from scoring.outputs.tables import Table, to_rich

    with reported(debug):
        register = _register(criteria, regulations, workspace)
        rows = [[r.id, r.title, r.level, r.effective.isoformat(),
                 r.amendments[-1].adopted.isoformat() if r.amendments else None, status(r, register)]
                for r in register.regulations.values()]
        stdout.print(to_rich(Table(f"法规库（{register.path}）",
                                   ["编号", "名称", "效力级别", "施行日期", "最近修改", "状态"], rows)))


@app.command("show")
def show_command(ident: Annotated[str, typer.Argument(help="法规编号或名称，如 civil-code 或 民法典")],
                 criteria: CriteriaOpt = None, regulations: RegulationsOpt = None,
                 workspace: WorkspaceOpt = None, debug: DebugOpt = False) -> None:
    """显示一部法规的通过、施行、修改和废止情况。"""
    from scoring.criteria.lawref import resolve, unknown_hint

    with reported(debug):
        register = _register(criteria, regulations, workspace)
        ref = resolve(ident, register)
        if ref is None:
            raise UsageError(f"法规库中没有“{ident}”{unknown_hint(ident, register)}"
                             "可用 score regulations list 查看全部法规")
        r = register.get(ref)
        lines = [f"{r.title}（{r.id}）", f"效力级别：{r.level}", f"制定机关：{r.issuer}",
                 f"通过日期：{r.adopted.isoformat()}", f"施行日期：{r.effective.isoformat()}"]
        lines += [f"修改：{a.adopted.isoformat()} {a.note}，{a.effective.isoformat()} 起施行"
                  for a in r.amendments]
        lines.append(f"状态：{status(r, register)}")
        for line in lines:
            stdout.print(line, markup=False)


@app.command("export")
def export_command(
    output: Annotated[Path, typer.Option("--output", "-o", help="导出的法规库编制表，如 法规库.xlsx",
                                         show_default=False)] = Path("法规库.xlsx"),
    criteria: CriteriaOpt = None, regulations: RegulationsOpt = None,
    workspace: WorkspaceOpt = None, debug: DebugOpt = False,
) -> None:
    """把法规库导出为 Excel 编制表（法规、修正），记录新出台、修改、废止的法规后导入。"""
    from scoring.criteria.jsonfile import read_json
    from scoring.criteria.register_workbook import write_register_workbook
    from scoring.errors import InvalidCriteriaError
    from scoring.outputs.staging import write_one

    with reported(debug):
        if output.suffix.lower() != ".xlsx":
            raise UsageError(f"法规库编制表应保存为 .xlsx 文件，例如 -o 法规库.xlsx（现为 {output.name}）")
        if output.exists():
            raise UsageError(f"{output} 已存在，不会覆盖（其中可能有您的修改）；请换一个文件名，或先把它移走")
        register = _register(criteria, regulations, workspace)
        data, _, issues = read_json(Path(register.path))
        if issues:
            raise InvalidCriteriaError(f"无法读取 {register.path}", issues)
        write_one(output, lambda path: write_register_workbook(data, path))
        stdout.print(f"已导出法规库（{len(register.regulations)} 部法规）到 {output}。修改后运行：score regulations "
                     f"import {output}", markup=False)


@app.command("import")
def import_command(
    workbook: Annotated[Path, typer.Argument(help="修改好的法规库编制表 .xlsx", show_default=False)],
    workspace: WorkspaceOpt = None, debug: DebugOpt = False,
) -> None:
    """导入法规库编制表：检查全部内容和考核标准的引用，无误后替换工作区的法规库。"""
    from scoring.criteria.register_workbook import import_register
    from scoring.workspace import find_workspace

    with reported(debug):
        if not workbook.is_file():
            raise UsageError(f"找不到法规库编制表 {workbook}")
        update = import_register(workbook, find_workspace(workspace))
        stdout.print(f"已更新法规库 {update.path}：共 {update.count} 部法规。", markup=False)
        for label, titles in (("新增", update.added), ("新增修正", update.amended), ("新废止", update.repealed)):
            if titles:
                stdout.print(f"{label}：" + "、".join(cite(t) for t in titles), markup=False)
        stdout.print("可运行 score criteria audit 检查考核标准的法律依据是否需要复核。", markup=False)

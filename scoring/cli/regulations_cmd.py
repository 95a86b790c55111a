"""`score regulations …`: the regulations register."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from scoring.cli.common import CriteriaOpt, DebugOpt, RegulationsOpt, reported, stdout
from scoring.criteria.regulations import Register, Regulation, load_register
from scoring.criteria.resources import REGISTER_NAME, bundled_root
from scoring.errors import UsageError
from scoring.outputs.tables import Table, to_rich

app = typer.Typer(help="法规库：考核标准引用的法律法规及其施行、修改、废止日期", no_args_is_help=True)


def _register(criteria: Path | None, regulations: Path | None) -> Register:
    if regulations is not None:
        return load_register(regulations, schema=False)
    if criteria is not None:
        folder = criteria if criteria.is_dir() else criteria.parent
        return load_register(folder.parent / REGISTER_NAME, schema=False)
    return load_register(bundled_root() / REGISTER_NAME, schema=False)


def status(reg: Regulation, register: Register) -> str:
    """施行中 / 已废止 …, in words."""
    if reg.repealed_on is None:
        return "施行中"
    replacing = register.regulations.get(reg.repealed_by) if reg.repealed_by else None
    by = replacing.title if replacing else None
    return f"{reg.repealed_on.isoformat()} 废止" + (f"，由《{by}》取代" if by else "")


@app.command("list")
def list_command(criteria: CriteriaOpt = None, regulations: RegulationsOpt = None,
                 debug: DebugOpt = False) -> None:
    """列出法规库中的全部法律法规。"""
    with reported(debug):
        register = _register(criteria, regulations)
        rows = [[r.id, r.title, r.level, r.effective.isoformat(),
                 r.amendments[-1].adopted.isoformat() if r.amendments else None, status(r, register)]
                for r in register.regulations.values()]
        stdout.print(to_rich(Table(f"法规库（{register.path}）",
                                   ["编号", "名称", "效力级别", "施行日期", "最近修改", "状态"], rows)))


@app.command("show")
def show_command(ident: Annotated[str, typer.Argument(help="法规编号，如 civil-code")],
                 criteria: CriteriaOpt = None, regulations: RegulationsOpt = None,
                 debug: DebugOpt = False) -> None:
    """显示一部法规的通过、施行、修改和废止情况。"""
    with reported(debug):
        register = _register(criteria, regulations)
        if ident not in register:
            raise UsageError(f"法规库中没有编号为“{ident}”的法规；可用 score regulations list 查看全部编号")
        r = register.get(ident)
        lines = [f"{r.title}（{r.id}）", f"效力级别：{r.level}", f"制定机关：{r.issuer}",
                 f"通过日期：{r.adopted.isoformat()}", f"施行日期：{r.effective.isoformat()}"]
        lines += [f"修改：{a.adopted.isoformat()} {a.note}，{a.effective.isoformat()} 起施行"
                  for a in r.amendments]
        lines.append(f"状态：{status(r, register)}")
        for line in lines:
            stdout.print(line, markup=False)

"""`score criteria …`: list, show and validate the versions of a standard."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from scoring.cli.common import CriteriaOpt, DebugOpt, RegulationsOpt, reported, stdout
from scoring.criteria.model import Criteria, Item
from scoring.criteria.regulations import Register
from scoring.criteria.standard import load_standard

app = typer.Typer(help="考核标准：查看版本、查看内容、检查文件", no_args_is_help=True)

TYPE_NAMES = {"check": "是否", "scale": "打分", "choice": "选项", "deduct": "扣分", "count": "计数"}
EFFECT_NAMES = {"disqualify": "取消评选资格", "cap_grade": "最高评为", "zero_category": "该类别得分清零"}


@app.command("list")
def list_command(criteria: CriteriaOpt = None, regulations: RegulationsOpt = None,
                 debug: DebugOpt = False) -> None:
    """列出考核标准的各个版本及施行日期。"""
    with reported(debug):
        standard = load_standard(criteria, regulations)
        current = standard.in_force(date.today())
        table = Table(title=f"{standard.latest.title}（{standard.id}）")
        for header in ("版本", "施行日期", "项目数", "满分", "加分上限", "当前施行", "sha256"):
            table.add_column(header)
        for v in standard.versions:
            table.add_row(v.version, v.effective_from.isoformat(), str(len(v.items)), str(v.scale),
                          str(v.bonus_cap), "是" if v is current else "", v.sha256[:12])
        stdout.print(table)


def _rule(item: Item) -> str:
    if item.type == "scale":
        return f"0–{item.points} 分，{item.scale_step} 分一档"
    if item.type == "choice":
        return "、".join(f"{k}{v}分" for k, v in item.choices.items())
    if item.type == "deduct":
        return f"每处扣 {item.per_unit} 分，扣完为止"
    if item.type == "count":
        return f"每项 {item.per_unit} 分" + (f"（{'、'.join(item.conditions)}）" if item.conditions else "")
    return "是得分，否不得分"


def _basis(item: Item, register: Register) -> str:
    parts = []
    for b in item.basis:
        title = register.get(b.ref).short_title if b.ref in register else b.ref
        parts.append(f"《{title}》{b.article or ''}")
    return "；".join(parts)


def show_version(crit: Criteria, register: Register) -> None:
    """Print one version's categories, items, bonus, vetoes and grades."""
    stdout.print(f"{crit.title}  版本 {crit.label}  满分 {crit.scale}  多次检查：{crit.repeat}",
                 markup=False)
    table = Table(show_lines=False)
    for header in ("编号", "项目", "类型", "分值", "评分规则", "不适用", "免检"):
        table.add_column(header)
    for cat in crit.categories:
        tag = "（法治建设）" if cat.rule_of_law else ""
        table.add_section()
        table.add_row(cat.id, f"{cat.name}{tag}", "", str(cat.points), "", "", "")
        for i in cat.items:
            table.add_row(i.id, i.name, TYPE_NAMES[i.type], str(i.points), _rule(i),
                          "可" if i.na else "", "可" if i.exempt else "")
    if crit.bonus_items:
        table.add_section()
        table.add_row("", f"加分项目（上限 {crit.bonus_cap} 分）", "", "", "", "", "")
        for i in crit.bonus_items:
            table.add_row(i.id, i.name, TYPE_NAMES[i.type], str(i.points), _rule(i), "", "")
    stdout.print(table)
    stdout.print("法律依据：", markup=False)
    for i in crit.all_items:
        if i.basis:
            stdout.print(f"  {i.id} {i.name}：{_basis(i, register)}", markup=False)
    for v in crit.vetoes:
        effect = EFFECT_NAMES[v.effect] + (v.grade or "") + (f"（{v.category}）" if v.category else "")
        stdout.print(f"一票否决 {v.id} {v.name}：{effect}", markup=False)
    for g in crit.grades:
        extra = []
        if g.requires:
            extra.append("须满分：" + "、".join(g.requires))
        if g.min_rates:
            extra.append("类别得分率：" + "、".join(f"{k} ≥ {v:%}" for k, v in g.min_rates.items()))
        stdout.print(f"等级 {g.name}：{g.min} 分及以上{'，达标' if g.passing else '，不达标'}"
                     + (f"；{'；'.join(extra)}" if extra else ""), markup=False)


@app.command("show")
def show_command(version: Annotated[str, typer.Argument(help="版本号，如 2023.1")],
                 criteria: CriteriaOpt = None, regulations: RegulationsOpt = None,
                 debug: DebugOpt = False) -> None:
    """显示某个版本的全部类别、项目、加分、否决和等级。"""
    with reported(debug):
        standard = load_standard(criteria, regulations)
        show_version(standard.get(version), standard.register)


@app.command("validate")
def validate_command(
    path: Annotated[Path | None, typer.Argument(help="考核标准文件夹或版本文件；默认检查内置示例标准",
                                                show_default=False)] = None,
    regulations: RegulationsOpt = None,
    debug: DebugOpt = False,
) -> None:
    """检查考核标准文件：格式、分值合计、等级、引用的法规等，列出全部问题。"""
    with reported(debug):
        standard = load_standard(path, regulations)
        names = "、".join(v.version for v in standard.versions)
        stdout.print(f"检查通过：{standard.source} 共 {len(standard.versions)} 个版本（{names}），"
                     f"法规库 {len(standard.register.regulations)} 部法规。", markup=False)

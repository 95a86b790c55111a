"""`score criteria …`: list, show and validate the versions of a standard."""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from scoring.cli.common import CriteriaOpt, DebugOpt, RegulationsOpt, parse_day, reported, stderr, stdout
from scoring.criteria.audit import audit
from scoring.criteria.changelog import check_changelog
from scoring.criteria.diff import diff
from scoring.criteria.model import Criteria, Item
from scoring.criteria.regulations import Register
from scoring.criteria.standard import Standard, load_standard
from scoring.criteria.versioning import new_version, write_new_version
from scoring.errors import UsageError
from scoring.exact import percent
from scoring.outputs.criteria_reports import (
    REPEAT_NAMES,
    audit_table,
    category_label,
    diff_json,
    diff_tables,
    item_count,
)
from scoring.outputs.staging import text_writer, write_one
from scoring.outputs.tables import to_markdown, to_rich, write_workbook
from scoring.outputs.terminal import print_issues

app = typer.Typer(help="考核标准：查看版本、查看内容、检查文件", no_args_is_help=True)

TYPE_NAMES = {"check": "是否", "scale": "打分", "choice": "选项", "deduct": "扣分", "count": "计数"}
EFFECT_NAMES = {"disqualify": "取消评选资格", "cap_grade": "最高评为", "zero_category": "该类别得分清零"}


@app.command("list")
def list_command(criteria: CriteriaOpt = None, regulations: RegulationsOpt = None,
                 debug: DebugOpt = False) -> None:
    """列出考核标准的各个版本及施行日期。"""
    with reported(debug):
        standard = load_standard(criteria, regulations, schema=False)
        current = standard.in_force(date.today())
        table = Table(title=f"{standard.latest.title}（{standard.id}）")
        for header in ("版本", "施行日期", "项目", "满分", "加分上限", "当前施行", "sha256"):
            table.add_column(header)
        for v in standard.versions:
            table.add_row(v.version, v.effective_from.isoformat(), item_count(v), str(v.scale),
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
    stdout.print(f"{crit.title}  版本 {crit.label}  满分 {crit.scale}  {item_count(crit)}  "
                 f"多次检查：{REPEAT_NAMES[crit.repeat]}", markup=False)
    table = Table(show_lines=False)
    for header in ("编号", "项目", "类型", "分值", "评分规则", "不适用", "免检"):
        table.add_column(header)
    for cat in crit.categories:
        table.add_section()
        table.add_row(cat.id, category_label(cat), "", str(cat.points), "", "", "")
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
            extra.append("类别得分率：" + "、".join(f"{k} ≥ {percent(v)}" for k, v in g.min_rates.items()))
        stdout.print(f"等级 {g.name}：{g.min} 分及以上{'，达标' if g.passing else '，不达标'}"
                     + (f"；{'；'.join(extra)}" if extra else ""), markup=False)


@app.command("show")
def show_command(version: Annotated[str, typer.Argument(help="版本号，如 2023.1")],
                 criteria: CriteriaOpt = None, regulations: RegulationsOpt = None,
                 debug: DebugOpt = False) -> None:
    """显示某个版本的全部类别、项目、加分、否决和等级。"""
    with reported(debug):
        standard = load_standard(criteria, regulations, schema=False)
        show_version(standard.get(version), standard.register)


@app.command("validate")
def validate_command(
    path: Annotated[Path | None, typer.Argument(help="考核标准文件夹或版本文件；默认检查内置示例标准",
                                                show_default=False)] = None,
    criteria: CriteriaOpt = None,
    regulations: RegulationsOpt = None,
    debug: DebugOpt = False,
) -> None:
    """检查考核标准文件：格式、分值合计、等级、引用的法规等，列出全部问题。"""
    with reported(debug):
        if path is not None and criteria is not None:
            raise UsageError("请只用一种方式指定考核标准：写路径，或用 --criteria")
        standard = load_standard(path or criteria, regulations)
        warnings = [w for prev, version in zip(standard.versions, standard.versions[1:], strict=False)
                    for w in check_changelog(prev, version)]
        print_issues(stderr, warnings)
        names = "、".join(v.version for v in standard.versions)
        note = f"；更新记录有 {len(warnings)} 处与实际变更不符，请核对" if warnings else ""
        stdout.print(f"检查通过：{standard.source} 共 {len(standard.versions)} 个版本（{names}），"
                     f"法规库 {len(standard.register.regulations)} 部法规{note}。", markup=False)


class DiffFormat(StrEnum):
    """Output formats of `criteria diff`."""

    text = "text"
    markdown = "markdown"
    json = "json"
    xlsx = "xlsx"


def _version(ref: str, standard: Standard, regulations: Path | None) -> Criteria:
    """A version named by number (in the standard) or by the path of its file."""
    path = Path(ref)
    if ref.endswith(".json") and path.is_file():
        return load_standard(path, regulations).latest
    return standard.get(ref)


@app.command("diff")
def diff_command(
    a: Annotated[str, typer.Argument(help="原版本：版本号（如 2022.1）或版本文件路径")],
    b: Annotated[str, typer.Argument(help="新版本：版本号或版本文件路径")],
    fmt: Annotated[DiffFormat, typer.Option("--format", help="输出格式")] = DiffFormat.text,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="写入文件（xlsx 格式必填）",
                                                show_default=False)] = None,
    criteria: CriteriaOpt = None,
    regulations: RegulationsOpt = None,
    debug: DebugOpt = False,
) -> None:
    """对比两个版本：新增、删除、修改的项目（逐字段），各类别分值，等级、否决项和加分上限。"""
    with reported(debug):
        standard = load_standard(criteria, regulations)
        d = diff(_version(a, standard, regulations), _version(b, standard, regulations))
        tables = diff_tables(d, standard.register)
        if fmt is DiffFormat.xlsx:
            if output is None:
                raise UsageError("xlsx 格式需要用 -o 指定输出文件，例如 -o 标准对比.xlsx")
            write_one(output, lambda p: write_workbook(tables, p))
            stdout.print(f"已写入 {output}", markup=False)
            return
        if fmt is DiffFormat.text:
            if d.empty:
                stdout.print(f"{d.a.version} 与 {d.b.version} 没有差别。", markup=False)
            for table in tables:
                stdout.print(to_rich(table))
            return
        text = (json.dumps(diff_json(d), ensure_ascii=False, indent=2) + "\n" if fmt is DiffFormat.json
                else f"## 考核标准对比：{d.a.version} → {d.b.version}\n\n"
                + "\n".join(to_markdown(t) for t in tables))
        if output is None:
            print(text, end="")
        else:
            write_one(output, text_writer(text))
            stdout.print(f"已写入 {output}", markup=False)


def _audit_and_print(standard: Standard, versions: list[Criteria], as_of: date) -> bool:
    """Print the audit of `versions`; True when an error-level finding exists."""
    findings = audit(versions, standard.register, as_of)
    names = "、".join(v.version for v in versions)
    if not findings:
        stdout.print(f"审核通过（{as_of.isoformat()}）：版本 {names} 未引用已废止、已修改或法规库中没有的法规。",
                     markup=False)
        return False
    errors = sum(f.is_error for f in findings)
    stdout.print(to_rich(audit_table(findings, f"法规依据审核（截至 {as_of.isoformat()}，版本 {names}）")))
    stdout.print(f"共 {errors} 项错误、{len(findings) - errors} 项需复核。", markup=False)
    return errors > 0


@app.command("audit")
def audit_command(
    as_of: Annotated[str | None, typer.Option("--as-of", help="审核日期（默认今天），如 2023-01-01",
                                              show_default=False)] = None,
    all_versions: Annotated[bool, typer.Option("--all", help="审核所有版本，而不只是该日期施行的版本")] = False,
    criteria: CriteriaOpt = None,
    regulations: RegulationsOpt = None,
    debug: DebugOpt = False,
) -> None:
    """对照法规库审核各项目引用的法律法规：已废止（错误）、施行后又修改（需复核）、法规库中没有（错误）。"""
    with reported(debug):
        day = parse_day(as_of, "--as-of") if as_of else date.today()
        standard = load_standard(criteria, regulations, check_refs=False)
        if all_versions:
            versions = list(standard.versions)
        else:
            current = standard.in_force(day)
            if current is None:
                raise UsageError(f"{day.isoformat()} 没有施行中的版本（最早的版本 {standard.versions[0].label}）")
            versions = [current]
        if _audit_and_print(standard, versions, day):
            raise typer.Exit(1)


@app.command("new")
def new_command(
    source: Annotated[str, typer.Option("--from", help="以哪个版本为底稿，如 2023.1", show_default=False)],
    version: Annotated[str, typer.Option("--version", help="新版本号，如 2024.1", show_default=False)],
    effective: Annotated[str, typer.Option("--effective", help="新版本施行日期，如 2024-01-01",
                                           show_default=False)],
    criteria: CriteriaOpt = None,
    regulations: RegulationsOpt = None,
    debug: DebugOpt = False,
) -> None:
    """以现有版本为底稿创建新版本文件（不覆盖已有文件），并列出需要复核的法规依据。"""
    with reported(debug):
        day = parse_day(effective, "--effective")
        standard = load_standard(criteria, regulations, check_refs=False)
        if any(v.version == version for v in standard.versions):
            raise UsageError(f"版本 {version} 已存在，不会覆盖；请换一个版本号")
        target, text = new_version(standard.get(source), version, day, date.today())
        write_new_version(target, text)
        stdout.print(f"已创建 {target}：以 {source} 为底稿，{day.isoformat()} 起施行。请修改相关项目，"
                     "并在 changelog 中逐项写明变更。", markup=False)
        created = load_standard(target, regulations, check_refs=False).latest
        _audit_and_print(standard, [created], max(day, date.today()))

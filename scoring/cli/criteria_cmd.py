"""`score criteria …`: the life cycle of a standard — list, show, validate, diff, new, audit,
and the 标准编制表 (export / import, docs/design.md §12).

Heavy modules (jsonschema, xlsxwriter, the engine's readers) are imported inside the commands,
so that `score --help` and every `--help` start fast.
"""

from __future__ import annotations

import json
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from scoring.cli.common import (
    CriteriaOpt,
    DebugOpt,
    RegulationsOpt,
    WorkspaceOpt,
    command_inputs,
    open_standard,
    parse_day,
    rename_hint,
    reported,
    stderr,
    stdout,
)
from scoring.errors import UsageError
from scoring.exact import percent
from scoring.outputs.criteria_reports import REPEAT_NAMES, category_label, item_count

if TYPE_CHECKING:
    from scoring.criteria.model import Criteria, Item
    from scoring.criteria.regulations import Register
    from scoring.criteria.standard import Standard

app = typer.Typer(help="考核标准：查看版本、查看内容、检查文件、对比、新建版本、审核，导出/导入 Excel 编制表",
                  no_args_is_help=True)

TYPE_NAMES = {"check": "是否", "scale": "打分", "choice": "选项", "deduct": "扣分", "count": "计数"}
EFFECT_NAMES = {"disqualify": "取消评选资格", "cap_grade": "最高评为", "zero_category": "该类别得分清零"}


@app.command("list")
def list_command(criteria: CriteriaOpt = None, regulations: RegulationsOpt = None,
                 workspace: WorkspaceOpt = None, debug: DebugOpt = False) -> None:
    """列出考核标准的各个版本及施行日期。"""
    from rich.table import Table

    with reported(debug):
        standard = open_standard(criteria, regulations, workspace, schema=False)
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
    from scoring.criteria.lawref import cite, law_title

    return "；".join(cite(law_title(register, b.ref, short=True), b.article) for b in item.basis)


def show_version(crit: Criteria, register: Register) -> None:
    """Print one version's categories, items, bonus, vetoes and grades."""
    from rich.table import Table

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
    stdout.print(lists_text(crit), markup=False)


def lists_text(crit: Criteria) -> str:
    """The publication rules (docs/design.md §9) in one sentence."""
    rules = crit.lists
    red = f"红榜：前 {rules.red_top} 名（并列的一并上榜）"
    red += f"，且总分不低于 {rules.red_min_total}" if rules.red_min_total is not None else ""
    red += f"，且等级不低于{rules.red_min_grade}" if rules.red_min_grade else ""
    black = f"黑榜：后 {rules.black_bottom} 名（并列的一并上榜）"
    black += f"，或总分低于 {rules.black_max_total}" if rules.black_max_total is not None else ""
    black += "，或取消评选资格" if rules.black_include_disqualified else ""
    return f"公示规则：{red}；{black}"


@app.command("show")
def show_command(version: Annotated[str, typer.Argument(help="版本号，如 2023.1")],
                 criteria: CriteriaOpt = None, regulations: RegulationsOpt = None,
                 workspace: WorkspaceOpt = None, debug: DebugOpt = False) -> None:
    """显示某个版本的全部类别、项目、加分、否决和等级。"""
    with reported(debug):
        standard = open_standard(criteria, regulations, workspace, schema=False)
        show_version(standard.get(version), standard.register)


@app.command("validate")
def validate_command(
    path: Annotated[Path | None, typer.Argument(help="考核标准文件夹或版本文件；默认检查内置示例标准",
                                                show_default=False)] = None,
    criteria: CriteriaOpt = None,
    regulations: RegulationsOpt = None,
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
) -> None:
    """检查考核标准文件：格式、分值合计、等级、引用的法规等，列出全部问题。"""
    from scoring.criteria.changelog import check_changelog
    from scoring.outputs.terminal import print_issues

    with reported(debug):
        if path is not None and criteria is not None:
            raise UsageError("请只用一种方式指定考核标准：写路径，或用 --criteria")
        standard = open_standard(path or criteria, regulations, workspace)
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
    from scoring.criteria.standard import load_standard

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
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
) -> None:
    """对比两个版本：新增、删除、修改的项目（逐字段），各类别分值，等级、否决项、加分上限和公示规则。"""
    from scoring.criteria.diff import diff
    from scoring.outputs.criteria_reports import diff_json, diff_tables
    from scoring.outputs.staging import text_writer, write_one
    from scoring.outputs.tables import to_markdown, to_rich, write_workbook

    with reported(debug):
        standard = open_standard(criteria, regulations, workspace)
        d = diff(_version(a, standard, regulations), _version(b, standard, regulations))
        inputs = command_inputs(standard, ("考核标准文件", Path(d.a.path)), ("考核标准文件", Path(d.b.path)))
        tables = diff_tables(d, standard.register)
        if fmt is DiffFormat.xlsx:
            if output is None:
                raise UsageError("xlsx 格式需要用 -o 指定输出文件，例如 -o 标准对比.xlsx")
            write_one(output, lambda p: write_workbook(tables, p), inputs=inputs, hint=rename_hint("-o"))
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
            write_one(output, text_writer(text), inputs=inputs, hint=rename_hint("-o"))
            stdout.print(f"已写入 {output}", markup=False)


def _audit_and_print(standard: Standard, versions: list[Criteria], as_of: date) -> bool:
    """Print the audit of `versions`; True when an error-level finding exists."""
    from scoring.criteria.audit import audit
    from scoring.outputs.criteria_reports import audit_table
    from scoring.outputs.tables import to_rich

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
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
) -> None:
    """对照法规库审核各项目引用的法律法规：已废止（错误）、施行后又修改（需复核）、法规库中没有（错误）。"""
    with reported(debug):
        day = parse_day(as_of, "--as-of") if as_of else date.today()
        standard = open_standard(criteria, regulations, workspace, check_refs=False)
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
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
) -> None:
    """以现有版本为底稿，在工作区中创建新版本文件（不覆盖已有文件，不写入内置示例），并列出需要复核的法规依据。"""
    from scoring.criteria.standard import load_standard
    from scoring.criteria.versioning import check_new_version, date_warnings, new_version, write_new_version
    from scoring.outputs.terminal import print_issues

    with reported(debug):
        day = parse_day(effective, "--effective")
        standard = open_standard(criteria, regulations, workspace, check_refs=False)
        check_new_version(standard, version, day)
        target, text = new_version(standard.get(source), version, day, date.today())
        write_new_version(target, text)
        stdout.print(f"已创建 {target}：以 {source} 为底稿，{day.isoformat()} 起施行。请修改相关项目，"
                     "并在 changelog 中逐项写明变更。", markup=False)
        print_issues(stderr, date_warnings(standard, version, day, date.today()))
        created = load_standard(target, regulations, check_refs=False).latest
        _audit_and_print(standard, [created], max(day, date.today()))


@app.command("export")
def export_command(
    version: Annotated[str | None, typer.Argument(help="版本号，如 2023.1；默认为今天施行的版本",
                                                  show_default=False)] = None,
    output: Annotated[Path, typer.Option("--output", "-o", help="导出的标准编制表，如 标准.xlsx",
                                         show_default=False)] = Path("标准.xlsx"),
    criteria: CriteriaOpt = None,
    regulations: RegulationsOpt = None,
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
) -> None:
    """把一个版本导出为 Excel 标准编制表（项目、选项、加分项、否决项、等级、公示规则、变更记录等），修改后导入。"""
    from scoring.criteria.exporting import export_standard

    with reported(debug):
        standard = open_standard(criteria, regulations, workspace)
        crit = standard.get(version) if version else (standard.in_force(date.today()) or standard.latest)
        written = export_standard(crit, standard.register, output)
        stdout.print(f"已导出 {crit.label} 到 {written}。在 Excel/WPS 中修改后运行：score criteria import {written}",
                     markup=False)


@app.command("import")
def import_command(
    workbook: Annotated[Path, typer.Argument(help="修改好的标准编制表 .xlsx", show_default=False)],
    version: Annotated[str | None, typer.Option("--version", help="新版本号（默认取“基本信息”中的版本号）",
                                                show_default=False)] = None,
    effective: Annotated[str | None, typer.Option("--effective", help="施行日期（默认取“基本信息”中的施行日期）",
                                                  show_default=False)] = None,
    draft_changelog: Annotated[bool, typer.Option(
        "--draft-changelog", help="变更记录中没有本版本的记录时，按与上一版本的对比起草")] = False,
    criteria: CriteriaOpt = None,
    regulations: RegulationsOpt = None,
    workspace: WorkspaceOpt = None,
    debug: DebugOpt = False,
) -> None:
    """导入标准编制表为新版本：检查全部内容，保存到工作区，显示与上一版本的对比、变更记录核对和法规依据审核。"""
    from scoring.criteria.importing import import_standard
    from scoring.outputs.criteria_reports import diff_tables
    from scoring.outputs.tables import to_rich
    from scoring.outputs.terminal import print_issues

    with reported(debug):
        day = parse_day(effective, "--effective") if effective else None
        if not workbook.is_file():
            raise UsageError(f"找不到标准编制表 {workbook}")
        standard = open_standard(criteria, regulations, workspace)
        result = import_standard(workbook, standard, version=version, effective=day,
                                 draft_changelog=draft_changelog)
        stdout.print(f"已导入 {result.version.label}，保存为 {result.target}。", markup=False)
        if result.diff is not None:
            if result.diff.empty:
                stdout.print(f"与 {result.diff.a.version} 版没有差别。", markup=False)
            else:
                stdout.print(f"与 {result.diff.a.version} 版的对比：", markup=False)
                for table in diff_tables(result.diff, standard.register):
                    stdout.print(to_rich(table))
        print_issues(stderr, result.warnings)
        day_audit = max(date.today(), result.version.effective_from)
        _audit_and_print(standard, [result.version], day_audit)

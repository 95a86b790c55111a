"""考核标准: the versions of the workspace's standard, one version's items with their legal
basis, the diff of two versions (`score criteria diff`) and the audit against the regulations
register (`score criteria audit`), repealed and amended laws flagged; the standard and the
register as Excel workbooks (docs/design.md §12): downloaded (`score criteria export`, `score
regulations export`) and uploaded back (`score criteria import`, `score regulations import`)."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from scoring.cli.criteria_cmd import EFFECT_NAMES, TYPE_NAMES
from scoring.criteria.model import Criteria, Item
from scoring.criteria.regulations import Register
from scoring.errors import ScoreError
from scoring.issues import Issue
from scoring.web.render import attachment, config_of, guarded, page
from scoring.web.uploads import stored_workbook, uploads_dir
from scoring.web.views.scoring_page import need_workspace

if TYPE_CHECKING:
    from scoring.criteria.standard import Standard
    from scoring.workspace import Workspace

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
STANDARD_BOOK = "标准编制表"
REGISTER_BOOK = "法规库编制表"
# The library's messages name command-line options; on the page the same advice names the form.
WEB_WORDS = {
    "可加 --draft-changelog 由程序按": "上传时可勾选“根据对比起草变更记录”，由程序按",
    "请导出后在“变更记录”中核对": "请在本页下载该版本的标准编制表，在“变更记录”中核对",
    "重新评分（score run）时": "重新评分（在“评分”页重新上传检查记录）时",
    "可用 score regulations list 查看法规库": "可在本页下载法规库编制表查看",
    "（score regulations export 导出、填写后 score regulations import 导入）":
        "（在本页下载法规库编制表，填写后上传）",
}


def basis_text(item: Item, register: Register) -> str:
    """《法规》第N条；… as the office writes a legal basis."""
    return "；".join(f"《{register.get(b.ref).short_title if b.ref in register else b.ref}》{b.article or ''}"
                    for b in item.basis)


@guarded
async def criteria_page(request: Request) -> Response:
    """Versions, and the items of `?version=` (default the one in force today)."""
    from scoring.web.cache import standard_of

    standard = standard_of(need_workspace(config_of(request)))
    wanted = request.query_params.get("version", "").strip()
    crit = standard.get(wanted) if wanted else (standard.in_force(date.today()) or standard.latest)
    return page(request, "criteria.html", {
        "title": "考核标准", "active": "criteria", "standard": standard, "crit": crit,
        "versions": list(reversed(standard.versions)), "basis": lambda i: basis_text(i, standard.register),
        "type_names": TYPE_NAMES, "effects": EFFECT_NAMES, "max_mb": config_of(request).limits.max_size_mb})


@guarded
async def criteria_diff(request: Request) -> Response:
    """Two versions compared item by item: `?a=V&b=V`."""
    from scoring.criteria.diff import diff
    from scoring.outputs.criteria_reports import diff_tables
    from scoring.web.cache import standard_of

    standard = standard_of(need_workspace(config_of(request)))
    a = standard.get(request.query_params.get("a", "").strip())
    b = standard.get(request.query_params.get("b", "").strip())
    d = diff(a, b)
    return page(request, "tables.html", {
        "title": f"考核标准 {a.version} 与 {b.version} 对比", "active": "criteria",
        "lead": "两个版本完全相同。" if d.empty else f"{a.version} → {b.version} 的全部变更：",
        "tables": diff_tables(d, standard.register)})


@guarded
async def criteria_audit(request: Request) -> Response:
    """Every version's legal bases checked against the register as of `?as_of=` (default today)."""
    from scoring.cli.common import parse_day
    from scoring.criteria.audit import audit
    from scoring.outputs.criteria_reports import audit_table
    from scoring.web.cache import standard_of

    standard = standard_of(need_workspace(config_of(request)))
    text = request.query_params.get("as_of", "").strip()
    as_of = parse_day(text, "审核日期") if text else date.today()
    findings = audit(list(standard.versions), standard.register, as_of)
    errors = sum(f.is_error for f in findings)
    lead = (f"截至 {as_of.isoformat()}，各版本引用的法规均有效。" if not findings else
            f"截至 {as_of.isoformat()}：{errors} 处引用已废止或法规库中没有的法规（错误），"
            f"{len(findings) - errors} 处需复核。")
    return page(request, "tables.html", {"title": "法律依据审核", "active": "criteria", "lead": lead,
                                         "tables": [audit_table(findings, "审核结果")] if findings else []})


def _xlsx_in_workspace(workspace: Workspace, write: Callable[[Path], object]) -> bytes:
    """A workbook written by `write` into a temporary folder inside the workspace, read back,
    and the folder removed."""
    parent = uploads_dir(workspace)
    parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".export-", dir=parent) as folder:
        path = Path(folder) / "book.xlsx"
        write(path)
        return path.read_bytes()


@guarded
async def criteria_download(request: Request) -> Response:
    """`?version=V` (default the one in force today) as the 标准编制表 (`score criteria export`)."""
    from scoring.criteria.exporting import export_standard
    from scoring.web.cache import standard_of

    workspace = need_workspace(config_of(request))
    standard = standard_of(workspace)
    wanted = request.query_params.get("version", "").strip()
    crit = standard.get(wanted) if wanted else (standard.in_force(date.today()) or standard.latest)
    data = await run_in_threadpool(
        _xlsx_in_workspace, workspace, lambda path: export_standard(crit, standard.register, path))
    return attachment(data, f"{STANDARD_BOOK}（{crit.version}版）.xlsx", XLSX)


@guarded
async def regulations_download(request: Request) -> Response:
    """The workspace's regulations register as the 法规库编制表 (`score regulations export`)."""
    from scoring.criteria.jsonfile import read_json
    from scoring.criteria.register_workbook import write_register_workbook
    from scoring.errors import InvalidCriteriaError
    from scoring.web.cache import standard_of

    workspace = need_workspace(config_of(request))
    register = standard_of(workspace).register
    data, _, issues = read_json(Path(register.path))
    if issues:
        raise InvalidCriteriaError(f"无法读取 {register.path}", issues)
    book = await run_in_threadpool(_xlsx_in_workspace, workspace,
                                   lambda path: write_register_workbook(data, path))
    return attachment(book, f"{REGISTER_BOOK}.xlsx", XLSX)


def _words(text: str, stored: Path, name: str) -> str:
    """A library message as the page says it: the upload by its own name, the form's words."""
    text = text.replace(str(stored), name)
    for cli, web in WEB_WORDS.items():
        text = text.replace(cli, web)
    return text


def _shown(issues: list[Issue], stored: Path, name: str) -> list[Issue]:
    return [replace(i, message=_words(i.message, stored, name),
                    file=name if i.file and i.file.startswith(str(stored)) else i.file) for i in issues]


@dataclass(frozen=True)
class Problem:
    """One row of the problem table of an upload."""

    level: str
    cell: str
    item: str
    message: str


def problem_rows(issues: list[Issue]) -> list[Problem]:
    """Issues of one workbook as rows: the sheet!cell (the file is the upload itself)."""
    rows = []
    for i in issues:
        cell = f"{i.sheet}!{i.cell}" if i.sheet and i.cell else i.sheet or i.where or i.path or ""
        rows.append(Problem("错误" if i.is_error else "提示", cell, i.item or "", f"{i.message}（{i.code}）"))
    return rows


def _audit_lead(findings: list[Any], as_of: date, versions: list[Criteria]) -> str:
    names = "、".join(v.version for v in versions)
    if not findings:
        return f"审核通过（{as_of.isoformat()}）：版本 {names} 未引用已废止、已修改或法规库中没有的法规。"
    errors = sum(f.is_error for f in findings)
    return f"截至 {as_of.isoformat()}，版本 {names}：{errors} 项错误、{len(findings) - errors} 项需复核。"


def _refused(request: Request, exc: ScoreError, stored: Path, name: str, what: str) -> Response:
    """The import stopped: every problem as a table, nothing written."""
    status = {1: 422, 2: 400, 3: 503}.get(exc.exit_code, 400)
    return page(request, "criteria_import.html", {
        "title": f"{what}未导入", **_result(name, False, _words(exc.message, stored, name),
                                            problems=problem_rows(_shown(exc.issues, stored, name)))}, status)


def _result(name: str, ok: bool, message: str, **parts: Any) -> dict[str, Any]:
    """The context of criteria_import.html: every part present (the template is strict)."""
    return {"active": "criteria", "name": name, "ok": ok, "message": message, "problems": [], "version": None,
            "diff_lead": "", "diff_tables": [], "checked": False, "changes": [], "audit_lead": "",
            "audit_tables": [], **parts}


@guarded
async def criteria_import(request: Request) -> Response:
    """POST (multipart): a filled 标准编制表 imported as a new version (`score criteria import`,
    with 版本号, 施行日期 and the --draft-changelog choice); the result, or every problem."""
    from scoring.cli.common import parse_day
    from scoring.criteria.audit import audit
    from scoring.criteria.importing import import_standard
    from scoring.outputs.criteria_reports import audit_table, diff_tables
    from scoring.web.cache import standard_of

    config = config_of(request)
    workspace = need_workspace(config)
    async with request.form(max_files=1, max_fields=10) as form:
        version = str(form.get("version") or "").strip() or None
        effective = str(form.get("effective") or "").strip()
        draft = form.get("draft_changelog") == "1"
        day = parse_day(effective, "施行日期") if effective else None
        async with stored_workbook(workspace, form.get("workbook"), config.limits, STANDARD_BOOK) as (stored, name):
            standard = standard_of(workspace)
            try:
                result = await run_in_threadpool(import_standard, stored, standard, version=version,
                                                 effective=day, draft_changelog=draft)
            except ScoreError as exc:
                return _refused(request, exc, stored, name, STANDARD_BOOK)
            warnings = _shown(result.warnings, stored, name)
    as_of = max(date.today(), result.version.effective_from)
    findings = audit([result.version], standard.register, as_of)
    d = result.diff
    diff_lead = ("没有更早的版本，无从对比。" if d is None else
                 f"与 {d.a.version} 版没有差别。" if d.empty else f"与 {d.a.version} 版的对比：")
    saved = result.target.relative_to(workspace.root).as_posix()
    return page(request, "criteria_import.html", {"title": "标准编制表已导入", **_result(
        name, True, f"已导入 {result.version.label}，保存为工作区的 {saved}。",
        version=result.version.version, diff_lead=diff_lead,
        diff_tables=diff_tables(d, standard.register) if d and not d.empty else [],
        checked=result.previous is not None, problems=problem_rows(warnings),
        audit_lead=_audit_lead(findings, as_of, [result.version]),
        audit_tables=[audit_table(findings, "法规依据审核")] if findings else [])})


def _governing(standard: Standard, today: date) -> list[Criteria]:
    """The version in force today and any later ones: those a register change can still affect."""
    current = standard.in_force(today)
    return [v for v in standard.versions if v is current or v.effective_from > today]


@guarded
async def regulations_import(request: Request) -> Response:
    """POST (multipart): a filled 法规库编制表 replaces the workspace's register after every check
    (`score regulations import`); what changed and the audit of the versions in force, or every
    problem."""
    from scoring.criteria.audit import audit
    from scoring.criteria.lawref import cite
    from scoring.criteria.register_workbook import import_register
    from scoring.outputs.criteria_reports import audit_table
    from scoring.web.cache import standard_of

    config = config_of(request)
    workspace = need_workspace(config)
    async with (request.form(max_files=1, max_fields=10) as form,
                stored_workbook(workspace, form.get("workbook"), config.limits, REGISTER_BOOK) as (stored, name)):
        try:
            update = await run_in_threadpool(import_register, stored, workspace)
        except ScoreError as exc:
            return _refused(request, exc, stored, name, REGISTER_BOOK)
    changes = [f"{label}：" + "、".join(cite(t) for t in titles)
               for label, titles in (("新增", update.added), ("新增修正", update.amended), ("新废止", update.repealed))
               if titles]
    standard = standard_of(workspace)
    today = date.today()
    versions = _governing(standard, today)
    findings = audit(versions, standard.register, today)
    saved = update.path.relative_to(workspace.root).as_posix()
    return page(request, "criteria_import.html", {"title": "法规库编制表已导入", **_result(
        name, True, f"已更新法规库（工作区的 {saved}）：共 {update.count} 部法规。",
        changes=changes or ["与原法规库相比没有新增、修正或废止的法规。"],
        audit_lead=_audit_lead(findings, today, versions),
        audit_tables=[audit_table(findings, "法规依据审核")] if findings else [])})

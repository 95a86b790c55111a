"""考核标准: the versions of the workspace's standard, one version's items with their legal
basis, the diff of two versions (`score criteria diff`) and the audit against the regulations
register (`score criteria audit`), repealed and amended laws flagged."""

from __future__ import annotations

from datetime import date

from starlette.requests import Request
from starlette.responses import Response

from scoring.cli.criteria_cmd import EFFECT_NAMES, TYPE_NAMES
from scoring.criteria.model import Item
from scoring.criteria.regulations import Register
from scoring.web.render import config_of, guarded, page
from scoring.web.views.scoring_page import need_workspace


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
        "type_names": TYPE_NAMES, "effects": EFFECT_NAMES})


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

"""Criteria diff and audit findings as tables and JSON."""

from __future__ import annotations

from typing import Any

from scoring.criteria.audit import Finding
from scoring.criteria.diff import GRADE_FIELDS, ITEM_FIELDS, VETO_FIELDS, CriteriaDiff
from scoring.criteria.lawref import cite, law_title
from scoring.criteria.model import Category, Criteria
from scoring.criteria.regulations import Register
from scoring.outputs.tables import Table

ACTIONS = {"added": "新增", "removed": "删除", "changed": "修改"}
KINDS = {"item": "项目", "veto": "否决项", "grade": "等级"}
FIELD_NAMES = {**ITEM_FIELDS, **VETO_FIELDS, **GRADE_FIELDS,
               "scale": "满分", "bonus_cap": "加分上限", "repeat": "多次检查合并方式",
               "lists": "公示规则"}
LEVELS = {"error": "错误", "review": "需复核"}
# docs/design.md §4: how several inspections of one courtyard in a period combine.
REPEAT_NAMES = {"mean": "取平均分", "latest": "取最近一次", "min": "取最低分"}


def item_count(crit: Criteria) -> str:
    """One count of a version's items, with its parts: 33 个评分项目、3 个加分项目、3 个否决项."""
    parts = [f"{len(crit.items)} 个评分项目"]
    if crit.bonus_items:
        parts.append(f"{len(crit.bonus_items)} 个加分项目")
    if crit.vetoes:
        parts.append(f"{len(crit.vetoes)} 个否决项")
    return "、".join(parts)


def category_label(cat: Category) -> str:
    """A category's name, marked （法治建设） when tagged rule_of_law and not already so named."""
    return f"{cat.name}（法治建设）" if cat.rule_of_law and "法治" not in cat.name else cat.name


def describe(value: Any, register: Register) -> str:
    """A field value in words: choices, citations, lists, booleans."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, dict):
        return "、".join(f"{k}{v}" for k, v in value.items()) or "—"
    if isinstance(value, list):
        parts = []
        for v in value:
            if isinstance(v, dict) and "ref" in v:
                parts.append(cite(law_title(register, v["ref"], short=True), v.get("article")))
            else:
                parts.append(str(v))
        return "；".join(parts) or "—"
    return str(value)


def diff_tables(d: CriteriaDiff, register: Register) -> list[Table]:
    """The diff as tables: entries changed, category totals, settings."""
    rows = []
    for e in d.entries:
        head = [KINDS[e.kind], e.id, e.name, ACTIONS[e.action]]
        if not e.fields:
            rows.append([*head, None, None, None])
        for f in e.fields:
            rows.append([*head, FIELD_NAMES.get(f.field, f.field), describe(f.before, register),
                         describe(f.after, register)])
    for s in d.settings:
        before, after = ((REPEAT_NAMES.get(str(v), v) for v in (s.before, s.after)) if s.field == "repeat"
                         else (s.before, s.after))
        rows.append(["设置", "", FIELD_NAMES[s.field], ACTIONS["changed"], FIELD_NAMES[s.field],
                     describe(before, register), describe(after, register)])
    cats = [[cid, name, before, after,
             (after or 0) - (before or 0) if before != after else 0]
            for cid, name, before, after in d.categories]
    title = f"{d.a.version} → {d.b.version}"
    return [
        Table(f"变更明细（{title}）", ["类型", "编号", "名称", "变化", "字段", "原来", "现在"], rows),
        Table(f"类别分值（{title}）", ["类别", "名称", "原分值", "现分值", "增减"],
              [[c[0], c[1], *(float(x) if x is not None else None for x in c[2:])] for c in cats],
              ["", "", "score", "score", "delta"]),
    ]


def diff_json(d: CriteriaDiff) -> dict[str, Any]:
    """The diff as data."""
    return {
        "from": {"version": d.a.version, "effective_from": d.a.effective_from.isoformat()},
        "to": {"version": d.b.version, "effective_from": d.b.effective_from.isoformat()},
        "changes": [
            {"kind": e.kind, "id": e.id, "name": e.name, "action": e.action,
             "fields": [{"field": f.field, "before": f.before, "after": f.after} for f in e.fields]}
            for e in d.entries
        ],
        "categories": [
            {"id": cid, "name": name, "before": None if x is None else float(x),
             "after": None if y is None else float(y)}
            for cid, name, x, y in d.categories
        ],
        "settings": [{"field": s.field, "before": s.before, "after": s.after} for s in d.settings],
    }


def audit_table(findings: list[Finding], title: str) -> Table:
    """Findings as a table (item, law, article, finding, date, replacement)."""
    return Table(title, ["版本", "项目", "法规", "条款", "结论", "问题", "日期", "替代法规"], [
        [f.version, f"{f.item} {f.item_name}", f.law, f.article or None, LEVELS[f.level], f.finding,
         f.on.isoformat() if f.on else None, f.replacement]
        for f in findings
    ])

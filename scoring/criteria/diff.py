"""What changed between two versions of a standard: items added, removed and changed field by
field, category totals before and after, grades, vetoes, bonus cap, scale, repeat policy and the
publication rules (`lists`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from scoring.criteria.model import Criteria, Grade, Item, Lists, Veto

# Item fields compared, with the office's name for each.
ITEM_FIELDS = {
    "name": "名称", "type": "类型", "points": "分值", "per_unit": "每处/每项分值", "step": "步长",
    "choices": "选项", "conditions": "计数条件", "na": "可填不适用", "exempt": "可免检",
    "basis": "依据", "category": "所属类别", "standard": "考评标准", "method": "考核方式",
}
VETO_FIELDS = {"name": "名称", "effect": "否决后果", "grade": "限定等级", "category": "清零类别",
               "basis": "依据"}
GRADE_FIELDS = {"min": "分数线", "passing": "是否达标", "requires": "前置条件", "min_rates": "类别得分率"}


def _plain(value: Any) -> Any:
    """A field value in comparable, printable form."""
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "ref"):
        return {"ref": value.ref, "article": value.article}
    return value


def _lists(lists: Lists) -> dict[str, str]:
    """The publication rules as comparable, printable data, in the office's words."""
    def shown(value: Any) -> str:
        return "不限" if value is None else "是" if value is True else "否" if value is False else str(_plain(value))

    return {"红榜名额：": shown(lists.red_top), "红榜最低总分：": shown(lists.red_min_total),
            "红榜最低等级：": shown(lists.red_min_grade), "黑榜名额：": shown(lists.black_bottom),
            "黑榜最高总分：": shown(lists.black_max_total),
            "黑榜包含取消评选资格：": shown(lists.black_include_disqualified)}


def _item_values(item: Item) -> dict[str, Any]:
    values = {name: _plain(getattr(item, name)) for name in ITEM_FIELDS if name != "step"}
    values["step"] = _plain(item.scale_step) if item.type == "scale" else None
    values["category"] = item.category or "加分"
    return values


@dataclass(frozen=True)
class FieldChange:
    """One field of one item, veto or grade: before → after."""

    field: str
    before: Any
    after: Any


@dataclass(frozen=True)
class EntryChange:
    """An item, veto or grade that was added, removed or changed."""

    kind: str  # item | veto | grade
    id: str
    name: str
    action: str  # added | removed | changed
    fields: tuple[FieldChange, ...] = ()


@dataclass
class CriteriaDiff:
    """Everything that differs between versions `a` and `b`."""

    a: Criteria
    b: Criteria
    entries: list[EntryChange] = field(default_factory=list)
    categories: list[tuple[str, str, Decimal | None, Decimal | None]] = field(default_factory=list)
    settings: list[FieldChange] = field(default_factory=list)  # scale, bonus cap, repeat

    @property
    def empty(self) -> bool:
        """Whether nothing changed (category totals follow from item changes)."""
        return not self.entries and not self.settings


def _compare(kind: str, before: dict[str, tuple[str, dict[str, Any]]],
             after: dict[str, tuple[str, dict[str, Any]]]) -> list[EntryChange]:
    out = []
    for ident, (name, values) in after.items():
        if ident not in before:
            out.append(EntryChange(kind, ident, name, "added"))
            continue
        old = before[ident][1]
        fields = tuple(FieldChange(f, old.get(f), v) for f, v in values.items() if old.get(f) != v)
        if fields:
            out.append(EntryChange(kind, ident, name, "changed", fields))
    out += [EntryChange(kind, ident, name, "removed") for ident, (name, _) in before.items()
            if ident not in after]
    return out


def _veto(v: Veto) -> tuple[str, dict[str, Any]]:
    return v.name, {f: _plain(getattr(v, f)) for f in VETO_FIELDS}


def _grade(g: Grade) -> tuple[str, dict[str, Any]]:
    return g.name, {f: _plain(getattr(g, f)) for f in GRADE_FIELDS}


def diff(a: Criteria, b: Criteria) -> CriteriaDiff:
    """Compare version `a` (before) with version `b` (after)."""
    result = CriteriaDiff(a, b)
    result.entries += _compare("item", {i.id: (i.name, _item_values(i)) for i in a.all_items},
                               {i.id: (i.name, _item_values(i)) for i in b.all_items})
    result.entries += _compare("veto", {v.id: _veto(v) for v in a.vetoes},
                               {v.id: _veto(v) for v in b.vetoes})
    result.entries += _compare("grade", {g.name: _grade(g) for g in a.grades},
                               {g.name: _grade(g) for g in b.grades})
    before = {c.id: c for c in a.categories}
    after = {c.id: c for c in b.categories}
    for cid in [*after, *(c for c in before if c not in after)]:
        name = (after.get(cid) or before[cid]).name
        result.categories.append((cid, name, before[cid].points if cid in before else None,
                                  after[cid].points if cid in after else None))
    for name, x, y in (("scale", a.scale, b.scale), ("bonus_cap", a.bonus_cap, b.bonus_cap),
                       ("repeat", a.repeat, b.repeat)):
        if x != y:
            result.settings.append(FieldChange(name, _plain(x), _plain(y)))
    if a.lists != b.lists:
        result.settings.append(FieldChange("lists", _lists(a.lists), _lists(b.lists)))
    return result

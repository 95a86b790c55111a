"""Why a courtyard got its score: every item with its value, points and source cells, the vetoes
and their effect, why this grade (threshold, prerequisites, category minimums), and what it
would take to reach the next grade — the items whose full marks would close the gap, cheapest
first. Computed from results.json and the criteria; nothing is re-scored."""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, field
from decimal import Decimal
from typing import Any

from scoring.criteria.model import Criteria, Grade
from scoring.criteria.standard import Standard
from scoring.errors import UsageError
from scoring.report.facts import half_up, versions_of

EFFECTS = {"disqualify": "取消评选资格，不参加排名", "cap_grade": "等级最高评为{grade}",
           "zero_category": "“{category}”类别该次检查得分清零"}


@dataclass
class ItemLine:
    """One item of the courtyard."""

    id: str
    name: str
    category: str
    value: str | None
    earned: float | None
    possible: float
    cells: list[str]
    status: str  # 满分 / 失分 / 不适用 / 免检 / 加分


@dataclass
class Step:
    """Bringing one item to full marks: what it adds to the total."""

    id: str
    name: str
    lost: float  # points of the item not earned
    gain: float  # points of the total it would add
    required: bool  # a prerequisite of the next grade


@dataclass
class Explanation:
    """Everything `score explain` shows."""

    community: str
    courtyard: str
    version: str
    inspections: int
    total: float
    base: float
    bonus: float
    grade: str
    rank: int | None
    rank_in_community: int | None
    disqualified: bool
    items: list[ItemLine] = field(default_factory=list)
    vetoes: list[str] = field(default_factory=list)
    grade_reasons: list[str] = field(default_factory=list)
    next_grade: str | None = None
    gap: float | None = None  # points still missing to the next grade's threshold
    steps: list[Step] = field(default_factory=list)
    reachable: bool = True  # whether full marks on every item would reach the next grade

    def as_dict(self) -> dict[str, Any]:
        """The same as data (`score explain --json`)."""
        return asdict(self)


def find_courtyard(results: dict[str, Any], name: str) -> dict[str, Any]:
    """The courtyard called `name`, or `社区/楼院`; UsageError listing matches or near names."""
    yards = results["courtyards"]
    community, _, courtyard = name.rpartition("/")
    matches = [y for y in yards if y["courtyard"] == courtyard and (not community or y["community"] == community)]
    if len(matches) == 1:
        return dict(matches[0])
    if matches:
        options = "、".join(sorted(f"{y['community']}/{y['courtyard']}" for y in matches))
        raise UsageError(f"有 {len(matches)} 个楼院都叫“{courtyard}”，请写成 社区/楼院，如：{options}")
    names = list(dict.fromkeys(y["courtyard"] for y in yards))
    near = difflib.get_close_matches(courtyard, names, n=3, cutoff=0.4)
    hint = f"；是否要找：{'、'.join(near)}" if near else ""
    raise UsageError(f"结果中没有楼院“{name}”{hint}")


def _version(yard: dict[str, Any], versions: list[Criteria]) -> Criteria:
    """The version whose items match the courtyard's best (newest on a tie)."""
    ids = set(yard["items"])
    return max(versions, key=lambda c: (len(ids & {i.id for i in c.all_items}), c.effective_from))


def _items(yard: dict[str, Any], crit: Criteria) -> list[ItemLine]:
    lines = []
    categories = {i.id: c.name for c in crit.categories for i in c.items}
    for item in crit.all_items:
        got = yard["items"].get(item.id)
        if got is None:
            continue
        earned, possible = got["earned"], got["possible"]
        if item.category is None:
            status = "加分"
        elif earned is None:
            status = "不适用"
        elif got.get("value") == "免检":
            status = "免检"
        else:
            status = "满分" if earned == possible else "失分"
        lines.append(ItemLine(item.id, item.name, categories.get(item.id, "加分"), got.get("value"), earned,
                              possible, list(got.get("cells", [])), status))
    return lines


def _grade_check(grade: Grade, yard: dict[str, Any], crit: Criteria) -> list[str]:
    """Why `yard` falls short of `grade` (empty when it meets it)."""
    reasons = []
    if Decimal(str(yard["total"])) < grade.min:
        reasons.append(f"总分 {yard['total']:.2f} 低于 {grade.min} 分")
    for ident in grade.requires:
        got = yard["items"].get(ident)
        if got is not None and got["earned"] is not None and got["earned"] < got["possible"]:
            reasons.append(f"前置条件“{ident} {crit.item(ident).name}”未得满分"
                           f"（{got['earned']:.2f}/{got['possible']:.2f}）")
    for cat, minimum in grade.min_rates.items():
        rate = (yard["categories"].get(cat) or {}).get("rate")
        if rate is not None and Decimal(str(rate)) < minimum:
            name = next((c.name for c in crit.categories if c.id == cat), cat)
            reasons.append(f"“{name}”得分率 {rate:.1%} 低于要求的 {float(minimum):.0%}")
    return reasons


def _steps(yard: dict[str, Any], crit: Criteria, lines: list[ItemLine], target: Grade) -> tuple[list[Step], bool]:
    """Items to bring to full marks for `target`, prerequisites first, then cheapest first until
    the gap is closed. A point of an item adds scale / (points possible) to the total."""
    possible = sum(c["possible"] for c in yard["categories"].values() if c["possible"])
    factor = float(crit.scale) / possible if possible else 0.0
    gap = float(target.min) - yard["total"]
    required = set(target.requires)
    for cat in target.min_rates:
        rate = (yard["categories"].get(cat) or {}).get("rate")
        if rate is not None and Decimal(str(rate)) < target.min_rates[cat]:
            required |= {line.id for line in lines if line.status == "失分" and line.category ==
                         next((c.name for c in crit.categories if c.id == cat), cat)}
    short = [line for line in lines if line.status == "失分"]
    candidates = sorted(
        (Step(line.id, line.name, float(half_up(line.possible - (line.earned or 0))),
              float(half_up((line.possible - (line.earned or 0)) * factor)), line.id in required)
         for line in short),
        key=lambda s: (not s.required, s.gain, s.id))
    chosen: list[Step] = []
    gained = 0.0
    for step in candidates:
        if not step.required and gained >= gap - 1e-9:
            break
        chosen.append(step)
        gained += step.gain
    return chosen, gained >= gap - 1e-9


def explain(results: dict[str, Any], standard: Standard, name: str) -> Explanation:
    """The explanation of one courtyard's result."""
    yard = find_courtyard(results, name)
    crit = _version(yard, versions_of(results, standard))
    out = Explanation(yard["community"], yard["courtyard"], crit.version, yard["inspections"], yard["total"],
                      yard["base"], yard["bonus"], yard["grade"], yard["rank"], yard["rank_in_community"],
                      yard["disqualified"], _items(yard, crit))
    vetoes = {v.id: v for v in crit.vetoes}
    for ident in yard["vetoes"]:
        veto = vetoes.get(ident)
        if veto is not None:
            category = next((c.name for c in crit.categories if c.id == veto.category), veto.category or "")
            effect = EFFECTS[veto.effect].format(grade=veto.grade or "", category=category)
            out.vetoes.append(f"{veto.id} {veto.name}：{effect}")
    if yard["disqualified"]:
        out.grade_reasons.append(f"发生一票否决事项，取消评选资格，评为{yard['grade']}")
        return out
    names = [g.name for g in crit.grades]
    achieved = names.index(yard["grade"]) if yard["grade"] in names else len(names) - 1
    for grade in crit.grades[:achieved]:
        why = _grade_check(grade, yard, crit)
        out.grade_reasons.append(f"未评为{grade.name}（{grade.min} 分以上）：" + ("；".join(why) if why else
                                                                            "受一票否决限制"))
    out.grade_reasons.append(f"评为{yard['grade']}：总分 {yard['total']:.2f} 达到 {crit.grades[achieved].min} 分"
                             + ("，各项条件均满足" if crit.grades[achieved].requires or crit.grades[achieved].min_rates
                                else ""))
    if achieved > 0:
        target = crit.grades[achieved - 1]
        out.next_grade = target.name
        out.gap = max(0.0, float(half_up(float(target.min) - yard["total"])))
        out.steps, out.reachable = _steps(yard, crit, out.items, target)
    return out

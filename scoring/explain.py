"""Why a courtyard got its score: every item with every inspection's value, its points and source
cells, the inspectors' notes, the vetoes with their date, row and effect, why this grade, what
to put right, and what it would take to reach the next grade — the items whose full marks would
close the gap, prerequisites first, then those that gain the most.

Read from the typed results document and the criteria; nothing is re-scored, and the grade
rules are the engine's own (`grading.blockers`, `grading.veto_effects`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from decimal import Decimal
from fractions import Fraction
from pathlib import PureWindowsPath
from typing import Any

from scoring.criteria.model import Criteria, Grade, Veto
from scoring.engine.grading import blockers, cap_of, veto_effects
from scoring.engine.results import CourtyardScore, Results
from scoring.errors import UsageError
from scoring.exact import half_up
from scoring.fixes import CourtyardFixes, courtyard_fixes, day_text, shown

EFFECTS = {"disqualify": "取消评选资格，不参加排名", "cap_grade": "等级最高评为{grade}",
           "zero_category": "“{category}”类别该次检查得分清零"}


@dataclass
class ItemLine:
    """One item of the courtyard."""

    id: str
    name: str
    category: str
    value: str | None
    earned: Decimal | None
    possible: Decimal
    cells: list[str]
    status: str  # 满分 / 失分 / 不适用 / 免检 / 加分
    history: str = ""  # every inspection's value: "3月5日 否；6月12日 是"


@dataclass
class Step:
    """Bringing one item to full marks: what it adds to the total."""

    id: str
    name: str
    lost: Decimal  # points of the item not earned
    gain: Decimal  # points of the total it would add, rounded half-up
    required: bool  # a prerequisite of the next grade


@dataclass
class Explanation:
    """Everything `score explain` shows."""

    community: str
    courtyard: str
    period: str
    version: str
    inspections: int
    total: Decimal
    base: Decimal
    bonus: Decimal
    grade: str
    rank: int | None
    rank_in_community: int | None
    disqualified: bool
    items: list[ItemLine] = field(default_factory=list)
    vetoes: list[str] = field(default_factory=list)
    grade_reasons: list[str] = field(default_factory=list)
    next_grade: str | None = None
    gap: Decimal | None = None  # points still missing to the next grade's threshold
    steps: list[Step] = field(default_factory=list)
    reachable: bool = True  # whether full marks on every item would reach the next grade
    notes: list[str] = field(default_factory=list)  # "3月5日：…", the inspectors' notes
    fixes: CourtyardFixes | None = None

    def as_dict(self) -> dict[str, Any]:
        """The same as data (`score explain --json`); points as numbers."""
        def plain(value: Any) -> Any:
            if isinstance(value, Decimal):
                return float(value)
            if isinstance(value, dict):
                return {k: plain(v) for k, v in value.items()}
            if isinstance(value, list):
                return [plain(v) for v in value]
            return value

        return {k: plain(v) for k, v in asdict(self).items()}


def _items(yard: CourtyardScore, crit: Criteria) -> list[ItemLine]:
    lines = []
    categories = {i.id: c.name for c in crit.categories for i in c.items}
    for item in crit.all_items:
        got = yard.items.get(item.id)
        if got is None:
            continue
        if item.category is None:
            status = "加分"
        elif got.earned is None:
            status = "不适用"
        elif got.value == "免检":
            status = "免检"
        else:
            status = "满分" if got.full else "失分"
        history = "；".join(f"{day_text(d)} {shown(item, v)}" for d, v in zip(yard.dates, got.values, strict=False)
                            if v is not None)
        lines.append(ItemLine(item.id, item.name, categories.get(item.id, "加分"), got.value, got.earned,
                              got.possible, list(got.cells), status, history))
    return lines


def without_folders(where: str) -> str:
    """`D:\\检查\\一季度.xlsx › 检查记录 第 12 行` → `一季度.xlsx › 检查记录 第 12 行`: what a courtyard's
    copy needs (the folders are the office's own)."""
    file, sep, rest = where.partition(" › ")
    return PureWindowsPath(file).name + sep + rest


def _effect(veto: Veto, crit: Criteria, cap: str | None = None) -> str:
    category = next((c.name for c in crit.categories if c.id == veto.category), veto.category or "")
    return EFFECTS[veto.effect].format(grade=cap or veto.grade or "", category=category)


def _steps(yard: CourtyardScore, crit: Criteria, lines: list[ItemLine], target: Grade) -> tuple[list[Step], bool]:
    """Items to bring to full marks for `target`: prerequisites first, then those that gain the
    most, until the gap is closed. A point of an item adds scale / (points possible) to the
    total (exact)."""
    possible = sum((c.possible for c in yard.categories.values()), Decimal(0))
    factor = Fraction(crit.scale) / Fraction(possible) if possible else Fraction(0)
    gap = Fraction(target.min) - Fraction(yard.total)
    required = set(target.requires)
    names = {c.id: c.name for c in crit.categories}
    for cat, minimum in target.min_rates.items():
        score = yard.categories.get(cat)
        if score is not None and score.rate is not None and score.rate < Fraction(minimum):
            required |= {line.id for line in lines if line.status == "失分" and line.category == names.get(cat)}
    candidates = []
    for line in lines:
        if line.status != "失分":
            continue
        lost = line.possible - (line.earned or Decimal(0))
        candidates.append((Fraction(lost) * factor, Step(line.id, line.name, lost, half_up(Fraction(lost) * factor),
                                                           line.id in required)))
    candidates.sort(key=lambda c: (not c[1].required, -c[0], c[1].id))
    chosen: list[Step] = []
    gained = Fraction(0)
    for gain, step in candidates:
        if not step.required and gained >= gap:
            break
        chosen.append(step)
        gained += gain
    return chosen, gained >= gap


def explain(results: Results, name: str) -> Explanation:
    """The explanation of one courtyard's result (`results` loaded with its standard)."""
    yard = results.courtyard(name)
    versions = {c.version: c for c in results.versions}
    crit = versions.get(yard.version)
    if crit is None:
        raise UsageError(f"说明楼院的得分需要评分所用的考核标准（{yard.version} 版）："
                         "请用 Results.load(路径, 考核标准) 读取结果文件")
    out = Explanation(yard.community, yard.courtyard, results.period.label, yard.version, yard.inspections,
                      yard.total, yard.base, yard.bonus, yard.grade, yard.rank, yard.rank_in_community,
                      yard.disqualified, _items(yard, crit))
    out.notes = [f"{day_text(d)}：{n}" for d, n in zip(yard.dates, yard.notes, strict=False) if n]
    out.fixes = courtyard_fixes(yard, results)
    caps = []
    for veto, own in veto_effects(yard, versions):
        marks = "；".join(f"{day_text(m.date)}，{without_folders(m.where)}" if m.where else day_text(m.date)
                         for m in yard.veto_marks if m.id == veto.id and m.version == own.version)
        cap = cap_of(veto, own, crit)
        if cap is not None:
            caps.append((veto, cap))
        out.vetoes.append(f"{veto.id} {veto.name}（{marks}）：{_effect(veto, crit, cap.name if cap else None)}")
    if yard.disqualified:
        out.grade_reasons.append(f"{yard.grade_reason}，评为{yard.grade}")
        return out
    names = [g.name for g in crit.grades]
    achieved = names.index(yard.grade) if yard.grade in names else len(names) - 1
    for grade in crit.grades[:achieved]:
        why = blockers(grade, yard, crit)
        out.grade_reasons.append(f"未评为{grade.name}（{grade.min}分以上）：" + ("；".join(why) if why else
                                                                            "受一票否决限制"))
    current = crit.grades[achieved]
    out.grade_reasons.append(f"评为{yard.grade}：总分{yard.total}分，达到{current.min}分"
                             + ("，各项条件均满足" if current.requires or current.min_rates else ""))
    held = [(veto, cap) for veto, cap in caps if names.index(cap.name) >= achieved]
    if held:  # a cap at or below this grade: no higher grade this period, whatever is put right
        veto, cap = held[0]
        out.grade_reasons.append(f"受一票否决“{veto.name}”限制，本期最高只能评为{cap.name}")
    elif achieved > 0:
        target = crit.grades[achieved - 1]
        out.next_grade = target.name
        out.gap = max(Decimal(0), half_up(Fraction(target.min) - Fraction(yard.total)))
        out.steps, out.reachable = _steps(yard, crit, out.items, target)
    return out

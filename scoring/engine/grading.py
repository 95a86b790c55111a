"""Grades, ranks and the community roll-up (docs/design.md §4).

Grade: the first grade, highest first, whose min ≤ rounded total, whose `requires` items all
earned full points and whose `min_rates` are met; `cap_grade` lowers it; `disqualify` gives the
lowest grade, no pass and no rank. Ranks are competition ranks ("1224") by rounded total.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import TypeVar

from scoring.criteria.model import Criteria, Grade, Veto
from scoring.engine.results import CommunityScore, CourtyardScore
from scoring.exact import cents_half_up, percent

T = TypeVar("T")


def blockers(grade: Grade, yard: CourtyardScore, crit: Criteria) -> list[str]:
    """Why `yard` cannot have `grade` (empty when it meets it): the threshold, `requires` items
    short of full points, categories below `min_rates`. A null rate and an item not applicable
    at every inspection block nothing (docs/design.md §4). The one implementation of these rules,
    used by grading and by `explain`."""
    reasons = []
    if Decimal(yard.total_cents) / 100 < grade.min:
        reasons.append(f"总分{yard.total}分，低于{grade.min}分")
    for ident in grade.requires:
        item = yard.items.get(ident)
        if item is not None and not item.full:
            earned = "不适用" if item.earned is None else f"{item.earned}/{item.possible}"
            reasons.append(f"前置条件“{ident} {_item_name(crit, ident)}”未得满分（{earned}）")
    for cat, minimum in grade.min_rates.items():
        score = yard.categories.get(cat)
        if score is not None and score.rate is not None and score.rate < Fraction(minimum):
            name = next((c.name for c in crit.categories if c.id == cat), cat)
            reasons.append(f"“{name}”得分率{percent(score.rate)}，低于要求的{percent(Fraction(minimum))}")
    return reasons


def _item_name(crit: Criteria, ident: str) -> str:
    return next((i.name for i in crit.all_items if i.id == ident), "")


def veto_effects(yard: CourtyardScore, versions: Mapping[str, Criteria]) -> list[tuple[Veto, Criteria]]:
    """The vetoes marked for the courtyard, each as defined by the version in force on the date
    of the inspection that marked it (docs/design.md §4), with that version; one per veto and
    version."""
    out: list[tuple[Veto, Criteria]] = []
    for mark in yard.veto_marks:
        crit = versions.get(mark.version)
        veto = next((v for v in crit.vetoes if v.id == mark.id), None) if crit is not None else None
        if crit is not None and veto is not None and (veto, crit) not in out:
            out.append((veto, crit))
    return out


def cap_of(veto: Veto, own: Criteria, crit: Criteria) -> Grade | None:
    """The highest grade of `crit` a `cap_grade` veto of version `own` allows: the grade of that
    name, or — when `crit` renamed its grades — the highest whose threshold is not above the
    capped grade's threshold in `own` (the veto keeps its own version's effect)."""
    if veto.effect != "cap_grade" or veto.grade is None:
        return None
    if any(g.name == veto.grade for g in crit.grades):
        return crit.grade(veto.grade)
    limit = next((g.min for g in own.grades if g.name == veto.grade), None)
    if limit is None:
        return None
    return next((g for g in crit.grades if g.min <= limit), crit.grades[-1])


def assign_grade(yard: CourtyardScore, crit: Criteria, versions: Mapping[str, Criteria]) -> None:
    """Set grade, pass, disqualified and grade_reason: thresholds, prerequisites and grades from
    `crit` (the version of the latest inspection), each veto's effect from its own version."""
    effects = veto_effects(yard, versions)
    lowest = crit.grades[-1]
    disqualifying = [v for v, _ in effects if v.effect == "disqualify"]
    if disqualifying:
        yard.grade, yard.passing, yard.disqualified = lowest.name, False, True
        yard.grade_reason = f"一票否决“{disqualifying[0].name}”：取消评选资格"
        return
    total = Decimal(yard.total_cents) / 100
    chosen, reasons = lowest, []
    for grade in crit.grades:
        if grade.min > total:
            continue
        why = blockers(grade, yard, crit)
        if not why:
            chosen = grade
            break
        reasons.append(f"未评为{grade.name}：{'；'.join(why)}")
    names = [g.name for g in crit.grades]
    for veto, own in effects:
        cap = cap_of(veto, own, crit)
        if cap is not None and names.index(chosen.name) < names.index(cap.name):
            chosen = cap
            reasons.append(f"一票否决“{veto.name}”：最高评为{cap.name}")
    yard.grade, yard.passing = chosen.name, chosen.passing
    reasons.append(f"总分{yard.total}分，达到{chosen.name}的分数线{chosen.min}分"
                   if chosen.min <= total else f"评为{chosen.name}")
    yard.grade_reason = "；".join(reasons)


def competition_ranks(keys: Sequence[int]) -> list[int]:
    """Competition ranks ("1224") for scores, highest first."""
    ordered = sorted(keys, reverse=True)
    first: dict[int, int] = {}
    for position, key in enumerate(ordered, start=1):
        first.setdefault(key, position)
    return [first[k] for k in keys]


def _rank(entries: list[T], key: Callable[[T], int], setter: Callable[[T, int], None]) -> None:
    for entry, rank in zip(entries, competition_ranks([key(e) for e in entries]), strict=True):
        setter(entry, rank)


def rank_courtyards(yards: list[CourtyardScore]) -> list[CourtyardScore]:
    """Rank overall and within communities; disqualified courtyards last, unranked."""
    ranked = [y for y in yards if not y.disqualified]
    _rank(ranked, lambda y: y.total_cents, lambda y, r: setattr(y, "rank", r))
    by_community: dict[str, list[CourtyardScore]] = {}
    for y in ranked:
        by_community.setdefault(y.community, []).append(y)
    for members in by_community.values():
        _rank(members, lambda y: y.total_cents, lambda y, r: setattr(y, "rank_in_community", r))
    ranked.sort(key=lambda y: (y.rank, y.community, y.courtyard))
    others = sorted((y for y in yards if y.disqualified),
                    key=lambda y: (-y.total_cents, y.community, y.courtyard))
    return ranked + others


def roll_up(yards: list[CourtyardScore], grade_names: list[str]) -> list[CommunityScore]:
    """Community figures, ranked by mean total (competition ranks)."""
    members: dict[str, list[CourtyardScore]] = {}
    for y in yards:
        members.setdefault(y.community, []).append(y)
    out = []
    for name, group in members.items():
        counts = dict.fromkeys(grade_names, 0)
        for y in group:
            counts[y.grade] = counts.get(y.grade, 0) + 1
        rates = [y.rule_of_law_rate for y in group if y.rule_of_law_rate is not None]
        out.append(CommunityScore(
            community=name,
            courtyards=len(group),
            mean_total_cents=cents_half_up(Fraction(sum(y.total_cents for y in group),
                                                    100 * len(group))),
            grade_counts=counts,
            pass_rate=Fraction(sum(y.passing and not y.disqualified for y in group), len(group)),
            rule_of_law_rate=sum(rates, Fraction(0)) / len(rates) if rates else None,
        ))
    _rank(out, lambda c: c.mean_total_cents, lambda c, r: setattr(c, "rank", r))
    out.sort(key=lambda c: (c.rank, c.community))
    return out

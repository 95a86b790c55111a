"""红榜 and 黑榜 by the office's own published rule (docs/design.md §9), the `lists` section of the
criteria version of the period (the newest version used), or `--top N` for one run.

- Red: rank ≤ top (competition ranks, so ties at the cut are all in), and at least `min_total`
  and `min_grade` when set. A disqualified courtyard has no rank and is never red.
- Black: among the `bottom` lowest totals of the ranked courtyards (ties at the cut all in), or
  below `max_total`, or disqualified (when `include_disqualified`).
- Never on both: a courtyard that qualifies for both stays on the red list only, and is named
  in `kept_off_black` so that the workbook can say why.
- Every entry carries its 上榜理由: red — total and grade; black — the veto, or the three items
  that lost the most points.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal

from scoring.criteria.model import Criteria
from scoring.engine.results import CourtyardScore, ListEntry, PublishedLists

REASON_ITEMS = 3  # how many of the items that lost most points a black-list entry names


def _grade_at_least(yard: CourtyardScore, minimum: str | None, crit: Criteria,
                    versions: Mapping[str, Criteria]) -> bool:
    """Whether the courtyard's grade is `minimum` of `crit` or higher: by name, or — for a grade
    of an older version whose names differ — by its threshold in the courtyard's own version."""
    names = [g.name for g in crit.grades]
    if minimum is None or minimum not in names:
        return True
    if yard.grade in names:
        return names.index(yard.grade) <= names.index(minimum)
    own = versions.get(yard.version)
    threshold = next((g.min for g in own.grades if g.name == yard.grade), None) if own is not None else None
    return threshold is not None and threshold >= crit.grade(minimum).min


def _black_reason(yard: CourtyardScore, crit: Criteria, item_names: dict[str, str]) -> str:
    vetoes = {v.id: v.name for v in crit.vetoes}
    if yard.vetoes:
        return "一票否决：" + "、".join(vetoes.get(v, v) for v in yard.vetoes)
    lost = sorted(((i.possible_cents - (i.earned_cents or 0), ident) for ident, i in yard.items.items()
                   if ident in item_names and i.earned_cents is not None and i.earned_cents < i.possible_cents),
                  key=lambda pair: (-pair[0], pair[1]))[:REASON_ITEMS]
    if not lost:
        return f"总分{yard.total}分，排名靠后"
    return "失分最多的项目：" + "、".join(f"{item_names[ident]}（失{Decimal(cents).scaleb(-2)}分）"
                                   for cents, ident in lost)


def publish(yards: list[CourtyardScore], crit: Criteria, top: int | None = None,
            versions: Mapping[str, Criteria] | None = None) -> PublishedLists:
    """The lists of `yards` (ranked, disqualified last) under `crit`'s rule; `top` overrides
    both `top` and `bottom` for one run (`score run --top N`); `versions` (by name) place a grade
    of an older version against `min_grade` when the names changed."""
    rule = crit.lists if top is None else replace(crit.lists, red_top=top, black_bottom=top)
    red_top, bottom = rule.red_top, rule.black_bottom
    item_names = {i.id: i.name for i in crit.items}
    out = PublishedLists(crit.version, rule)

    def entry(y: CourtyardScore, reason: str) -> ListEntry:
        return ListEntry(y.community, y.courtyard, y.rank, y.total, y.grade, reason)

    red = [y for y in yards if y.rank is not None and y.rank <= red_top
           and (rule.red_min_total is None or y.total >= rule.red_min_total)
           and _grade_at_least(y, rule.red_min_grade, crit, versions or {})]
    out.red = [entry(y, f"总分{y.total}分，{y.grade}") for y in red]
    ranked = sorted((y for y in yards if y.rank is not None), key=lambda y: y.total_cents)
    cut = ranked[min(bottom, len(ranked)) - 1].total_cents if ranked and bottom > 0 else None
    on_red = {id(y) for y in red}
    black = []
    for y in reversed(yards):  # worst first: disqualified, then the lowest totals
        low = cut is not None and y.rank is not None and y.total_cents <= cut
        below = rule.black_max_total is not None and y.rank is not None and y.total < rule.black_max_total
        if not (low or below or (y.disqualified and rule.black_include_disqualified)):
            continue
        if id(y) in on_red:
            out.kept_off_black.append(y.name)
            continue
        black.append(entry(y, _black_reason(y, crit, item_names)))
    out.black = black
    return out

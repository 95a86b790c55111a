"""Combine a courtyard's inspections in the period (design.md §4 "A courtyard in a period").

The `repeat` policy of the version in force at the courtyard's latest inspection — mean,
latest (by date, then row order) or min — applies to the total and likewise to each category
rate, the rule-of-law rate and each item's earned points. Means are exact: rows are summed per
distinct denominator with integers, then the few partial sums are added as Fractions.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoring.criteria.model import Criteria
from scoring.engine.inspections import Inspections
from scoring.engine.results import CategoryScore, CourtyardScore, ItemScore
from scoring.engine.score import Scored
from scoring.exact import cents_half_up

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]


class Groups:
    """Courtyards as groups of inspection rows, with each group's policy and latest row."""

    def __init__(self, inspections: Inspections) -> None:
        frame = inspections.frame
        key = frame["community"] + "\x00" + frame["courtyard"]
        self.ids, uniques = pd.factorize(key, sort=True)
        self.count = len(uniques)
        # Row order within a courtyard: by date, then by position in the inputs.
        order = np.lexsort((frame["order"].to_numpy(), frame["day"].to_numpy(), self.ids))
        self.sorted_rows = order
        ends = np.r_[np.flatnonzero(np.diff(self.ids[order])), len(order) - 1]
        self.latest: IntArray = order[ends]
        versions = {b.criteria.version: b.criteria for b in inspections.blocks}
        self.governing: list[Criteria] = [versions[v] for v in frame["version"].to_numpy()[self.latest]]
        policy = np.array([c.repeat for c in self.governing])
        self.row_policy = policy[self.ids]
        self.is_latest = np.zeros(len(frame), dtype=bool)
        self.is_latest[self.latest] = True

    def in_scope(self, valid: BoolArray) -> BoolArray:
        """Rows a policy looks at: every valid row, or only the latest row under `latest`."""
        return np.asarray(valid & ((self.row_policy != "latest") | self.is_latest), dtype=bool)

    def ratio(self, num: IntArray, den: IntArray | int, valid: BoolArray) -> list[Fraction | None]:
        """Each group's policy applied to num/den over its valid rows (None if there are none)."""
        den_arr = np.broadcast_to(np.asarray(den, dtype=np.int64), num.shape)
        scope = self.in_scope(valid & (den_arr > 0))
        out: list[Fraction | None] = [None] * self.count
        is_min = self.row_policy == "min"
        mean_rows = scope & ~is_min
        if mean_rows.any():
            part = pd.DataFrame({"g": self.ids[mean_rows], "d": den_arr[mean_rows],
                                 "n": num[mean_rows]})
            sums = part.groupby(["g", "d"], sort=False)["n"].agg(["sum", "count"])
            totals: dict[int, tuple[Fraction, int]] = {}
            for (g, d), s, c in zip(sums.index, sums["sum"], sums["count"], strict=True):
                acc, k = totals.get(g, (Fraction(0), 0))
                totals[g] = (acc + Fraction(int(s), int(d)), k + int(c))
            for g, (acc, k) in totals.items():
                out[g] = acc / k
        min_rows = scope & is_min
        if min_rows.any():
            rows = np.flatnonzero(min_rows)
            # Division is correctly rounded, so floats order these small rationals exactly.
            value = num[rows] / den_arr[rows]
            part = pd.DataFrame({"g": self.ids[rows], "v": value, "r": rows})
            best = part.loc[part.groupby("g")["v"].idxmin()]
            for g, r in zip(best["g"], best["r"], strict=True):
                out[g] = Fraction(int(num[r]), int(den_arr[r]))
        return out

    def min_rows(self, value: npt.NDArray[np.float64]) -> IntArray:
        """For each group, its row with the smallest value (earliest on ties)."""
        part = pd.DataFrame({"g": self.ids[self.sorted_rows], "v": value[self.sorted_rows],
                             "r": self.sorted_rows})
        return np.asarray(part.loc[part.groupby("g", sort=True)["v"].idxmin(), "r"], dtype=np.int64)


def _base_and_bonus(groups: Groups, scored: Scored) -> tuple[list[Fraction], list[Fraction]]:
    """Under `min`, base and bonus come from the inspection whose total is the minimum, so that
    they add up to the total; otherwise the policy applies to each."""
    every = np.ones(len(scored.den), dtype=bool)
    base = groups.ratio(scored.base_num, scored.den, every)
    bonus = groups.ratio(scored.bonus, scored.factor, every)
    pick = groups.min_rows(scored.total_num / scored.den)
    for g, r in enumerate(pick):
        if groups.governing[g].repeat == "min":
            base[g] = Fraction(int(scored.base_num[r]), int(scored.den[r]))
            bonus[g] = Fraction(int(scored.bonus[r]), scored.factor)
    return [b or Fraction(0) for b in base], [b or Fraction(0) for b in bonus]


def combine(inspections: Inspections, scored: Scored) -> list[CourtyardScore]:
    """One CourtyardScore per courtyard, with exact combined figures (grades and ranks are
    added by `grading`)."""
    frame = inspections.frame
    groups = Groups(inspections)
    f = scored.factor
    every = np.ones(len(frame), dtype=bool)
    total = groups.ratio(scored.total_num, scored.den, every)
    base, bonus = _base_and_bonus(groups, scored)

    cat_ids = list(scored.cat_earned.columns)
    cat_e = {c: scored.cat_earned[c].to_numpy() for c in cat_ids}
    cat_p = {c: scored.cat_possible[c].to_numpy() for c in cat_ids}
    rate = {c: groups.ratio(cat_e[c], cat_p[c], cat_p[c] > 0) for c in cat_ids}
    earned = {c: groups.ratio(cat_e[c], f, cat_p[c] > 0) for c in cat_ids}
    possible = {c: groups.ratio(cat_p[c], f, cat_p[c] > 0) for c in cat_ids}

    # Rule-of-law rate: categories tagged rule_of_law in each courtyard's governing version.
    rol: list[Fraction | None] = [None] * groups.count
    for tags in {c.rule_of_law_categories for c in groups.governing}:
        members = np.array([c.rule_of_law_categories == tags for c in groups.governing])
        rows = members[groups.ids]
        rol_e = sum((cat_e[c] for c in tags if c in cat_e), np.zeros(len(frame), dtype=np.int64))
        rol_p = sum((cat_p[c] for c in tags if c in cat_p), np.zeros(len(frame), dtype=np.int64))
        for g, value in enumerate(groups.ratio(rol_e, rol_p, rows & (rol_p > 0))):
            if members[g]:
                rol[g] = value

    item_ids = list(scored.item_earned.columns)
    item_values: dict[str, tuple[list[Fraction | None], list[Fraction | None], BoolArray]] = {}
    for ident in item_ids:
        e_float = scored.item_earned[ident].to_numpy()
        p_float = scored.item_possible[ident].to_numpy()
        applicable = ~np.isnan(e_float)
        e_int = np.nan_to_num(e_float).astype(np.int64)
        p_int = np.nan_to_num(p_float).astype(np.int64)
        short = groups.in_scope(applicable) & (e_int < p_int)
        not_full = np.bincount(groups.ids[short], minlength=groups.count) > 0
        item_values[ident] = (groups.ratio(e_int, f, applicable),
                              groups.ratio(p_int, f, applicable), not_full)

    veto_ids = list(scored.vetoes.columns)
    veto_hits = {v: np.bincount(groups.ids[scored.vetoes[v].to_numpy()], minlength=groups.count)
                 for v in veto_ids}

    courtyards = []
    prefix = [f"{file} › {sheet}!" if sheet else f"{file} › "
              for file, sheet in zip(frame["file"], frame["sheet"], strict=True)]
    community = frame["community"].to_numpy()
    courtyard = frame["courtyard"].to_numpy()
    dates = frame["date"].to_numpy()
    reasons = frame["reason"].to_numpy()
    rows_of = np.split(groups.sorted_rows, np.flatnonzero(np.diff(groups.ids[groups.sorted_rows])) + 1)
    for g, rows in enumerate(rows_of):
        latest = groups.latest[g]
        seen = [i for i in item_ids if any(scored.item_text[i][r] is not None for r in rows)]
        items = {}
        for ident in seen:
            e, p, not_full = item_values[ident]
            items[ident] = ItemScore(
                earned=e[g], possible=p[g] or Fraction(0),
                value=scored.item_text[ident][latest],
                cells=[prefix[r] + c for r in rows
                       if (c := scored.item_cells[ident][r])],
                full=not bool(not_full[g]),
            )
        cats = {c: CategoryScore(earned[c][g], possible[c][g], rate[c][g])
                for c in cat_ids if any(cat_p[c][r] > 0 for r in rows)
                or c in {x.id for x in groups.governing[g].categories}}
        value = total[g]
        assert value is not None  # every kept row has something applicable
        courtyards.append(CourtyardScore(
            community=str(community[latest]), courtyard=str(courtyard[latest]),
            inspections=len(rows), dates=[dates[r] for r in rows],
            version=groups.governing[g].version,
            base=base[g], bonus=bonus[g], total=value, total_cents=cents_half_up(value),
            rule_of_law_rate=rol[g], categories=cats, items=items,
            vetoes=[v for v in veto_ids if veto_hits[v][g] > 0],
            reasons=[f"{dates[r].isoformat()}：{reasons[r]}" for r in rows if reasons[r]],
        ))
    return courtyards

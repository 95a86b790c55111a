"""Combine a courtyard's inspections in the period (docs/design.md §4 "A courtyard in a period").

The `repeat` policy of the version in force at the courtyard's latest inspection — mean,
latest (by date, then row order) or min — applies to the total and likewise to each category
rate, the rule-of-law rate and each item's earned points.

Everything is exact. Points are whole units of 1/factor, so the points of items and
categories combine as integer sums per courtyard (numpy), rounded half-up to hundredths with
integer arithmetic. Ratios (total, base, rates) have a different denominator per inspection:
their rows are summed per courtyard as integers over the lcm of the few distinct denominators
(group_sums), one Fraction per courtyard.
"""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoring.criteria.model import Criteria
from scoring.engine.inspections import Inspections
from scoring.engine.positions import column_letter
from scoring.engine.results import CategoryScore, CourtyardScore, ItemScore, VetoMark
from scoring.engine.score import Scored
from scoring.exact import cents_half_up, cents_half_up_array

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]
MEAN, LATEST, MIN = 0, 1, 2
_POLICY = {"mean": MEAN, "latest": LATEST, "min": MIN}


def group_sums(num: IntArray, den: IntArray, ids: IntArray, count: int) -> dict[int, Fraction]:
    """Per group (0 … count-1) present in `ids`, the exact sum of its num/den. With a common
    denominator (the lcm of the few distinct ones) that keeps every partial sum well inside
    int64, one integer sum per group; otherwise sums per (group, denominator), added as
    Fractions."""
    dens, dcode = np.unique(den, return_inverse=True)
    common = math.lcm(*(int(d) for d in dens))
    multipliers = np.array([common // int(d) for d in dens], dtype=object)
    largest = int(max(multipliers, default=1))
    if largest < 2**62 and int(np.abs(num).max(initial=0)) * largest * len(num) < 2**62:
        scaled = num * multipliers.astype(np.int64)[dcode]
        sums = np.zeros(count, dtype=np.int64)
        np.add.at(sums, ids, scaled)
        present = np.flatnonzero(np.bincount(ids, minlength=count))
        return {g: Fraction(s, common) for g, s in zip(present.tolist(), sums[present].tolist(), strict=True)}
    key = ids * len(dens) + dcode
    keys, inverse = np.unique(key, return_inverse=True)
    partial = np.zeros(len(keys), dtype=np.int64)
    np.add.at(partial, inverse, num)
    acc: dict[int, Fraction] = {}
    for k, s in zip(keys.tolist(), partial.tolist(), strict=True):
        g, d = divmod(k, len(dens))
        acc[g] = acc.get(g, Fraction(0)) + Fraction(s, int(dens[d]))
    return acc


class Groups:
    """Courtyards as groups of inspection rows, with each group's policy and latest row."""

    def __init__(self, inspections: Inspections) -> None:
        frame = inspections.frame
        key = frame["community"] + "\x00" + frame["courtyard"]
        ids, uniques = pd.factorize(key, sort=True)
        self.ids: IntArray = np.asarray(ids, dtype=np.int64)
        self.count = len(uniques)
        # Row order within a courtyard: by date, then by position in the inputs.
        order = np.lexsort((frame["order"].to_numpy(), frame["day"].to_numpy(), self.ids))
        self.sorted_rows: IntArray = order
        ends = np.r_[np.flatnonzero(np.diff(self.ids[order])), len(order) - 1]
        self.latest: IntArray = order[ends]
        self.starts = np.r_[0, ends[:-1] + 1]
        self.ends = ends + 1  # group g's rows are sorted_rows[starts[g]:ends[g]]
        versions = {b.criteria.version: b.criteria for b in inspections.blocks}
        self.governing: list[Criteria] = [versions[v] for v in frame["version"].to_numpy()[self.latest]]
        self.policy = np.array([_POLICY[c.repeat] for c in self.governing], dtype=np.int8)
        self.row_policy = self.policy[self.ids]
        self.is_latest = np.zeros(len(frame), dtype=bool)
        self.is_latest[self.latest] = True

    def rows_of(self, g: int) -> IntArray:
        """The rows of group g, oldest first."""
        end = len(self.sorted_rows) if g == self.count - 1 else int(self.starts[g + 1])
        return self.sorted_rows[int(self.starts[g]):end]

    def in_scope(self, valid: BoolArray) -> BoolArray:
        """Rows a policy looks at: every valid row, or only the latest row under `latest`."""
        return np.asarray(valid & ((self.row_policy != LATEST) | self.is_latest), dtype=bool)

    def any(self, mask: BoolArray) -> BoolArray:
        """Per group: whether any of its rows is in `mask`."""
        return np.bincount(self.ids[mask], minlength=self.count) > 0

    def units_cents(self, units: IntArray, valid: BoolArray, factor: int) -> tuple[IntArray, BoolArray]:
        """Each group's policy applied to whole units of 1/factor, in hundredths rounded half-up,
        and whether the group had any valid row in scope."""
        scope = self.in_scope(valid)
        present = self.any(scope)
        total = np.bincount(self.ids[scope], weights=units[scope], minlength=self.count)
        count = np.bincount(self.ids[scope], minlength=self.count)
        num = np.rint(total).astype(np.int64)  # sums of integers below 2**53 are exact in float64
        den = np.maximum(count, 1) * factor
        smallest = np.full(self.count, np.iinfo(np.int64).max, dtype=np.int64)
        np.minimum.at(smallest, self.ids[scope], units[scope])
        is_min = self.policy == MIN
        num = np.where(is_min, smallest, num)
        den = np.where(is_min, factor, den)
        cents = cents_half_up_array(np.where(present, num, 0), den)
        return cents, present

    def ratio(self, num: IntArray, den: IntArray | int, valid: BoolArray) -> list[Fraction | None]:
        """Each group's policy applied to num/den over its valid rows (None if there are none)."""
        den_arr = np.broadcast_to(np.asarray(den, dtype=np.int64), num.shape)
        scope = self.in_scope(valid & (den_arr > 0))
        out: list[Fraction | None] = [None] * self.count
        is_min_row = self.row_policy == MIN
        mean_rows = np.flatnonzero(scope & ~is_min_row)
        if len(mean_rows):
            counts = np.bincount(self.ids[mean_rows], minlength=self.count)
            for g, summed in group_sums(num[mean_rows], den_arr[mean_rows], self.ids[mean_rows],
                                               self.count).items():
                out[g] = summed / int(counts[g])
        min_rows = np.flatnonzero(scope & is_min_row)
        if len(min_rows):
            # Division is correctly rounded, so floats order these small rationals exactly.
            quotient = num[min_rows] / den_arr[min_rows]
            part = pd.DataFrame({"g": self.ids[min_rows], "v": quotient, "r": min_rows})
            best = part.loc[part.groupby("g")["v"].idxmin()]
            for g, r in zip(best["g"].tolist(), best["r"].tolist(), strict=True):
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
        if groups.policy[g] == MIN:
            base[g] = Fraction(int(scored.base_num[r]), int(scored.den[r]))
            bonus[g] = Fraction(int(scored.bonus[r]), scored.factor)
    return [b or Fraction(0) for b in base], [b or Fraction(0) for b in bonus]


class _Cells:
    """Source cells of one item for a courtyard: `file › sheet!F12、F40`, per file and sheet.

    The usual case — a courtyard's inspections all in one sheet of the wide layout, where every
    item's cell stands in the inspection's own row — takes one string of the courtyard's row
    numbers and puts each item's column letter into it (`str.replace`), instead of building
    every reference one by one."""

    def __init__(self, frame: pd.DataFrame, groups: Groups) -> None:
        codes, prefixes = pd.factorize(pd.Series(
            [f"{file} › {sheet}!" if sheet else f"{file} › "
             for file, sheet in zip(frame["file"], frame["sheet"], strict=True)]))
        self.codes = np.asarray(codes, dtype=np.int64)
        self.prefixes = [str(p) for p in prefixes]
        self.groups = groups
        self.frame_rows = frame["row"].to_numpy(dtype=np.int64)
        lowest = np.full(groups.count, np.iinfo(np.int64).max)
        highest = np.full(groups.count, -1)
        np.minimum.at(lowest, groups.ids, self.codes)
        np.maximum.at(highest, groups.ids, self.codes)
        self.one_sheet = lowest == highest
        first = groups.sorted_rows[groups.starts]
        self.first_prefix: list[str] = [self.prefixes[c] for c in self.codes[first].tolist()]
        self.letters: dict[int, str] = {}
        self.templates: dict[int, str] = {}

    def _letter(self, col: int) -> str:
        if col not in self.letters:
            self.letters[col] = column_letter(col)
        return self.letters[col]

    def letters_of(self, columns: npt.NDArray[np.int32], excel_rows: IntArray) -> list[str | None]:
        """Per group, the item's column letter when the template applies (one sheet, the item's
        cell in each inspection's own row), else None."""
        groups = self.groups
        regular = self.one_sheet & ~groups.any((columns < 0) | (excel_rows != self.frame_rows))
        first = columns[groups.sorted_rows[groups.starts]].tolist()
        return [self._letter(col) if ok else None for col, ok in zip(first, regular.tolist(), strict=True)]

    def of(self, g: int, letter: str | None, columns: npt.NDArray[np.int32], excel_rows: IntArray) -> list[str]:
        """The source cells of group g (`letter` from letters_of)."""
        if letter is not None:
            template = self.templates.get(g)
            if template is None:
                rows = self.groups.rows_of(g)
                template = self.templates[g] = "\0" + "、\0".join(map(str, self.frame_rows[rows].tolist()))
            return [self.first_prefix[g] + template.replace("\0", letter)]
        found: dict[str, list[str]] = {}
        for r in self.groups.rows_of(g).tolist():
            col = int(columns[r])
            if col >= 0:
                found.setdefault(self.prefixes[self.codes[r]], []).append(f"{self._letter(col)}{excel_rows[r]}")
        return [prefix + "、".join(refs) for prefix, refs in found.items()]


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
    earned = {c: groups.units_cents(cat_e[c], cat_p[c] > 0, f) for c in cat_ids}
    possible = {c: groups.units_cents(cat_p[c], cat_p[c] > 0, f) for c in cat_ids}

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
    cells = _Cells(frame, groups)
    # Per item, per group, as Python lists: the loop below reads them 300k times at city scale.
    # Each item's value and earned points at every inspection, in each group's row order, are
    # one list per item sliced per group.
    items: list[tuple[str, list[int], list[bool], list[int], list[bool], list[bool], list[str | None],
                      list[str | None], list[str | None], list[int | None]]] = []
    starts, ends = groups.starts.tolist(), groups.ends.tolist()
    pool: dict[int, int] = {}  # one int object per distinct value: millions of entries, few values
    for ident in item_ids:
        e_float = scored.item_earned[ident].to_numpy()
        applicable = ~np.isnan(e_float)
        e_int = np.nan_to_num(e_float).astype(np.int64)
        p_int = np.nan_to_num(scored.item_possible[ident].to_numpy()).astype(np.int64)
        e_cents, present = groups.units_cents(e_int, applicable, f)
        p_cents, _ = groups.units_cents(p_int, applicable, f)
        not_full = groups.any(groups.in_scope(applicable) & (e_int < p_int))
        seen = groups.any(np.asarray([t is not None for t in scored.item_text[ident]], dtype=bool))
        per_row = np.where(applicable, cents_half_up_array(e_int, np.full(len(e_int), f, dtype=np.int64)), -1)
        items.append((ident, e_cents.tolist(), present.tolist(), p_cents.tolist(), (~not_full).tolist(),
                      seen.tolist(), scored.item_text[ident][groups.latest].tolist(),
                      cells.letters_of(scored.item_column[ident], scored.item_row[ident]),
                      scored.item_text[ident][groups.sorted_rows].tolist(),
                      [None if c < 0 else pool.setdefault(c, c) for c in per_row[groups.sorted_rows].tolist()]))

    # Each veto mark keeps the version of the inspection that made it (docs/design.md §4).
    veto_rows: dict[int, list[tuple[str, int]]] = {}
    for ident in scored.vetoes.columns:
        for r in np.flatnonzero(scored.vetoes[ident].to_numpy()).tolist():
            veto_rows.setdefault(int(groups.ids[r]), []).append((str(ident), r))
    row_versions = frame["version"].to_numpy()
    files, sheets, excel_rows = frame["file"].to_numpy(), frame["sheet"].to_numpy(), frame["row"].to_numpy()

    def row_place(r: int) -> str:
        place = f"{files[r]} › {sheets[r]}" if sheets[r] else str(files[r])
        return f"{place} 第 {excel_rows[r]} 行"

    position = np.empty(len(frame), dtype=np.int64)
    position[groups.sorted_rows] = np.arange(len(frame))
    cat_seen = {c: groups.any(cat_p[c] > 0) for c in cat_ids}
    community = frame["community"].to_numpy()
    courtyard = frame["courtyard"].to_numpy()
    dates = frame["date"].to_numpy()
    reasons = frame["reason"].to_numpy()

    courtyards = []
    for g in range(groups.count):
        rows = groups.rows_of(g)
        latest = groups.latest[g]
        own = {x.id for x in groups.governing[g].categories}
        yard_items = {}
        first, end = starts[g], ends[g]
        for ident, earned_of, has_of, possible_of, full_of, seen_of, shown_of, letter_of, texts, each in items:
            if not seen_of[g]:
                continue
            has = has_of[g]
            yard_items[ident] = ItemScore(
                earned_cents=earned_of[g] if has else None,
                possible_cents=possible_of[g] if has else 0,
                value=shown_of[g],
                cells=cells.of(g, letter_of[g], scored.item_column[ident], scored.item_row[ident]),
                full=full_of[g],
                values=texts[first:end],
                earned_each_cents=each[first:end],
            )
        cats = {}
        for c in cat_ids:
            if cat_seen[c][g] or c in own:
                (e, has_e), (p, _) = earned[c], possible[c]
                cats[c] = CategoryScore(int(e[g]) if has_e[g] else None, int(p[g]) if has_e[g] else 0, rate[c][g])
        value = total[g]
        assert value is not None  # every kept row has something applicable
        marks = sorted(veto_rows.get(g, []), key=lambda m: (position[m[1]], m[0]))
        courtyards.append(CourtyardScore(
            community=str(community[latest]), courtyard=str(courtyard[latest]),
            inspections=len(rows), dates=[dates[r] for r in rows],
            version=groups.governing[g].version,
            base_exact=base[g], bonus_exact=bonus[g], total_exact=value, total_cents=cents_half_up(value),
            rule_of_law_rate=rol[g], categories=cats, items=yard_items,
            vetoes=[v for v in scored.vetoes.columns if any(m[0] == v for m in marks)],
            veto_marks=[VetoMark(v, str(row_versions[r]), dates[r], row_place(r)) for v, r in marks],
            notes=[str(reasons[r]) or None for r in rows],
            scored_by=[str(row_versions[r]) for r in rows],
        ))
    return courtyards

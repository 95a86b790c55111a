"""Score each inspection (docs/design.md §4 "One inspection"), vectorised over rows, in exact
integer units of 1/factor points.

    earned_c = Σ earned, possible_c = Σ points over applicable items (a zero_category veto
    sets earned_c = 0); base = scale · Σ earned_c / Σ possible_c; bonus = min(cap, Σ bonus);
    total = base + bonus.

base and total are kept as exact rationals num/den with den = possible · factor.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.engine.inspections import Inspections
from scoring.exact import to_units


@dataclass
class Scored:
    """Per-inspection figures, aligned with `Inspections.frame` rows."""

    cat_earned: pd.DataFrame  # int64 units, one column per category id (0 where absent)
    cat_possible: pd.DataFrame  # int64 units
    item_earned: pd.DataFrame  # float64 units, NaN where not applicable / not in the version
    item_possible: pd.DataFrame  # float64 units, NaN likewise
    item_text: dict[str, np.ndarray]  # object arrays: the value as shown, None where absent
    item_column: dict[str, np.ndarray]  # int32: 0-based column of the source cell, -1 where none
    item_row: dict[str, np.ndarray]  # int64: Excel row of the source cell
    bonus: np.ndarray  # int64 units, capped
    vetoes: pd.DataFrame  # bool, one column per veto id
    base_num: np.ndarray  # int64: base = base_num / den
    total_num: np.ndarray  # int64: total = total_num / den
    den: np.ndarray  # int64: possible · factor
    factor: int


def score(inspections: Inspections) -> Scored:
    """Score every inspection by the version its block carries."""
    n = len(inspections.frame)
    f = inspections.factor
    cat_ids: list[str] = []
    item_ids: list[str] = []
    veto_ids: list[str] = []
    for block in inspections.blocks:
        crit = block.criteria
        cat_ids += [c.id for c in crit.categories if c.id not in cat_ids]
        item_ids += [i.id for i in crit.all_items if i.id not in item_ids]
        veto_ids += [v.id for v in crit.vetoes if v.id not in veto_ids]
    cat_e = np.zeros((n, len(cat_ids)), dtype=np.int64)
    cat_p = np.zeros((n, len(cat_ids)), dtype=np.int64)
    item_e = np.full((n, len(item_ids)), np.nan)
    item_p = np.full((n, len(item_ids)), np.nan)
    texts = {i: np.full(n, None, dtype=object) for i in item_ids}
    columns = {i: np.full(n, -1, dtype=np.int32) for i in item_ids}
    excel_rows = {i: np.zeros(n, dtype=np.int64) for i in item_ids}
    bonus = np.zeros(n, dtype=np.int64)
    vetoes = np.zeros((n, len(veto_ids)), dtype=bool)
    scale_units = np.zeros(n, dtype=np.int64)

    for block in inspections.blocks:
        crit, rows = block.criteria, block.rows
        scale_units[rows] = to_units(crit.scale, f)
        for ident, marked in block.vetoes.items():
            vetoes[rows, veto_ids.index(ident)] = marked
        for item in crit.all_items:
            values = block.items[item.id]
            j = item_ids.index(item.id)
            points = to_units(item.points, f)
            item_e[rows, j] = np.where(values.applicable, values.units, np.nan)
            item_p[rows, j] = np.where(values.applicable, points, np.nan)
            texts[item.id][rows] = values.text
            columns[item.id][rows] = values.columns
            excel_rows[item.id][rows] = values.rows
        for cat in crit.categories:
            c = cat_ids.index(cat.id)
            for item in cat.items:
                values = block.items[item.id]
                cat_e[rows, c] += values.units * values.applicable
                cat_p[rows, c] += to_units(item.points, f) * values.applicable
        for veto in crit.vetoes:
            if veto.effect == "zero_category":
                assert veto.category is not None
                marked = block.vetoes[veto.id]
                c = cat_ids.index(veto.category)
                cat_e[rows[marked], c] = 0
        raw_bonus = np.zeros(len(rows), dtype=np.int64)
        for item in crit.bonus_items:
            raw_bonus += block.items[item.id].units
        bonus[rows] = np.minimum(raw_bonus, to_units(crit.bonus_cap, f))

    earned = cat_e.sum(axis=1)
    possible = cat_p.sum(axis=1)
    base_num = scale_units * earned
    return Scored(
        cat_earned=pd.DataFrame(cat_e, columns=cat_ids),
        cat_possible=pd.DataFrame(cat_p, columns=cat_ids),
        item_earned=pd.DataFrame(item_e, columns=item_ids),
        item_possible=pd.DataFrame(item_p, columns=item_ids),
        item_text=texts,
        item_column=columns,
        item_row=excel_rows,
        bonus=bonus,
        vetoes=pd.DataFrame(vetoes, columns=veto_ids),
        base_num=base_num,
        total_num=base_num + bonus * possible,
        den=possible * f,
        factor=f,
    )

"""A comparison of two runs as tables."""

from __future__ import annotations

from decimal import Decimal

from scoring.compare import Change, Comparison
from scoring.outputs.tables import Table


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def rank_change(value: int | None) -> str | None:
    """Places gained or lost in words: 上升5名 / 下降2名 / 不变."""
    if value is None:
        return None
    if value == 0:
        return "不变"
    return f"上升{value}名" if value > 0 else f"下降{-value}名"


def comparison_tables(c: Comparison) -> list[Table]:
    """Courtyards (biggest movers first), communities, and courtyards in only one run."""
    split = c.split
    a, b = (c.period_a, c.period_b) if c.period_a != c.period_b else ("原", "新")
    headers = ["社区", "楼院", f"{a}总分", f"{b}总分", "变化"]
    formats = ["", "", "score", "score", "delta"]
    if split:
        headers += ["其中：标准调整", "其中：检查数据"]
        formats += ["delta", "delta"]
    headers += [f"{a}名次", f"{b}名次", "名次变化", f"{a}等级", f"{b}等级", "等级变化"]
    formats += ["int", "int", "", "", "", ""]

    def row(ch: Change) -> list[object]:
        out: list[object] = [ch.community, ch.courtyard, _num(ch.total_a), _num(ch.total_b),
                             _num(ch.delta)]
        if split:
            out += [_num(ch.criteria_effect), _num(ch.data_effect)]
        changed = f"{ch.grade_a}→{ch.grade_b}" if ch.grade_a != ch.grade_b else None
        return [*out, ch.rank_a, ch.rank_b, rank_change(ch.rank_delta), ch.grade_a, ch.grade_b, changed]

    yards = Table("楼院变化", headers, [row(ch) for ch in c.courtyards], formats)
    comms = Table("社区变化", ["社区", f"{a}平均分", f"{b}平均分", "变化", f"{a}名次", f"{b}名次", "名次变化"],
                  [[ch.community, _num(ch.total_a), _num(ch.total_b), _num(ch.delta), ch.rank_a,
                    ch.rank_b, rank_change(ch.rank_delta)] for ch in c.communities],
                  ["", "score", "score", "delta", "int", "int", ""])
    only = Table("仅出现在一次评分中", ["社区", "楼院", "出现在", "总分", "等级"],
                 [[y.community, y.courtyard, c.period_a, float(y.total), y.grade] for y in c.only_a]
                 + [[y.community, y.courtyard, c.period_b, float(y.total), y.grade] for y in c.only_b],
                 ["", "", "", "score", ""])
    return [yards, comms, only]

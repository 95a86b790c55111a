"""Compare two runs: score, rank and grade changes per courtyard and community.

When both runs read the same inputs (same sha256) with different criteria, every change is due
to the criteria. When the inputs differ too and a re-score of A's inputs under B's criteria (C)
is given, each change B − A splits exactly into criteria (C − A) and data (B − C).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from scoring.engine.results import CourtyardScore, Results
from scoring.errors import UsageError

Key = tuple[str, str]


@dataclass
class Change:
    """A courtyard's or community's figures in run A and run B."""

    community: str
    courtyard: str | None  # None for a community
    total_a: Decimal
    total_b: Decimal
    rank_a: int | None
    rank_b: int | None
    grade_a: str | None = None
    grade_b: str | None = None
    criteria_effect: Decimal | None = None
    data_effect: Decimal | None = None

    @property
    def delta(self) -> Decimal:
        """B − A in points."""
        return self.total_b - self.total_a

    @property
    def rank_delta(self) -> int | None:
        """Places gained (positive) or lost; None when either run has no rank."""
        if self.rank_a is None or self.rank_b is None:
            return None
        return self.rank_a - self.rank_b


@dataclass
class Comparison:
    """The result of comparing run A with run B."""

    period_a: str
    period_b: str
    same_inputs: bool
    same_criteria: bool
    split: bool  # whether data/criteria effects were computed from a re-score
    courtyards: list[Change] = field(default_factory=list)
    communities: list[Change] = field(default_factory=list)
    only_a: list[CourtyardScore] = field(default_factory=list)
    only_b: list[CourtyardScore] = field(default_factory=list)

    @property
    def attribution(self) -> str:
        """One sentence on what caused the changes."""
        if self.same_inputs and self.period_a != self.period_b:
            return (f"两次评分使用相同的检查记录，但考核期不同（{self.period_a}、{self.period_b}），"
                    "分数变化来自各自考核期内的检查。")
        if self.same_inputs and not self.same_criteria:
            return "两次评分使用相同的检查记录，分数变化全部由考核标准调整引起。"
        if self.same_inputs:
            return "两次评分使用相同的检查记录和考核标准，结果应当一致。"
        if self.split:
            return "检查记录和考核标准都有变化：已按“标准调整”和“检查数据变化”分别列出各楼院的分数变化。"
        if self.same_criteria:
            return "两次评分使用相同的考核标准，分数变化来自检查数据。"
        return "检查记录和考核标准都有变化；如需区分两者的影响，请用 --rescored 提供按新标准重算的上年结果。"


def _fingerprint(results: Results) -> tuple[frozenset[str], frozenset[str]]:
    return (frozenset(i.sha256 for i in results.inputs), frozenset(v.sha256 for v in results.version_refs))


def _yards(results: Results) -> dict[Key, CourtyardScore]:
    return {(y.community, y.courtyard): y for y in results.courtyards}


def compare(a: Results, b: Results, rescored: Results | None = None) -> Comparison:
    """Compare run `a` (before) with run `b` (after); `rescored` is a's inputs under b's criteria."""
    inputs_a, criteria_a = _fingerprint(a)
    inputs_b, criteria_b = _fingerprint(b)
    if rescored is not None:
        inputs_c, criteria_c = _fingerprint(rescored)
        if inputs_c != inputs_a or criteria_c != criteria_b:
            raise UsageError("--rescored 的结果必须是用第二个结果的考核标准、重算第一个结果的检查记录"
                             "（检查记录或考核标准的校验码不一致）")
    result = Comparison(a.period.label, b.period.label, inputs_a == inputs_b,
                        criteria_a == criteria_b, rescored is not None)
    yards_a, yards_b = _yards(a), _yards(b)
    yards_c = _yards(rescored) if rescored is not None else {}
    for key, yb in yards_b.items():
        ya = yards_a.get(key)
        if ya is None:
            result.only_b.append(yb)
            continue
        change = Change(key[0], key[1], ya.total, yb.total, ya.rank, yb.rank, ya.grade, yb.grade)
        yc = yards_c.get(key)
        if yc is not None:
            change.criteria_effect = yc.total - change.total_a
            change.data_effect = change.total_b - yc.total
        result.courtyards.append(change)
    result.only_a = [ya for key, ya in yards_a.items() if key not in yards_b]
    comms_a = {c.community: c for c in a.communities}
    for cb in b.communities:
        ca = comms_a.get(cb.community)
        if ca is not None:
            result.communities.append(Change(cb.community, None, ca.mean_total, cb.mean_total, ca.rank, cb.rank))
    result.courtyards.sort(key=lambda c: (-abs(c.delta), c.community, c.courtyard or ""))
    result.communities.sort(key=lambda c: (-abs(c.delta), c.community))
    return result

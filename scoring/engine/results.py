"""The results of a run: one typed document that mirrors `results.json` field for field.

The same objects come out of a run (with exact values: Fractions for ratios, whole hundredths
for points) and out of `Results.load(path)` (the values as written, which are the same rounded
figures), so report, explain, compare and every output read one typed document, never a raw
dict. JSON names that are not Python names: `pass` is `passing`; the rounded `base`, `bonus`
and `total` are properties over the exact `*_exact` values. A few fields exist only in a run
and are marked "run only" (they are not in results.json and are empty after loading).

Outputs take these finished results and never re-score (docs/style.md, principle 2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from scoring.criteria.model import Lists
from scoring.engine.period import Period
from scoring.exact import cents_half_up
from scoring.issues import Issue

if TYPE_CHECKING:
    from scoring.criteria.model import Criteria
    from scoring.criteria.standard import Standard

SCHEMA_VERSION = 2  # 2: the fields of issues 11–13 (dates, version, grade_reason, veto_marks, …)


def cents_to_decimal(cents: int) -> Decimal:
    """Whole hundredths as the exact 2-decimal number they stand for."""
    return Decimal(cents).scaleb(-2)


def rounded(value: Fraction) -> Decimal:
    """An exact value rounded half-up (四舍五入) to 2 decimals (docs/design.md §4) — the one place
    scores are rounded for people and for results.json."""
    return cents_to_decimal(cents_half_up(value))


class Points:
    """`earned` and `possible` as exact 2-decimal numbers over whole hundredths."""

    __slots__ = ()
    earned_cents: int | None
    possible_cents: int

    @property
    def earned(self) -> Decimal | None:
        """Points earned (results.json `earned`)."""
        return None if self.earned_cents is None else cents_to_decimal(self.earned_cents)

    @property
    def possible(self) -> Decimal:
        """Points possible (results.json `possible`)."""
        return cents_to_decimal(self.possible_cents)


@dataclass(slots=True)
class CategoryScore(Points):
    """A category's combined figures for one courtyard: points in hundredths, rounded half-up;
    the rate exact. A category not applicable anywhere has earned None, possible 0, rate None."""

    earned_cents: int | None
    possible_cents: int
    rate: Fraction | None


@dataclass(slots=True)
class ItemScore(Points):
    """An item's combined figures for one courtyard, points in hundredths rounded half-up."""

    earned_cents: int | None  # None when not applicable in every inspection
    possible_cents: int
    value: str | None  # the value of the latest inspection, as shown
    cells: list[str]  # source cells, `file › sheet!F12、F40` per file and sheet, oldest first
    full: bool  # earned full points wherever applicable (for grade prerequisites)
    # At each of the courtyard's inspections (aligned with its `dates`; None where the item was
    # not in that inspection or not applicable): the value as shown, and the points earned.
    values: list[str | None] = field(default_factory=list)
    earned_each_cents: list[int | None] = field(default_factory=list)


class VetoMark(NamedTuple):
    """One inspection that marked a veto: its effect is the one defined by `version`, the
    version in force on `date` (docs/design.md §4)."""

    id: str
    version: str
    date: date
    where: str = ""  # the inspection's row: "检查记录.xlsx › 一季度 第 12 行"


@dataclass
class CourtyardScore:
    """One courtyard in the period."""

    community: str
    courtyard: str
    inspections: int
    dates: list[date]  # of its inspections, oldest first
    version: str  # the version in force at its latest inspection: its grades applied
    base_exact: Fraction
    bonus_exact: Fraction
    total_exact: Fraction
    total_cents: int  # total rounded half-up to hundredths: grades and ranks use this
    rule_of_law_rate: Fraction | None
    categories: dict[str, CategoryScore]
    items: dict[str, ItemScore]
    vetoes: list[str]
    veto_marks: list[VetoMark] = field(default_factory=list)  # oldest first
    notes: list[str | None] = field(default_factory=list)  # the inspectors' 扣分原因, per inspection
    scored_by: list[str] = field(default_factory=list)  # the criteria version of each inspection
    grade: str = ""
    passing: bool = False  # results.json `pass`
    disqualified: bool = False
    grade_reason: str = ""
    rank: int | None = None
    rank_in_community: int | None = None

    @property
    def base(self) -> Decimal:
        """Base score, rounded half-up to 2 decimals."""
        return rounded(self.base_exact)

    @property
    def bonus(self) -> Decimal:
        """Bonus points (capped), rounded half-up to 2 decimals."""
        return rounded(self.bonus_exact)

    @property
    def total(self) -> Decimal:
        """Total, rounded half-up to 2 decimals: what grades and ranks use."""
        return cents_to_decimal(self.total_cents)

    @property
    def name(self) -> str:
        """社区/楼院, the way a courtyard is named unambiguously."""
        return f"{self.community}/{self.courtyard}"


@dataclass
class CommunityScore:
    """One community's roll-up."""

    community: str
    courtyards: int
    mean_total_cents: int
    grade_counts: dict[str, int]
    pass_rate: Fraction
    rule_of_law_rate: Fraction | None
    rank: int = 0

    @property
    def mean_total(self) -> Decimal:
        """Mean of its courtyards' rounded totals, rounded half-up to 2 decimals."""
        return cents_to_decimal(self.mean_total_cents)


class Unscored(NamedTuple):
    """A courtyard whose every inspection in the inputs was left out for errors (--lenient):
    listed as 未评分 so that no courtyard goes missing without a word."""

    community: str
    courtyard: str
    rows: int  # its rows with errors
    where: str  # the rows, as a clerk finds them: "检查记录.xlsx › 一季度 第 12、40 行"

    @property
    def reason(self) -> str:
        """Why it is not ranked."""
        return f"全部 {self.rows} 条检查记录有误（{self.where}），未参加评分，详见“数据问题”"


class ListEntry(NamedTuple):
    """A courtyard on the red or black list, with why it is there (上榜理由)."""

    community: str
    courtyard: str
    rank: int | None
    total: Decimal
    grade: str
    reason: str


@dataclass
class PublishedLists:
    """The red and black lists of a run (docs/design.md §9) and the rule they followed."""

    version: str  # the criteria version whose `lists` rule applied
    rule: Lists
    red: list[ListEntry] = field(default_factory=list)
    black: list[ListEntry] = field(default_factory=list)  # worst first
    kept_off_black: list[str] = field(default_factory=list)  # 社区/楼院 on both lists: kept red only


class VersionRef(NamedTuple):
    """A criteria version a run used (results.json `criteria.versions`)."""

    version: str
    effective_from: date
    sha256: str


class InputFile(NamedTuple):
    """An input file of a run (results.json `inputs`)."""

    path: str
    sha256: str


@dataclass
class Results:
    """Everything a run produced: the typed form of results.json (docs/design.md §7, §10)."""

    standard_id: str  # criteria.id
    standard_title: str  # criteria.title
    version_refs: list[VersionRef]  # criteria.versions, oldest first
    inputs: list[InputFile]
    period: Period
    courtyards: list[CourtyardScore]
    communities: list[CommunityScore]
    issues: list[Issue] = field(default_factory=list)
    unscored: list[Unscored] = field(default_factory=list)
    lists: PublishedLists | None = None
    schema_version: int = SCHEMA_VERSION
    # Run only (not in results.json):
    rows_scored: int = 0
    rows_excluded: int = 0
    forced_version: str | None = None
    standard: Standard | None = None  # all versions and the register (names, laws, changelog)

    @property
    def versions(self) -> list[Criteria]:
        """The criteria versions used, oldest first (needs the standard: `Results.load(…,
        standard)` or a run); UsageError naming a version the standard lacks."""
        if self.standard is None:
            return []
        from scoring.errors import UsageError

        found = []
        for ref in self.version_refs:
            try:
                found.append(self.standard.get(ref.version))
            except UsageError:
                raise UsageError(f"结果文件使用的考核标准版本 {ref.version} 不在 {self.standard.source} 中；"
                                 "请用 --criteria 指定评分时使用的考核标准") from None
        return found

    def courtyard(self, name: str) -> CourtyardScore:
        """The courtyard called `name` (or `社区/楼院`); UsageError listing matches or near names."""
        from scoring.engine.lookup import find_courtyard

        return find_courtyard(self.courtyards, name)

    def dump(self) -> str:
        """The results.json text."""
        from scoring.outputs.results_json import dumps_results

        return dumps_results(self)

    def save(self, path: Path) -> None:
        """Write results.json to `path` (atomically)."""
        from scoring.outputs.results_json import json_writer
        from scoring.outputs.staging import write_one

        write_one(path, json_writer(self))

    @classmethod
    def load(cls, path: Path | str, standard: Standard | None = None) -> Results:
        """A results.json written earlier; InvalidInputError naming the file and what is wrong.
        With `standard`, `versions` gives the criteria the results were scored by."""
        from scoring.outputs.results_json import load_results

        return load_results(Path(path), standard)

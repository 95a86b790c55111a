"""The results of a run: exact figures per courtyard and community, ready for every output.

Outputs take these finished results and never re-score (style.md, principle 2).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from scoring.criteria.model import Criteria
from scoring.criteria.standard import Standard
from scoring.engine.period import Period
from scoring.issues import Issue


@dataclass(slots=True)
class CategoryScore:
    """A category's combined figures for one courtyard (None where it was not applicable);
    points in hundredths, rounded half-up; the rate exact."""

    earned_cents: int | None
    possible_cents: int | None
    rate: Fraction | None


@dataclass(slots=True)
class ItemScore:
    """An item's combined figures for one courtyard, points in hundredths rounded half-up."""

    earned_cents: int | None  # None when not applicable in every inspection
    possible_cents: int
    value: str | None  # the value of the latest inspection, as shown
    cells: list[str]  # source cells, `file › sheet!F12、F40` per file and sheet, oldest first
    full: bool  # earned full points wherever applicable (for grade prerequisites)


@dataclass
class CourtyardScore:
    """One courtyard in the period."""

    community: str
    courtyard: str
    inspections: int
    dates: list[date]
    version: str  # the version in force at its latest inspection
    base: Fraction
    bonus: Fraction
    total: Fraction
    total_cents: int  # total rounded half-up to hundredths: grades and ranks use this
    rule_of_law_rate: Fraction | None
    categories: dict[str, CategoryScore]
    items: dict[str, ItemScore]
    vetoes: list[str]
    reasons: list[str] = field(default_factory=list)  # the inspectors' 扣分原因, oldest first
    grade: str = ""
    passing: bool = False
    disqualified: bool = False
    grade_reason: str = ""
    rank: int | None = None
    rank_in_community: int | None = None


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


@dataclass
class Results:
    """Everything a run produced."""

    standard_id: str
    standard_title: str
    versions: list[Criteria]
    inputs: list[tuple[str, str]]  # (path, sha256)
    period: Period
    courtyards: list[CourtyardScore]
    communities: list[CommunityScore]
    issues: list[Issue] = field(default_factory=list)
    rows_scored: int = 0
    rows_excluded: int = 0
    forced_version: str | None = None
    standard: Standard | None = None  # all versions and the register (for names, laws, changelog)

"""The criteria model: one `Criteria` per version file (docs/design.md §3), values kept exact."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Literal

ItemType = Literal["check", "scale", "choice", "deduct", "count"]
VetoEffect = Literal["disqualify", "cap_grade", "zero_category"]
RepeatPolicy = Literal["mean", "latest", "min"]

DEFAULT_STEP = Decimal("0.5")  # docs/design.md §4: a scale item's step defaults to 0.5
RULE_OF_LAW_TAG = "rule_of_law"


@dataclass(frozen=True, slots=True)
class Basis:
    """A citation of a law or regulation in the register."""

    ref: str
    article: str | None = None
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Item:
    """One scored item (a base item in a category, or a bonus item)."""

    id: str
    name: str
    type: ItemType
    points: Decimal
    category: str | None  # None for bonus items
    step: Decimal | None = None
    choices: dict[str, Decimal] = field(default_factory=dict)
    per_unit: Decimal | None = None
    conditions: tuple[str, ...] = ()
    na: bool = False
    exempt: bool = False
    basis: tuple[Basis, ...] = ()
    standard: str | None = None
    method: str | None = None

    @property
    def scale_step(self) -> Decimal:
        """The step of a scale item (default 0.5)."""
        return self.step if self.step is not None else DEFAULT_STEP


@dataclass(frozen=True, slots=True)
class Category:
    """A category of base items, e.g. 法治建设."""

    id: str
    name: str
    tags: tuple[str, ...]
    items: tuple[Item, ...]

    @property
    def rule_of_law(self) -> bool:
        """Whether the category counts towards the rule-of-law rate."""
        return RULE_OF_LAW_TAG in self.tags

    @property
    def points(self) -> Decimal:
        """The sum of its items' points."""
        return sum((i.points for i in self.items), Decimal(0))


@dataclass(frozen=True, slots=True)
class Veto:
    """A 一票否决 condition and what it does."""

    id: str
    name: str
    effect: VetoEffect
    grade: str | None = None
    category: str | None = None
    basis: tuple[Basis, ...] = ()


@dataclass(frozen=True, slots=True)
class Grade:
    """A grade band; `requires` items must earn full points, `min_rates` categories must reach
    their rate."""

    name: str
    min: Decimal
    passing: bool
    requires: tuple[str, ...] = ()
    min_rates: dict[str, Decimal] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Lists:
    """Publication rules of the 红榜/黑榜 (docs/design.md §9), with §9's defaults.

    Red: rank ≤ `red_top` (ties at the cut included) and at least `red_min_total` /
    `red_min_grade`. Black: among the `black_bottom` lowest (ties included) or below
    `black_max_total`, or disqualified when `black_include_disqualified`.
    """

    red_top: int = 10
    red_min_total: Decimal | None = None
    red_min_grade: str | None = None
    black_bottom: int = 10
    black_max_total: Decimal | None = None
    black_include_disqualified: bool = True


@dataclass(frozen=True, slots=True)
class Criteria:
    """One version of a standard."""

    id: str
    title: str
    issuer: str
    version: str
    effective_from: date
    subject: str
    scale: Decimal
    categories: tuple[Category, ...]
    bonus_cap: Decimal
    bonus_items: tuple[Item, ...]
    vetoes: tuple[Veto, ...]
    grades: tuple[Grade, ...]
    repeat: RepeatPolicy
    changelog: tuple[dict[str, Any], ...]
    path: str
    sha256: str
    lists: Lists = Lists()

    @property
    def items(self) -> tuple[Item, ...]:
        """All base items, in category order."""
        return tuple(i for c in self.categories for i in c.items)

    @property
    def all_items(self) -> tuple[Item, ...]:
        """Base items then bonus items."""
        return self.items + self.bonus_items

    def item(self, item_id: str) -> Item:
        """The base or bonus item with this id (KeyError if none)."""
        for i in self.all_items:
            if i.id == item_id:
                return i
        raise KeyError(item_id)

    def grade(self, name: str) -> Grade:
        """The grade with this name (KeyError if none)."""
        for g in self.grades:
            if g.name == name:
                return g
        raise KeyError(name)

    @property
    def rule_of_law_categories(self) -> tuple[str, ...]:
        """Ids of the categories tagged rule_of_law."""
        return tuple(c.id for c in self.categories if c.rule_of_law)

    @property
    def label(self) -> str:
        """How the version is named to users: 2023.1（2023-01-01 起施行）."""
        return f"{self.version}（{self.effective_from.isoformat()} 起施行）"

"""What a courtyard must put right (整改清单), read from the typed results document.

An item is open (待整改) when it earned less than its points at the courtyard's latest
inspection where it was recorded, and put right (已整改) when it lost points at an earlier
inspection but not at the latest. Each entry shows every inspection's value ("3月5日 否；6月12日
是"). An inspector's note (扣分原因) is attached to an item only when it names the item (its id
or its name); a note that names none is kept once, as that inspection's 备注. Bonus items are
not listed: a bonus not earned is nothing to put right.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from scoring.criteria.model import Criteria, Item
from scoring.engine.results import CourtyardScore, ItemScore, Results, cents_to_decimal

OPEN, FIXED = "待整改", "已整改"


def day_text(day: date) -> str:
    """3月5日: an inspection's date within the period, as the office writes it."""
    return f"{day.month}月{day.day}日"


@dataclass
class FixEntry:
    """One item of a courtyard's fix list."""

    item: str
    name: str
    points: Decimal  # the item's points in the version of its latest inspection
    earned: Decimal  # earned at that inspection
    status: str  # 待整改 / 已整改
    history: str  # every inspection's value: "3月5日 否；6月12日 是"
    notes: list[str] = field(default_factory=list)  # "3月5日：…", the notes that name this item
    cells: list[str] = field(default_factory=list)

    @property
    def lost(self) -> Decimal:
        """Points still lost at the latest inspection."""
        return self.points - self.earned


@dataclass
class CourtyardFixes:
    """A courtyard's fix list: open items (most points lost first), then items put right."""

    community: str
    courtyard: str
    entries: list[FixEntry]
    remarks: list[str]  # "3月5日：…", notes that name no item

    @property
    def open(self) -> list[FixEntry]:
        """Items still to put right."""
        return [e for e in self.entries if e.status == OPEN]

    @property
    def fixed(self) -> list[FixEntry]:
        """Items put right since an earlier inspection."""
        return [e for e in self.entries if e.status == FIXED]


UNITS = {"deduct": "处", "count": "项", "scale": "分"}  # what a number means for each item type


def shown(item: Item, value: str) -> str:
    """A recorded value as a sentence part: "2处" for a deduct item, "3项" for a count, "2.5分" for
    a scale; marks, choices, 不适用 and 免检 as they are."""
    unit = UNITS.get(item.type)
    if unit is None or not value.replace(".", "", 1).isdigit():
        return value
    return value + unit


def names_item(note: str, ident: str, name: str) -> bool:
    """Whether an inspector's note names an item: its name, or its id standing alone ("A1" is
    in "A1名牌缺失" but not in "A10")."""
    return name in note or re.search(rf"(?<![0-9A-Za-z-]){re.escape(ident)}(?![0-9A-Za-z])", note, re.I) is not None


def _points(versions: dict[str, Criteria], version: str, ident: str) -> Decimal | None:
    crit = versions.get(version)
    item = next((i for i in crit.items if i.id == ident), None) if crit is not None else None
    return None if item is None else item.points


def _entry(yard: CourtyardScore, ident: str, got: ItemScore, item: Item,
           versions: dict[str, Criteria]) -> FixEntry | None:
    recorded = [k for k, c in enumerate(got.earned_each_cents) if c is not None]
    if not recorded:
        return None
    short = []
    for k in recorded:
        points = _points(versions, yard.scored_by[k], ident) if k < len(yard.scored_by) else None
        earned = got.earned_each_cents[k]
        short.append(points is not None and earned is not None and cents_to_decimal(earned) < points)
    if not any(short):
        return None
    last = recorded[-1]
    points = _points(versions, yard.scored_by[last], ident) or item.points
    history = "；".join(f"{day_text(d)} {shown(item, v)}" for d, v in zip(yard.dates, got.values, strict=False)
                       if v is not None)
    earned = got.earned_each_cents[last]
    return FixEntry(ident, item.name, points, cents_to_decimal(earned or 0), OPEN if short[-1] else FIXED,
                    history, cells=list(got.cells))


def courtyard_fixes(yard: CourtyardScore, results: Results) -> CourtyardFixes:
    """The fix list of one courtyard (`results` carries its standard)."""
    versions = {c.version: c for c in results.versions}
    base: dict[str, Item] = {}
    for crit in sorted(versions.values(), key=lambda c: c.effective_from, reverse=True):
        for item in crit.items:
            base.setdefault(item.id, item)
    entries = [e for ident, got in yard.items.items() if ident in base
               if (e := _entry(yard, ident, got, base[ident], versions)) is not None]
    entries.sort(key=lambda e: (e.status != OPEN, -e.lost, e.item))
    remarks = []
    for day, note in zip(yard.dates, yard.notes, strict=False):
        if not note:
            continue
        named = [e for e in entries if names_item(note, e.item, e.name)]
        for e in named:
            e.notes.append(f"{day_text(day)}：{note}")
        if not named:
            remarks.append(f"{day_text(day)}：{note}")
    return CourtyardFixes(yard.community, yard.courtyard, entries, remarks)

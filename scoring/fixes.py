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
from functools import cache

from scoring.criteria.model import Item
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
    return _shown(item.type, value)


@cache
def _shown(kind: str, value: str) -> str:  # a run repeats few distinct values many times
    unit = UNITS.get(kind)
    if unit is None or not value.replace(".", "", 1).isdigit():
        return value
    return value + unit


def names_item(note: str, ident: str, name: str) -> bool:
    """Whether an inspector's note names an item: its name, or its id standing alone ("A1" is
    in "A1名牌缺失" but not in "A10")."""
    if name in note:
        return True
    if ident.lower() not in note.lower():  # the usual case, without a pattern
        return False
    return re.search(rf"(?<![0-9A-Za-z-]){re.escape(ident)}(?![0-9A-Za-z])", note, re.I) is not None


class Catalog:
    """What the fix lists of one run look up, built once: each base item (as the newest version
    names it) and its points in each version, in whole hundredths."""

    def __init__(self, results: Results) -> None:
        newest_first = sorted(results.versions, key=lambda c: c.effective_from, reverse=True)
        self.base: dict[str, Item] = {}
        self.points: dict[tuple[str, str], int] = {}
        for crit in newest_first:
            for item in crit.items:
                self.base.setdefault(item.id, item)
                self.points[(crit.version, item.id)] = int(item.points * 100)


def _entry(yard: CourtyardScore, days: list[str], ident: str, got: ItemScore, item: Item,
           catalog: Catalog) -> FixEntry | None:
    """The item's entry when it lost points at some inspection where it was recorded."""
    lost_once, last = False, None
    for version, earned in zip(yard.scored_by, got.earned_each_cents, strict=False):
        if earned is None:
            continue
        points = catalog.points.get((version, ident))
        short = points is not None and earned < points
        lost_once = lost_once or short
        last = earned, points, short
    if last is None or not lost_once:
        return None
    earned, points, short = last
    history = "；".join(f"{day} {shown(item, v)}" for day, v in zip(days, got.values, strict=False) if v is not None)
    return FixEntry(ident, item.name, item.points if points is None else cents_to_decimal(points),
                    cents_to_decimal(earned), OPEN if short else FIXED, history, cells=list(got.cells))


def courtyard_fixes(yard: CourtyardScore, results: Results, catalog: Catalog | None = None) -> CourtyardFixes:
    """The fix list of one courtyard (`results` carries its standard; `catalog`, built once for
    all the courtyards of a run, saves looking the items up again)."""
    catalog = catalog or Catalog(results)
    days = [day_text(d) for d in yard.dates]  # once per courtyard, for every item's history
    entries = [e for ident, got in yard.items.items() if ident in catalog.base
               if (e := _entry(yard, days, ident, got, catalog.base[ident], catalog)) is not None]
    entries.sort(key=lambda e: (e.status != OPEN, -e.lost, e.item))
    remarks = []
    for day, note in zip(days, yard.notes, strict=False):
        if not note:
            continue
        named = [e for e in entries if names_item(note, e.item, e.name)]
        for e in named:
            e.notes.append(f"{day}：{note}")
        if not named:
            remarks.append(f"{day}：{note}")
    return CourtyardFixes(yard.community, yard.courtyard, entries, remarks)

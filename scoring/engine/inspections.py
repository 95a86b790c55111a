"""From sheet tables to validated inspections: identity, period, the version in force on each
date, and every item value interpreted — once per distinct value, then mapped over the column.

Every problem becomes an Issue with file, sheet, cell and item. A row with any error is left
out of scoring; the caller decides whether that stops the run (default) or not (--lenient).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoring.criteria.model import Criteria, Item
from scoring.criteria.standard import Standard
from scoring.engine.dates import parse_date
from scoring.engine.layout import SheetTable
from scoring.engine.period import Period, infer_period, parse_period
from scoring.engine.positions import cell_ref, cell_sort_key, column_letter
from scoring.engine.spelling import duplicate_issues, spelling_issues
from scoring.engine.values import (
    Outcome,
    display,
    expected_text,
    interpret,
    special,
    veto_expected,
    veto_marked,
)
from scoring.errors import InvalidInputError
from scoring.exact import decimals_of
from scoring.issues import Issue, make
from scoring.text import clean, normalise

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_ITEM_KINDS = ("ok", "na", "exempt", "blank", "invalid", "na_refused", "exempt_refused", "error",
               "no_result", "image")
# The issue each kind of unusable cell gets (everything else not accepted is E120).
_KIND_ISSUE = {"blank": "E121", "na_refused": "E122", "exempt_refused": "E123", "error": "E124",
               "no_result": "E127", "image": "E126"}
_KIND_CODE = {k: i for i, k in enumerate(_ITEM_KINDS)}


@dataclass
class ItemValues:
    """One item's interpreted values for the rows of a version block."""

    units: IntArray  # earned points × factor (0 where not applicable)
    applicable: BoolArray
    text: npt.NDArray[np.object_]  # the value as shown to users
    columns: npt.NDArray[np.int32]  # 0-based column of each value's cell (-1: no cell)
    rows: IntArray  # Excel row of each value's cell

    def take(self, keep: npt.NDArray[np.intp]) -> ItemValues:
        """The values of some rows only."""
        return ItemValues(self.units[keep], self.applicable[keep], self.text[keep], self.columns[keep],
                          self.rows[keep])

    @staticmethod
    def join(a: ItemValues, b: ItemValues) -> ItemValues:
        """Two blocks' values one after the other."""
        return ItemValues(*(np.concatenate([x, y]) for x, y in zip(
            (a.units, a.applicable, a.text, a.columns, a.rows),
            (b.units, b.applicable, b.text, b.columns, b.rows), strict=True)))


@dataclass
class VersionBlock:
    """The inspections scored by one criteria version."""

    criteria: Criteria
    rows: IntArray  # positions in `Inspections.frame`
    items: dict[str, ItemValues] = field(default_factory=dict)
    vetoes: dict[str, BoolArray] = field(default_factory=dict)


@dataclass
class Inspections:
    """Valid inspections in the period: `frame` has one row per inspection (file, sheet, row,
    community, courtyard, date, version, order); `blocks` hold their values by version."""

    frame: pd.DataFrame
    blocks: list[VersionBlock]
    period: Period
    factor: int
    issues: list[Issue]
    excluded_rows: int  # rows left out of scoring because of errors (--lenient)


def unit_factor(versions: tuple[Criteria, ...]) -> int:
    """10^d where d is the most decimals any points, step, per_unit, choice or cap needs, so
    that every earned value is a whole number of units."""
    values = []
    for v in versions:
        values += [v.scale, v.bonus_cap]
        for item in v.all_items:
            values += [item.points, item.scale_step, *item.choices.values()]
            if item.per_unit is not None:
                values.append(item.per_unit)
    return int(10 ** max(decimals_of(x) for x in values))


@dataclass
class _Row:
    table: int
    index: int  # position within the table
    excel_row: int
    community: str
    courtyard: str
    day: date


class _Cached:
    """A function of a cell value computed once per distinct value (a column holds few)."""

    def __init__(self, function: Callable[[Any], Any]) -> None:
        self.function = function
        self.seen: dict[tuple[type, Any], Any] = {}

    def __call__(self, value: Any) -> Any:
        key = (type(value), value)
        try:
            return self.seen[key]
        except KeyError:
            result = self.seen[key] = self.function(value)
            return result
        except TypeError:  # an unhashable value: compute it every time
            return self.function(value)


def _identity(tables: list[SheetTable]) -> tuple[list[_Row], list[Issue]]:
    rows: list[_Row] = []
    issues: list[Issue] = []
    name = _Cached(lambda v: normalise(display(v)))
    unusable = _Cached(lambda v: (found := special(v)) is not None and found.kind != "blank")
    for t, table in enumerate(tables):
        cols = table.identity_columns
        day_of = _Cached(partial(parse_date, date1904=table.date1904))
        for i, excel_row in enumerate(table.rows):
            where = {"file": table.file, "sheet": table.sheet}
            bad = False
            for role in ("community", "courtyard", "date"):
                raw = table.identity[role][i]
                if unusable(raw):
                    found = special(raw)
                    assert found is not None
                    issues.append(make(_KIND_ISSUE[found.kind], **where, value=found.text,
                                       cell=cell_ref(cols[role], excel_row), expected="请填写文字"))
                    bad = True
            if bad:
                continue
            community = name(table.identity["community"][i])
            courtyard = name(table.identity["courtyard"][i])
            raw_day = table.identity["date"][i]
            day = day_of(raw_day)
            if not community:
                issues.append(make("E132", **where, cell=cell_ref(cols["community"], excel_row)))
                bad = True
            if not courtyard:
                issues.append(make("E133", **where, cell=cell_ref(cols["courtyard"], excel_row)))
                bad = True
            if day is None:
                code = "E131" if raw_day is None or not display(raw_day) else "E130"
                issues.append(make(code, **where, cell=cell_ref(cols["date"], excel_row),
                                   value=display(raw_day)))
                bad = True
            if not bad:
                assert day is not None
                rows.append(_Row(t, i, excel_row, community, courtyard, day))
    return rows, issues


def _outcomes(values: npt.NDArray[np.object_], item: Item,
              factor: int) -> tuple[npt.NDArray[np.int8], IntArray, npt.NDArray[np.object_]]:
    """Kind code, units and text per value, interpreting each distinct value once."""
    if bool in set(map(type, values)):  # TRUE must not merge with the number 1 (True == 1)
        values = np.array([("TRUE" if v else "FALSE") if type(v) is bool else v for v in values], dtype=object)
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    outs = [interpret(u, item, factor) for u in uniques] + [Outcome("blank")]
    kind = np.array([_KIND_CODE[o.kind] for o in outs], dtype=np.int8)[codes]
    units = np.array([o.units for o in outs], dtype=np.int64)[codes]
    texts = np.array([o.text for o in outs] + [""], dtype=object)[:-1]
    return kind, units, texts[codes]


def _veto_meaning(value: Any) -> tuple[bool, tuple[str, str] | None]:
    """Whether a veto cell marks the veto, or the issue (code, shown value) it raises."""
    found = special(value)
    if found is not None and found.kind != "blank":
        return False, (_KIND_ISSUE[found.kind], found.text)
    result = False if found is not None else veto_marked(value)
    if result is None:
        return False, ("E135", display(value))
    return result, None


class _Collector:
    """Builds the version blocks, recording issues and the rows that have errors."""

    def __init__(self, tables: list[SheetTable], factor: int, what_if: bool) -> None:
        self.tables = tables
        self.factor = factor
        self.what_if = what_if  # --criteria-version: an item with no column is not applicable
        self.issues: list[Issue] = []

    def _absent(self, table: SheetTable, ident: str, name: str, version: Criteria, is_base: bool,
                bad: BoolArray) -> bool:
        """Handle an item or veto with no column; True when the rows can still be scored."""
        where = {"file": table.file, "sheet": table.sheet, "item": ident}
        if self.what_if:
            if is_base:
                self.issues.append(make("W206", **where, value=f"{ident} {name}",
                                        version=version.version))
            return True
        if table.long and not is_base:
            return True
        self.issues.append(make("E113", **where, value=f"{ident} {name}", version=version.version))
        bad[:] = True
        return False

    def item_values(
        self, table: SheetTable, rows: list[_Row], item: Item, version: Criteria, bad: BoolArray
    ) -> ItemValues | None:
        where = {"file": table.file, "sheet": table.sheet}
        column = table.items.get(item.id)
        is_bonus = item.category is None
        if column is None and not self._absent(table, item.id, item.name, version, not is_bonus, bad):
            return None
        n = len(rows)
        if column is None:  # what-if run: a bonus item earns 0, a base item is not applicable
            mark = "" if is_bonus else "不适用"
            return ItemValues(np.zeros(n, dtype=np.int64), np.full(n, is_bonus), np.full(n, mark, dtype=object),
                              np.full(n, -1, dtype=np.int32), np.zeros(n, dtype=np.int64))
        index = np.fromiter((r.index for r in rows), dtype=np.intp, count=n)
        kind, units, texts = _outcomes(column.array()[index], item, self.factor)
        excel_rows = np.asarray(column.rows, dtype=np.int64)[index]
        letter = column_letter(column.column)
        ok_kinds = {"ok", "na", "exempt"} | ({"blank"} if is_bonus else set())
        wrong = ~np.isin(kind, [_KIND_CODE[k] for k in ok_kinds])
        for k in np.flatnonzero(wrong):
            name = _ITEM_KINDS[kind[k]]
            code = _KIND_ISSUE.get(name, "E120")
            self.issues.append(make(code, **where, cell=f"{letter}{excel_rows[k]}", item=item.id, value=texts[k],
                                    kind=f"{item.name}填写值", expected=expected_text(item)))
        bad |= wrong
        applicable = kind != _KIND_CODE["na"]
        if is_bonus:
            applicable = np.ones(n, dtype=bool)
        return ItemValues(np.where(wrong, 0, units), applicable, texts,
                          np.full(n, column.column, dtype=np.int32), excel_rows)

    def veto_values(
        self, table: SheetTable, rows: list[_Row], veto_id: str, version: Criteria, bad: BoolArray
    ) -> BoolArray:
        veto = next(v for v in version.vetoes if v.id == veto_id)
        where = {"file": table.file, "sheet": table.sheet}
        column = table.items.get(veto_id)
        if column is None:
            self._absent(table, veto_id, veto.name, version, False, bad)
            return np.zeros(len(rows), dtype=bool)
        index = np.fromiter((r.index for r in rows), dtype=np.intp, count=len(rows))
        codes, uniques = pd.factorize(column.array()[index], use_na_sentinel=True)
        meanings = [_veto_meaning(u) for u in uniques] + [(False, None)]
        marked = np.array([m for m, _ in meanings], dtype=bool)[codes]
        for k in np.flatnonzero(np.array([p is not None for _, p in meanings], dtype=bool)[codes]):
            code, text = meanings[codes[k]][1]
            cell = cell_ref(column.column, column.rows[rows[k].index])
            self.issues.append(make(code, **where, cell=cell, item=veto_id, value=text,
                                    expected=veto_expected(veto)))
            bad[k] = True
        return marked

    def block(
        self, table: SheetTable, rows: list[_Row], version: Criteria
    ) -> tuple[dict[str, ItemValues], dict[str, BoolArray], BoolArray]:
        bad = np.zeros(len(rows), dtype=bool)
        items: dict[str, ItemValues] = {}
        for item in version.all_items:
            values = self.item_values(table, rows, item, version, bad)
            if values is not None:
                items[item.id] = values
        vetoes = {v.id: self.veto_values(table, rows, v.id, version, bad) for v in version.vetoes}
        if len(items) == len(version.all_items):
            any_applicable = np.zeros(len(rows), dtype=bool)
            for item in version.items:
                any_applicable |= items[item.id].applicable
            for k in np.flatnonzero(~any_applicable & ~bad):
                self.issues.append(make("E125", file=table.file, sheet=table.sheet,
                                        cell=f"第{rows[k].excel_row}行"))
            bad |= ~any_applicable
        return items, vetoes, bad


def collect(
    tables: list[SheetTable],
    standard: Standard,
    *,
    period: str | None = None,
    version: str | None = None,
    lenient: bool = False,
) -> Inspections:
    """Validate and gather all inspections of the period.

    Raises InvalidInputError (every issue listed) when any row has an error and not `lenient`,
    or when no row can be scored; UsageError for a bad or missing --period / --criteria-version.
    """
    forced = standard.get(version) if version is not None else None
    rows, issues = _identity(tables)
    dated = [r.day for r in rows]
    if not dated and not issues:
        raise InvalidInputError(make("E150").message, [make("E150")])
    chosen = parse_period(period) if period is not None else infer_period(dated) if dated else None
    in_period: list[_Row] = []
    outside: dict[tuple[str, str | None], int] = {}
    for r in rows:
        if chosen is not None and r.day in chosen:
            in_period.append(r)
        else:
            key = (tables[r.table].file, tables[r.table].sheet)
            outside[key] = outside.get(key, 0) + 1
    assert chosen is not None or not rows
    label = chosen.label if chosen else ""
    for (file, sheet), count in outside.items():
        issues.append(make("W202", file=file, sheet=sheet, value=count, expected=label))
    if rows and not in_period:
        issue = make("E154", value=label, detail=len(rows))
        raise InvalidInputError(issue.message, [*issues, issue])

    by_block: dict[tuple[int, str], list[_Row]] = {}
    first = standard.versions[0]
    for r in in_period:
        crit = forced or standard.in_force(r.day)
        if crit is None:
            table = tables[r.table]
            issues.append(make("E134", file=table.file, sheet=table.sheet,
                               cell=cell_ref(table.identity_columns["date"], r.excel_row),
                               value=r.day.isoformat(), expected=first.effective_from.isoformat()))
            continue
        by_block.setdefault((r.table, crit.version), []).append(r)

    factor = unit_factor(standard.versions)
    collector = _Collector(tables, factor, what_if=forced is not None)
    pending: list[tuple[Criteria, list[_Row], dict[str, ItemValues], dict[str, BoolArray], BoolArray]] = []
    for (t, ver), block_rows in by_block.items():
        crit = standard.get(ver)
        items, vetoes, bad = collector.block(tables[t], block_rows, crit)
        pending.append((crit, block_rows, items, vetoes, bad))
    issues += sorted(collector.issues, key=lambda i: (i.file or "", i.sheet or "",
                                                      cell_sort_key(i.cell)))
    has_errors = any(i.is_error for i in issues)
    if has_errors and not lenient:
        raise InvalidInputError(f"检查记录有 {sum(i.is_error for i in issues)} 处错误", issues)

    blocks: dict[str, VersionBlock] = {}
    records: list[dict[str, Any]] = []
    for crit, block_rows, items, vetoes, bad in pending:
        good = np.flatnonzero(~bad)
        if not len(good):
            continue
        start = len(records)
        for k in good:
            r = block_rows[k]
            table = tables[r.table]
            reason = table.identity.get("reason")
            records.append({
                "file": table.file, "sheet": table.sheet, "row": r.excel_row,
                "reason": clean(str(reason[r.index])) if reason and reason[r.index] is not None else "",
                "community": r.community, "courtyard": r.courtyard, "date": r.day,
                "day": r.day.toordinal(),
                "version": crit.version, "order": (r.table, r.index),
            })
        positions = np.arange(start, len(records), dtype=np.int64)
        sub = VersionBlock(crit, positions)
        for ident, val in items.items():
            sub.items[ident] = val.take(good)
        sub.vetoes = {ident: marked[good] for ident, marked in vetoes.items()}
        block = blocks.get(crit.version)
        blocks[crit.version] = sub if block is None else _merge(block, sub)
    # Rows with an error: every data row that is neither outside the period nor scored.
    excluded = sum(len(t.rows) for t in tables) - sum(outside.values()) - len(records)
    if not records:
        raise InvalidInputError(make("E150").message, [*issues, make("E150")])
    frame = pd.DataFrame.from_records(records)
    frame["order"] = pd.factorize(frame["order"], sort=True)[0]
    assert chosen is not None
    issues += spelling_issues(frame) + duplicate_issues(frame, _signatures(frame, blocks.values()))
    return Inspections(frame, list(blocks.values()), chosen, factor, issues, excluded)


def _signatures(frame: pd.DataFrame, blocks: Iterable[VersionBlock]) -> dict[int, tuple[object, ...]]:
    """The values of rows that share courtyard and date with another row (the rare candidates
    for a duplicated inspection)."""
    candidates = set(np.flatnonzero(frame.duplicated(["community", "courtyard", "day"], keep=False)))
    out: dict[int, tuple[object, ...]] = {}
    for block in blocks:
        for k, pos in enumerate(block.rows):
            if int(pos) in candidates:
                values = tuple(block.items[i].text[k] for i in sorted(block.items))
                marks = tuple(bool(block.vetoes[v][k]) for v in sorted(block.vetoes))
                out[int(pos)] = (block.criteria.version, values, marks)
    return out


def _merge(a: VersionBlock, b: VersionBlock) -> VersionBlock:
    """Two blocks of the same version (from different sheets) as one."""
    out = VersionBlock(a.criteria, np.concatenate([a.rows, b.rows]))
    for ident, x in a.items.items():
        out.items[ident] = ItemValues.join(x, b.items[ident])
    out.vetoes = {k: np.concatenate([v, b.vetoes[k]]) for k, v in a.vetoes.items()}
    return out

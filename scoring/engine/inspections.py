"""From sheet tables to validated inspections: identity, period, the version in force on each
date, and every item value interpreted — once per distinct value, then mapped over the column.

Every problem becomes an Issue with file, sheet, cell and item. A row with any error is left
out of scoring; the caller decides whether that stops the run (default) or not (--lenient).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
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
from scoring.engine.results import Unscored
from scoring.engine.spelling import duplicate_issues, spelling_issues
from scoring.engine.unscored import Rejected, reject, unscored
from scoring.engine.values import (
    display,
    expected_text,
    interpret,
    special,
    veto_expected,
    veto_marked,
)
from scoring.errors import InvalidInputError
from scoring.exact import decimals_of
from scoring.issues import Issue, RowId, make, row_label
from scoring.text import UNWRITABLE, clean, normalise, unwritable, visible

IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_ITEM_KINDS = ("ok", "na", "exempt", "blank", "invalid", "na_refused", "exempt_refused", "error",
               "no_result", "image", "ambiguous", "unit_refused")
# The issue each kind of unusable cell gets (everything else not accepted is E120).
_KIND_ISSUE = {"blank": "E121", "na_refused": "E122", "exempt_refused": "E123", "error": "E124",
               "no_result": "E127", "image": "E126", "ambiguous": "E160", "unit_refused": "E161"}
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
    unscored: list[Unscored] = field(default_factory=list)  # courtyards all of whose rows had errors


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


ObjectArray = npt.NDArray[np.object_]
_IDENTITY = ("community", "courtyard", "date")


def _distinct(values: Sequence[Any] | ObjectArray) -> tuple[npt.NDArray[np.intp], list[Any]]:
    """Codes into a column's distinct values, and those values (None last, for blank cells);
    TRUE and FALSE are kept apart from the numbers 1 and 0 (True == 1) as the texts Excel shows."""
    column = np.empty(len(values), dtype=object)
    column[:] = values
    if bool in set(map(type, column)):
        column = np.array([("TRUE" if v else "FALSE") if type(v) is bool else v for v in column], dtype=object)
    codes, uniques = pd.factorize(column, use_na_sentinel=True)
    distinct = [*uniques, None]
    return np.where(codes < 0, len(distinct) - 1, codes), distinct


def _spread(per_distinct: list[Any], codes: npt.NDArray[np.intp], dtype: Any = object) -> npt.NDArray[Any]:
    """What was worked out once per distinct value, for every cell of the column."""
    found = np.empty(len(per_distinct), dtype=dtype)
    found[:] = per_distinct
    return found[codes]


@dataclass
class _Rows:
    """The rows of one table whose identity (community, courtyard, date) is usable, as columns."""

    table: int
    index: npt.NDArray[np.intp]  # positions within the table
    excel_row: IntArray
    community: ObjectArray
    courtyard: ObjectArray
    day: ObjectArray  # dates
    ordinal: IntArray  # the dates' ordinals

    def __len__(self) -> int:
        return len(self.index)

    def label(self, k: int | np.integer[Any]) -> RowId:
        """社区 楼院 检查日期 of the k-th row, for messages."""
        return row_label(self.community[k], self.courtyard[k], self.day[k])

    def take(self, keep: npt.NDArray[np.intp] | BoolArray) -> _Rows:
        """Some of the rows only."""
        return _Rows(self.table, self.index[keep], self.excel_row[keep], self.community[keep],
                     self.courtyard[keep], self.day[keep], self.ordinal[keep])


def _unwritable(codes: npt.NDArray[np.intp], distinct: list[Any]) -> list[tuple[int, dict[str, Any]]]:
    """(first position, W245 fields) for each distinct text holding characters no .xlsx or
    .docx can carry. They are removed (by `normalise`/`clean`) rather than refused: they are
    invisible in Excel/WPS, so a clerk could not find them to fix the file, and they carry no
    meaning; the warning names the first cell so the source file can still be cleaned."""
    found = []
    for j, value in enumerate(distinct):
        if isinstance(value, str) and UNWRITABLE.search(value):
            where = np.flatnonzero(codes == j)
            others = f"（本列另有 {len(where) - 1} 个单元格相同）" if len(where) > 1 else ""
            found.append((int(where[0]), {"value": visible(value), "detail": unwritable(value),
                                          "expected": normalise(value), "other": others}))
    return found


def _identity(t: int, table: SheetTable) -> tuple[_Rows, list[Issue]]:
    """Each distinct community, courtyard and date of a table checked and normalised once; the
    issues of the rows that are unusable, in row order."""
    excel = np.asarray(table.rows, dtype=np.int64)
    cols = table.identity_columns
    where = {"file": table.file, "sheet": table.sheet}
    # (row, order within the row, code, fields): made into issues at the end, named by their row
    found: list[tuple[int, int, str, dict[str, Any]]] = []
    unusable = np.zeros(len(excel), dtype=bool)
    columns = {}
    hits = {}
    for order, role in enumerate(_IDENTITY):
        codes, distinct = columns[role] = _distinct(table.identity[role])
        specials = [special(v) for v in distinct]
        hit = hits[role] = _spread([f is not None and f.kind != "blank" for f in specials], codes, bool)
        for i in np.flatnonzero(hit):
            kind = specials[codes[i]]
            assert kind is not None
            found.append((int(i), order, _KIND_ISSUE[kind.kind], {
                "value": kind.text, "cell": cell_ref(cols[role], int(excel[i])), "expected": "请填写文字"}))
        unusable |= hit
        for first, odd in _unwritable(codes, distinct):
            found.append((first, order, "W245", {**odd, "cell": cell_ref(cols[role], int(excel[first]))}))
    community, courtyard = (_spread([normalise(display(v)) for v in columns[role][1]], columns[role][0])
                            for role in ("community", "courtyard"))
    day_codes, raw_days = columns["date"]
    parsed = [parse_date(v, date1904=table.date1904) for v in raw_days]
    day = _spread(parsed, day_codes)

    def label(i: int) -> RowId:
        return row_label(*("" if hits[role][i] else value[i]
                           for role, value in zip(_IDENTITY, (community, courtyard, day), strict=True)))

    checks = [("E132", "community", community == ""), ("E133", "courtyard", courtyard == ""),
              (None, "date", _spread([d is None for d in parsed], day_codes, bool))]
    for order, (code, role, missing) in enumerate(checks, start=len(_IDENTITY)):
        for i in np.flatnonzero(missing & ~unusable):
            raw = raw_days[day_codes[i]]
            fields: dict[str, Any] = {"cell": cell_ref(cols[role], int(excel[i]))}
            if code is None:
                fields["value"] = display(raw)
            found.append((int(i), order, code or ("E131" if raw is None or not display(raw) else "E130"), fields))
    keep = np.flatnonzero(~unusable & ~np.any([m for _, _, m in checks], axis=0))
    ordinals = _spread([d.toordinal() if d is not None else 0 for d in parsed], day_codes, np.int64)
    rows = _Rows(t, keep, excel[keep], community[keep], courtyard[keep], day[keep], ordinals[keep])
    return rows, [make(code, **where, **fields, row=label(i))
                  for i, _, code, fields in sorted(found, key=lambda f: (f[0], f[1]))]


def _outcomes(values: npt.NDArray[np.object_], item: Item,
              factor: int) -> tuple[npt.NDArray[np.int8], IntArray, npt.NDArray[np.object_],
                                    list[tuple[int, dict[str, Any]]]]:
    """Kind code, units and text per value, interpreting each distinct value once; and the
    texts whose unwritable characters were removed (see `_unwritable`)."""
    codes, distinct = _distinct(values)
    outs = [interpret(v, item, factor) for v in distinct]  # None (blank) is interpreted as blank
    return (_spread([_KIND_CODE[o.kind] for o in outs], codes, np.int8),
            _spread([o.units for o in outs], codes, np.int64), _spread([o.text for o in outs], codes),
            _unwritable(codes, distinct))


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
        self, table: SheetTable, rows: _Rows, item: Item, version: Criteria, bad: BoolArray
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
        kind, units, texts, odd = _outcomes(column.array()[rows.index], item, self.factor)
        excel_rows = np.asarray(column.rows, dtype=np.int64)[rows.index]
        letter = column_letter(column.column)
        for first, fields in odd:
            self.issues.append(make("W245", **where, cell=f"{letter}{excel_rows[first]}", item=item.id,
                                    row=rows.label(first), **fields))
        ok_kinds = {"ok", "na", "exempt"} | ({"blank"} if is_bonus else set())
        wrong = ~np.isin(kind, [_KIND_CODE[k] for k in ok_kinds])
        for k in np.flatnonzero(wrong):
            name = _ITEM_KINDS[kind[k]]
            code = _KIND_ISSUE.get(name, "E120")
            self.issues.append(make(code, **where, cell=f"{letter}{excel_rows[k]}", item=item.id, value=texts[k],
                                    kind=f"{item.name}填写值", expected=expected_text(item), row=rows.label(k)))
        bad |= wrong
        applicable = kind != _KIND_CODE["na"]
        if is_bonus:
            applicable = np.ones(n, dtype=bool)
        return ItemValues(np.where(wrong, 0, units), applicable, texts,
                          np.full(n, column.column, dtype=np.int32), excel_rows)

    def veto_values(
        self, table: SheetTable, rows: _Rows, veto_id: str, version: Criteria, bad: BoolArray
    ) -> BoolArray:
        veto = next(v for v in version.vetoes if v.id == veto_id)
        where = {"file": table.file, "sheet": table.sheet}
        column = table.items.get(veto_id)
        if column is None:
            self._absent(table, veto_id, veto.name, version, False, bad)
            return np.zeros(len(rows), dtype=bool)
        codes, uniques = pd.factorize(column.array()[rows.index], use_na_sentinel=True)
        for first, fields in _unwritable(codes, list(uniques)):
            self.issues.append(make("W245", **where, cell=cell_ref(column.column, column.rows[rows.index[first]]),
                                    item=veto_id, row=rows.label(first), **fields))
        meanings = [_veto_meaning(u) for u in uniques] + [(False, None)]
        marked = np.array([m for m, _ in meanings], dtype=bool)[codes]
        for k in np.flatnonzero(np.array([p is not None for _, p in meanings], dtype=bool)[codes]):
            code, text = meanings[codes[k]][1]
            cell = cell_ref(column.column, column.rows[rows.index[k]])
            self.issues.append(make(code, **where, cell=cell, item=veto_id, value=text,
                                    expected=veto_expected(veto), row=rows.label(k)))
            bad[k] = True
        return marked

    def block(
        self, table: SheetTable, rows: _Rows, version: Criteria
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
                                        cell=f"第{rows.excel_row[k]}行", row=rows.label(k)))
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
    found = [_identity(t, table) for t, table in enumerate(tables)]
    issues = [issue for _, table_issues in found for issue in table_issues]
    usable = [rows for rows, _ in found]
    dated = sum(len(rows) for rows in usable)
    if not dated and not any(i.is_error for i in issues):
        raise InvalidInputError(make("E150").message, [*issues, make("E150")])
    chosen = parse_period(period) if period is not None else infer_period(
        [d for rows in usable for d in set(rows.day.tolist())]) if dated else None
    assert chosen is not None or not dated
    label = chosen.label if chosen else ""
    inside: list[_Rows] = []
    for rows in usable:
        within = ((rows.ordinal >= chosen.start.toordinal()) & (rows.ordinal <= chosen.end.toordinal())
                  if chosen is not None else np.zeros(len(rows), dtype=bool))
        if not within.all():
            table = tables[rows.table]
            issues.append(make("W202", file=table.file, sheet=table.sheet, value=int((~within).sum()),
                               expected=label))
        inside.append(rows.take(within))
    if dated and not any(len(rows) for rows in inside):
        issue = make("E154", value=label, detail=dated)
        raise InvalidInputError(issue.message, [*issues, issue])

    # The version in force on each distinct date, then the rows of each (table, version).
    by_block: list[tuple[_Rows, Criteria]] = []
    first = standard.versions[0]
    for rows in inside:
        days, codes = np.unique(rows.ordinal, return_inverse=True)
        versions = [forced or standard.in_force(date.fromordinal(int(d))) for d in days]
        table = tables[rows.table]
        for k in np.flatnonzero(np.array([v is None for v in versions], dtype=bool)[codes]):
            issues.append(make("E134", file=table.file, sheet=table.sheet,
                               cell=cell_ref(table.identity_columns["date"], int(rows.excel_row[k])),
                               value=rows.day[k].isoformat(), expected=first.effective_from.isoformat(),
                               row=rows.label(k)))
        names = np.array([v.version if v is not None else "" for v in versions], dtype=object)[codes]
        for name in pd.unique(names):
            if name:
                by_block.append((rows.take(names == name), standard.get(name)))

    factor = unit_factor(standard.versions)
    collector = _Collector(tables, factor, what_if=forced is not None)
    pending: list[tuple[Criteria, _Rows, dict[str, ItemValues], dict[str, BoolArray], BoolArray]] = []
    for block_rows, crit in by_block:
        items, vetoes, bad = collector.block(tables[block_rows.table], block_rows, crit)
        pending.append((crit, block_rows, items, vetoes, bad))
    issues += sorted(collector.issues, key=lambda i: (i.file or "", i.sheet or "",
                                                      cell_sort_key(i.cell)))
    has_errors = any(i.is_error for i in issues)
    if has_errors and not lenient:
        raise InvalidInputError(f"检查记录有 {sum(i.is_error for i in issues)} 处错误", issues, skippable=True)

    rejected: Rejected = {}
    for rows, table in zip(usable, tables, strict=True):  # rows whose identity has an error
        lost = np.setdiff1d(np.arange(len(table.rows)), rows.index)
        reject(rejected, _place(table), ((normalise(display(table.identity["community"][i])),
                                          normalise(display(table.identity["courtyard"][i])),
                                          int(table.rows[i])) for i in lost.tolist()))
    blocks: dict[str, VersionBlock] = {}
    parts: list[dict[str, Any]] = []
    scored = 0
    longest = max((len(t.rows) for t in tables), default=0) + 1
    for crit, block_rows, items, vetoes, bad in pending:
        wrong = block_rows.take(bad)
        reject(rejected, _place(tables[wrong.table]), zip(wrong.community.tolist(), wrong.courtyard.tolist(),
                                                          wrong.excel_row.tolist(), strict=True))
        good = np.flatnonzero(~bad)
        if not len(good):
            continue
        rows = block_rows.take(good)
        table = tables[rows.table]
        # What the inspector wrote: 扣分原因 and 备注, joined where a row has both.
        written: list[npt.NDArray[Any]] = []
        for role in ("reason", "note"):
            if role not in table.identity:
                continue
            codes, texts = _distinct(np.asarray(table.identity[role], dtype=object)[rows.index])
            for at, fields in _unwritable(codes, texts):
                issues.append(make("W245", file=table.file, sheet=table.sheet, row=rows.label(at), **fields,
                                   cell=cell_ref(table.identity_columns[role], int(rows.excel_row[at]))))
            written.append(_spread([clean(str(t)) if t is not None else "" for t in texts], codes))
        notes = (written[0] if len(written) == 1 else np.full(len(rows), "", dtype=object) if not written
                 else np.array([f"{a}；{b}" if a and b else a or b for a, b in zip(*written, strict=True)],
                               dtype=object))
        parts.append({
            "file": np.full(len(rows), table.file, dtype=object),
            "sheet": np.full(len(rows), table.sheet, dtype=object),
            "row": rows.excel_row,
            "reason": notes,
            "community": rows.community, "courtyard": rows.courtyard, "date": rows.day, "day": rows.ordinal,
            "version": np.full(len(rows), crit.version, dtype=object),
            "order": rows.table * longest + rows.index.astype(np.int64),
        })
        sub = VersionBlock(crit, np.arange(scored, scored + len(rows), dtype=np.int64))
        scored += len(rows)
        for ident, val in items.items():
            sub.items[ident] = val.take(good)
        sub.vetoes = {ident: marked[good] for ident, marked in vetoes.items()}
        block = blocks.get(crit.version)
        blocks[crit.version] = sub if block is None else _merge(block, sub)
    # Rows with an error: every data row that is neither outside the period nor scored.
    outside = sum(len(u) - len(i) for u, i in zip(usable, inside, strict=True))
    excluded = sum(len(t.rows) for t in tables) - outside - scored
    if not scored:
        raise InvalidInputError(make("E150").message, [*issues, make("E150")])
    frame = pd.DataFrame({key: np.concatenate([part[key] for part in parts]) for key in parts[0]})
    frame["order"] = pd.factorize(frame["order"], sort=True)[0]
    assert chosen is not None
    issues += spelling_issues(frame) + duplicate_issues(frame, _signatures(frame, blocks.values()))
    kept = set(zip(frame["community"].tolist(), frame["courtyard"].tolist(), strict=True))
    return Inspections(frame, list(blocks.values()), chosen, factor, issues, excluded, unscored(rejected, kept))


def _place(table: SheetTable) -> str:
    """file › sheet, as issues name them."""
    return f"{table.file} › {table.sheet}" if table.sheet else table.file


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

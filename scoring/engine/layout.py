"""Sheet layout: find the header row (possibly under a title row), recognise identity columns by
their aliases and item columns by id, id + name or name, and turn the long layout
(one row per courtyard × item) into one row per inspection."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from scoring.criteria.model import Criteria
from scoring.engine.dates import parse_date
from scoring.engine.positions import cell_ref
from scoring.engine.reader import RawSheet
from scoring.issues import Issue, make
from scoring.text import compact, normalise

HEADER_SCAN_ROWS = 20
# Sheets of instructions (the template's own 填表说明) are skipped without a word.
INSTRUCTION_SHEETS = {"填表说明", "填写说明", "说明"}
IDENTITY_ALIASES: dict[str, tuple[str, ...]] = {
    "community": ("社区", "所属社区", "社区名称"),
    "courtyard": ("楼院", "楼院名称", "小区", "小区名称"),
    "date": ("检查日期", "日期", "检查时间"),
    "inspector": ("检查人", "检查人员"),
    "note": ("备注",),
    "reason": ("扣分原因",),
}
REQUIRED_ROLES = ("community", "courtyard", "date")
ROLE_NAMES = {"community": "社区", "courtyard": "楼院", "date": "检查日期"}
LONG_ITEM = ("项目编号", "项目")
LONG_VALUE = ("得分", "数值", "检查结果", "结果")
IGNORED = ("序号", "编号", "合计", "总分", "得分合计", "自评分")
_UNIT = re.compile(r"\((?:\d+(?:\.\d+)?)?分值?\)$")
_ID_CHAR = re.compile(r"^[A-Z0-9_-]")  # an id continues while these follow
_ALIAS_ROLE = {alias: role for role, aliases in IDENTITY_ALIASES.items() for alias in aliases}
# Words of the lines a paper form ends with — signatures, reviewer, person in charge, totals,
# notes. A row below the data whose only text holds one of them, with no courtyard, no date and
# no item value, is such a line: skipped with W260, never read as an inspection.
FOOTER_WORDS = ("签字", "签名", "签章", "盖章", "审核", "审批", "负责人", "合计", "总计", "小计", "备注",
                "制表", "填表人", "检查组", "检查人")


@functools.lru_cache(maxsize=4096)
def fold(text: str) -> str:
    """Header text in one form: NFKC (compatibility forms such as Kangxi radicals ⽇, compatibility
    ideographs and full-width letters become the ordinary characters) and no invisible format
    characters (Unicode category Cf: zero-width spaces and joiners, soft hyphens, direction
    marks, BOM). Ordinary text is unchanged, so whatever matched before still matches."""
    if text.isascii():
        return text
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cf")


def header_key(value: Any) -> str:
    """A header cell as compared: folded, normalised, spaces removed, a unit like （分） dropped."""
    if value is None:
        return ""
    return _UNIT.sub("", compact(fold(str(value))))


class ColumnCatalog:
    """Every item, bonus item and veto id of every version, and their names, for matching
    column headers."""

    def __init__(self, versions: Iterable[Criteria]) -> None:
        self.ids: dict[str, str] = {}
        self.names: dict[str, list[str]] = {}
        for version in versions:
            named = [(i.id, i.name) for i in version.all_items]
            named += [(v.id, v.name) for v in version.vetoes]
            for ident, name in named:
                self.ids[ident.upper()] = ident
                ids = self.names.setdefault(compact(fold(name)), [])
                if ident not in ids:
                    ids.append(ident)

    def match(self, header: Any) -> tuple[str | None, list[str]]:
        """The id a header cell names (or None), and the ids of an ambiguous name.

        Accepted: the id, the id followed by the name (`LAW-01 居民公约…`, with or without a
        space), or exactly the name.
        """
        if header is None:
            return None, []
        text = normalise(fold(str(header)))
        key = header_key(text)
        if key.upper() in self.ids:
            return self.ids[key.upper()], []
        first = re.split(r"[\s:：、]", text, maxsplit=1)[0].upper()
        if first in self.ids:
            return self.ids[first], []
        ids = self.names.get(key, [])
        if ids:
            return ids[0], ids if len(ids) > 1 else []
        # An id glued to its name: the longest known id that starts the header.
        upper = key.upper()
        glued = [i for i in self.ids if upper.startswith(i) and not _ID_CHAR.match(upper[len(i):])]
        if glued:
            return self.ids[max(glued, key=len)], []
        return None, []


@dataclass
class ItemColumn:
    """The values of one item for each inspection of a sheet, and where they stand."""

    column: int
    values: list[Any]
    rows: list[int]  # Excel row of each value

    def array(self) -> npt.NDArray[np.object_]:
        """The values as an object array (None for blank cells)."""
        out = np.empty(len(self.values), dtype=object)
        out[:] = self.values
        return out


@dataclass
class SheetTable:
    """One sheet as inspections: identity values and item columns, one entry per inspection."""

    file: str
    sheet: str | None
    rows: list[int]  # Excel row of each inspection (its first row in the long layout)
    identity: dict[str, list[Any]]
    identity_columns: dict[str, int]
    items: dict[str, ItemColumn] = field(default_factory=dict)
    date1904: bool = False
    long: bool = False  # the long layout: absent bonus items and vetoes are simply not marked


def _roles(row: list[Any]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for col, value in enumerate(row):
        role = _ALIAS_ROLE.get(header_key(value))
        if role:
            found.setdefault(role, []).append(col)
    return found


def find_header(sheet: RawSheet) -> tuple[int | None, list[Issue]]:
    """The 0-based index of the header row among the first rows, or issues saying why not."""
    best: tuple[int, dict[str, list[int]]] | None = None
    for index, row in enumerate(sheet.rows[:HEADER_SCAN_ROWS]):
        roles = _roles(row)
        if all(r in roles for r in REQUIRED_ROLES):
            return index, []
        if roles and (best is None or len(roles) > len(best[1])):
            best = (index, roles)
    where = {"file": sheet.file, "sheet": sheet.sheet}
    if best is None:
        quiet = sheet.sheet is not None and compact(sheet.sheet) in INSTRUCTION_SHEETS
        return None, [] if quiet else [make("W205", **where, value=HEADER_SCAN_ROWS)]
    index, roles = best
    return None, [
        make("E111", **where, cell=f"第{index + 1}行", value=ROLE_NAMES[r],
             expected="、".join(IDENTITY_ALIASES[r][1:]))
        for r in REQUIRED_ROLES if r not in roles
    ]


def _blank(row: list[Any]) -> bool:
    """Whether a row holds nothing (stops at the first filled cell, usually the first one)."""
    return not any(v is not None and v != "" and not (type(v) is str and not v.strip()) for v in row)


def _footer_text(row: list[Any], must_be_blank: list[int]) -> str | None:
    """The text of a footer line (see FOOTER_WORDS), or None when the row is not one."""
    if not _blank([_at(row, col) for col in must_be_blank]):
        return None
    texts = [v for v in row if not _blank([v])]
    if not all(isinstance(v, str) for v in texts):
        return None
    joined = " ".join(normalise(v) for v in texts)
    return " ".join(v.strip() for v in texts) if any(word in joined for word in FOOTER_WORDS) else None


def _drop_footer(data: list[tuple[int, list[Any]]], must_be_blank: list[int], where: dict[str, Any]
                 ) -> tuple[list[tuple[int, list[Any]]], list[Issue]]:
    """The data rows without the footer lines at their end, and a W260 for each line dropped."""
    issues: list[Issue] = []
    while data and (text := _footer_text(data[-1][1], must_be_blank)) is not None:
        issues.insert(0, make("W260", **where, cell=f"第{data[-1][0]}行", value=text))
        data = data[:-1]
    return data, issues


def build_table(sheet: RawSheet, catalog: ColumnCatalog) -> tuple[SheetTable | None, list[Issue]]:
    """Recognise a sheet's layout and gather its inspections."""
    index, issues = find_header(sheet)
    if index is None:
        return None, issues
    header = sheet.rows[index]
    where = {"file": sheet.file, "sheet": sheet.sheet}
    identity_columns: dict[str, int] = {}
    item_columns: dict[str, int] = {}
    long_item = long_value = None
    for col, cell in enumerate(header):
        key = header_key(cell)
        if not key or key in IGNORED:
            continue
        role = _ALIAS_ROLE.get(key)
        if role is not None:
            if role in identity_columns:
                issues.append(make("E112", **where, cell=f"第{index + 1}行", value=key,
                                   other=f"第 {identity_columns[role] + 1} 列和第 {col + 1} 列"))
            identity_columns[role] = col
            continue
        if key in LONG_ITEM:
            long_item = col
            continue
        if key in LONG_VALUE:
            long_value = col
            continue
        ident, ambiguous = catalog.match(cell)
        if ident is None:
            issues.append(make("W201", **where, cell=cell_ref(col, index + 1), value=normalise(str(cell))))
            continue
        if ambiguous:
            issues.append(make("W204", **where, cell=cell_ref(col, index + 1), item=ident,
                               value=key, expected="、".join(ambiguous)))
        if ident in item_columns:
            issues.append(make("E112", **where, cell=f"第{index + 1}行", item=ident, value=ident,
                               other=f"第 {item_columns[ident] + 1} 列和第 {col + 1} 列"))
        item_columns[ident] = col
    if any(i.is_error for i in issues):
        return None, issues
    data = [(index + 2 + k, row) for k, row in enumerate(sheet.rows[index + 1:]) if not _blank(row)]
    values = [identity_columns[r] for r in ("courtyard", "date")] + list(item_columns.values()) + [
        col for col in (long_item, long_value) if col is not None]
    data, footer = _drop_footer(data, values, where)
    issues += footer
    if long_item is not None and long_value is not None:
        return _long_table(sheet, data, identity_columns, long_item, long_value, catalog, issues)
    columns = _transpose([row for _, row in data])
    table = SheetTable(
        sheet.file, sheet.sheet, [r for r, _ in data],
        {role: columns(col) for role, col in identity_columns.items()},
        identity_columns, date1904=sheet.date1904,
    )
    for ident, col in item_columns.items():
        table.items[ident] = ItemColumn(col, columns(col), table.rows)
    return table, issues


def _transpose(rows: list[list[Any]]) -> Callable[[int], list[Any]]:
    """Column access for rows of any lengths: rows become columns once, in C (zip)."""
    width = max((len(r) for r in rows), default=0)
    if any(len(r) != width for r in rows):
        rows = [list(r) + [None] * (width - len(r)) for r in rows]
    columns = list(zip(*rows, strict=True)) if rows else []

    def column(index: int) -> list[Any]:
        return list(columns[index]) if index < width else [None] * len(rows)

    return column


def _at(row: list[Any], col: int) -> Any:
    return row[col] if col < len(row) else None


def _long_table(
    sheet: RawSheet,
    data: list[tuple[int, list[Any]]],
    identity_columns: dict[str, int],
    item_col: int,
    value_col: int,
    catalog: ColumnCatalog,
    issues: list[Issue],
) -> tuple[SheetTable, list[Issue]]:
    """Long layout: rows with the same 社区, 楼院 and date form one inspection."""
    where = {"file": sheet.file, "sheet": sheet.sheet}
    groups: dict[tuple[Any, ...], int] = {}
    table = SheetTable(sheet.file, sheet.sheet, [], {r: [] for r in identity_columns},
                       identity_columns, date1904=sheet.date1904, long=True)
    cells: dict[str, dict[int, tuple[Any, int]]] = {}
    unknown: set[str] = set()
    for excel_row, row in data:
        ident_values = {role: _at(row, col) for role, col in identity_columns.items()}
        day = parse_date(ident_values.get("date"), sheet.date1904)
        key = (
            normalise(str(ident_values.get("community") or "")),
            normalise(str(ident_values.get("courtyard") or "")),
            day if day is not None else ("row", excel_row),
        )
        if key not in groups:
            groups[key] = len(table.rows)
            table.rows.append(excel_row)
            for role, value in ident_values.items():
                table.identity[role].append(value)
        n = groups[key]
        raw_item = _at(row, item_col)
        ident, _ = catalog.match(raw_item)
        if ident is None:
            shown = normalise(str(raw_item or ""))
            if shown not in unknown:
                unknown.add(shown)
                issues.append(make("W201", **where, cell=cell_ref(item_col, excel_row), value=shown))
            continue
        cells.setdefault(ident, {})[n] = (_at(row, value_col), excel_row)
    count = len(table.rows)
    for ident, by_inspection in cells.items():
        values = [by_inspection.get(n, (None, table.rows[n]))[0] for n in range(count)]
        rows = [by_inspection.get(n, (None, table.rows[n]))[1] for n in range(count)]
        table.items[ident] = ItemColumn(value_col, values, rows)
    return table, issues

"""Reading the office's workbooks (the 标准编制表 and the 法规库编制表) by their headers: each
cell parsed as its column's kind (`sheet_layout.Col`), values as clerks type them, every problem
an Issue at its sheet and cell, all of them collected."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

from scoring.criteria import cells
from scoring.criteria.cells import CellError
from scoring.criteria.lawref import (
    CitationError,
    parse_citation,
    resolve,
    shown_name,
    split_citations,
    unknown_hint,
)
from scoring.criteria.regulations import Register
from scoring.criteria.sheet_layout import (
    ACTION_LABELS,
    BASIC_SHEET,
    CATEGORY_COLS,
    CATEGORY_HEADER,
    CHOICES_SHEET,
    EFFECT_LABELS,
    FIELD_LABELS,
    LAWS_SHEET,
    METHODS,
    REPEAT_LABELS,
    SUBJECT_LABELS,
    TYPE_LABELS,
    Col,
)
from scoring.engine.positions import cell_ref
from scoring.engine.reader import RawSheet
from scoring.issues import Issue, make
from scoring.text import compact, normalise

_REQUIRES_SPLIT = re.compile(r"[、，,；;\s]+")
_LINES_SPLIT = re.compile(r"[\n；;]+")
_FIELDS_SPLIT = re.compile(r"[、，,；;\s]+")
_RATE_LINE = re.compile(r"^(?P<name>.+?)[\s:：]*(?P<value>[0-9.]+\s*%?)$")
_EFFECT_WORDS = {**EFFECT_LABELS, "zero_category": "该分类得分清零"}
_EFFECT_ALIASES = {"该类别得分清零": "zero_category", "清零": "zero_category", "限定等级": "cap_grade"}



def _label(value: Any) -> str | None:
    """A cell as text for naming things in messages; never raises (an error value is shown as is)."""
    try:
        return cells.text(value)
    except CellError as exc:
        return exc.shown or None


class SheetReader:
    """One workbook being read; collects issues and origins."""

    def __init__(self, path: Path, sheets: list[RawSheet], register: Register) -> None:
        self.file = str(path)
        self.sheets = {s.sheet: s for s in sheets if s.sheet is not None}
        self.register = register
        self.issues: list[Issue] = []
        self.origins: dict[str, tuple[str, str]] = {}
        self.categories: dict[str, str] = {}  # name or id → id

    # -- cells ---------------------------------------------------------------------------
    def problem(self, sheet: str, cell: str, item: str | None, field_name: str, expected: str,
                value: str) -> None:
        """Report a cell whose value is not what its column needs."""
        self.issues.append(make("C242", file=self.file, sheet=sheet, cell=cell, item=item,
                                field=field_name, expected=expected, value=value))

    def missing(self, sheet: str, cell: str, item: str | None, field_name: str) -> None:
        """Report a required cell left blank."""
        self.issues.append(make("C243", file=self.file, sheet=sheet, cell=cell, item=item,
                                field=field_name))

    def value(self, sheet: str, col: Col, raw: Any, cell: str, item: str | None) -> Any:
        """The JSON value of one cell of column `col`; None when blank or wrong (reported)."""
        parsers: dict[str, Callable[[Any], Any]] = {
            "text": cells.text, "version": cells.text, "date": cells.iso_date,
            "yesno": cells.yes_no,
            "integer": lambda v: cells.integer(v),
            "number": lambda v: cells.number(v, "数字，如 3 或 2.5"),
            "type": lambda v: cells.choice(v, TYPE_LABELS, "、".join(TYPE_LABELS.values()) + " 之一"),
            "method": lambda v: cells.choice(v, {m: m for m in METHODS}, "、".join(METHODS) + " 之一"),
            "effect": self._effect,
            "subject": lambda v: cells.choice(v, SUBJECT_LABELS, "楼院 或 社区"),
            "repeat": lambda v: cells.choice(v, REPEAT_LABELS, "平均、最近一次 或 最低"),
            "action": lambda v: cells.choice(v, ACTION_LABELS, "新增、删除 或 修改"),
            "category": self._category,
        }
        try:
            if col.kind in parsers:
                result = parsers[col.kind](raw)
                positive = col.key in ("points", "per_unit", "step") and sheet != CHOICES_SHEET
                if positive and result is not None and result <= 0:
                    raise CellError("正数", cells.shown(raw))
                return result
            content = cells.text(raw)
            if content is None:
                return None
            if col.kind == "law":
                return self._bases(content, sheet, cell, item)
            if col.kind == "lines":
                splitter = _REQUIRES_SPLIT if col.key == "requires" else _LINES_SPLIT
                return [p.strip() for p in splitter.split(content) if p.strip()] or None
            if col.kind == "fields":
                words = {w: k for k, w in FIELD_LABELS.items()}
                return [words.get(p, p) for p in _FIELDS_SPLIT.split(content) if p] or None
            if col.kind == "rates":
                return self._rates(content)
        except CellError as exc:
            self.problem(sheet, cell, item, col.header, exc.expected, exc.shown)
            return None
        raise AssertionError(col.kind)  # every kind is handled above

    def _effect(self, raw: Any) -> str | None:
        content = cells.text(raw)
        if content is None:
            return None
        key = normalise(content)
        if key in _EFFECT_ALIASES:
            return _EFFECT_ALIASES[key]
        return cells.choice(raw, _EFFECT_WORDS, "、".join(EFFECT_LABELS.values()) + " 之一")

    def _category(self, raw: Any) -> str | None:
        content = cells.text(raw)
        if content is None:
            return None
        key = compact(content)
        if key in self.categories:
            return self.categories[key]
        names = "、".join(k for k, v in self.categories.items() if k != compact(v)) or "（尚未填写分类）"
        raise CellError(f"“基本信息”中的分类名称：{names}", content)

    def _rates(self, content: str) -> dict[str, Decimal]:
        out: dict[str, Decimal] = {}
        for line in _LINES_SPLIT.split(content):
            if not line.strip():
                continue
            match = _RATE_LINE.match(normalise(line))
            value = cells.rate(match.group("value")) if match else None
            if match is None or value is None:
                raise CellError("“分类名称 得分率”，如 法治建设 90%（多个分行写）", line.strip())
            out[self._category(match.group("name")) or ""] = value
        return out

    def _bases(self, content: str, sheet: str, cell: str, item: str | None) -> list[dict[str, Any]] | None:
        out: list[dict[str, Any]] = []
        for part in split_citations(content):
            try:
                citation = parse_citation(part)
            except CitationError:
                self.issues.append(make("C241", file=self.file, sheet=sheet, cell=cell, item=item,
                                        value=part))
                continue
            ref = resolve(citation.law, self.register)
            if ref is None:
                self.issues.append(make("C240", file=self.file, sheet=sheet, cell=cell, item=item,
                                        value=shown_name(citation.law),
                                        hint=unknown_hint(citation.law, self.register)))
                continue
            entry: dict[str, Any] = {"ref": ref}
            if citation.article:
                entry["article"] = citation.article
            if citation.note:
                entry["note"] = citation.note
            out.append(entry)
        return out or None

    # -- sheets --------------------------------------------------------------------------
    def sheet(self, name: str, required: bool) -> RawSheet | None:
        """The sheet called `name`; a missing required sheet is reported with the sheets there are."""
        found = self.sheets.get(name)
        if found is None and required:
            listed = "、".join(n for n in self.sheets if n != LAWS_SHEET) or "（无）"
            self.issues.append(make("C245", file=self.file, value=name, detail=listed))
        return found

    def table(self, name: str, cols: tuple[Col, ...], required: bool = False,
              id_key: str | None = "id", offset: int = 0) -> list[tuple[int, dict[str, Any], dict[str, str]]]:
        """(Excel row, values by key, cells by key) of every non-blank row under the header,
        which is row `offset + 1`."""
        raw = self.sheet(name, required)
        if raw is None or len(raw.rows) <= offset:
            return []
        head = raw.rows[offset]
        header = [compact(cells.shown(v)) for v in head]
        index: dict[str, int] = {}
        for k, col in enumerate(cols):
            if compact(col.header) in header:
                index[col.key] = header.index(compact(col.header))
            else:
                shown = cells.shown(head[k]) if k < len(head) else ""
                self.issues.append(make("C247", file=self.file, sheet=name, cell=cell_ref(k, offset + 1),
                                        expected=col.header, value=shown))
        out = []
        for r, row in enumerate(raw.rows[offset + 1:], start=offset + 2):
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in row):
                continue
            item = None
            if id_key is not None and id_key in index and index[id_key] < len(row):
                item = _label(row[index[id_key]])
            values: dict[str, Any] = {}
            where: dict[str, str] = {}
            for col in cols:
                if col.key not in index:
                    continue
                c = index[col.key]
                ref = cell_ref(c, r)
                where[col.key] = ref
                raw_value = row[c] if c < len(row) else None
                value = self.value(name, col, raw_value, ref, item)
                if value is None and col.required and _label(raw_value) is None:
                    self.missing(name, ref, item, col.header)
                if value is not None:
                    values[col.key] = value
            out.append((r, values, where))
        return out

    def form(self, name: str, fields: tuple[Col, ...], required: bool) -> tuple[dict[str, Any], dict[str, str]]:
        """A one-field-per-row sheet: values by key and the cell of each field."""
        raw = self.sheet(name, required)
        values: dict[str, Any] = {}
        where: dict[str, str] = {}
        if raw is None:
            return values, where
        rows = {compact(cells.shown(row[0])): (r, row) for r, row in enumerate(raw.rows, start=1) if row}
        for col in fields:
            found = rows.get(compact(col.header))
            if found is None:
                if required:
                    self.issues.append(make("C244", file=self.file, sheet=name, cell="A1",
                                            detail=f"缺少“{col.header}”一行，请不要删除该行"))
                continue
            r, row = found
            ref = cell_ref(1, r)
            where[col.key] = ref
            raw_value = row[1] if len(row) > 1 else None
            value = self.value(name, col, raw_value, ref, None)
            if value is None and col.required and _label(raw_value) is None:
                self.missing(name, ref, None, col.header)
            if value is not None:
                values[col.key] = value
        return values, where

    def categories_table(self) -> list[tuple[int, dict[str, Any], dict[str, str]]]:
        """The category table below the fields of 基本信息 (its header row starts 分类编号)."""
        raw = self.sheets.get(BASIC_SHEET)
        if raw is None:
            return []
        start = next((r for r, row in enumerate(raw.rows)
                      if row and compact(cells.shown(row[0])) == CATEGORY_HEADER), None)
        if start is None:
            self.issues.append(make("C244", file=self.file, sheet=BASIC_SHEET, cell="A1",
                                    detail=f"找不到分类表（第一格为“{CATEGORY_HEADER}”的一行），请不要删除该行"))
            return []
        cols = (*CATEGORY_COLS, Col("其他标签", "tags", "lines", 0, ""))
        return self.table(BASIC_SHEET, cols, offset=start)

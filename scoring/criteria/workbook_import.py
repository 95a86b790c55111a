"""Read the 标准编制表 (docs/design.md §12) back into a criteria version's JSON data.

The file passes the same pre-flight as inspection files (`engine.reader`: real format, size,
sheet bounds, no XML entities), then each sheet is read by its headers. Every problem is an
Issue naming the sheet and cell (and the item), all collected before returning. Besides the
data, the reader returns where each JSON path came from, so that the schema's and the
semantic checks' issues can be reported at their cells too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scoring.criteria.model import RULE_OF_LAW_TAG
from scoring.criteria.regulations import Register
from scoring.criteria.sheet_layout import (
    BASIC_FIELDS,
    BASIC_SHEET,
    BONUS_COLS,
    BONUS_SHEET,
    CHANGELOG_COLS,
    CHANGELOG_SHEET,
    CHOICE_COLS,
    CHOICES_SHEET,
    GRADE_COLS,
    GRADES_SHEET,
    ITEM_COLS,
    ITEMS_SHEET,
    LIST_FIELDS,
    LISTS_SHEET,
    VETO_COLS,
    VETOES_SHEET,
    Col,
)
from scoring.criteria.sheet_reader import SheetReader
from scoring.engine.positions import cell_ref
from scoring.engine.reader import read_file
from scoring.issues import Issue
from scoring.text import compact

SCHEMA_REF = "../schema/criteria.schema.json"


@dataclass
class WorkbookRead:
    """What the reader found: the data, its problems, and JSON path → (sheet, cell)."""

    data: dict[str, Any]
    issues: list[Issue] = field(default_factory=list)
    origins: dict[str, tuple[str, str]] = field(default_factory=dict)


def read_standard_workbook(path: Path, register: Register) -> WorkbookRead:
    """The version data a 标准编制表 holds, its problems (each at its sheet and cell) and the
    origin of each JSON path. InvalidInputError when the file itself cannot be read."""
    sheets, _warnings = read_file(path)
    reader = SheetReader(path, sheets, register)
    return _Builder(reader).build()


class _Builder:
    """Assembles the JSON data from the sheets, recording each value's cell."""

    def __init__(self, reader: SheetReader) -> None:
        self.r = reader

    def origin(self, path: str, sheet: str, cell: str) -> None:
        """Record that the value at JSON `path` came from `sheet!cell`."""
        self.r.origins[path] = (sheet, cell)

    def fields(self, path: str, sheet: str, where: dict[str, str], row: int) -> None:
        self.origin(path, sheet, where.get("id", cell_ref(0, row)))
        for key, cell in where.items():
            self.origin(f"{path}.{key}", sheet, cell)

    def build(self) -> WorkbookRead:
        """The whole version's data, in the canonical order of its parts."""
        r = self.r
        basic, basic_cells = r.form(BASIC_SHEET, BASIC_FIELDS, True)
        data: dict[str, Any] = {"$schema": SCHEMA_REF, "schema_version": 1}
        for col in BASIC_FIELDS:
            if col.key in basic and col.key != "bonus_cap":
                data[col.key] = basic[col.key]
            if col.key in basic_cells:
                path = "$.bonus.cap" if col.key == "bonus_cap" else f"$.{col.key}"
                self.origin(path, BASIC_SHEET, basic_cells[col.key])
        self.origin("$", BASIC_SHEET, "A1")
        self.origin("$.changelog", CHANGELOG_SHEET, "A1")
        categories = self.categories()
        data["categories"] = categories
        items = self.items(ITEMS_SHEET, ITEM_COLS, True)
        bonus_items = self.items(BONUS_SHEET, BONUS_COLS, False)
        self.choices(items + bonus_items)
        by_category: dict[str, list[dict[str, Any]]] = {c["id"]: [] for c in categories}
        rows_of: dict[int, tuple[int, dict[str, str], str]] = {}
        for row, item, where, category in items:
            if category in by_category:
                by_category[category].append(item)
                rows_of[id(item)] = (row, where, ITEMS_SHEET)
        for ci, cat in enumerate(categories):
            cat["items"] = by_category[cat["id"]]
            for ii, item in enumerate(cat["items"]):
                row, where, sheet = rows_of[id(item)]
                self.item_origins(f"$.categories[{ci}].items[{ii}]", sheet, where, row, item)
        cap = basic.get("bonus_cap")
        if cap is not None or bonus_items:
            if cap is None:
                r.missing(BASIC_SHEET, basic_cells.get("bonus_cap", "B1"), None, "加分上限（有加分项时必填）")
            data["bonus"] = {"cap": cap if cap is not None else 0, "items": [b for _, b, _, _ in bonus_items]}
            for bi, (row, item, where, _) in enumerate(bonus_items):
                self.item_origins(f"$.bonus.items[{bi}]", BONUS_SHEET, where, row, item)
        vetoes = self.vetoes()
        if vetoes:
            data["vetoes"] = vetoes
        data["grades"] = self.grades()
        lists = self.lists()
        if lists:
            data["lists"] = lists
        if "repeat" in data:  # keep the canonical position after lists
            data["repeat"] = data.pop("repeat")
        changelog = self.changelog()
        if changelog:
            data["changelog"] = changelog
        return WorkbookRead(data, r.issues, r.origins)

    def categories(self) -> list[dict[str, Any]]:
        """The categories of 基本信息 (their items are filled in later)."""
        out = []
        for ci, (row, values, where) in enumerate(self.r.categories_table()):
            cat: dict[str, Any] = {"id": values.get("id", ""), "name": values.get("name", "")}
            law = values.get("rule_of_law")
            other = values.get("tags") or []
            if law is not None or other:
                cat["tags"] = ([RULE_OF_LAW_TAG] if law else []) + [t for t in other if t != RULE_OF_LAW_TAG]
            if "description" in values:
                cat["description"] = values["description"]
            cat["items"] = []
            for name in (cat["name"], cat["id"]):
                if name:
                    self.r.categories.setdefault(compact(name), cat["id"])
            self.fields(f"$.categories[{ci}]", BASIC_SHEET, where, row)
            out.append(cat)
        return out

    def items(self, sheet: str, cols: tuple[Col, ...], required: bool
              ) -> list[tuple[int, dict[str, Any], dict[str, str], str | None]]:
        """(row, item data, cells, category id) of each row of 项目 or 加分项."""
        out = []
        for row, values, where in self.r.table(sheet, cols, required):
            item = {c.key: values[c.key] for c in cols if c.key in values and c.key != "category"}
            out.append((row, item, where, values.get("category")))
        return out

    def item_origins(self, path: str, sheet: str, where: dict[str, str], row: int, item: dict[str, Any]) -> None:
        """Record the cells of one item's fields, bases and choices under its JSON path."""
        self.fields(path, sheet, where, row)
        for k in range(len(item.get("basis", []))):
            self.origin(f"{path}.basis[{k}]", sheet, where.get("basis", cell_ref(0, row)))
        for label, cell in item.pop("_choice_cells", {}).items():
            self.origin(f"{path}.choices.{label}", CHOICES_SHEET, cell)
            self.origin(f"{path}.choices", CHOICES_SHEET, cell)

    def choices(self, items: list[tuple[int, dict[str, Any], dict[str, str], str | None]]) -> None:
        """Attach the 选项 rows to their items; a 选项-type item without any is reported."""
        by_id = {item.get("id"): item for _, item, _, _ in items}
        for row, values, where in self.r.table(CHOICES_SHEET, CHOICE_COLS, id_key="item"):
            target = by_id.get(values.get("item"))
            if target is None:
                if "item" in values:
                    self.r.problem(CHOICES_SHEET, where["item"], values["item"], "项目编号",
                                   "“项目”或“加分项”表中的项目编号", values["item"])
                continue
            if "label" not in values or "points" not in values:
                continue
            target.setdefault("choices", {})[values["label"]] = values["points"]
            target.setdefault("_choice_cells", {})[values["label"]] = where.get("points", cell_ref(2, row))
        for row, item, where, _ in items:
            if item.get("type") == "choice" and "choices" not in item:
                self.r.missing(ITEMS_SHEET if "category" in where else BONUS_SHEET, where.get("type", cell_ref(0, row)),
                               item.get("id"), f"选项（请在“{CHOICES_SHEET}”表中列出该项目的各个选项和分值）")

    def vetoes(self) -> list[dict[str, Any]]:
        """The 否决项 sheet."""
        out = []
        for k, (row, values, where) in enumerate(self.r.table(VETOES_SHEET, VETO_COLS)):
            out.append({c.key: values[c.key] for c in VETO_COLS if c.key in values})
            self.fields(f"$.vetoes[{k}]", VETOES_SHEET, where, row)
        return out

    def grades(self) -> list[dict[str, Any]]:
        """The 等级 sheet, highest grade first."""
        out = []
        for k, (row, values, where) in enumerate(self.r.table(GRADES_SHEET, GRADE_COLS, True, id_key="name")):
            out.append({c.key: values[c.key] for c in GRADE_COLS if c.key in values})
            self.fields(f"$.grades[{k}]", GRADES_SHEET, where, row)
        return out

    def lists(self) -> dict[str, Any]:
        """The 公示规则 sheet as the `lists` section (blank fields left out)."""
        values, where = self.r.form(LISTS_SHEET, LIST_FIELDS, False)
        out: dict[str, dict[str, Any]] = {}
        for key, value in values.items():
            part, name = key.split(".")
            out.setdefault(part, {})[name] = value
        for key, cell in where.items():
            self.origin(f"$.lists.{key}", LISTS_SHEET, cell)
        return {p: out[p] for p in ("red", "black") if p in out}

    def changelog(self) -> list[dict[str, Any]]:
        """The 变更记录 sheet: consecutive rows of one version form one entry."""
        entries: list[dict[str, Any]] = []
        for row, values, where in self.r.table(CHANGELOG_SHEET, CHANGELOG_COLS, id_key="item"):
            version = values.get("version")
            last = entries[-1] if entries else None
            starts = (last is None or last["version"] != version
                      or ("date" in values and values["date"] != last["date"]))
            if starts:
                last = {"version": version, "date": values.get("date"), "summary": values.get("summary", "")}
                entries.append(last)
                k = len(entries) - 1
                for key in ("version", "date", "summary"):
                    if key in where:
                        self.origin(f"$.changelog[{k}].{key}", CHANGELOG_SHEET, where[key])
                self.origin(f"$.changelog[{k}]", CHANGELOG_SHEET, where.get("version", cell_ref(0, row)))
                if last["date"] is None:
                    self.r.missing(CHANGELOG_SHEET, where.get("date", cell_ref(1, row)), None,
                                   "日期（每个版本的第一行必填）")
            assert last is not None
            change = {c.key: values[c.key] for c in CHANGELOG_COLS[3:] if c.key in values}
            if change:
                if "action" not in change:
                    self.r.missing(CHANGELOG_SHEET, where.get("action", cell_ref(6, row)), change.get("item"),
                                   "变更（新增、删除 或 修改）")
                changes = last.setdefault("changes", [])
                path = f"$.changelog[{len(entries) - 1}].changes[{len(changes)}]"
                changes.append(change)
                self.fields(path, CHANGELOG_SHEET, where, row)
        return entries

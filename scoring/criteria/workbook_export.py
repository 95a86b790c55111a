"""Write a criteria version as the 标准编制表 (docs/design.md §12) that office staff edit in Excel/WPS.

The version's JSON data (not the model) is written, so that every field — including ones the
model folds, such as an explicit `"na": false` — comes back on import exactly. Texts are
written with `write_string` (never a formula or a link); numbers as numbers. Header rows are
locked (the sheets are protected without a password) and every other cell is editable;
drop-downs and input messages come from `sheet_layout`. Each sheet prints on A4.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from scoring.criteria.canonical import canonical, number_text
from scoring.criteria.lawref import citation_of, cite, format_citation
from scoring.criteria.model import RULE_OF_LAW_TAG
from scoring.criteria.regulations import Register
from scoring.criteria.sheet_layout import (
    ACTION_LABELS,
    BASIC_FIELDS,
    BASIC_SHEET,
    BONUS_COLS,
    BONUS_SHEET,
    CATEGORY_COLS,
    CHANGELOG_COLS,
    CHANGELOG_SHEET,
    CHOICE_COLS,
    CHOICES_SHEET,
    EFFECT_LABELS,
    FIELD_LABELS,
    GRADE_COLS,
    GRADES_SHEET,
    INFO_SHEET,
    INSTRUCTIONS,
    ITEM_COLS,
    ITEMS_SHEET,
    LAWS_SHEET,
    LIST_DEFAULTS,
    LIST_FIELDS,
    LISTS_SHEET,
    METHODS,
    NO,
    REPEAT_LABELS,
    SUBJECT_LABELS,
    TYPE_LABELS,
    VETO_COLS,
    VETOES_SHEET,
    YES,
    Col,
)
from scoring.outputs.excel_rules import (
    MAX_HEADER_FOOTER,
    MAX_PROMPT,
    MAX_PROMPT_TITLE,
    MAX_ROW_HEIGHT,
    cell_text,
    header_footer,
    plain_text,
)

FORM_ROWS = 200  # editable rows that carry drop-downs and input messages below the data
CATEGORY_SLOTS = 30  # rows of the category table that the 分类 drop-downs look at


def _bases(raw: list[Any] | None, register: Register) -> str | None:
    if not raw:
        return None
    return "\n".join(format_citation(citation_of(b), register) for b in raw)


def _yesno(value: Any) -> str | None:
    return None if value is None else (YES if value else NO)


def _cell(col: Col, value: Any, register: Register, categories: dict[str, str]) -> Any:
    """The value of one cell as the office reads it."""
    if value is None:
        return None
    kind = col.kind
    if kind == "yesno":
        return _yesno(value)
    if kind == "type":
        return TYPE_LABELS.get(value, value)
    if kind == "effect":
        return EFFECT_LABELS.get(value, value)
    if kind == "subject":
        return SUBJECT_LABELS.get(value, value)
    if kind == "repeat":
        return REPEAT_LABELS.get(value, value)
    if kind == "law":
        return _bases(value, register)
    if kind == "lines":
        return ("、" if col.key == "requires" else "\n").join(value) or None
    if kind == "category":
        return categories.get(value, value)
    if kind == "rates":
        return "\n".join(f"{categories.get(k, k)} {number_text(Decimal(str(v)) * 100)}%"
                          for k, v in value.items()) or None
    if kind == "action":
        return ACTION_LABELS.get(value, value)
    if kind == "fields":
        return "、".join(FIELD_LABELS.get(f, f) for f in value)
    return value


class _Writer:
    """The workbook being written, with its formats."""

    def __init__(self, path: Path, data: dict[str, Any], register: Register) -> None:
        from scoring.outputs.xlsx import plain_workbook

        self.book = plain_workbook(path)
        self.data = data
        self.register = register
        self.title = f"{data['title']} {data['version']}"
        base = {"font_name": "宋体", "font_size": 10, "valign": "top", "text_wrap": True, "border": 1}
        self.header = self.book.add_format({**base, "bold": True, "bg_color": "#D9E1F2",
                                            "align": "center", "valign": "vcenter", "locked": True})
        self.label = self.book.add_format({**base, "bold": True, "bg_color": "#F2F2F2", "locked": True})
        self.cell = self.book.add_format({**base, "locked": False})
        self.free = self.book.add_format({"font_name": "宋体", "font_size": 10, "valign": "top",
                                          "text_wrap": True, "locked": False})
        self.note = self.book.add_format({"font_name": "宋体", "font_size": 9, "italic": True,
                                          "font_color": "#595959", "text_wrap": True, "valign": "top",
                                          "locked": True})
        self.heading = self.book.add_format({"font_name": "黑体", "font_size": 14, "bold": True})
        self.para = self.book.add_format({"font_name": "宋体", "font_size": 11, "text_wrap": True,
                                          "valign": "top"})
        self.categories = {c["id"]: c["name"] for c in data["categories"]}

    def page(self, sheet: Any, name: str, landscape: bool, header_rows: int) -> None:
        """A4, one page wide, the header row repeated, title and page numbers in the margins."""
        sheet.set_paper(9)  # A4
        if landscape:
            sheet.set_landscape()
        sheet.set_margins(left=0.5, right=0.5, top=0.7, bottom=0.7)
        sheet.fit_to_pages(1, 0)
        if header_rows:
            sheet.repeat_rows(0, header_rows - 1)
        # The size ended by a font code: a title starting with a digit would extend it.
        codes = '&C&12&"黑体"'
        sheet.set_header(codes + header_footer(f"{self.title} — {name}", MAX_HEADER_FOOTER - len(codes)))
        sheet.set_footer("&C第 &P 页，共 &N 页")

    def protect(self, sheet: Any) -> None:
        """Lock the header cells (no password); rows may still be inserted and deleted."""
        sheet.protect("", {"insert_rows": True, "delete_rows": True, "format_columns": True,
                           "format_rows": True, "autofilter": True, "select_locked_cells": True,
                           "select_unlocked_cells": True})

    def _validation(self, sheet: Any, first: int, last: int, col_index: int, col: Col) -> None:
        options: dict[str, Any] = {"input_title": plain_text(col.header, MAX_PROMPT_TITLE),
                                   "input_message": plain_text(col.prompt, MAX_PROMPT)}
        source: Any = None
        if col.kind == "type":
            source = list(TYPE_LABELS.values())
        elif col.kind == "method":
            source = list(METHODS)
        elif col.kind == "yesno":
            source = [YES, NO]
        elif col.kind == "effect":
            source = list(EFFECT_LABELS.values())
        elif col.kind == "action":
            source = list(ACTION_LABELS.values())
        elif col.kind == "law" and self.register.regulations:
            source = f"='{LAWS_SHEET}'!$A$1:$A${len(self.register.regulations)}"
        elif col.kind == "category":
            start = self.category_row + 2
            source = f"='{BASIC_SHEET}'!$B${start}:$B${start + CATEGORY_SLOTS - 1}"
        if source is None:
            options.update({"validate": "any"})
        else:
            # Strict lists for closed choices; the law list only suggests (an article follows
            # the title), and so does the category list (a new category may not be listed yet).
            strict = col.kind in ("type", "method", "yesno", "effect", "action")
            options.update({"validate": "list", "source": source, "show_error": strict,
                            "error_title": plain_text(col.header, MAX_PROMPT_TITLE),
                            "error_message": plain_text(f"请从下拉列表中选择：{col.prompt}", MAX_PROMPT)})
        sheet.data_validation(first, col_index, last, col_index, options)

    def instructions(self) -> None:
        """The 说明 sheet: how to edit, in plain Chinese."""
        sheet = self.book.add_worksheet(INFO_SHEET)
        sheet.set_column(0, 0, 64)
        sheet.write_string(0, 0, INSTRUCTIONS[0], self.heading)
        sheet.set_row(0, 24)
        for row, text in enumerate(INSTRUCTIONS[1:], start=1):
            sheet.set_row(row, _height([text], [64], 15))
            sheet.write_string(row, 0, text, self.para)
        sheet.write_string(len(INSTRUCTIONS) + 1, 0, cell_text(
                           f"本表导出自：{self.data['title']}，版本 {self.data['version']}，"
                           f"{self.data['effective_from']} 起施行。"), self.para)
        self.page(sheet, INFO_SHEET, False, 0)
        sheet.activate()

    def form(self, name: str, fields: tuple[Col, ...], values: dict[str, Any],
             defaults: dict[str, str] | None = None) -> Any:
        """A sheet of one field per row: 项目 | 内容 (| 留空时) | 填写说明."""
        sheet = self.book.add_worksheet(name)
        headers = ["名称", "内容", *(["留空时"] if defaults else []), "填写说明"]
        widths = [16, 46, *([8] if defaults else []), 52]
        for c, (h, w) in enumerate(zip(headers, widths, strict=True)):
            sheet.set_column(c, c, w)
            sheet.write_string(0, c, h, self.header)
        for row, col in enumerate(fields, start=1):
            shown = _cell(col, values.get(col.key), self.register, self.categories)
            sheet.set_row(row, _height([col.header, shown, *([""] if defaults else []), col.prompt], widths))
            sheet.write_string(row, 0, col.header, self.label)
            self._write(sheet, row, 1, _cell(col, values.get(col.key), self.register, self.categories))
            if defaults:
                sheet.write_string(row, 2, defaults[col.key], self.label)
            sheet.write_string(row, len(headers) - 1, col.prompt, self.note)
            self._validation(sheet, row, row, 1, col)
        sheet.freeze_panes(1, 0)
        return sheet

    def _write(self, sheet: Any, row: int, col: int, value: Any) -> None:
        if value is None:
            sheet.write_blank(row, col, None, self.cell)
        elif isinstance(value, bool):  # never reached for data (yes/no are words), kept safe
            sheet.write_string(row, col, YES if value else NO, self.cell)
        elif isinstance(value, (int, float, Decimal)):
            sheet.write_number(row, col, float(value), self.cell)
        else:
            sheet.write_string(row, col, cell_text(str(value)), self.cell)

    def basic(self) -> None:
        """基本信息: the version's fields, then the table of categories."""
        data = self.data
        values = {**data, "bonus_cap": (data.get("bonus") or {}).get("cap")}
        sheet = self.form(BASIC_SHEET, BASIC_FIELDS, values)
        self.category_row = len(BASIC_FIELDS) + 2  # a blank row, then the category table
        row = self.category_row
        for c, col in enumerate(CATEGORY_COLS):
            sheet.write_string(row, c, col.header, self.header)
        for k, cat in enumerate(data["categories"], start=row + 1):
            tags = cat.get("tags")
            other = [t for t in tags or [] if t != RULE_OF_LAW_TAG]
            law = None if tags is None else (YES if RULE_OF_LAW_TAG in tags else NO)
            self._write(sheet, k, 0, cat["id"])
            self._write(sheet, k, 1, cat["name"])
            self._write(sheet, k, 2, law)
            self._write(sheet, k, 3, cat.get("description"))
            if other:  # tags other than rule_of_law: kept, after the description
                self._write(sheet, k, 4, "\n".join(other))
        last = row + CATEGORY_SLOTS
        for k in range(row + 1 + len(data["categories"]), last + 1):
            for c in range(4):
                sheet.write_blank(k, c, None, self.free)
        for c, col in enumerate(CATEGORY_COLS):
            self._validation(sheet, row + 1, last, c, col)
        sheet.write_string(row, 4, "其他标签", self.header)
        sheet.set_column(4, 4, 12, self.free)
        self.page(sheet, BASIC_SHEET, False, 0)
        self.protect(sheet)

    def table(self, name: str, cols: tuple[Col, ...], rows: list[list[Any]], landscape: bool) -> None:
        """A sheet of one row per entry under a locked header, with drop-downs and input messages."""
        sheet = self.book.add_worksheet(name)
        for c, col in enumerate(cols):
            sheet.set_column(c, c, col.width, self.free)
            sheet.write_string(0, c, col.header, self.header)
        sheet.set_row(0, 30)
        widths = [c.width for c in cols]
        for r, row in enumerate(rows, start=1):
            sheet.set_row(r, _height(row, widths))
            for c, value in enumerate(row):
                self._write(sheet, r, c, value)
        last = len(rows) + FORM_ROWS
        for c, col in enumerate(cols):
            self._validation(sheet, 1, last, c, col)
        sheet.freeze_panes(1, 0)
        self.page(sheet, name, landscape, 1)
        self.protect(sheet)

    def item_rows(self, items: list[tuple[str | None, dict[str, Any]]], cols: tuple[Col, ...]) -> list[list[Any]]:
        """The cells of item rows (category id or None for bonus items, item data)."""
        rows = []
        for category, item in items:
            values = {**item, "category": category}
            rows.append([_cell(c, values.get(c.key), self.register, self.categories) for c in cols])
        return rows

    def laws(self) -> None:
        """The hidden list of register titles the 法律依据 drop-downs offer."""
        sheet = self.book.add_worksheet(LAWS_SHEET)
        for r, reg in enumerate(self.register.regulations.values()):
            sheet.write_string(r, 0, cell_text(cite(reg.title)))
        sheet.hide()


def _height(row: list[Any], widths: list[int], line: float = 13.5) -> float:
    """A row height (points) that shows every wrapped line of its texts, at most Excel's 409."""
    from scoring.outputs.xlsx import text_width

    lines = 1
    for value, width in zip(row, widths, strict=False):
        if isinstance(value, str):
            per_line = max(1, width - 1)
            lines = max(lines, sum(max(1, -(-text_width(part) // per_line)) for part in value.split("\n")))
    return min(lines * line + 2, MAX_ROW_HEIGHT)


def row_height(row: list[Any], widths: list[int]) -> float:
    """The height (points) that shows every wrapped line of a row of texts."""
    return _height(row, widths)


def write_standard_workbook(data: dict[str, Any], register: Register, path: Path) -> None:
    """Write version `data` (schema-valid JSON) as the 标准编制表 at `path`."""
    data = canonical(data)
    w = _Writer(path, data, register)
    w.instructions()
    w.basic()
    base = [(c["id"], i) for c in data["categories"] for i in c["items"]]
    w.table(ITEMS_SHEET, ITEM_COLS, w.item_rows(base, ITEM_COLS), landscape=True)
    bonus = data.get("bonus") or {"items": []}
    choices = [[i["id"], label, value] for _, i in base + [(None, b) for b in bonus["items"]]
               for label, value in i.get("choices", {}).items()]
    w.table(CHOICES_SHEET, CHOICE_COLS, choices, landscape=False)
    w.table(BONUS_SHEET, BONUS_COLS, w.item_rows([(None, i) for i in bonus["items"]], BONUS_COLS),
            landscape=True)
    vetoes = [[_cell(c, v.get(c.key), register, w.categories) for c in VETO_COLS]
              for v in data.get("vetoes", [])]
    w.table(VETOES_SHEET, VETO_COLS, vetoes, landscape=True)
    grades = [[_cell(c, g.get(c.key), register, w.categories) for c in GRADE_COLS] for g in data["grades"]]
    w.table(GRADES_SHEET, GRADE_COLS, grades, landscape=False)
    lists = data.get("lists") or {}
    flat = {f"{part}.{k}": v for part in ("red", "black") for k, v in (lists.get(part) or {}).items()}
    sheet = w.form(LISTS_SHEET, LIST_FIELDS, flat, LIST_DEFAULTS)
    w.page(sheet, LISTS_SHEET, False, 0)
    w.protect(sheet)
    log = []
    for entry in data.get("changelog", []):
        head = [entry["version"], entry["date"], entry["summary"] or None]
        changes = entry.get("changes") or [{}]
        for k, change in enumerate(changes):
            first = head if k == 0 else [entry["version"], None, None]
            log.append(first + [_cell(c, change.get(c.key), register, w.categories) for c in CHANGELOG_COLS[3:]])
    w.table(CHANGELOG_SHEET, CHANGELOG_COLS, log, landscape=True)
    w.laws()
    w.book.close()

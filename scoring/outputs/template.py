"""The blank inspection workbook (`score template`), generated from one criteria version: a
title row, the identity columns, one column per item, bonus item and veto (id + name), a
comment with each item's 考评标准, method and points, data validation (drop-downs for marks
and choices, ranges with the item's step for numbers), and a 填表说明 sheet.

The drop-downs list their choices from a hidden sheet (下拉选项), a range rather than an inline
list: Excel limits an inline list to 255 characters and reads `,` and `"` in it as syntax, and
a choice label may hold any of them. A standard with more items than a sheet has columns is
refused (E155): its inspections would not fit one row.

Everything a validation accepts is something the reader accepts, so a filled template scores
without a single issue."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from scoring.criteria.lawref import cite, law_title
from scoring.criteria.model import Criteria, Item, Veto
from scoring.criteria.regulations import Register
from scoring.engine.positions import column_letter
from scoring.engine.reader import CHOICE_LISTS_SHEET
from scoring.engine.values import AMBIGUOUS_NO, UNITS, expected_text, veto_expected
from scoring.errors import InvalidCriteriaError, UsageError
from scoring.issues import make
from scoring.outputs.excel_rules import EXCEL, MAX_PROMPT, MAX_PROMPT_TITLE, SheetLimits, plain_text
from scoring.outputs.xlsx import Column, PageTexts, TableWriter, new_workbook, print_setup, sheet_name, text_width

DEFAULT_ROWS = 300
IDENTITY = ["社区", "楼院", "检查日期", "检查人"]
TRAILING = ["扣分原因", "备注"]
TYPE_NAMES = {"check": "是否", "scale": "打分", "choice": "选项", "deduct": "扣分（填处数）",
              "count": "计数（填项数）"}
FIRST_DATA_ROW = 2  # 0-based: title row, header row, then data


# Every yes/no mark the reader takes (scoring/marks.py), in the order the drop-down shows them.
CHECK_MARKS = ("是", "否", "√", "×", "有", "无", "合格", "不合格", "达标", "不达标", "Y", "N", "X", "1", "0",
               "✓", "✗", "✔", "✘", "yes", "no", "TRUE", "FALSE")
NA_MARKS = ("不适用", "/", "N/A", "NA", "—", "-")
# Excel refuses a data-validation formula longer than this.
MAX_FORMULA = 255


def _marks(item: Item) -> list[str]:
    return (list(NA_MARKS) if item.na else []) + (["免检"] if item.exempt else [])


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def check_marks(item: Item) -> list[str]:
    """The marks a check item's drop-down offers: all the reader takes, but a bare 无 where
    不适用 is allowed (the reader refuses it there as ambiguous)."""
    return [m for m in CHECK_MARKS if not (item.na and m == AMBIGUOUS_NO)]


def _number_rule(item: Item, cell: str) -> str:
    """A custom formula true for exactly the numbers the reader takes for `item`: a number, or
    text of a number followed by a unit that fits the item's type (values.UNITS); in range, and a
    whole number or a multiple of the step. An error inside means "not valid" to Excel/WPS."""
    units = "".join(sorted(UNITS[item.type]))
    unit = f'RIGHT({cell})="{units}"' if len(units) == 1 else f'ISNUMBER(FIND(RIGHT({cell}),"{units}"))'
    n = f"--LEFT({cell},LEN({cell})-ISERR(-{cell}))"  # the number, its unit (if any) dropped
    checks = [f"OR(ISNUMBER(-{cell}),{unit})"]
    if item.type == "scale":
        half = _number(item.points / 2)
        checks += [f"ABS({n}-{half})<={half}", f"MOD(ROUND({n}/{_number(item.scale_step)},6),1)=0"]
    elif item.type == "count" and item.conditions:
        half = _number(Decimal(len(item.conditions)) / 2)
        checks += [f"ABS({n}-{half})<={half}", f"MOD({n},1)=0"]
    else:
        checks += [f"{n}>=0", f"MOD({n},1)=0"]
    return f"AND({','.join(checks)})"


class ChoiceLists:
    """The hidden sheet the drop-downs take their choices from: one column per distinct list,
    written last (after 填表说明)."""

    def __init__(self, out: TableWriter) -> None:
        self.out = out
        # Its name taken now, before any other sheet's: the references below use this very name.
        self.name = sheet_name(CHOICE_LISTS_SHEET, out.names)
        self.columns: dict[tuple[str, ...], int] = {}

    def source(self, options: list[str]) -> str:
        """The range reference of `options` on the sheet."""
        col = self.columns.setdefault(tuple(options), len(self.columns))
        letter = column_letter(col)
        return f"='{self.name}'!${letter}$1:${letter}${len(options)}"

    def finish(self) -> None:
        """Write the sheet, hidden (it prints like the others, should anyone print it)."""
        if not self.columns:
            return
        sheet = self.out.book.add_worksheet(self.name)  # the name taken in __init__
        for options, col in self.columns.items():
            for row, option in enumerate(options):
                self.out.write_cell(sheet, row, col, option)
        print_setup(sheet, [12] * len(self.columns), self.out.page, landscape=False, header_row=0, keep=0)
        sheet.hide()


def _validation(item: Item, cell: str) -> dict[str, Any]:
    """The data validation for an item's column; `cell` is its first data cell (e.g. F3). It
    accepts exactly what the reader accepts (drop-downs list every accepted mark); a number
    rule too long for Excel (points with very many digits) is left to the reader."""
    marks = _marks(item)
    if item.type in ("check", "choice"):
        options = check_marks(item) if item.type == "check" else list(item.choices)
        return {"validate": "list", "source": options[:2] + marks + options[2:]}  # ChoiceLists writes them
    rule = _number_rule(item, cell)
    if marks:  # IF, not OR: Excel's OR is an error when any argument is (a mark is no number)
        alternatives = ",".join(f'{cell}="{m}"' for m in marks)
        rule = f"IF(OR({alternatives}),TRUE,{rule})"
    formula = f"={rule}"
    if len(formula) > MAX_FORMULA:
        return {"validate": "any"}
    return {"validate": "custom", "value": formula}


def check_fits(crit: Criteria, rows: int, limits: SheetLimits = EXCEL) -> None:
    """InvalidCriteriaError (E155) when version `crit` has more columns than a sheet holds;
    UsageError when `rows` rows do not fit below the title and header."""
    columns = len(IDENTITY) + len(crit.all_items) + len(crit.vetoes) + len(TRAILING)
    if columns > limits.columns:
        issue = make("E155", file=crit.path or None, version=crit.version, value=f"{columns:,}",
                     expected=f"{limits.columns:,}")
        raise InvalidCriteriaError(issue.line(), [issue])
    if rows + FIRST_DATA_ROW > limits.rows:
        raise UsageError(f"检查记录表最多预设 {limits.rows - FIRST_DATA_ROW:,} 行（现为 {rows:,} 行）")


def _comment(item: Item, register: Register | None) -> str:
    lines = [f"{item.id} {item.name}（{_number(item.points)} 分，{TYPE_NAMES[item.type]}）"]
    if item.standard:
        lines.append(f"考评标准：{item.standard}")
    if item.method:
        lines.append(f"考核方式：{item.method}")
    lines.append(f"填写：{expected_text(item)}")
    if item.basis:
        lines.append("依据：" + "；".join(_law(b.ref, register) + (b.article or "") for b in item.basis))
    return "\n".join(lines)


def _law(ref: str, register: Register | None) -> str:
    return cite(law_title(register, ref, short=True))


def _guide_rows(crit: Criteria, register: Register | None) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for cat in crit.categories:
        for item in cat.items:
            rows.append([item.id, cat.name, item.name, TYPE_NAMES[item.type], float(item.points),
                         item.standard, item.method, expected_text(item),
                         "；".join(_law(b.ref, register) + (b.article or "") for b in item.basis) or None])
    for item in crit.bonus_items:
        rows.append([item.id, f"加分（上限 {_number(crit.bonus_cap)} 分）", item.name, TYPE_NAMES[item.type],
                     float(item.points), item.standard, item.method, expected_text(item) + "；未获得的留空", None])
    effects = {"disqualify": "取消评选资格", "cap_grade": "最高评为", "zero_category": "该类别得分清零："}
    for veto in crit.vetoes:
        effect = effects[veto.effect] + (veto.grade or "") + (veto.category or "")
        rows.append([veto.id, "一票否决", veto.name, "是否", None, effect, None, veto_expected(veto), None])
    return rows


def write_template(crit: Criteria, path: Path, register: Register | None = None,
                   rows: int = DEFAULT_ROWS, limits: SheetLimits = EXCEL) -> None:
    """Write the blank inspection workbook for version `crit` to `path` (check_fits first)."""
    check_fits(crit, rows, limits)
    book = new_workbook(path)
    try:
        _write(book, crit, register, rows, limits)
    finally:
        book.close()


def _write(book: Any, crit: Criteria, register: Register | None, rows: int, limits: SheetLimits) -> None:
    page = PageTexts(f"{crit.title}（{crit.version} 版）", f"{crit.effective_from.isoformat()} 起施行")
    out = TableWriter(book, page, limits)
    lists = ChoiceLists(out)
    widths: list[float] = []
    sheet = out.add_sheet("检查记录")
    entries: list[tuple[str, Item | Veto | None]] = [(h, None) for h in IDENTITY]
    entries += [(f"{i.id} {i.name}", i) for i in crit.all_items]
    entries += [(f"{v.id} {v.name}", v) for v in crit.vetoes]
    entries += [(h, None) for h in TRAILING]
    last_row = FIRST_DATA_ROW + rows - 1
    title = book.add_format({"bold": True, "font_size": 14, "valign": "vcenter"})
    cell_format = book.add_format({"border": 1, "border_color": "#BFBFBF"})
    date_format = book.add_format({"border": 1, "border_color": "#BFBFBF", "num_format": "yyyy-mm-dd"})
    sheet.merge_range(0, 0, 0, min(len(entries) - 1, 7), out.text(
        f"{crit.title}检查记录表（{crit.version} 版，{crit.effective_from.isoformat()} 起施行）"), title)
    sheet.set_row(0, 28)
    sheet.set_row(1, 48)
    for col, (header, target) in enumerate(entries):
        sheet.write_string(1, col, out.text(header), out.header)
        width = 12 if target is not None else max(text_width(header) + 4, 12)
        widths.append(width)
        sheet.set_column(col, col, width, date_format if header == "检查日期" else cell_format)
        first = f"{column_letter(col)}{FIRST_DATA_ROW + 1}"
        if isinstance(target, Veto):
            rule: dict[str, Any] = {"validate": "list", "source": ["是", "否"]}
            message = veto_expected(target)
            sheet.write_comment(1, col, out.text(f"{target.id} {target.name}（一票否决）\n{message}"),
                                {"x_scale": 2, "y_scale": 2})
        elif isinstance(target, Item):
            rule = _validation(target, first)
            message = expected_text(target)
            sheet.write_comment(1, col, out.text(_comment(target, register)), {"x_scale": 3, "y_scale": 3})
        elif header == "检查日期":
            rule = {"validate": "date", "criteria": "between", "minimum": date(2000, 1, 1), "maximum": date(2100, 1, 1)}
            message = "填写检查日期，如 2023-03-05"
        else:
            continue
        if isinstance(rule.get("source"), list):  # never inline: a range on the hidden sheet
            rule["source"] = lists.source(rule["source"])
        rule.update({"input_title": plain_text(header, MAX_PROMPT_TITLE),
                     "input_message": plain_text(message, MAX_PROMPT), "error_title": "填写值不符合考核标准",
                     "error_message": plain_text(f"{header}：{message}", MAX_PROMPT)})
        sheet.data_validation(FIRST_DATA_ROW, col, last_row, col, rule)
    sheet.freeze_panes(FIRST_DATA_ROW, 3)
    # Printed: A4 landscape at a legible scale, 社区/楼院/检查日期 repeated on every page (the
    # paper form for inspectors on site is `score template --paper`).
    print_setup(sheet, widths, out.page, landscape=True, header_row=1, keep=3, title="检查记录表")
    _guide(out, crit, register)
    lists.finish()


def _guide(out: TableWriter, crit: Criteria, register: Register | None) -> None:
    sheet = out.add_sheet("填表说明")
    notes = [
        f"{crit.title}（{crit.version} 版，{crit.effective_from.isoformat()} 起施行，满分 {_number(crit.scale)} 分）",
        "1. 每次检查填一行：社区、楼院、检查日期必填；同一楼院多次检查的，每次各填一行。",
        "2. 每个项目按下表“填写方法”填写；选中单元格会出现提示，是否类和选项类可从下拉列表选择。"
        "打分项可写“3分”，扣分项、计数项可写“3处”“2次”“3项”，但不要写“分”。",
        "3. 不适用的项目填“不适用”（仅限标明可填的项目；不要只写“无”，程序无法判断是“否”还是“不适用”），"
        "不计入应得分；免检项目填“免检”，按满分计。",
        "4. 加分项目未获得的留空；一票否决项目发生的填“是”，未发生的留空。",
        "5. 请勿修改第 2 行表头；可在“扣分原因”中写明扣分情况，生成整改清单时一并列出。",
    ]
    for row, note in enumerate(notes):
        sheet.write_string(row, 0, note, out.title if row == 0 else out.formats[""])
    columns = [Column("编号"), Column("类别"), Column("项目"), Column("类型"), Column("分值", "score"),
               Column("考评标准", "wrap"), Column("考核方式"), Column("填写方法", "wrap"), Column("依据", "wrap")]
    widths = [0] * len(columns)
    out.write_block(sheet, len(notes) + 1, columns, _guide_rows(crit, register), widths)
    out.finish(sheet, widths, header_row=len(notes) + 1)

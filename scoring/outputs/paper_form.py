"""The paper inspection form (`score template --paper`): one A4 page per courtyard for
inspectors on site — the courtyard, date and inspectors to fill in, every item of one criteria
version as a row with its points and boxes to tick (or a blank for a number), the bonus items
and vetoes, a column for the reason of each deduction, and lines for signatures. What is ticked
is what the inspection workbook accepts, so the clerk copies it over without translating.

python-docx is imported inside the function (never at the command line's start-up).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from scoring.criteria.model import Criteria, Item
from scoring.outputs.excel_rules import plain_text
from scoring.report.docx_format import BODY_FONT, HEADING_FONTS, declare_fallbacks, element, face, tblpr_child, w

BOX = "□"
GAP = "\u3000"  # an ideographic space between boxes
TEXT_PT = 9.5  # the table; nothing on the form is smaller than 9 pt
TITLE_PT = 16
MARGINS_MM = {"top": 12, "bottom": 10, "left": 15, "right": 12}
LINE_PT = 12.5  # exact line pitch in the table: 50-odd rows fit one page
CELL_MARGIN_TWIPS = "57"  # 1 mm left and right
COLUMNS = [("编号", 18), ("检查项目", 58), ("分值", 11), ("检查结果（打“√”或填写）", 60), ("扣分原因", 36)]
SIGNATURES = ("检查人（签字）：＿＿＿＿＿＿＿＿＿＿＿＿" + GAP * 2 + "楼院负责人（签字）：＿＿＿＿＿＿＿＿＿＿＿＿")


def _number(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _marks(item: Item) -> str:
    extra = ([f"{BOX}不适用"] if item.na else []) + ([f"{BOX}免检"] if item.exempt else [])
    return (GAP + GAP.join(extra)) if extra else ""


def answer(item: Item) -> str:
    """What an inspector ticks or writes for `item`, in the workbook's own terms."""
    if item.type == "check":
        text = f"{BOX}是{GAP}{BOX}否"
    elif item.type == "choice":
        text = GAP.join(f"{BOX}{label}" for label in item.choices)
    elif item.type == "scale":
        text = f"得＿＿＿分（0～{_number(item.points)}，每档{_number(item.scale_step)}分）"
    elif item.type == "deduct":
        text = f"发现＿＿＿处（每处扣{_number(item.per_unit or Decimal(0))}分）"
    elif item.conditions:
        text = " ".join(f"{BOX}{c}" for c in item.conditions)
    else:
        text = f"＿＿＿次（每次{_number(item.per_unit or Decimal(0))}分）"
    return text + _marks(item)


def form_rows(crit: Criteria) -> list[tuple[str, list[str]]]:
    """The table's rows: ("section", [title]) for a category, bonus or veto heading, ("item",
    [id, name, points, answer, ""]) for each item and veto."""
    rows: list[tuple[str, list[str]]] = []
    for cat in crit.categories:
        rows.append(("section", [f"{cat.name}（{_number(cat.points)}分）"]))
        rows += [("item", [i.id, i.name, _number(i.points), answer(i), ""]) for i in cat.items]
    if crit.bonus_items:
        rows.append(("section", [f"加分项目（最多加{_number(crit.bonus_cap)}分，未获得的不填）"]))
        rows += [("item", [i.id, i.name, _number(i.points), answer(i), ""]) for i in crit.bonus_items]
    if crit.vetoes:
        rows.append(("section", ["一票否决（发生的在“发生”前打“√”）"]))
        rows += [("item", [v.id, v.name, "", f"{BOX}发生{GAP}{BOX}未发生", ""]) for v in crit.vetoes]
    return rows


def _paragraph(document: Any, text: str, font: str, size: float, *, centred: bool = False,
               bold: bool = False, before: float = 0, after: float = 0) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = document.add_paragraph()
    paragraph.paragraph_format.space_after = Pt(after)
    paragraph.paragraph_format.space_before = Pt(before)
    if centred:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(plain_text(text))  # XML holds no control character
    face(run._r.get_or_add_rPr(), font, size, bold=bold)
    return paragraph


def _cell(cell: Any, text: str, *, bold: bool = False, centred: bool = False) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    paragraph.paragraph_format.line_spacing = Pt(LINE_PT)  # exact
    if centred:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = paragraph.add_run(plain_text(text))  # XML holds no control character
    face(run._r.get_or_add_rPr(), HEADING_FONTS[1] if bold else BODY_FONT, TEXT_PT, bold=False)


def _shade(cell: Any) -> None:
    cell._tc.get_or_add_tcPr().append(element("shd", val="clear", color="auto", fill="E7E6E6"))


def _page(document: Any, crit: Criteria) -> None:
    """One form: title, the courtyard's particulars, the items, the signatures."""
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.shared import Mm

    when = crit.effective_from
    _paragraph(document, f"{crit.title}检查表", HEADING_FONTS[1], TITLE_PT, centred=True)
    _paragraph(document, f"（{crit.version}版，{when.year}年{when.month}月{when.day}日起施行，"
                         f"满分{_number(crit.scale)}分）", BODY_FONT, TEXT_PT, centred=True, after=4)
    _paragraph(document, "社区：＿＿＿＿＿＿＿＿＿" + GAP + "楼院：＿＿＿＿＿＿＿＿＿＿＿" + GAP
               + "检查日期：＿＿＿＿年＿＿月＿＿日", BODY_FONT, 10.5, after=4)
    rows = form_rows(crit)
    table = document.add_table(rows=len(rows) + 1, cols=len(COLUMNS))
    table.style = document.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    margins = tblpr_child(table._tbl.tblPr, "tblCellMar")
    for side in ("left", "right"):
        margins.append(element(side, w=CELL_MARGIN_TWIPS, type="dxa"))
    for grid, (_, width) in zip(table._tbl.tblGrid.findall(w("gridCol")), COLUMNS, strict=True):
        grid.set(w("w"), str(round(width / 25.4 * 1440)))
    header = table.rows[0]
    header._tr.get_or_add_trPr().append(element("tblHeader"))
    for cell, (title, width) in zip(header.cells, COLUMNS, strict=True):
        cell.width = Mm(width)
        _cell(cell, title, bold=True, centred=True)
    for (kind, texts), row in zip(rows, table.rows[1:], strict=True):
        row._tr.get_or_add_trPr().append(element("cantSplit"))
        cells = row.cells
        for cell, (_, width) in zip(cells, COLUMNS, strict=True):
            cell.width = Mm(width)
        if kind == "section":
            merged = cells[0].merge(cells[-1])
            _cell(merged, texts[0], bold=True)
            _shade(merged)
            continue
        for col, (cell, text) in enumerate(zip(cells, texts, strict=True)):
            _cell(cell, text, centred=col in (0, 2))
    _paragraph(document, "其他情况：", BODY_FONT, 10.5, before=6, after=14)
    _paragraph(document, SIGNATURES, BODY_FONT, 10.5)


def write_paper_form(crit: Criteria, path: Path, copies: int = 1) -> None:
    """Write the paper form of version `crit` to `path` (.docx): `copies` pages, one courtyard
    each."""
    from docx import Document
    from docx.enum.text import WD_BREAK
    from docx.shared import Mm

    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.footer_distance = Mm(5)
    normal = document.styles["Normal"]
    face(normal.element.get_or_add_rPr(), BODY_FONT, TEXT_PT)
    declare_fallbacks(document)
    for n in range(copies):
        if n:
            document.paragraphs[-1].add_run().add_break(WD_BREAK.PAGE)
        _page(document, crit)
    document.save(str(path))

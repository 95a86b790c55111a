"""A table of the report section in Word: columns as wide as their numbers need (a number never
breaks inside a cell: "90./37" is what a draft's defaults did), the rest of the width shared out,
headers centred and repeated on every page, no first-line indent inherited from the body text,
and the draft's own table style (or plain grid lines when it has none)."""

from __future__ import annotations

import math
import re
from typing import Any

from scoring.report.docx_format import (
    clean_copy,
    element,
    face,
    first_line_indent,
    ppr_child,
    rpr_child,
    set_flag,
    set_size,
    tblpr_child,
    w,
)

NUMBER = re.compile(r"^[+\-−]?\d[\d,.]*\s*[%分个项次名]?$")
CELL_MARGIN_PT = 5.4  # Word's default left and right cell margins (108 twips)
MIN_SIZE_PT = 10.5  # 五号: the table's text is never smaller
HEADER_LINES = 2  # a header may wrap onto two lines; a number never wraps

def text_em(text: str) -> float:
    """Width in ems: a CJK or full-width character is one em, a digit or Latin letter about half."""
    return sum(1.0 if ord(ch) > 0x2E7F else 0.55 for ch in text)


def is_number(text: str) -> bool:
    """A figure that must stay on one line (90.37, 100.0%, 12, +0.5)."""
    return bool(NUMBER.match(text.strip())) or text.strip() == "—"


def column_widths(rows: list[list[str]], size: float, available: float) -> tuple[list[float], float]:
    """Each column's width in points and the font size that lets the table fit `available`
    points: numbers (and short names) never wrap, headers wrap onto at most two lines, the room
    left over goes to the columns that would otherwise wrap, then to all alike."""
    cols = max(len(r) for r in rows)
    body = [r + [""] * (cols - len(r)) for r in rows]
    pad = 2 * CELL_MARGIN_PT + 2
    while True:
        least, natural = [], []
        for c in range(cols):
            cells = [r[c] for r in body[1:]]
            header = body[0][c]
            figures = [text_em(t) for t in cells if is_number(t)]
            words = [text_em(t) for t in cells if not is_number(t)]
            floor = max([math.ceil(text_em(header) / HEADER_LINES), *figures, *(min(x, 4.0) for x in words), 1.0])
            least.append(floor * size + pad)
            natural.append(max([text_em(header), *figures, *words, floor]) * size + pad)
        if sum(least) <= available or size <= MIN_SIZE_PT:
            break
        size = max(MIN_SIZE_PT, size - 0.5)
    if sum(natural) <= available:
        spare = available - sum(natural)
        return [n + spare / cols for n in natural], size
    spare = available - sum(least)
    wanted = [n - m for n, m in zip(natural, least, strict=True)]
    total = sum(wanted) or 1.0
    return [m + max(spare, 0) * x / total for m, x in zip(least, wanted, strict=True)], size


def available_width(section: Any) -> float:
    """The width between a section's margins, in points."""
    width = int(section.page_width or 0) - int(section.left_margin or 0) - int(section.right_margin or 0)
    return width / 12700  # EMU per point


def _borders(tbl_pr: Any) -> None:
    """Single grid lines, for a draft without a table style."""
    borders = tblpr_child(tbl_pr, "tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        borders.append(element(side, val="single", sz="4", space="0", color="000000"))


def _cell(cell: Any, text: str, model: tuple[Any, Any], size: float, *, header: bool, centred: bool) -> None:
    paragraph = cell.paragraphs[0]
    if model[0] is not None:  # the body's paragraph style and formatting, then the table's own
        paragraph._p.insert(0, clean_copy(model[0]))
    ppr = paragraph._p.get_or_add_pPr()
    for tag in ("keepNext", "pageBreakBefore", "outlineLvl", "pBdr", "shd"):
        for found in ppr.findall(w(tag)):
            ppr.remove(found)
    first_line_indent(ppr, 0, size)
    spacing = ppr_child(ppr, "spacing")
    for attr in list(spacing.attrib):
        del spacing.attrib[attr]
    spacing.set(w("before"), "0")
    spacing.set(w("after"), "0")
    spacing.set(w("line"), "240")
    spacing.set(w("lineRule"), "auto")
    ppr_child(ppr, "snapToGrid").set(w("val"), "0")  # a draft's line grid would make every row 28.95 pt
    ppr_child(ppr, "jc").set(w("val"), "center" if centred else "left")
    run = paragraph.add_run(text)
    run_pr = clean_copy(model[1])
    run._r.insert(0, run_pr)
    set_size(run_pr, size)
    set_flag(run_pr, "b", header)
    tc_pr = cell._tc.get_or_add_tcPr()
    if not header and is_number(text):
        tc_pr.append(element("noWrap"))
    tc_pr.append(element("vAlign", val="center"))


def add_table(document: Any, rows: list[list[str]], model: tuple[Any, Any], size: float, available: float,
              style: str | None) -> Any:
    """The table (at the end of the body; the caller moves it), its paragraphs formatted like
    `model` (w:pPr or None, w:rPr of the body text) with no indent, single spacing, at `size`
    points or smaller to fit `available` points, in table style `style` (a style id; None: grid
    lines of its own); returns the python-docx table."""
    widths, size = column_widths(rows, size, available)
    cols = len(widths)
    table = document.add_table(rows=len(rows), cols=cols)
    tbl_pr = table._tbl.tblPr
    if style is not None:
        tblpr_child(tbl_pr, "tblStyle").set(w("val"), style)
    else:
        _borders(tbl_pr)
    tbl_w = tblpr_child(tbl_pr, "tblW")
    tbl_w.set(w("type"), "dxa")
    tbl_w.set(w("w"), str(round(sum(widths) * 20)))
    tblpr_child(tbl_pr, "jc").set(w("val"), "center")
    tblpr_child(tbl_pr, "tblLayout").set(w("type"), "fixed")
    for grid, width in zip(table._tbl.tblGrid.findall(w("gridCol")), widths, strict=True):
        grid.set(w("w"), str(round(width * 20)))
    for r, (texts, row) in enumerate(zip(rows, table.rows, strict=True)):
        tr_pr = row._tr.get_or_add_trPr()
        tr_pr.append(element("cantSplit"))
        if r == 0:
            tr_pr.append(element("tblHeader"))  # repeated at the top of every page
        for c, cell in enumerate(row.cells):  # table.cell(r, c) is linear per call
            text = texts[c] if c < len(texts) else ""
            cell.width = round(widths[c] * 12700)  # EMU
            fits = text_em(text) * size + 2 * CELL_MARGIN_PT <= widths[c]
            _cell(cell, text, model, size, header=r == 0, centred=r == 0 or is_number(text) or fits)
    return table


def table_rpr(font: str, size: float) -> Any:
    """A w:rPr for a table of the section's own document."""
    rpr = element("rPr")
    face(rpr, font, size)
    rpr_child(rpr, "lang").set(w("eastAsia"), "zh-CN")
    return rpr

"""report.docx: the section as a document of its own, in the form of official documents
(GB/T 9704-2012): A4, margins 37/35/28/26 mm, body 仿宋_GB2312 三号 (16 pt) at 22 lines a page,
一、 headings 黑体 and （一） headings 楷体_GB2312, the title 方正小标宋简体 二号, all text black,
page numbers "— 1 —" in 宋体 四号 at the foot (odd pages right, even pages left, one character
in from the edge). Filling the office's own draft is draft.py's job (fill_draft).

python-docx is imported inside the functions (never at the command line's start-up).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scoring.report.blocks import Block
from scoring.report.docx_format import (
    BODY_FONT,
    HEADING_FONTS,
    PAGE_NUMBER_FONT,
    TITLE_FONT,
    W_NS,
    declare_fallbacks,
    element,
    face,
    first_line_indent,
    ppr_child,
    rpr_child,
    w,
)
from scoring.report.draft import MARKER, fill_draft, section_shape
from scoring.report.word_table import add_table, available_width, table_rpr

__all__ = ["MARKER", "fill_draft", "write_document"]

PAGE_MM = (210, 297)  # A4
MARGINS_MM = {"top": 37, "bottom": 35, "left": 28, "right": 26}  # GB/T 9704-2012 §5.2.1
FOOTER_MM = 25  # puts the page number about 7 mm below the text block (§7.5)
BODY_PT = 16  # 三号
TITLE_PT = 22  # 二号
PAGE_NUMBER_PT = 14  # 四号
TABLE_PT = 14  # 四号: the section's tables
LINE_TWIPS = 579  # 28.95 pt: 22 lines on the 225 mm text block (§5.2.2)
HEADING_STYLES = {0: "Title", 1: "Heading 1", 2: "Heading 2", 3: "Heading 3", 4: "Heading 4"}


def _page(section: Any) -> None:
    from docx.shared import Mm

    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(MARGINS_MM["top"]), Mm(MARGINS_MM["bottom"])
    section.left_margin, section.right_margin = Mm(MARGINS_MM["left"]), Mm(MARGINS_MM["right"])
    section.footer_distance = Mm(FOOTER_MM)
    section.header_distance = Mm(15)


def _defaults(document: Any) -> None:
    """Document defaults without theme fonts, in Chinese, with the body's line pitch."""
    styles = document.styles.element
    rpr = styles.find(f"{{{W_NS}}}docDefaults/{{{W_NS}}}rPrDefault/{{{W_NS}}}rPr")
    face(rpr, BODY_FONT, BODY_PT)
    lang = rpr_child(rpr, "lang")
    lang.set(w("val"), "en-US")
    lang.set(w("eastAsia"), "zh-CN")
    ppr = styles.find(f"{{{W_NS}}}docDefaults/{{{W_NS}}}pPrDefault/{{{W_NS}}}pPr")
    spacing = ppr_child(ppr, "spacing")
    for attr in list(spacing.attrib):
        del spacing.attrib[attr]
    spacing.set(w("before"), "0")
    spacing.set(w("after"), "0")
    spacing.set(w("line"), str(LINE_TWIPS))
    spacing.set(w("lineRule"), "exact")


def _style(document: Any, name: str, font: str, size: float, *, bold: bool = False, indent: bool = True,
           centred: bool = False) -> None:
    """Restyle a built-in style in the official form: face, size, black, spacing, indent."""
    style = document.styles[name]
    element_ = style.element
    rpr = element_.get_or_add_rPr()
    face(rpr, font, size, bold=bold)
    ppr = element_.get_or_add_pPr()
    for tag in ("pBdr",):  # the Title style's blue rule
        for found in ppr.findall(w(tag)):
            ppr.remove(found)
    spacing = ppr_child(ppr, "spacing")
    for attr in list(spacing.attrib):
        del spacing.attrib[attr]
    spacing.set(w("before"), "0")
    spacing.set(w("after"), str(LINE_TWIPS) if centred else "0")  # a blank line under the title
    # The title (二号) gets lines of its own height; everything else keeps the 22-line pitch.
    spacing.set(w("line"), str(round(size * 1.5 * 20)) if size > BODY_PT else str(LINE_TWIPS))
    spacing.set(w("lineRule"), "exact")
    first_line_indent(ppr, 2 if indent else 0, size)
    ppr_child(ppr, "jc").set(w("val"), "center" if centred else "both")
    for tag in ("spacing", "kern", "u"):  # the Title style's letter spacing and kerning
        for found in rpr.findall(w(tag)):
            rpr.remove(found)


def _styles(document: Any) -> None:
    _defaults(document)
    _style(document, "Normal", BODY_FONT, BODY_PT)
    _style(document, "Title", TITLE_FONT, TITLE_PT, indent=False, centred=True)
    for level in (1, 2, 3, 4):
        _style(document, HEADING_STYLES[level], HEADING_FONTS.get(level, BODY_FONT), BODY_PT, bold=level == 3)
    declare_fallbacks(document)


def _page_number(footer: Any, *, odd: bool) -> None:
    """"— N —" with a PAGE field, 宋体 四号, one character in from the outer edge (§7.5)."""
    paragraph = footer.paragraphs[0]
    ppr = paragraph._p.get_or_add_pPr()
    first_line_indent(ppr, 0, PAGE_NUMBER_PT)
    ind = ppr_child(ppr, "ind")
    side = "right" if odd else "left"
    ind.set(w(side), str(PAGE_NUMBER_PT * 20))
    ind.set(w(f"{side}Chars"), "100")
    ppr_child(ppr, "jc").set(w("val"), side)
    spacing = ppr_child(ppr, "spacing")
    spacing.set(w("line"), "240")
    spacing.set(w("lineRule"), "auto")

    def run(text: str | None = None) -> Any:
        made = element("r")
        rpr = element("rPr")
        face(rpr, PAGE_NUMBER_FONT, PAGE_NUMBER_PT)
        made.append(rpr)
        if text is not None:
            t = element("t")
            t.text = text
            t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            made.append(t)
        return made

    paragraph._p.append(run("— "))
    field = element("fldSimple", instr=" PAGE ")
    field.append(run("1"))
    paragraph._p.append(field)
    paragraph._p.append(run(" —"))


def _footers(document: Any) -> None:
    document.settings.odd_and_even_pages_header_footer = True
    section = document.sections[0]
    _page_number(section.footer, odd=True)
    _page_number(section.even_page_footer, odd=False)


def write_document(blocks: list[Block], path: Path) -> None:
    """The section as a Word document of its own, in official form: the title (a heading alone
    at the top level) in Title, the headings below it in Heading 1–4 by depth."""
    from docx import Document

    document = Document()
    _page(document.sections[0])
    _styles(document)
    _footers(document)
    section = document.sections[0]
    available = available_width(section)
    for block, depth in zip(blocks, section_shape(blocks), strict=True):
        if block.kind == "heading":
            paragraph = document.add_paragraph(block.text, HEADING_STYLES[min(depth, 4)])
            paragraph.paragraph_format.keep_with_next = True
        elif block.kind == "paragraph":
            document.add_paragraph(block.text)
        else:
            add_table(document, block.rows, (None, table_rpr(BODY_FONT, TABLE_PT)), TABLE_PT, available, "TableGrid")
    document.save(str(path))

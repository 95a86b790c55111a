"""Word output with python-docx: the section as a document of its own (report.docx), or put into
the office's draft at the paragraph 【美丽楼院考核情况】, in the draft's own styles, with
everything else in the draft — headings, numbering, tables, headers and footers — untouched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from scoring.errors import InvalidInputError
from scoring.report.blocks import Block

MARKER = "【美丽楼院考核情况】"
BODY_FONT, HEADING_FONT = "仿宋", "黑体"  # the usual faces of government reports


def east_asian_font(style: Any, name: str) -> None:
    """Set a style's font for Chinese text too (Word keeps a separate East Asian font)."""
    style.font.name = name
    fonts = style.element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), name)


def _table(document: Any, rows: list[list[str]], style: str | None) -> Any:
    width = max(len(r) for r in rows)
    table = document.add_table(rows=len(rows), cols=width)
    if style:
        table.style = style
    for r, (row, cells) in enumerate(zip(rows, table.rows, strict=True)):
        for text, cell in zip(row, cells.cells, strict=False):  # table.cell(r, c) is linear per call
            cell.text = text
            if r == 0:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
    return table


def _style_names(document: Any) -> set[str]:
    return {s.name for s in document.styles}


def write_document(blocks: list[Block], path: Path) -> None:
    """The section as a Word document of its own: ## → 标题 1, ### → 标题 2."""
    document = Document()
    east_asian_font(document.styles["Normal"], BODY_FONT)
    document.styles["Normal"].font.size = Pt(14)
    for level in (1, 2, 3):
        east_asian_font(document.styles[f"Heading {level}"], HEADING_FONT)
    top = min((b.level for b in blocks if b.kind == "heading"), default=1)
    for block in blocks:
        if block.kind == "heading":
            document.add_heading(block.text, level=min(block.level - top + 1, 9))
        elif block.kind == "paragraph":
            paragraph = document.add_paragraph(block.text)
            paragraph.paragraph_format.first_line_indent = Pt(28)  # two characters
        else:
            _table(document, block.rows, "Table Grid")
    document.save(str(path))


def _marker(document: Any, draft: Path) -> Any:
    found = [p for p in document.paragraphs if p.text.strip() == MARKER]
    if len(found) != 1:
        why = "没有找到" if not found else f"找到 {len(found)} 处"
        raise InvalidInputError(
            f"草稿 {draft} 中{why}单独成段的“{MARKER}”标记；请在要插入考核情况的位置单独一段输入该标记（只输入一处）")
    return found[0]


def fill_draft(blocks: list[Block], draft: Path, target: Path) -> None:
    """A copy of `draft` with the marker paragraph replaced by the section."""
    try:
        document = Document(str(draft))
    except Exception:  # python-docx meeting a file that is not a .docx: say so, never crash
        why = "不是有效的 Word 文档（.docx）"
        raise InvalidInputError(f"无法打开草稿 {draft}：{why}") from None
    marker = _marker(document, draft)
    names = _style_names(document)
    body_style = marker.style
    table_style = "Table Grid" if "Table Grid" in names else None
    top = min((b.level for b in blocks if b.kind == "heading"), default=2)
    for block in blocks:
        if block.kind == "heading":
            style = f"Heading {block.level - top + 2}"  # the section sits under the report's parts
            paragraph = marker.insert_paragraph_before(block.text, style if style in names else body_style)
            if style not in names:
                for run in paragraph.runs:
                    run.bold = True
        elif block.kind == "paragraph":
            marker.insert_paragraph_before(block.text, body_style)
        else:
            table = _table(document, block.rows, table_style)
            marker._p.addprevious(table._tbl)
    marker._p.getparent().remove(marker._p)
    document.save(str(target))


def text_of(path: Path) -> list[str]:
    """Every paragraph's and table cell's text, in document order (for checks and tests)."""
    document = Document(str(path))
    out = []
    for element in document.element.body.iterchildren():
        if element.tag == qn("w:p"):
            out.append("".join(t.text or "" for t in element.iter(qn("w:t"))))
        elif element.tag == qn("w:tbl"):
            for row in element.iter(qn("w:tr")):
                out.append(" | ".join("".join(t.text or "" for t in cell.iter(qn("w:t")))
                                      for cell in row.iter(qn("w:tc"))))
    return out


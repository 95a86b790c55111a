"""Office drafts of the annual report, built the two ways offices build them: with paragraph
styles (标题 1/标题 2 restyled, a body style with 首行缩进, a table style), and with direct
formatting only (every paragraph 正文, fonts, sizes and the two-character indent set by hand)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH

from scoring.report import docx_format
from scoring.report.docx_format import face, first_line_indent, w
from scoring.report.word import MARKER

TITLE = "解放区社区办2023年法治政府建设情况报告"
BODY = "我办坚持以习近平新时代中国特色社会主义思想为指导，全面推进法治政府建设。"


def _styled(document: Any) -> tuple[Any, Any]:
    for name, font in (("Heading 1", "黑体"), ("Heading 2", "楷体_GB2312")):
        style = document.styles[name]
        face(style.element.get_or_add_rPr(), font, 16)
        first_line_indent(style.element.get_or_add_pPr(), 2, 16)
    body = document.styles.add_style("报告正文", WD_STYLE_TYPE.PARAGRAPH)
    body.base_style = document.styles["Normal"]
    face(body.element.get_or_add_rPr(), "仿宋_GB2312", 16)
    first_line_indent(body.element.get_or_add_pPr(), 2, 16)

    def heading(text: str, level: int) -> Any:
        return document.add_paragraph(text, f"Heading {level}")

    def paragraph(text: str) -> Any:
        return document.add_paragraph(text, "报告正文")

    return heading, paragraph


def _direct(document: Any) -> tuple[Any, Any]:
    def add(text: str, font: str, indent: int = 2) -> Any:
        p = document.add_paragraph()
        first_line_indent(p._p.get_or_add_pPr(), indent, 16)
        run = p.add_run(text)
        face(run._r.get_or_add_rPr(), font, 16)
        return p

    def heading(text: str, level: int) -> Any:
        return add(text, {1: "黑体", 2: "楷体_GB2312"}[level])

    def paragraph(text: str) -> Any:
        return add(text, "仿宋_GB2312")

    return heading, paragraph


def make_draft(path: Path, kind: str, *, under: bool = True, table_style: str | None = None) -> None:
    """A draft whose marker stands directly under "（二）美丽楼院创建考核" (`under`) or after the
    text of "（二）严格规范公正文明执法"; `kind` is "styles" or "direct"."""
    document = Document()
    heading, paragraph = _styled(document) if kind == "styles" else _direct(document)
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    face(title.add_run(TITLE)._r.get_or_add_rPr(), "方正小标宋简体", 22)
    section = document.sections[0]
    section.footer.paragraphs[0].text = "草稿页脚"
    heading("一、主要举措和成效", 1)
    paragraph(BODY)
    heading("（一）深入学习贯彻习近平法治思想", 2)
    paragraph(BODY)
    if under:
        heading("（二）美丽楼院创建考核", 2)
    else:
        heading("（二）严格规范公正文明执法", 2)
        paragraph(BODY)
    document.add_paragraph(MARKER, "报告正文" if kind == "styles" else None)
    heading("（三）强化法治宣传教育", 2)
    paragraph(BODY)
    table = document.add_table(rows=2, cols=2)
    if table_style:
        table.style = document.styles[table_style]
    table.cell(0, 0).text, table.cell(1, 1).text = "指标", "数值"
    heading("二、存在的不足和原因", 1)
    paragraph("普法宣传不到位。")
    document.save(str(path))


def paragraph_pt(size_half_points: str | None) -> float | None:
    """w:sz (half-points) as points."""
    return None if size_half_points is None else int(size_half_points) / 2


def run_fonts(p: Any) -> dict[str, str | None]:
    """The first run's rFonts attributes (ascii, eastAsia) and size and colour."""
    run = p.find(f"{w('r')}")
    rpr = run.find(w("rPr"))
    fonts = rpr.find(w("rFonts")) if rpr is not None else None
    colour = rpr.find(w("color")) if rpr is not None else None
    size = rpr.find(w("sz")) if rpr is not None else None
    bold = rpr.find(w("b")) if rpr is not None else None
    return {"eastAsia": fonts.get(w("eastAsia")) if fonts is not None else None,
            "ascii": fonts.get(w("ascii")) if fonts is not None else None,
            "color": colour.get(w("val")) if colour is not None else None,
            "sz": size.get(w("val")) if size is not None else None,
            "b": bold.get(w("val")) if bold is not None else None}



_ORDERS = {
    "pPr": docx_format._PPR_ORDER, "rPr": docx_format._RPR_ORDER, "tblPr": docx_format._TBLPR_ORDER,
    "tcPr": ["cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
             "textDirection", "tcFitText", "vAlign", "hideMark"],
    "trPr": ["cnfStyle", "divId", "gridBefore", "gridAfter", "wBefore", "wAfter", "cantSplit", "trHeight",
             "tblHeader", "tblCellSpacing", "jc", "hidden"],
}


def out_of_order(path: Path) -> list[str]:
    """Property elements whose children are out of schema order or repeated (Word refuses such
    a file as unreadable; LibreOffice does not mind, so rendering alone would not tell)."""
    import zipfile

    from lxml import etree  # type: ignore[import-untyped]

    found = []
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if not (name.startswith("word/") and name.endswith(".xml")):
                continue
            root = etree.fromstring(z.read(name))
            for tag, order in _ORDERS.items():
                for element in root.iter(w(tag)):
                    known = [c.tag.rsplit("}", 1)[-1] for c in element if isinstance(c.tag, str)]
                    known = [t for t in known if t in order]
                    ranks = [order.index(t) for t in known]
                    if ranks != sorted(ranks) or len(set(known)) != len(known):
                        found.append(f"{name} {tag}: {known}")
    return found


def text_of(path: Path) -> list[str]:
    """Every paragraph's and table cell's text, in document order (what the tests read back)."""
    from docx import Document

    document = Document(str(path))
    out = []
    for found in document.element.body.iterchildren():
        if found.tag == w("p"):
            out.append("".join(t.text or "" for t in found.iter(w("t"))))
        elif found.tag == w("tbl"):
            for row in found.iter(w("tr")):
                out.append(" | ".join("".join(t.text or "" for t in cell.iter(w("t")))
                                      for cell in row.iter(w("tc"))))
    return out

"""The report in official form (GB/T 9704-2012, GB/T 15835): report.docx's page, fonts,
headings and page numbers; the wording's numbers, dates and titles; and the section filled
into drafts built with styles and with direct formatting, at the marker's outline level."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from scoring.report.docx_format import w
from scoring.report.numbering import chinese_number, number_markdown, ordinal, split_ordinal
from scoring.report.render import book, change, date_text
from scoring.report.word import MARKER
from scoring.report.word_table import column_widths, text_em
from tests.drafts import BODY, make_draft, out_of_order, run_fonts, text_of
from tests.test_cli import SAMPLE, invoke


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("official")
    code, _, err = invoke("run", str(SAMPLE), "--out", str(out))
    assert code == 0, err
    return out


def style_rpr(document: Any, name: str) -> Any:
    return document.styles[name].element.rPr


def fonts_of(rpr: Any) -> tuple[str | None, str | None]:
    fonts = rpr.find(w("rFonts"))
    return fonts.get(w("eastAsia")), fonts.get(w("ascii"))


# ---------------------------------------------------------------- wording

def test_filters_write_numbers_dates_and_titles_the_official_way() -> None:
    assert change("0.38", "分") == "提高0.38分"
    assert change("-0.3", "个百分点") == "下降0.3个百分点"
    assert change("0", "分") == "持平"
    assert date_text("2023-12-20") == "2023年12月20日"
    assert date_text("2023-01-01") == "2023年1月1日"
    assert date_text("不是日期") == "不是日期"
    assert book("河南省实施《中华人民共和国城市居民委员会组织法》办法") == \
        "《河南省实施〈中华人民共和国城市居民委员会组织法〉办法》"


def test_ordinals() -> None:
    assert [chinese_number(n) for n in (1, 9, 10, 11, 20, 35)] == ["一", "九", "十", "十一", "二十", "三十五"]
    assert [ordinal(level, 3) for level in (1, 2, 3, 4)] == ["三、", "（三）", "3.", "（3）"]
    assert split_ordinal("十二、其他") == (1, 12, "其他")
    assert split_ordinal("（二）美丽楼院") == (2, 2, "美丽楼院")
    assert split_ordinal("(3)半角括号") == (4, 3, "半角括号")
    assert split_ordinal("2．全角点") == (3, 2, "全角点")
    assert split_ordinal("2023年美丽楼院考核情况") is None
    assert split_ordinal("90.37分") is None
    assert split_ordinal("一是加强") is None


def test_headings_numbered_without_gaps_whatever_the_template_says() -> None:
    text = "## 标题\n\n### 四、甲\n\n#### 乙\n\n#### （五）丙\n\n### 丁\n\n#### 戊\n"
    assert number_markdown(text) == ("## 标题\n\n### 一、甲\n\n#### （一）乙\n\n#### （二）丙\n\n### 二、丁\n\n"
                                     "#### （一）戊\n")
    assert number_markdown("### 甲\n\n### 乙\n") == "### 一、甲\n\n### 二、乙\n"  # no title: all numbered


def test_the_section_wording_in_official_form(run: Path) -> None:
    text = (run / "report.md").read_text(encoding="utf-8")
    headings = re.findall(r"^#+ (.*)$", text, re.M)
    assert headings == ["2023年美丽楼院考核情况", "一、主要举措和成效", "二、存在的不足和原因", "三、下一年度主要安排"]
    prose = "\n".join(line for line in text.splitlines() if not line.startswith(("|", "#")))
    assert not re.search(r"\d [\u4e00-\u9fff（%]|[\u4e00-\u9fff）] \d", prose)  # no spaces around numbers
    assert not re.search(r"\d{4}-\d{2}-\d{2}", prose)  # dates in words
    assert "自2023年1月1日起施行2023.1版（修订11项）" in text
    assert not re.search(r"《[^》]*《", text)  # a title inside a title is 〈〉
    assert "《河南省实施〈中华人民共和国城市居民委员会组织法〉办法》" in text


# ---------------------------------------------------------------- report.docx

def test_report_docx_page_fonts_and_colour(run: Path) -> None:
    document = Document(str(run / "report.docx"))
    section = document.sections[0]
    assert (round(section.page_width.mm, 1), round(section.page_height.mm, 1)) == (210, 297)
    assert [round(m.mm, 1) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                     section.right_margin)] == [37, 35, 28, 26]
    defaults = document.styles.element.find(f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}")
    assert fonts_of(defaults) == ("仿宋_GB2312", "仿宋_GB2312")
    assert fonts_of(style_rpr(document, "Normal")) == ("仿宋_GB2312", "仿宋_GB2312")
    assert document.styles["Normal"].font.size.pt == 16
    assert fonts_of(style_rpr(document, "Heading 1"))[0] == "黑体"
    assert fonts_of(style_rpr(document, "Heading 2"))[0] == "楷体_GB2312"
    assert fonts_of(style_rpr(document, "Title"))[0] == "方正小标宋简体"
    assert document.styles["Title"].font.size.pt == 22
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Heading 3", "Heading 4"):
        rpr = style_rpr(document, name)
        colour = rpr.find(w("color"))
        assert colour.get(w("val")) == "000000" and colour.get(w("themeColor")) is None, name
        assert not any(a.endswith("Theme") or a.endswith("theme") for a in rpr.find(w("rFonts")).attrib), name
        assert rpr.find(w("i")).get(w("val")) == "0", name
    assert document.styles["Heading 1"].font.bold is False
    used = [(p.style.name, p.text) for p in document.paragraphs if p.text]
    assert used[:3] == [("Title", "2023年美丽楼院考核情况"), ("Heading 1", "一、主要举措和成效"),
                        ("Normal", used[2][1])]
    assert [t for s, t in used if s == "Heading 1"] == [
        "一、主要举措和成效", "二、存在的不足和原因", "三、下一年度主要安排"]
    normal = document.styles["Normal"].element.pPr
    assert normal.find(w("ind")).get(w("firstLineChars")) == "200"
    assert normal.find(w("spacing")).get(w("line")) == "579"  # 22 lines a page
    table = document.tables[0]._tbl
    assert table.find(f"{w('tblPr')}/{w('tblStyle')}").get(w("val")) == "TableGrid"


def test_report_docx_page_numbers_and_font_fallbacks(run: Path) -> None:
    document = Document(str(run / "report.docx"))
    assert document.settings.odd_and_even_pages_header_footer
    section = document.sections[0]
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        p = footer.paragraphs[0]._p
        assert "".join(t.text for t in p.iter(w("t"))) == "— 1 —"
        assert p.find(w("fldSimple")).get(w("instr")).strip() == "PAGE"
        assert p.find(f"{w('pPr')}/{w('jc')}").get(w("val")) == side
        assert run_fonts(p)["eastAsia"] == "宋体" and run_fonts(p)["sz"] == "28"
    with __import__("zipfile").ZipFile(run / "report.docx") as z:
        table = z.read("word/fontTable.xml").decode()
    for name, alternative in (("仿宋_GB2312", "仿宋"), ("楷体_GB2312", "楷体"), ("仿宋", "FangSong")):
        assert re.search(rf'<w:font w:name="{name}"><w:altName w:val="{alternative}"/>', table), name


def test_report_docx_table_cells(run: Path) -> None:
    document = Document(str(run / "report.docx"))
    table = document.tables[0]
    header = table.rows[0].cells
    assert [c.text for c in header] == ["名次", "社区", "楼院数", "平均分", "达标率", "法治建设得分率"]
    for row in table.rows:
        for cell in row.cells:
            ppr = cell.paragraphs[0]._p.pPr
            ind = ppr.find(w("ind"))
            assert (ind.get(w("firstLine")), ind.get(w("firstLineChars"))) == ("0", "0")
    assert all(c.paragraphs[0]._p.pPr.find(w("jc")).get(w("val")) == "center" for c in header)
    number = table.rows[1].cells[3]
    assert re.fullmatch(r"\d+\.\d\d", number.text) and number._tc.tcPr.find(w("noWrap")) is not None
    assert table.rows[0]._tr.trPr.find(w("tblHeader")) is not None


def test_column_widths_never_break_a_number() -> None:
    rows = [["名次", "社区", "楼院数", "平均分", "达标率", "法治建设得分率"],
            ["1", "焦南社区", "8", "100.00", "100.0%", "100.0%"]]
    widths, size = column_widths(rows, 16, 442)
    assert size == 16 and sum(widths) == pytest.approx(442)
    for c, text in enumerate(rows[1]):
        assert widths[c] >= text_em(text) * size + 10.8
    widths, size = column_widths(rows * 1 + [["1", "社区", "8", "1234567.00", "100.0%", "100.0%"]], 16, 200)
    assert size == 10.5  # shrunk to 五号, never below
    assert widths[3] >= text_em("1234567.00") * size + 10.8


# ---------------------------------------------------------------- drafts

def fill(run: Path, tmp: Path, kind: str, under: bool, style: str | None = None) -> tuple[Path, Any]:
    draft = tmp / f"草稿-{kind}.docx"
    make_draft(draft, kind, under=under, table_style=style)
    before = draft.read_bytes()
    code, _, err = invoke("report", str(run / "results.json"), "--into", str(draft), "--out", str(tmp / "o"))
    assert code == 0, err
    assert draft.read_bytes() == before
    filled = tmp / f"草稿-{kind}-已填写.docx"
    return filled, Document(str(filled))


def body_paragraph(document: Any, text: str) -> Any:
    return next(p for p in document.paragraphs if p.text == text)


@pytest.mark.parametrize("kind", ["styles", "direct"])
def test_marker_directly_under_a_heading_takes_its_level(run: Path, tmp_path: Path, kind: str) -> None:
    filled, document = fill(run, tmp_path, kind, under=True, style="Light Grid" if kind == "styles" else None)
    texts = text_of(filled)
    at = texts.index("（二）美丽楼院创建考核")
    assert texts[at + 1] == "1.主要举措和成效"  # the draft's heading titles the section
    assert "2023年美丽楼院考核情况" not in texts and MARKER not in texts
    assert [t for t in texts if re.match(r"\d\.", t)] == [
        "1.主要举措和成效", "2.存在的不足和原因", "3.下一年度主要安排"]
    assert [t for t in texts if t.startswith("（")][:3] == [
        "（一）深入学习贯彻习近平法治思想", "（二）美丽楼院创建考核", "（三）强化法治宣传教育"]  # nothing to renumber
    assert [t for t in texts if re.match("[一二三四]、", t)] == ["一、主要举措和成效", "二、存在的不足和原因"]
    heading = body_paragraph(document, "1.主要举措和成效")._p
    fonts = run_fonts(heading)  # no 1. heading in the draft: the body's face, bold, black
    assert (fonts["eastAsia"], fonts["b"], fonts["color"]) == ("仿宋_GB2312", "1", "000000")
    section_text = next(p for p in document.paragraphs if p.text.startswith("2023年，我办"))
    model = body_paragraph(document, BODY)
    if kind == "styles":
        assert section_text.style.name == "报告正文"
        assert heading.find(f"{w('pPr')}/{w('pStyle')}").get(w("val")) == model.style.style_id
    else:
        assert run_fonts(section_text._p)["eastAsia"] == "仿宋_GB2312"
        assert run_fonts(section_text._p)["sz"] == "32"
        ind = section_text._p.pPr.find(w("ind"))
        assert ind.get(w("firstLineChars")) == "200"  # the draft's own 首行缩进, copied


@pytest.mark.parametrize("kind", ["styles", "direct"])
def test_marker_after_an_items_text_becomes_the_next_item(run: Path, tmp_path: Path, kind: str) -> None:
    filled, document = fill(run, tmp_path, kind, under=False)
    texts = text_of(filled)
    assert [t for t in texts if t.startswith("（")][:4] == [
        "（一）深入学习贯彻习近平法治思想", "（二）严格规范公正文明执法", "（三）2023年美丽楼院考核情况",
        "（四）强化法治宣传教育"]  # the draft's （三） renumbered: no gap, no repeat
    at = texts.index("（三）2023年美丽楼院考核情况")
    assert texts[at + 1] == "1.主要举措和成效"
    ours = body_paragraph(document, "（三）2023年美丽楼院考核情况")
    theirs = body_paragraph(document, "（二）严格规范公正文明执法")
    assert ours.style.name == theirs.style.name
    assert run_fonts(ours._p) == run_fonts(theirs._p)  # the draft's own heading formatting
    if kind == "styles":
        assert ours.style.name == "Heading 2"
    else:
        assert ours.style.name == "Normal" and run_fonts(ours._p)["eastAsia"] == "楷体_GB2312"
        assert run_fonts(ours._p)["color"] == "000000"


@pytest.mark.parametrize(("kind", "style", "want"), [("styles", "Light Grid", "LightGrid"),
                                                     ("direct", None, "TableGrid")])
def test_tables_in_drafts(run: Path, tmp_path: Path, kind: str, style: str | None, want: str) -> None:
    _, document = fill(run, tmp_path, kind, under=True, style=style)
    table = document.tables[0]
    assert table.rows[0].cells[0].text == "名次"
    assert table._tbl.tblPr.find(w("tblStyle")).get(w("val")) == want  # the draft's table style
    for row in table.rows:
        for cell in row.cells:
            ind = cell.paragraphs[0]._p.pPr.find(w("ind"))
            assert (ind.get(w("firstLine")), ind.get(w("firstLineChars"))) == ("0", "0")
    assert all(c.paragraphs[0]._p.pPr.find(w("jc")).get(w("val")) == "center" for c in table.rows[0].cells)
    grid = [int(g.get(w("w"))) for g in table._tbl.tblGrid.findall(w("gridCol"))]
    section = document.sections[-1]
    assert sum(grid) <= (section.page_width - section.left_margin - section.right_margin) / 635 + 1
    size = int(table.rows[1].cells[3].paragraphs[0].runs[0]._r.rPr.find(w("sz")).get(w("val"))) / 2
    assert size == 14  # 四号: the body is 三号
    assert grid[3] / 20 >= text_em("100.00") * size + 10.8


# ---------------------------------------------------------------- rendered

@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice and poppler-utils are needed to render")
def test_rendered_by_libreoffice(run: Path, tmp_path: Path) -> None:
    styled, _ = fill(run, tmp_path, "styles", under=False, style="Light Grid")
    direct, _ = fill(run, tmp_path, "direct", under=True)
    for docx in (run / "report.docx", styled, direct):
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(docx)],
                       check=True, capture_output=True, timeout=180)
        pdf = tmp_path / f"{docx.stem}.pdf"
        info = subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout
        if docx.name == "report.docx":  # a draft keeps its own page
            assert re.search(r"Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)", info)
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True, capture_output=True,
                              text=True).stdout
        rows = [line.split() for line in text.splitlines() if re.search(r"社区\s+8\s", line)]
        assert len(rows) == 6, text  # every community's row on one line, whole
        for cells in rows:
            assert re.fullmatch(r"\d+\.\d\d", cells[3]) and re.fullmatch(r"\d+\.\d%", cells[4]), cells
        if docx.name == "report.docx":
            assert re.search(r"—\s*1\s*—", text) and re.search(r"—\s*2\s*—", text)


def test_plain_draft_without_any_formatting(run: Path, tmp_path: Path) -> None:
    """A draft typed with no styles and no formatting at all: the sizes come from the defaults."""
    draft = tmp_path / "白稿.docx"
    document = Document()
    for text in ("一、主要举措和成效", BODY, MARKER, "二、存在的不足和原因"):
        document.add_paragraph(text)
    document.save(str(draft))
    code, _, err = invoke("report", str(run / "results.json"), "--into", str(draft), "--out", str(tmp_path / "o"))
    assert code == 0, err
    filled = Document(str(tmp_path / "白稿-已填写.docx"))
    texts = [p.text for p in filled.paragraphs]
    assert texts[2:4] == ["（一）2023年美丽楼院考核情况", "1.主要举措和成效"]  # after a part's text
    assert texts[-1] == "二、存在的不足和原因"
    heading = run_fonts(filled.paragraphs[2]._p)
    assert (heading["eastAsia"], heading["color"]) == ("楷体_GB2312", "000000")  # no （一） in the draft
    size = filled.tables[0].rows[1].cells[0].paragraphs[0].runs[0]._r.rPr.find(w("sz")).get(w("val"))
    assert size == "22"  # Word's 11-point default, as the draft's body


def test_every_document_in_schema_order(run: Path, tmp_path: Path) -> None:
    assert out_of_order(run / "report.docx") == []
    for kind, under in (("styles", True), ("direct", False)):
        filled, _ = fill(run, tmp_path, kind, under=under, style="Light Grid" if kind == "styles" else None)
        assert out_of_order(filled) == []


def test_an_item_written_as_one_paragraph_is_not_a_title(run: Path, tmp_path: Path) -> None:
    draft = tmp_path / "条目稿.docx"
    document = Document()
    for text in ("一、主要举措和成效", "（一）深入学习贯彻习近平法治思想，全面推进依法行政。", MARKER,
                 "（二）强化法治宣传教育"):
        document.add_paragraph(text)
    document.save(str(draft))
    code, _, err = invoke("report", str(run / "results.json"), "--into", str(draft), "--out", str(tmp_path / "o"))
    assert code == 0, err
    texts = [p.text for p in Document(str(tmp_path / "条目稿-已填写.docx")).paragraphs]
    assert texts[2:4] == ["（二）2023年美丽楼院考核情况", "1.主要举措和成效"]
    assert texts[-1] == "（三）强化法治宣传教育"


def test_draft_without_numbered_headings(run: Path, tmp_path: Path) -> None:
    draft = tmp_path / "空稿.docx"
    document = Document()
    document.add_paragraph(MARKER)
    document.save(str(draft))
    code, _, err = invoke("report", str(run / "results.json"), "--into", str(draft), "--out", str(tmp_path / "o"))
    assert code == 0, err
    texts = text_of(tmp_path / "空稿-已填写.docx")
    assert texts[:2] == ["一、2023年美丽楼院考核情况", "（一）主要举措和成效"]

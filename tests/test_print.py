"""Printing: every sheet of ranking.xlsx and of the template on A4 at a legible scale, with a
page header and page numbers; the chart's axis from 0; one term for one meaning; and the paper
inspection form (`score template --paper`)."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from scoring.criteria import load_standard
from scoring.outputs.paper_form import answer, form_rows
from scoring.outputs.xlsx import MIN_PRINT_SCALE, print_scale, width_points
from scoring.report.docx_format import w
from tests.drafts import out_of_order
from tests.test_cli import SAMPLE, invoke

LANDSCAPE_PT = (11.69 - 1.0) * 72  # A4 less the 0.5-inch side margins
PORTRAIT_PT = (8.27 - 1.0) * 72
FOOTER = "&C第 &P 页 共 &N 页"
rendering = pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                               reason="LibreOffice and poppler-utils are needed to render")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("print")
    code, _, err = invoke("run", str(SAMPLE), "--out", str(root / "run"))
    assert code == 0, err
    code, _, err = invoke("template", "-o", str(root / "检查记录表.xlsx"), "--criteria-version", "2023.1",
                          "--rows", "20")
    assert code == 0, err
    code, out, err = invoke("template", "--paper", "-o", str(root / "检查表.docx"), "--criteria-version", "2023.1")
    assert code == 0, err
    assert out.startswith(f"已生成 {root / '检查表.docx'}：") and "每页一个楼院" in out
    return {"ranking": root / "run" / "ranking.xlsx", "template": root / "检查记录表.xlsx",
            "paper": root / "检查表.docx"}


def widths_of(ws: Any) -> list[float]:
    """Column widths as written (xlsxwriter adds 0.71 to each)."""
    out: list[float] = []
    for dim in sorted(ws.column_dimensions.values(), key=lambda d: d.min or 0):
        if dim.min and dim.width:
            out += [dim.width - 0.71] * (dim.max - dim.min + 1)
    return out


def test_scale_never_below_nine_points() -> None:
    assert MIN_PRINT_SCALE * 11 / 100 >= 9  # 11-point text printed at the smallest scale
    assert print_scale([10] * 5, landscape=True) == 100
    assert print_scale([10] * 11, landscape=True) == int(LANDSCAPE_PT * 100 // width_points([10] * 11)) == 93
    assert print_scale([10] * 60, landscape=True) == MIN_PRINT_SCALE


@pytest.mark.parametrize("name", ["ranking", "template"])
def test_every_sheet_prints_legibly_on_a4(outputs: dict[str, Path], name: str) -> None:
    book = load_workbook(outputs[name])
    for ws in book.worksheets:
        setup = ws.page_setup
        assert setup.paperSize == 9, ws.title  # A4
        scale = setup.scale or 100
        assert MIN_PRINT_SCALE <= scale <= 100 and not ws.sheet_properties.pageSetUpPr.fitToPage, ws.title
        page = LANDSCAPE_PT if setup.orientation == "landscape" else PORTRAIT_PT
        if width_points(widths_of(ws)) * scale / 100 > page:  # too wide: names on every page
            assert ws.print_title_cols and setup.pageOrder == "overThenDown", ws.title
        assert ws.print_title_rows, ws.title
        header = ws.oddHeader
        assert header.center.text == ("检查记录表" if ws.title == "检查记录" else ws.title)
        assert "2023.1 版" in header.left.text, ws.title
        assert ws.oddFooter.center.text == "第 &P 页 共 &N 页", ws.title
        assert int(header.left.size) == 9 and int(header.center.size) == 14
    if name == "ranking":
        ws = book["楼院排名"]
        assert ws.oddHeader.right.text == "考核期 2023（2023-01-01 至 2023-12-31）"
        assert (ws.print_title_cols, ws.print_title_rows) == ("$A:$C", "$1:$1")
    else:
        ws = book["检查记录"]
        assert (ws.print_title_cols, ws.print_title_rows) == ("$A:$C", "$2:$2")  # 社区, 楼院, 检查日期
        assert ws.oddHeader.right.text == "2023-01-01 起施行"


def test_chart_axis_from_zero_under_the_table(outputs: dict[str, Path]) -> None:
    with zipfile.ZipFile(outputs["ranking"]) as z:
        chart = z.read("xl/charts/chart1.xml").decode()
        drawing = z.read("xl/drawings/drawing1.xml").decode()
    value_axis = chart[chart.index("<c:valAx>"):chart.index("</c:valAx>")]
    assert '<c:min val="0"/>' in value_axis
    rows = len(load_workbook(outputs["ranking"])["社区排名"]["A"]) - 1
    assert f"<xdr:row>{rows + 2}</xdr:row>" in drawing.split("</xdr:from>")[0]  # below the table


def test_one_term_for_one_meaning(outputs: dict[str, Path]) -> None:
    book = load_workbook(outputs["ranking"])
    headers = {ws.title: [c.value for c in next(ws.iter_rows(max_row=1))] for ws in book.worksheets
               if ws.title not in ("红黑榜", "说明")}
    yards = headers["楼院排名"]
    assert len(yards) == len(set(yards)) and yards.count("法治建设得分率") == 1
    for title, row in headers.items():
        for header in row:
            if header and "满分率" in header:
                assert header == "满分率（得满分楼院占比）", (title, header)
    about = {r[0]: r[1] for r in book["说明"].iter_rows(values_only=True)}
    assert about["得分率"].startswith("实得分 ÷ 应得分")
    assert "不是得分率" in about["满分率（得满分楼院占比）"]


# ---------------------------------------------------------------- the paper form

def test_paper_form_answers_in_the_workbooks_terms() -> None:
    crit = load_standard().get("2023.1")
    items = {i.id: i for i in crit.all_items}
    assert answer(items["SAF-02"]) == "□是\u3000□否\u3000□免检"
    assert answer(items["FAC-02"]) == "□是\u3000□否\u3000□不适用"
    assert answer(items["ENV-04"]) == "□好\u3000□较好\u3000□一般\u3000□差"
    assert answer(items["ENV-03"]) == "得＿＿＿分（0～4，每档0.5分）"
    assert answer(items["ENV-01"]) == "发现＿＿＿处（每处扣1分）"
    assert answer(items["LAW-05"]) == "□法律明白人 □法律顾问 □人民调解员"
    rows = form_rows(crit)
    assert [t[0] for k, t in rows if k == "section"] == [
        "环境卫生（21分）", "安全有序（19分）", "设施完善（15分）", "自治规范（14分）", "文明和谐（11分）",
        "法治建设（20分）", "加分项目（最多加5分，未获得的不填）", "一票否决（发生的在“发生”前打“√”）"]
    assert [t[0] for k, t in rows if k == "item"] == [i.id for i in crit.all_items] + [v.id for v in crit.vetoes]


def test_paper_form_document(outputs: dict[str, Path]) -> None:
    document = Document(str(outputs["paper"]))
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert len(document.tables) == 1
    table = document.tables[0]
    assert [c.text for c in table.rows[0].cells] == ["编号", "检查项目", "分值", "检查结果（打“√”或填写）", "扣分原因"]
    assert [c.text for c in table.rows[2].cells] == ["ENV-01", "楼道杂物堆放", "5", "发现＿＿＿处（每处扣1分）", ""]
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "解放区美丽楼院创建考核标准（示例）检查表"
    assert texts[1] == "（2023.1版，2023年1月1日起施行，满分100分）"
    assert texts[2].startswith("社区：") and "楼院：" in texts[2] and "检查日期：" in texts[2]
    assert texts[-1].startswith("检查人（签字）：") and "楼院负责人（签字）：" in texts[-1]
    sizes = [int(sz.get(w("val"))) for sz in document.element.body.iter(w("sz"))]
    assert min(sizes) >= 18  # no text under 9 pt (half-points)
    assert out_of_order(outputs["paper"]) == []


def test_paper_form_refusals(outputs: dict[str, Path], tmp_path: Path) -> None:
    code, _, err = invoke("template", "--paper", "-o", str(tmp_path / "表.xlsx"))
    assert code == 2 and err.splitlines()[1] == "纸质检查表请保存为 .docx 文件（现为“表.xlsx”）"
    code, _, err = invoke("template", "--paper", "-o", str(outputs["paper"]))
    assert code == 2 and "已存在，不会覆盖" in err


# ---------------------------------------------------------------- rendered

def render(path: Path, folder: Path) -> tuple[Path, str]:
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(folder), str(path)],
                   check=True, capture_output=True, timeout=300)
    pdf = folder / f"{path.stem}.pdf"
    return pdf, subprocess.run(["pdfinfo", str(pdf)], check=True, capture_output=True, text=True).stdout


@rendering
def test_paper_form_renders_on_one_a4_page(outputs: dict[str, Path], tmp_path: Path) -> None:
    _, info = render(outputs["paper"], tmp_path)
    assert re.search(r"Pages:\s+1\n", info) and "(A4)" in info


@rendering
def test_template_renders_on_a4_with_its_header(outputs: dict[str, Path], tmp_path: Path) -> None:
    pdf, info = render(outputs["template"], tmp_path)
    assert "(A4)" in info
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    first = text.splitlines()[0]
    assert "检查记录表" in first and "2023-01-01 起施行" in first and "社区" in text and "楼院" in text


@rendering
def test_ranking_renders_on_a4_with_no_small_text(outputs: dict[str, Path], tmp_path: Path) -> None:
    pdf, info = render(outputs["ranking"], tmp_path)
    assert "(A4)" in info
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))  # type: ignore[union-attr]
    boxes = subprocess.run(["pdftotext", "-f", "1", "-l", "8", "-bbox", str(pdf), "-"], check=True,
                           capture_output=True, text=True).stdout
    heights = [float(b) - float(a) for a, b in re.findall(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)"', boxes)]
    # A word's box is its font size plus the font's leading: 9-point text measures about 9.6 pt.
    assert min(heights) >= 9.5
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, text=True).stdout
    assert "楼院排名" in text.splitlines()[0] and f"第 1 页 共 {pages} 页" in text

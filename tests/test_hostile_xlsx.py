"""The .xlsx pre-flight against built workbooks (issue 16, items 1, 3 and 5): far-away cells
written in every spelling the XML grammar allows, implicit positions, sheets sharing one part,
many sheets together, shared-string and style bombs, overlapping merges. Each hostile file is
refused with its message under a tight memory limit (a regression fails instead of exhausting
the machine); the legitimate spellings read the same values as the canonical one."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import pytest

from scoring.engine.reader import read_file
from tests.helpers import MINI, criteria_dir, record, rows_for
from tests.limited import run_limited
from tests.xlsx_builder import MAIN, REL, build_xlsx, sheet_xml

LIMIT_MB = 600
FAR = "工作表的数据范围跨越 17,179,869,184 个单元格，超过上限 20,000,000（可用 --max-cells 调高）；" \
      "通常是远处某个单元格有内容或格式，请删除多余的行列后另存（E109）"
REBUILD = "文件可能已损坏或被恶意构造，请在 Excel/WPS 中打开后另存为新的 .xlsx（E129）"


def mini() -> list[list[Any]]:
    return rows_for([record("一社区", "甲院", "2023-03-01"), record("一社区", "乙院", "2023-03-02", A1="否")])


def letters(col: int) -> str:
    name = ""
    col += 1
    while col:
        col, rest = divmod(col - 1, 26)
        name = chr(65 + rest) + name
    return name


def spelled(rows: list[list[Any]], *, cell: Callable[[str], str] = lambda ref: f'<c r="{ref}"',
            row: Callable[[int], str] = lambda r: f'<row r="{r}">', prefix: str = "",
            extra: str = "") -> str:
    """A sheet of `rows` (every cell written, empty ones as empty cells) whose cell and row start
    tags are spelled by `cell(ref)` / `row(number)`; `prefix` names every element."""
    p = prefix
    body = []
    for r, values in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(values):
            head = cell(f"{letters(c)}{r}").replace("<c", f"<{p}c", 1)
            if value is None:
                cells.append(f"{head}/>")
            elif isinstance(value, (int, float)):
                cells.append(f"{head}><{p}v>{value}</{p}v></{p}c>")
            else:
                cells.append(f'{head} t="inlineStr"><{p}is><{p}t>{escape(str(value))}</{p}t></{p}is></{p}c>')
        body.append(row(r).replace("<row", f"<{p}row", 1) + "".join(cells) + f"</{p}row>")
    xmlns = f'xmlns:{p[:-1]}="{MAIN}"' if p else f'xmlns="{MAIN}"'
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><{p}worksheet {xmlns} xmlns:r="{REL}">'
            f'<{p}sheetData>{"".join(body)}{extra}</{p}sheetData></{p}worksheet>')


SPELLINGS: dict[str, dict[str, Any]] = {
    "canonical": {},
    "lowercase": {"cell": lambda ref: f'<c r="{ref.lower()}"'},
    "single quotes": {"cell": lambda ref: f"<c r='{ref}'", "row": lambda r: f"<row r='{r}'>"},
    "spaces around =": {"cell": lambda ref: f'<c r = "{ref}"'},
    "tab and newline": {"cell": lambda ref: f'<c\n\tr="{ref}"'},
    "attributes reordered": {"cell": lambda ref: f'<c s="0" r="{ref}"'},
    "namespace prefix": {"prefix": "x:"},
    "implicit positions": {"cell": lambda ref: "<c", "row": lambda r: "<row>"},
}


def far_cell(spelling: str) -> str:
    """A cell at XFD1048576 in `spelling`, as extra XML after the rows of `mini()`."""
    if spelling == "implicit positions":  # a row far down, then a cell after 16,383 empty ones
        return '<row r="1048575"/><row>' + "<c/>" * 16383 + "<c><v>1</v></c></row>"
    p = "x:" if spelling == "namespace prefix" else ""
    head = SPELLINGS[spelling].get("cell", lambda ref: f'<c r="{ref}"')("XFD1048576")
    return f'<{p}row r="1048576">{head.replace("<c", f"<{p}c", 1)}><{p}v>1</{p}v></{p}c></{p}row>'


def limited(tmp: Path, *paths: Path, options: tuple[str, ...] = ()) -> list[str]:
    """`score run` in a child under LIMIT_MB: exit 1, no crash; the error lines."""
    folder = criteria_dir(tmp, MINI)
    done = run_limited(["run", *map(str, paths), "--criteria", str(folder), "--out", str(tmp / "o"), *options],
                       tmp, mb=LIMIT_MB)
    assert not done.crashed, done.stderr[-2000:]
    assert done.code == 1, done.stderr
    assert not (tmp / "o").exists()
    return [line for line in done.stderr.splitlines() if line.startswith("错误")]


# ---------------------------------------------------------------- item 1: every spelling of a far cell

def test_far_cell_in_every_spelling_is_refused_under_a_memory_limit(tmp_path: Path) -> None:
    paths = []
    for n, (spelling, how) in enumerate(SPELLINGS.items()):
        xml = spelled(mini(), **how, extra=far_cell(spelling))
        paths.append(build_xlsx(tmp_path / f"{n}.xlsx", [("检查记录", xml)]))
        assert paths[-1].stat().st_size < 5000
    lines = limited(tmp_path, *paths)
    # implicit cells are refused as soon as the extent passes the limit (row 1,048,576 × 20 columns)
    implicit = FAR.replace("17,179,869,184", "20,971,520")
    assert lines == [f"错误 {path} › 检查记录 {implicit if spelling == 'implicit positions' else FAR}"
                     for spelling, path in zip(SPELLINGS, paths, strict=True)]


@pytest.mark.parametrize(("extra", "message"), [
    # the far cell alone: calamine pads every sheet from A1
    ('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>', FAR),
    # implicit positions past --max-cells: 3,000 rows × 16,384 columns from 2 KB (refused at the
    # first cell past the limit, 3,000 × 6,667)
    ('<row r="3000">' + "<c/>" * 16383 + "<c><v>1</v></c></row>",
     "工作表的数据范围跨越 20,001,000 个单元格，超过上限 20,000,000（可用 --max-cells 调高）；"
     "通常是远处某个单元格有内容或格式，请删除多余的行列后另存（E109）"),
    # a row without r after the last row Excel has
    ('<row r="1048576"/><row><c><v>1</v></c></row>',
     "工作表的数据范围达到 1048577 行 × 15 列，超过 Excel 允许的最大范围（1,048,576 行 × 16,384 列），"
     "文件已损坏（E108）"),
    # a reference beyond Excel's columns
    ('<row r="9"><c r="XFE9"><v>1</v></c></row>',
     "工作表的数据范围达到 9 行 × 16,385 列，超过 Excel 允许的最大范围（1,048,576 行 × 16,384 列），文件已损坏（E108）"
     .replace("16,385", "16385")),
    # a second r attribute (calamine would take the later one)
    ('<row r="9"><c r="A9" r="XFD1048576"><v>1</v></c></row>',
     "无法打开该文件：工作簿内容已损坏（工作表“检查记录”的 XML 不完整或格式错误）（E103）"),
    # a megabyte of column letters (computing that column would take minutes)
    ('<row r="9"><c r="' + "A" * 1_000_000 + '9"><v>1</v></c></row>',
     "工作表的数据范围达到 9 行 × 16385 列，超过 Excel 允许的最大范围（1,048,576 行 × 16,384 列），文件已损坏（E108）"),
    # a comment whose quote would hide the far cell from a tokenizer that ignores comments
    ("<!-- <c x=' --><row r=\"1048576\"><c r=\"XFD1048576\"><v>1</v></c></row><!-- ' -->", FAR),
], ids=["alone", "implicit", "row-after-last", "column-beyond", "duplicate-r", "long-letters", "comment"])
def test_far_cells_the_grammar_allows(tmp_path: Path, extra: str, message: str) -> None:
    alone = extra.startswith('<row r="1048576"><c')
    xml = sheet_xml([] if alone else mini(), extra=extra)
    path = build_xlsx(tmp_path / "in.xlsx", [("检查记录", xml)])
    where = f"错误 {path} › 检查记录 " if "E103" not in message else f"错误 {path} "
    assert limited(tmp_path, path) == [where + message]


def test_many_implicit_cells_are_counted_before_they_are_parsed(tmp_path: Path) -> None:
    # refused from a count of the cell elements (a built sheet of 49M cells: seconds, not a minute)
    row = "<row>" + "<c><v>1</v></c>" * 400 + "</row>"
    path = build_xlsx(tmp_path / "in.xlsx", [("检查记录", sheet_xml(mini(), extra=row * 400))])
    assert limited(tmp_path, path, options=("--max-cells", "100000")) == [
        f"错误 {path} › 检查记录 工作表的数据范围跨越 139,465 个单元格，超过上限 100,000"
        "（可用 --max-cells 调高）；"
        "通常是远处某个单元格有内容或格式，请删除多余的行列后另存（E109）"]


def test_utf16_sheet_is_scanned_too(tmp_path: Path) -> None:
    xml = sheet_xml(mini(), extra='<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    xml = xml.replace('encoding="UTF-8"', 'encoding="UTF-16"')
    path = build_xlsx(tmp_path / "in.xlsx", [("检查记录", "placeholder")])
    _rewrite(path, {"xl/worksheets/sheet1.xml": "\ufeff".encode("utf-16-le") + xml.encode("utf-16-le")})
    assert limited(tmp_path, path) == [f"错误 {path} › 检查记录 {FAR}"]


def _rewrite(path: Path, parts: dict[str, bytes]) -> None:
    import zipfile

    with zipfile.ZipFile(path) as source:
        kept = {name: source.read(name) for name in source.namelist() if name not in parts}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in {**kept, **parts}.items():
            archive.writestr(name, data)


@pytest.mark.parametrize("reader", [(), ("--reader", "openpyxl")], ids=["fallback", "asked"])
def test_openpyxl_is_held_to_the_limit_while_it_reads(tmp_path: Path, reader: tuple[str, ...]) -> None:
    # calamine reads one cell at XFD1 (the first row); openpyxl puts one in each of 2,000 rows,
    # each row 16,384 wide. A formula cell that calamine cannot read sends the file to openpyxl.
    broken = '<row r="2001"><c r="P2" t="n"><v>x</v></c></row>' if not reader else ""
    extra = "".join(f'<row r="{r}"><c r="XFD1"><v>1</v></c></row>' for r in range(4, 2001)) + broken
    path = build_xlsx(tmp_path / "in.xlsx", [("检查记录", sheet_xml(mini(), extra=extra))])
    assert limited(tmp_path, path, options=reader) == [
        f"错误 {path} › 检查记录 工作表的数据范围跨越 20,004,903 个单元格，超过上限 20,000,000"
        "（可用 --max-cells 调高）；通常是远处某个单元格有内容或格式，请删除多余的行列后另存（E109）"]


# ---------------------------------------------------------------- the legitimate spellings

@pytest.mark.parametrize("backend", ["calamine", "openpyxl"])
@pytest.mark.parametrize("spelling", list(SPELLINGS))
def test_legitimate_spellings_read_the_same_values(tmp_path: Path, spelling: str, backend: str) -> None:
    canonical = build_xlsx(tmp_path / "a.xlsx", [("检查记录", spelled(mini()))])
    other = build_xlsx(tmp_path / "b.xlsx", [("检查记录", spelled(mini(), **SPELLINGS[spelling]))])
    expected, _ = read_file(canonical, backend=backend)  # type: ignore[arg-type]
    got, _ = read_file(other, backend=backend)  # type: ignore[arg-type]
    assert got[0].rows == expected[0].rows
    assert got[0].rows[2][:3] == ["一社区", "乙院", "2023-03-02"]


def test_hidden_rows_are_reported_in_every_spelling(tmp_path: Path) -> None:
    for spelling in ("canonical", "single quotes"):
        row = SPELLINGS[spelling].get("row", lambda r: f'<row r="{r}">')
        xml = spelled(mini(), **{**SPELLINGS[spelling], "row": lambda r, row=row: row(r).replace(
            ">", ' hidden="1">') if r == 3 else row(r)})
        _, warnings = read_file(build_xlsx(tmp_path / f"{len(spelling)}.xlsx", [("检查记录", xml)]))
        assert [w.message for w in warnings] == ["第3行被隐藏，这些行仍参与评分"]


def test_one_hidden_row_repeated_many_times_is_one_hidden_row(tmp_path: Path) -> None:
    xml = sheet_xml(mini(), extra='<row r="3" hidden="1"/>' * 200_000)
    path = build_xlsx(tmp_path / "in.xlsx", [("检查记录", xml)])
    _, warnings = read_file(path)
    assert [w.message for w in warnings] == ["第3行被隐藏，这些行仍参与评分"]


def test_error_cell_and_formula_without_result_in_implicit_positions(tmp_path: Path) -> None:
    xml = spelled(mini(), **SPELLINGS["implicit positions"],
                  extra='<row><c t="e"><v>#DIV/0!</v></c><c><f>1/0</f></c></row>')
    sheets, _ = read_file(build_xlsx(tmp_path / "in.xlsx", [("检查记录", xml)]))
    assert sheets[0].rows[3][:2] == ["#DIV/0!", sheets[0].rows[3][1]]
    assert repr(sheets[0].rows[3][1]) == "NO_RESULT"


# ---------------------------------------------------------------- item 3: sheets read together

def test_sheets_sharing_one_part_are_refused(tmp_path: Path) -> None:
    path = build_xlsx(tmp_path / "in.xlsx", [(f"表{i}", sheet_xml(mini())) for i in range(1, 11)])
    _retarget(path, "worksheets/sheet1.xml")
    assert limited(tmp_path, path) == [
        f"错误 {path} 工作表“表1”和“表2”指向文件中的同一份工作表数据（xl/worksheets/sheet1.xml），"
        "Excel/WPS 不会这样保存；文件可能已损坏或被恶意构造，已拒绝读取（E128）"]


def _retarget(path: Path, target: str) -> None:
    import zipfile

    with zipfile.ZipFile(path) as source:
        rels = source.read("xl/_rels/workbook.xml.rels").decode()
    _rewrite(path, {"xl/_rels/workbook.xml.rels": re.sub(r'Target="[^"]*"', f'Target="{target}"', rels).encode()})


def test_sheets_read_together_are_bounded(tmp_path: Path) -> None:
    extra = '<row r="400000"><c r="T400000"><v>1</v></c></row>'  # 8,000,000 cells each, within the limit
    path = build_xlsx(tmp_path / "in.xlsx", [(f"表{i}", sheet_xml(mini(), extra=extra)) for i in range(1, 4)])
    assert limited(tmp_path, path) == [
        f"错误 {path} 各工作表的数据范围合计 24,000,000 个单元格（3 个工作表），超过上限 20,000,000 个；"
        "可用 --max-cells 调高；通常是远处某个单元格有内容或格式，请删除多余的行列后另存（E129）"]


# ---------------------------------------------------------------- item 5: parts read whole

def strings_part(count: int, unique: int | None = None) -> str:
    declared = f' uniqueCount="{unique}"' if unique is not None else ""
    return f'<?xml version="1.0"?><sst xmlns="{MAIN}"{declared}>' + "<si><t>a</t></si>" * count + "</sst>"


@pytest.mark.parametrize(("strings", "message"), [
    (strings_part(1, unique=4_000_000_000).replace("<sst", " " * 10_000 + "<sst"),
     "共享字符串表声明有 4,000,000,000 项，而各工作表只有 0 个文本单元格，超过上限 65,536 项；" + REBUILD),
    (strings_part(300_000),
     "共享字符串表有 300,000 项，而各工作表只有 0 个文本单元格，超过上限 65,536 项；" + REBUILD),
], ids=["uniqueCount", "tiny-strings"])
def test_shared_string_bombs(tmp_path: Path, strings: str, message: str) -> None:
    path = build_xlsx(tmp_path / "in.xlsx", [("检查记录", sheet_xml(mini()))],
                      extra_parts={"xl/sharedStrings.xml": strings})
    assert path.stat().st_size < 20_000
    assert limited(tmp_path, path) == [f"错误 {path} {message}"]


def test_shared_strings_used_by_the_sheets_are_allowed(tmp_path: Path) -> None:
    rows = "".join(f'<row r="{r}"><c r="A{r}" t="s"><v>0</v></c></row>' for r in range(4, 40_004))
    path = build_xlsx(tmp_path / "in.xlsx", [("检查记录", sheet_xml(mini(), extra=rows))],
                      extra_parts={"xl/sharedStrings.xml": strings_part(140_000)})
    sheets, _ = read_file(path)
    assert sheets[0].rows[-1][0] == "a"


def test_style_bomb(tmp_path: Path) -> None:
    styles = (f'<?xml version="1.0"?><styleSheet xmlns="{MAIN}"><cellXfs count="200000">'
              + '<xf numFmtId="0"/>' * 200_000 + "</cellXfs></styleSheet>")
    path = build_xlsx(tmp_path / "in.xlsx", [("检查记录", sheet_xml(mini()))],
                      extra_parts={"xl/styles.xml": styles})
    assert limited(tmp_path, path) == [
        f"错误 {path} 样式表中的单元格格式有 200,000 项，超过上限 131,072 项；" + REBUILD]


@pytest.mark.parametrize(("count", "message"), [
    (1_000, "合并单元格共覆盖 45,000 个单元格，多于工作表的 45 个（合并区域相互重叠），超过上限 45 个；"),
    (100_000, "合并单元格已有 100,000 处，超过上限 65,558 处；"),
], ids=["overlapping", "too-many"])
def test_merge_bombs(tmp_path: Path, count: int, message: str) -> None:
    merges = "<mergeCells>" + '<mergeCell ref="A1:O3"/>' * count + "</mergeCells>"
    path = build_xlsx(tmp_path / "in.xlsx", [("检查记录", sheet_xml(mini(), tail=merges))])
    assert limited(tmp_path, path) == [f"错误 {path} › 检查记录 {message}{REBUILD}"]


def test_parts_read_whole_are_bounded(tmp_path: Path) -> None:
    core = '<?xml version="1.0"?><cp:coreProperties xmlns:cp="x">' + " " * (20 << 20) + "</cp:coreProperties>"
    path = build_xlsx(tmp_path / "in.xlsx", [("检查记录", sheet_xml(mini()))],
                      extra_parts={"docProps/core.xml": core})
    assert limited(tmp_path, path) == [
        f"错误 {path} 组成部分 docProps/core.xml 解压后有 20 MB，超过上限 16 MB；{REBUILD}"]


def test_members_differing_only_in_case_are_refused(tmp_path: Path) -> None:
    far = sheet_xml(mini(), extra='<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')
    path = build_xlsx(tmp_path / "in.xlsx", [("检查记录", sheet_xml(mini()))],
                      extra_parts={"xl/worksheets/SHEET1.xml": far})
    assert limited(tmp_path, path) == [
        f"错误 {path} 无法打开该文件：工作簿结构已损坏（压缩包中有两个同名的部分：xl/worksheets/SHEET1.xml）（E103）"]


def test_workbook_part_the_readers_disagree_on_is_refused(tmp_path: Path) -> None:
    path = build_xlsx(tmp_path / "in.xlsx", [("检查记录", sheet_xml(mini()))])
    _rewrite(path, {"_rels/.rels": (
        b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        b'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/officeDocument" Target="other/workbook.xml"/></Relationships>')})
    assert limited(tmp_path, path) == [
        f"错误 {path} 无法打开该文件：工作簿结构已损坏"
        "（找不到 workbook.xml，或各处指向的 workbook.xml 不一致）（E103）"]


def test_ods_with_a_huge_mimetype_is_sniffed_from_its_first_bytes(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "in.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive, \
            archive.open("mimetype", "w") as handle:
        handle.write(b"application/vnd.oasis.opendocument.spreadsheet")
        for _ in range(700):  # past the memory limit when read whole
            handle.write(b" " * (1 << 20))
    assert limited(tmp_path, path) == [
        f"错误 {path} 无法打开该文件：这是 OpenDocument 表格（.ods），请在 WPS/LibreOffice 中另存为 .xlsx（E103）"]

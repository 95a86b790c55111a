"""Issue 16, items 10, 11 and 5 (report): a report template runs in a bounded sandbox, names
from inspection files and criteria stay inert in report.md and come out verbatim in every Word
document, and a hostile template file or Word draft is refused before it is read whole."""

from __future__ import annotations

import inspect
import json
import os
import re
import shutil
import struct
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest
from docx import Document

from scoring.errors import InvalidInputError
from scoring.files import MB
from scoring.report import sandbox
from scoring.report.blocks import escape, parse, unescape
from scoring.report.word import MARKER
from scoring.zipbound import ZipBounds, ZipRefused, check_package
from tests.helpers import MINI, MINI_COLUMNS, criteria_dir, record, rows_for, write_csv
from tests.limited import run_limited
from tests.test_cli import invoke

# Each character the issue names, in a community name (and its courtyard's).
NAMES = ["甲|乙", "丙｜丁", "星*号", "下_划", "反`引", "[x](javascript:alert(1))", "<script>alert(1)</script>",
         "反\\斜", "方[括]号", "大于>号"]
ITEM = "名牌<b>|齐全*_`[x]\\"  # an item name from the criteria
NOTE = "门口<杂物>|*堆放_[见](javascript:x)"
SHOWN = [n.replace("｜", "|") for n in NAMES]  # the reader folds full-width forms (NFKC)
HEADER = ["名次", "社区", "楼院数", "平均分", "达标率", "法治建设得分率"]


def _criteria(tmp: Path) -> Path:
    standard: dict[str, Any] = {**MINI, "categories": [dict(c) for c in MINI["categories"]]}
    items = [dict(i) for i in standard["categories"][0]["items"]]
    items[0]["name"] = ITEM
    standard["categories"][0]["items"] = items
    return criteria_dir(tmp, standard)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("hostile")
    folder = _criteria(root)
    records = [record(n, f"{n}院", "2023-03-01", A1="否", 扣分原因=NOTE) for n in NAMES]
    data = write_csv(root / "检查记录.csv", rows_for(records, [*MINI_COLUMNS, "扣分原因"]))
    code, _, err = invoke("run", str(data), "--criteria", str(folder), "--out", str(root / "out"))
    assert code == 0, err
    return {"root": root, "criteria": folder, "out": root / "out"}


def _unescaped_pipes(line: str) -> int:
    return re.sub(r"\\.", "", line).count("|")


# ---------------------------------------------------------------- names (item 11)

def test_escape_round_trip() -> None:
    for text in [*NAMES, ITEM, NOTE, "# 井", "1. 项", "- 项", "---", "&amp;", "3#楼", "-0.5", "90.37", "1~3号楼"]:
        assert unescape(escape(text)) == text
    assert escape("90.37") == "90.37" and escape("-0.5") == "-0.5" and escape("3#楼") == "3#楼"
    assert escape("a\nb\u2028c") == "a b c"
    assert parse("| 1 | " + escape("甲|乙\\") + " | 3 |")[0].rows == [["1", "甲|乙\\", "3"]]


def test_report_md_keeps_its_columns_and_no_markup(hostile: dict[str, Path]) -> None:
    md = (hostile["out"] / "report.md").read_text(encoding="utf-8")
    table = [line for line in md.splitlines() if line.startswith("|")]
    assert len(table) == 2 + len(NAMES)
    assert all(_unescaped_pipes(line) == len(HEADER) + 1 for line in table)
    bare = re.sub(r"\\.", "", md)  # the text without its escapes: what Markdown reads as markup
    assert "<" not in md and ">" not in md and "](" not in bare and "*" not in bare  # no tag, link, emphasis
    assert "| 甲\\|乙 |" in md and "&lt;script&gt;alert(1)&lt;/script&gt;" in md
    assert "\\[x\\](javascript:alert(1))" in md and "反\\\\斜" in md and "星\\*号" in md
    assert "“名牌&lt;b&gt;\\|齐全\\*\\_\\`\\[x\\]\\\\”" in md


def test_report_docx_holds_the_names_verbatim(hostile: dict[str, Path]) -> None:
    document = Document(str(hostile["out"] / "report.docx"))
    rows = [[cell.text for cell in row.cells] for row in document.tables[0].rows]
    assert rows[0] == HEADER
    assert sorted(row[1] for row in rows[1:]) == sorted(SHOWN)
    assert all(row[0] == "1" and row[2:] == ["1", "19.00", "100.0%", "100.0%"] for row in rows[1:])
    text = "\n".join(p.text for p in document.paragraphs)
    assert all(f"{n}{n}院" in text for n in SHOWN)
    assert f"一是“{ITEM}”（环境）落实不到位" in text
    assert "\\|" not in text and "&lt;" not in text


def test_report_command_writes_the_same(hostile: dict[str, Path], tmp_path: Path) -> None:
    code, _, err = invoke("report", str(hostile["out"] / "results.json"), "--criteria", str(hostile["criteria"]),
                          "--out", str(tmp_path))
    assert code == 0, err
    assert (tmp_path / "report.md").read_bytes() == (hostile["out"] / "report.md").read_bytes()
    rows = [[c.text for c in r.cells] for r in Document(str(tmp_path / "report.docx")).tables[0].rows]
    assert sorted(r[1] for r in rows[1:]) == sorted(SHOWN)


def test_explain_docx_holds_the_names_verbatim(hostile: dict[str, Path], tmp_path: Path) -> None:
    for name in ("甲|乙", "[x](javascript:alert(1))", "反\\斜", "大于>号"):  # explain splits a name at "/"
        target = tmp_path / "说明.docx"
        code, _, err = invoke("explain", str(hostile["out"] / "results.json"), f"{name}院",
                              "--criteria", str(hostile["criteria"]), "--docx", str(target))
        assert code == 0, err
        document = Document(str(target))
        paragraphs = [p.text for p in document.paragraphs]
        assert paragraphs[0] == f"{name}院美丽楼院考核评分说明"
        assert paragraphs[1] == f"{name}{name}院："
        cells = [[c.text for c in row.cells] for table in document.tables for row in table.rows]
        assert ["A1", ITEM, "3月1日 否", "4.00"] in cells
        assert any(NOTE in p for p in paragraphs)


def test_paper_form_holds_item_names_verbatim(hostile: dict[str, Path], tmp_path: Path) -> None:
    target = tmp_path / "表.docx"
    code, _, err = invoke("template", "--paper", "-o", str(target), "--criteria", str(hostile["criteria"]))
    assert code == 0, err
    cells = {c.text for t in Document(str(target)).tables for row in t.rows for c in row.cells}
    assert ITEM in cells


# ---------------------------------------------------------------- the sandbox (item 10)

FEATURES = """{% set ns = namespace(n=0) %}{% macro named(e) %}{{ e.community }}{% endmacro %}\
{% for e in f.red if e.community.startswith('甲') %}{% set ns.n = ns.n + 1 %}{{ named(e) }}{{ "，" if not loop.last }}\
{% endfor %}|{{ ns.n }}|{{ f.courtyards ~ "个" }}|{{ f.mean_total | score }}|{{ f.pass_rate | pct }}|\
{{ 2 ** 10 }}|{{ "ab" * 3 }}|{{ "%05.1f" | format(3.14159) }}|{{ "{}-{}".format(1, 2) }}|{{ range(3) | join(",") }}|\
{{ ("**粗**" | safe) }}|{{ "*" }}|{{ [1, 2] + [3] }}|{% for i in range(2) %}{% for j in range(2) %}{{ i }}{{ j }}\
{% endfor %}{% endfor %}
"""


def test_template_features_render_as_before(hostile: dict[str, Path], tmp_path: Path) -> None:
    mine = tmp_path / "功能.md.j2"
    mine.write_text(FEATURES, encoding="utf-8")
    code, _, err = invoke("report", str(hostile["out"] / "results.json"), "--criteria", str(hostile["criteria"]),
                          "--template", str(mine), "--out", str(tmp_path / "o"))
    assert code == 0, err
    assert (tmp_path / "o" / "report.md").read_text(encoding="utf-8") == (
        "甲\\|乙|1|10个|19.00|100.0%|1024|ababab|003.1|1-2|0,1,2|**粗**|\\*|\\[1, 2, 3\\]|00011011\n")


def _template(tmp: Path, text: str) -> Path:
    path = tmp / "模板.md.j2"
    path.write_text(text, encoding="utf-8")
    return path


def test_template_cannot_reach_python(hostile: dict[str, Path], tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for text in ("{{ cycler.__init__.__globals__.os.popen('touch PWNED').read() }}",
                 "{{ ''.__class__.__mro__[1].__subclasses__() }}", "{{ f.__class__ }}", "{{ f | attr('__dict__') }}"):
        path = _template(tmp_path, text)
        code, _, err = invoke("report", str(hostile["out"] / "results.json"), "--criteria", str(hostile["criteria"]),
                              "--template", str(path), "--out", str(tmp_path / "o"))
        assert code == 1
        assert err.splitlines()[-1] == (f"报告模板 {path} 第 1 行被拒绝：模板只能使用报告的数据和提供的过滤器，"
                                        "不能访问程序内部的属性或函数")
    assert not (tmp_path / "PWNED").exists() and not (tmp_path / "o").exists()


@pytest.mark.parametrize(("text", "reason"), [
    ("{{ 'x' * 10**9 }}", "模板生成的内容超过 1,000,000 个字符的上限（达到 1,000,000,000 个）"),
    ("{{ 9 ** (9 ** 9) }}", "模板中的乘方结果过大（超过 4096 位二进制数）"),
    ("{{ 'x' | center(10**9) }}", "模板中的数 1000000000 作为次数或宽度过大（上限 1,000,000）"),
    ("{{ '%999999999d' | format(1) }}", "模板中的格式“%999999999d”要求的宽度过大"),
    ("{% set ns = namespace(s='x') %}{% for i in range(40) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
     "模板生成的内容超过 1,000,000 个字符的上限（达到 1,048,576 个）"),
    ("{{ (['x' * 999999] * 999) | join }}", "模板生成的内容超过 1,000,000 个字符的上限（达到 998,999,001 个）"),
    ("{% macro m() %}{% for i in range(99999) %}{{ 'x' * 999 }}{% endfor %}{% endmacro %}{{ m() }}",
     "模板的宏或 set 块累计生成的内容超过 10,000,000 个字符或 2,000,000 段的上限"),
    ("{% macro m(n) %}{% if n %}{{ 'x' * 999999 }}{{ m(n - 1) }}{% endif %}{% endmacro %}{{ m(900) }}",
     "宏的调用层数超过 50 层（可能是宏调用了自身）"),
])
def test_template_memory_is_bounded(hostile: dict[str, Path], tmp_path: Path, text: str, reason: str) -> None:
    path = _template(tmp_path, text)
    got = run_limited(["report", str(hostile["out"] / "results.json"), "--criteria", str(hostile["criteria"]),
                       "--template", str(path), "--out", str(tmp_path / "o")], tmp_path, mb=400)
    assert not got.crashed and got.code == 1, got.stderr
    assert got.stderr.splitlines()[-1] == f"报告模板 {path} 第 1 行被拒绝：{reason}"
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize("text", [
    "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}",
    "{% set s = 'x' * 99999 %}{% for i in s %}{% for j in s %}{% endfor %}{% endfor %}",
    "{% macro m(n) %}{% if n %}{{ m(n - 1) }}{{ m(n - 1) }}{% endif %}{% endmacro %}{{ m(40) }}",
])
def test_template_time_is_bounded(hostile: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                  text: str) -> None:
    monkeypatch.setattr(sandbox, "TIME_LIMIT_S", 0.5)
    path = _template(tmp_path, text)
    start = time.monotonic()
    code, _, err = invoke("report", str(hostile["out"] / "results.json"), "--criteria", str(hostile["criteria"]),
                          "--template", str(path), "--out", str(tmp_path / "o"))
    assert time.monotonic() - start < 10
    assert code == 1
    assert err.splitlines()[-1] == f"报告模板 {path} 第 1 行被拒绝：模板运行超过 0.5 秒（可能有过多或无尽的循环）"


def test_template_output_is_bounded(hostile: dict[str, Path], tmp_path: Path) -> None:
    path = _template(tmp_path, "{% for i in range(99999) %}{% for j in range(99) %}xxxxxxxxxx{% endfor %}{% endfor %}")
    code, _, err = invoke("report", str(hostile["out"] / "results.json"), "--criteria", str(hostile["criteria"]),
                          "--template", str(path), "--out", str(tmp_path / "o"))
    assert code == 1
    assert err.splitlines()[-1] == (f"报告模板 {path} 被拒绝：模板生成的内容超过 1,000,000 个字符的上限"
                                    "（达到 1,000,010 个）")


def test_template_errors_are_messages(hostile: dict[str, Path], tmp_path: Path) -> None:
    for text in ("{{ 1 / 0 }}", "{{ 1 + 'a' }}", "{{ 'abc' | score }}"):
        path = _template(tmp_path, text)
        code, _, err = invoke("report", str(hostile["out"] / "results.json"), "--criteria", str(hostile["criteria"]),
                              "--template", str(path), "--out", str(tmp_path / "o"))
        assert code == 1  # an input that cannot be used, as a missing or refused template (review 24)
        assert err.splitlines()[-1] == (f"报告模板 {path} 第 1 行有误：模板无法按现有数据填写：请对照内置模板 "
                                        "section.md.j2 检查这一行")


# ---------------------------------------------------------------- unbounded reads (item 5)

def test_template_that_is_not_a_file(hostile: dict[str, Path], tmp_path: Path) -> None:
    fifo = tmp_path / "管道.j2"
    os.mkfifo(fifo)
    for path in (Path("/dev/zero"), fifo):
        got = run_limited(["report", str(hostile["out"] / "results.json"), "--criteria", str(hostile["criteria"]),
                           "--template", str(path), "--out", str(tmp_path / "o")], tmp_path, mb=400, timeout=30)
        assert not got.crashed and got.code == 1, got.stderr
        assert got.stderr.splitlines()[-1] == (f"无法读取报告模板 {path}："
                                               "这不是普通文件（是设备、管道或其他特殊文件），不能读取")
    big = tmp_path / "大.j2"
    big.write_bytes(b"x" * (MB + 1))
    code, _, err = invoke("report", str(hostile["out"] / "results.json"), "--criteria", str(hostile["criteria"]),
                          "--template", str(big), "--out", str(tmp_path / "o"))
    assert code == 1
    assert err.splitlines()[-1] == (
        f"无法读取报告模板 {big}：文件有 1,048,577 字节，超过上限 1,048,576 字节；请确认选择了正确的文件")


def _draft_bytes(tmp: Path) -> Path:
    document = Document()
    document.add_paragraph("一、总体情况")
    document.add_paragraph(MARKER)
    path = tmp / "底稿.docx"
    document.save(str(path))
    return path


def _rewrite(source: Path, target: Path, member: str, change: Any) -> Path:
    """A copy of the package `source` with `member` replaced by change(old bytes) (bytes or an
    iterable of chunks), streamed."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            if info.filename != member:
                new.writestr(info, data)
                continue
            replaced = change(data)
            with new.open(member, "w", force_zip64=False) as handle:
                for chunk in [replaced] if isinstance(replaced, bytes) else replaced:
                    handle.write(chunk)
    return target


def assert_too_many_elements(hostile: dict[str, Path], draft: Path, tmp_path: Path) -> None:
    """A small draft of millions of XML elements is refused, under a memory limit, before
    python-docx opens it."""
    assert draft.stat().st_size < 200_000
    got = run_limited(["report", str(hostile["out"] / "results.json"), "--criteria", str(hostile["criteria"]),
                       "--into", str(draft)], tmp_path, mb=400)
    assert not got.crashed and got.code == 1, got.stderr
    assert got.stderr.splitlines()[-1] == (f"无法打开草稿 {draft}：文档包含 1,000,000 个以上的 XML 元素，超过上限；"
                                           "文件可能已损坏或被恶意构造")


def test_draft_of_millions_of_tiny_paragraphs(hostile: dict[str, Path], tmp_path: Path) -> None:
    # 32 MB of <w:p/> in a ~90 KB file: python-docx took 1.2 GB to open it.
    def paragraphs(xml: bytes) -> Any:
        head, tail = xml.split(b"<w:body>", 1)
        yield head + b"<w:body>"
        for _ in range(560):
            yield b"<w:p/>" * 10_000
        yield tail

    draft = _rewrite(_draft_bytes(tmp_path), tmp_path / "草稿.docx", "word/document.xml", paragraphs)
    assert_too_many_elements(hostile, draft, tmp_path)
    assert not (tmp_path / "草稿-已填写.docx").exists()


def test_draft_refusals(hostile: dict[str, Path], tmp_path: Path) -> None:
    base = _draft_bytes(tmp_path)
    comment = b"<!--" + b"x" * 10_000 + b"-->"
    dtd = _rewrite(base, tmp_path / "dtd.docx", "word/document.xml",
                   lambda xml: xml.replace(b"?>", b"?>" + comment + b'<!DOCTYPE w [<!ENTITY a "aaaa">]>', 1))
    for path, reason in ((dtd, "包含不安全的 XML 内容（DTD/实体声明）"),
                         (Path("/dev/zero"), "这不是普通文件（是设备、管道或其他特殊文件），不能读取")):
        got = run_limited(["report", str(hostile["out"] / "results.json"), "--criteria", str(hostile["criteria"]),
                           "--into", str(path)], tmp_path, mb=400)
        assert not got.crashed and got.code == 1, got.stderr
        assert got.stderr.splitlines()[-1] == f"无法打开草稿 {path}：{reason}"


def test_package_bounds(tmp_path: Path) -> None:
    base = _draft_bytes(tmp_path)
    check_package(base, MB, ZipBounds(unpacked=MB, xml=MB, elements=100_000))
    zeros = tmp_path / "zeros.docx"  # a picture of zeros: never unpacked to be checked
    shutil.copyfile(base, zeros)
    with zipfile.ZipFile(zeros, "a", zipfile.ZIP_DEFLATED) as add:
        add.writestr("word/media/image1.png", b"\0" * (2 * MB))
    with zipfile.ZipFile(zeros) as packed:
        unpacked = sum(m.file_size for m in packed.infolist())
    with pytest.raises(ZipRefused) as refused:
        check_package(zeros, MB, ZipBounds(unpacked=2 * MB, xml=MB, elements=100_000))
    assert refused.value.kind == "size"
    assert refused.value.reason == f"解压后有 {unpacked / MB:.1f} MB，超过上限 2.0 MB；文件可能已损坏或被恶意构造"
    with pytest.raises(ZipRefused) as refused:
        check_package(base, MB, ZipBounds(unpacked=MB, xml=MB, elements=50))
    assert refused.value.kind == "xml" and refused.value.reason.startswith("文档包含 50 个以上的 XML 元素")
    renamed = _rewrite(base, tmp_path / "renamed.docx", "[Content_Types].xml",
                       lambda xml: xml.replace(b"</Types>", b'<Default Extension="bin" ContentType="application/xml"/>'
                                                            b"</Types>"))
    with zipfile.ZipFile(renamed, "a") as add:
        add.writestr("word/hidden.bin", b"<a>" + b"<b/>" * 100_000 + b"</a>")  # XML by its content type
    with pytest.raises(ZipRefused) as refused:
        check_package(renamed, MB, ZipBounds(unpacked=4 * MB, xml=4 * MB, elements=100_000))
    assert refused.value.kind == "xml"
    with pytest.raises(ZipRefused) as refused:  # a directory of thousands of members, read before zipfile does
        check_package(base, MB, ZipBounds(unpacked=MB, xml=MB, elements=100_000, directory=500))
    assert refused.value.kind == "size" and "（文件数过多）" in refused.value.reason
    (tmp_path / "text.docx").write_text("not a zip", encoding="utf-8")
    with pytest.raises(ZipRefused) as refused:
        check_package(tmp_path / "text.docx", MB, ZipBounds(unpacked=MB, xml=MB, elements=50))
    assert refused.value.kind == "broken"
    from scoring.report.draft import check_draft

    with pytest.raises(InvalidInputError) as error:
        check_draft(tmp_path / "text.docx")
    assert error.value.message == f"无法打开草稿 {tmp_path / 'text.docx'}：不是有效的 Word 文档（.docx），或文件已损坏"


# ---------------------------------------------------------------- round two (review of issue 16)

BIG_LIST = '(["x" * 1000000] * 1500)'  # 1,500 references to one string: 1.5 GB once made text


@pytest.mark.parametrize(("text", "size"), [
    ("{{ " + BIG_LIST + " }}", "1,003,005"),
    ("{{ " + BIG_LIST + " | string }}", "1,003,005"),
    ("{{ " + BIG_LIST + ' ~ "" }}', "1,003,005"),
    ("{{ " + BIG_LIST + " | upper }}", "1,003,005"),
    ("{{ " + BIG_LIST + " | score }}", "1,003,005"),
    ("{{ [" + BIG_LIST + "] | join }}", "1,003,005"),
    ('{{ "%s" % (' + BIG_LIST + ",) }}", "1,003,007"),
    ('{{ "{}".format(' + BIG_LIST + ") }}", "1,003,007"),
    ("{{ ('{0}' * 300000).format('x' * 999) }}", "300,600,000"),
    ("{% set ns = namespace(a=" + BIG_LIST + ") %}{{ ns }}", "1,003,027"),
])
def test_values_are_sized_before_they_become_text(hostile: dict[str, Path], tmp_path: Path, text: str,
                                                  size: str) -> None:
    # Review 4: the * check passes a list of 1,500 items; printing it built 1.5 GB (4.4 GB used).
    path = _template(tmp_path, text)
    got = run_limited(["report", str(hostile["out"] / "results.json"), "--criteria", str(hostile["criteria"]),
                       "--template", str(path), "--out", str(tmp_path / "o")], tmp_path, mb=400)
    assert not got.crashed and got.code == 1, got.stderr
    assert got.stderr.splitlines()[-1] == (f"报告模板 {path} 第 1 行被拒绝：模板生成的内容超过 1,000,000 个字符的上限"
                                           f"（达到 {size} 个）")
    assert not (tmp_path / "o").exists()


def test_text_size_counts_without_building() -> None:
    for value in ("甲|乙", 12, 2.5, None, [1, "a"], ("a",), {"k": [1, 2]}):
        assert len(str(value)) <= sandbox.text_size(value) <= len(str(value)) + 8
    nested = [[""] * 1000] * 1000  # a million items, counted only up to the budget
    start = time.monotonic()
    assert sandbox.text_size(nested, budget=1000) <= 1000 + 2 * 1000 + 2
    assert time.monotonic() - start < 1


def test_macro_text_is_escaped_once(hostile: dict[str, Path], tmp_path: Path) -> None:
    # Review 34: `~` with a macro's text escaped it a second time (a\\\|b in report.md).
    path = _template(tmp_path, '{% macro m() %}{{ "a|b" }}{% endmacro %}{{ m() ~ "" }}\n\n'
                               '{{ m() ~ "|" ~ 1 }}\n\n{{ "a|b" ~ "" }}\n')
    code, _, err = invoke("report", str(hostile["out"] / "results.json"), "--criteria", str(hostile["criteria"]),
                          "--template", str(path), "--out", str(tmp_path / "o"))
    assert code == 0, err
    assert (tmp_path / "o" / "report.md").read_text(encoding="utf-8") == "a\\|b\n\na\\|b\\|1\n\na\\|b\n"
    assert [p.text for p in Document(str(tmp_path / "o" / "report.docx")).paragraphs] == ["a|b", "a|b|1", "a|b"]


def test_jinja2_is_the_version_the_sandbox_was_built_on() -> None:
    # Review 33: the sandbox subclasses jinja2's code generator. An upgrade outside the pinned
    # range, or one that changes what it relies on, fails here rather than unbounding templates.
    import tomllib
    from importlib.metadata import version

    from jinja2.compiler import CodeGenerator

    spec = next(d for d in tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
                ["project"]["dependencies"] if d.startswith("jinja2"))
    assert spec == "jinja2>=3.1.6,<3.2"
    installed = tuple(int(part) for part in version("jinja2").split(".")[:3])
    assert (3, 1, 6) <= installed < (3, 2)
    assert list(inspect.signature(CodeGenerator.buffer).parameters) == ["self", "frame"]
    env = sandbox.BoundedEnvironment()
    code = env.compile(sandbox._Steps().visit(env.parse(
        "{% macro m() %}{{ 1 }}{% endmacro %}{% set s %}x{% endset %}{% for i in [1] %}{{ m() ~ s }}{% endfor %}")),
        raw=True)
    assert code.count("environment.new_buffer()") == 2  # the macro's and the set block's text
    assert " = []" not in code  # no buffer left unbounded
    assert "concat = environment.concat" in code and "environment.steps, " in code and "environment.joined, " in code
    from jinja2.utils import Namespace

    assert dict(Namespace(a=1)._Namespace__attrs) == {"a": 1}  # type: ignore[attr-defined]


def test_a_template_or_draft_that_cannot_be_used_is_exit_1(hostile: dict[str, Path], tmp_path: Path) -> None:
    # Review 19/24: one check, one exit code and one wording, whatever the cause.
    latin = tmp_path / "gbk.j2"
    latin.write_bytes("{{ 1 }}模板".encode("gbk"))
    cases = [("--template", tmp_path / "无.j2", "无法读取报告模板 {}：找不到文件"),
             ("--template", tmp_path, "无法读取报告模板 {}：这是一个文件夹，这里需要的是文件"),
             ("--template", latin, "无法读取报告模板 {}：文件不是 UTF-8 编码的文本"),
             ("--into", tmp_path / "无.docx", "无法打开草稿 {}：找不到文件"),
             ("--into", tmp_path, "无法打开草稿 {}：这是一个文件夹，这里需要的是文件")]
    for option, path, message in cases:
        code, out, err = invoke("report", str(hostile["out"] / "results.json"), "--criteria",
                                str(hostile["criteria"]), option, str(path), "--out", str(tmp_path / "o"))
        assert (code, out, err) == (1, "", message.format(path) + "\n")
    assert not (tmp_path / "o").exists()


def test_draft_is_checked_and_parsed_once(hostile: dict[str, Path], tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    # Review 35: check_draft, check_marker and fill_draft each opened the draft.
    import docx

    from scoring import zipbound

    draft = _draft_bytes(tmp_path)
    checked, parsed = [], []
    check, document = zipbound.check_package, docx.Document
    monkeypatch.setattr("scoring.report.draft.check_package", lambda *a: checked.append(a) or check(*a))
    monkeypatch.setattr(docx, "Document", lambda *a: parsed.append(a) or document(*a))
    code, _, err = invoke("report", str(hostile["out"] / "results.json"), "--criteria", str(hostile["criteria"]),
                          "--into", str(draft))
    assert code == 0, err
    assert len(checked) == 1 and parsed == [(str(draft),)]
    assert MARKER not in [p.text for p in Document(str(tmp_path / "底稿-已填写.docx")).paragraphs]


def _renamed_document(tmp: Path, paragraphs: int, pad: int) -> Path:
    """The review's bypass: the main document part renamed word/document.bin (declared XML in
    [Content_Types].xml, which is padded with `pad` spaces) holding `paragraphs` <w:p/>."""
    source, target = _draft_bytes(tmp), tmp / "改名.docx"
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as new:
        for info in old.infolist():
            data = old.read(info.filename)
            name = info.filename
            if name == "[Content_Types].xml":
                data = data.replace(b"/word/document.xml", b"/word/document.bin").replace(
                    b"</Types>", b" " * pad + b"</Types>")
            elif name in ("_rels/.rels", "word/_rels/document.xml.rels"):
                data = data.replace(b"word/document.xml", b"word/document.bin")
                name = name.replace("document.xml.rels", "document.bin.rels")
            if name != "word/document.xml":
                new.writestr(name, data)
                continue
            head, tail = data.split(b"<w:body>", 1)
            with new.open("word/document.bin", "w", force_zip64=False) as handle:
                handle.write(head + b"<w:body>")
                for _ in range(paragraphs // 10_000):
                    handle.write(b"<w:p/>" * 10_000)
                handle.write(tail)
    return target


def test_a_renamed_document_part_is_counted(hostile: dict[str, Path], tmp_path: Path) -> None:
    # Review 3: 87 KB, 1.76 GB used: a [Content_Types].xml over 1 MB was not read, so the main
    # document renamed word/document.bin was never counted as XML.
    small = _renamed_document(tmp_path, 10_000, 0)
    assert len(Document(str(small)).paragraphs) == 10_002  # python-docx does read it as the document
    draft = _renamed_document(tmp_path, 5_000_000, 2 * MB)
    assert_too_many_elements(hostile, draft, tmp_path)
    assert not (tmp_path / "改名-已填写.docx").exists()


def test_content_types_match_without_case_and_undeclared_parts_count(tmp_path: Path) -> None:
    base = _draft_bytes(tmp_path)
    bounds = ZipBounds(unpacked=4 * MB, xml=4 * MB, elements=100_000)
    upper = _rewrite(base, tmp_path / "upper.docx", "[Content_Types].xml",
                     lambda xml: xml.replace(b"</Types>", b'<Override PartName="/WORD/HIDDEN.DAT" '
                                                          b'ContentType="application/xml"/></Types>'))
    undeclared = tmp_path / "undeclared.docx"
    shutil.copyfile(base, undeclared)
    picture = _rewrite(base, tmp_path / "picture.docx", "[Content_Types].xml",
                       lambda xml: xml.replace(b"</Types>",
                                               b'<Default Extension="png" ContentType="image/png"/></Types>'))
    for path, member in ((upper, "word/hidden.dat"), (undeclared, "word/hidden.xyz"), (picture, "word/media/a.png")):
        with zipfile.ZipFile(path, "a") as add:
            add.writestr(member, b"<a>" + b"<b/>" * 100_000 + b"</a>")
    for path in (upper, undeclared):
        with pytest.raises(ZipRefused) as refused:
            check_package(path, MB, bounds)
        assert refused.value.kind == "xml"
    check_package(picture, MB, bounds)  # declared image/png (Default Extension="png"): not parsed as XML


def test_zip_directory_errors_are_in_chinese(tmp_path: Path) -> None:
    from scoring.zipbound import check_directory

    with pytest.raises(ZipRefused) as refused:  # review 25: str(exc) put English in the message
        check_directory(tmp_path / "无.docx", MB)
    assert refused.value.reason == "找不到文件"


def test_workbook_zip_checks_are_zipbound_s(hostile: dict[str, Path], tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    # Review 14: the .xlsx check looked for a DTD only in a part's first 4 KB and read the zip
    # directory unbounded; it now uses zipbound's checks (DTD anywhere, directory bounded).
    from scoring.engine import xlsx_package
    from tests.xlsx_builder import build_xlsx, sheet_xml

    rows = rows_for([record("一社区", "甲院", "2023-03-01")], MINI_COLUMNS)
    prolog = "<!--" + "x" * 10_000 + '--><!DOCTYPE x [<!ENTITY a "a">]>'  # past the first 4 KB
    dtd = build_xlsx(tmp_path / "dtd.xlsx", [("检查记录", sheet_xml(rows, prolog=prolog))])
    code, _, err = invoke("run", str(dtd), "--criteria", str(hostile["criteria"]), "--out", str(tmp_path / "o"))
    assert code == 1
    assert err.splitlines()[-2] == (f"错误 {dtd} 文件包含不安全的 XML 内容（DTD/实体声明），已拒绝读取；"
                                    "请在 Excel/WPS 中打开后另存为新的 .xlsx（E107）")
    plain = build_xlsx(tmp_path / "plain.xlsx", [("检查记录", sheet_xml(rows))])
    monkeypatch.setattr(xlsx_package, "DIRECTORY_MAX", 300)
    code, _, err = invoke("run", str(plain), "--criteria", str(hostile["criteria"]), "--out", str(tmp_path / "o"))
    assert code == 1
    assert re.fullmatch(rf"错误 {re.escape(str(plain))} 无法打开该文件：压缩包的目录有 \d+ 字节，超过上限 300 字节"
                        r"（文件数过多）；文件可能已损坏或被恶意构造（E103）", err.splitlines()[-2]), err
    assert not (tmp_path / "o").exists()


@pytest.mark.parametrize(("xml", "declares"), [
    (b'<?xml version="1.0"?><a/>', False),
    (b'<?xml version="1.0"?>' + b"<!--" + b"x" * 100_000 + b'--><!DOCTYPE a [<!ENTITY b "c">]><a/>', True),
    (b"\xef\xbb\xbf\n<?pi " + b"y" * 20_000 + b"?> <!DOCTYPE a><a/>", True),
    ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a><a/>'.encode("utf-16"), True),
    (b"<!-- <!DOCTYPE a> -->" + b" " * (1 << 14) + b"<a/>", False),  # inside a comment: no declaration
    (b"<a/><!DOCTYPE a>", False),  # after the root: not XML, refused by the parsers themselves
    (b"", False),
])
def test_prolog_walk(xml: bytes, declares: bool) -> None:
    import io

    from scoring.zipbound import _declares_dtd

    assert _declares_dtd(io.BytesIO(xml)) is declares


def test_a_utf16_part_declaring_a_dtd_is_refused(tmp_path: Path) -> None:
    base = _draft_bytes(tmp_path)
    utf16 = _rewrite(base, tmp_path / "utf16.docx", "word/styles.xml",
                     lambda xml: xml.decode("utf-8").replace("UTF-8", "UTF-16").replace(
                         "?>", '?><!DOCTYPE w [<!ENTITY a "aaaa">]>', 1).encode("utf-16"))
    with pytest.raises(ZipRefused) as refused:
        check_package(utf16, MB, ZipBounds(unpacked=4 * MB, xml=4 * MB, elements=100_000))
    assert refused.value.kind == "dtd"


def _with_zip64_end(source: Path, target: Path) -> Path:
    """`source` with a ZIP64 end record and locator before its end record (whose counts and
    offsets then say 0xFFFF…, as exporters that always write ZIP64 do)."""
    data = source.read_bytes()
    at = data.rfind(b"PK\x05\x06")
    entries, directory, offset = struct.unpack("<HII", data[at + 10:at + 20])
    record = (b"PK\x06\x06" + struct.pack("<QHHIIQQQQ", 44, 45, 45, 0, 0, entries, entries, directory, offset))
    locator = b"PK\x06\x07" + struct.pack("<IQI", 0, at, 1)
    end = data[at:at + 8] + struct.pack("<HHII", 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF) + data[at + 20:]
    target.write_bytes(data[:at] + record + locator + end)
    return target


def test_a_workbook_ending_in_zip64_records_is_read(tmp_path: Path) -> None:
    from scoring.zipbound import check_directory

    sample = Path(__file__).resolve().parents[1] / "samples" / "inspections.xlsx"
    zip64 = _with_zip64_end(sample, tmp_path / "zip64.xlsx")
    with zipfile.ZipFile(zip64) as archive:  # Python's own reader takes it as it is
        assert archive.testzip() is None
    for path, out in ((sample, "a"), (zip64, "b")):
        code, _, err = invoke("run", str(path), "--out", str(tmp_path / out))
        assert code == 0, err
    totals = [[(c["courtyard"], c["total"], c["grade"]) for c in json.loads(
        (tmp_path / out / "results.json").read_text(encoding="utf-8"))["courtyards"]] for out in "ab"]
    assert totals[0] == totals[1] and len(totals[0]) == 48
    with pytest.raises(ZipRefused) as refused:  # the ZIP64 record's directory size is the one bounded
        check_directory(zip64, 100)
    assert refused.value.kind == "size" and refused.value.reason.startswith("压缩包的目录有 ")

"""Issue 16, items 10, 11 and 5 (report): a report template runs in a bounded sandbox, names
from inspection files and criteria stay inert in report.md and come out verbatim in every Word
document, and a hostile template file is refused before it is read whole (drafts: test_hostile_packages.py)."""

from __future__ import annotations

import inspect
import os
import re
import time
from pathlib import Path

import pytest
from docx import Document

from scoring.files import MB
from scoring.report import sandbox
from scoring.report.blocks import escape, parse, unescape
from tests.limited import run_limited
from tests.report_support import HEADER, ITEM, NAMES, NOTE, SHOWN
from tests.test_cli import invoke


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


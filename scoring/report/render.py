"""Render the report section's Markdown from its facts with a Jinja2 template: the default ships
with the package; the office may copy it, edit the wording and pass `--template`.

A template runs in a bounded sandbox (sandbox.py) and everything it writes with `{{ }}` is
escaped as literal Markdown (blocks.escape) — names from inspection files and criteria cannot
become table columns, links or HTML; a template that means to write Markdown from an expression
marks it `| safe`."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from scoring.criteria.lawref import book_title
from scoring.errors import InvalidInputError
from scoring.exact import half_up
from scoring.files import TEMPLATE_MAX, FileRefused, read_bytes
from scoring.report.blocks import escape
from scoring.report.facts import ReportFacts
from scoring.report.numbering import number_markdown

DEFAULT_TEMPLATE = Path(__file__).with_name("templates") / "section.md.j2"
NUMERALS = "一二三四五六七八九十"


def _exact(value: object) -> Fraction | Decimal:
    """A figure as an exact number (Fractions and Decimals as they are, anything else by its text)."""
    return value if isinstance(value, Fraction | Decimal) else Decimal(str(value))


def score(value: object) -> str:
    """A score to 2 decimals."""
    return "—" if value is None else f"{half_up(_exact(value)):.2f}"


def pct(value: object) -> str:
    """A rate in [0, 1] as a percentage with one decimal."""
    return "—" if value is None else f"{half_up(_exact(value) * 100, '0.1')}%"


def ordinal(index: object) -> str:
    """0 → 一是, 1 → 二是, …"""
    n = int(str(index))
    return (NUMERALS[n] if n < len(NUMERALS) else str(n + 1)) + "是"


def change(value: object, unit: str) -> str:
    """+1.25 → 提高1.25分; -0.5 → 下降0.5个百分点; 0 → 持平 (no spaces around numbers in
    Chinese text, GB/T 15835)."""
    amount = Decimal(str(value))
    if amount == 0:
        return "持平"
    return f"{'提高' if amount > 0 else '下降'}{abs(amount)}{unit}"


def date_text(value: object) -> str:
    """2023-12-20 (ISO, or a date) → 2023年12月20日, as dates are written in prose (GB/T 15835)."""
    if isinstance(value, date):
        day = value
    else:
        try:
            day = date.fromisoformat(str(value))
        except ValueError:
            return str(value)
    return f"{day.year}年{day.month}月{day.day}日"


def book(title: object) -> str:
    """A title in 《》, with titles inside it marked 〈〉 (GB/T 15834)."""
    return book_title(str(title))


def period_text(label: str) -> str:
    """2023 → 2023年; 2023Q2 → 2023年第二季度."""
    if "Q" in label:
        year, quarter = label.split("Q")
        return f"{year}年第{NUMERALS[int(quarter) - 1]}季度"
    return f"{label}年"


def _template_line(exc: BaseException) -> int | None:
    """The template line a render-time error happened on (Jinja puts it in the traceback)."""
    tb, line = exc.__traceback__, None
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _explain(exc: Exception) -> str:
    """The error in the office's words where it is a common one."""
    import jinja2  # here, not at the top: kept out of the command line's start-up

    text = str(exc)
    missing = re.search(r"has no attribute '(\w+)'|'(\w+)' is undefined", text)
    if isinstance(exc, jinja2.UndefinedError) and missing:
        return f"没有名为“{missing.group(1) or missing.group(2)}”的数据项（可用的数据见内置模板 section.md.j2）"
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return "模板语法错误：请检查这一行的 {{ }} 和 {% %} 是否成对、写法是否与内置模板一致"
    return "模板无法按现有数据填写：请对照内置模板 section.md.j2 检查这一行"


def markdown_value(value: object) -> object:
    """What `{{ … }}` writes: text escaped as literal Markdown, unless the template marked it
    `| safe` or wrote it itself (a macro's text); made text only once its length is known to be
    within the sandbox's bound (a list of big strings is small until it is printed)."""
    from markupsafe import Markup

    from scoring.report.sandbox import Rendered, bounded_text

    return value if isinstance(value, Markup | Rendered) else escape(bounded_text(value))


def _source(path: Path) -> str:
    """The template's text: a regular file of at most TEMPLATE_MAX bytes, in UTF-8. A template
    that cannot be used, whatever the cause (missing, not a file, too big, not UTF-8, refused by
    the sandbox, wrong while filling), is an input that cannot be used: exit 1, as a draft or a
    data file, in one wording per stage ("无法读取报告模板 …：…", "报告模板 … 被拒绝：…",
    "报告模板 … 有误：…")."""
    try:
        return read_bytes(path, TEMPLATE_MAX).decode("utf-8-sig")
    except FileRefused as exc:
        raise InvalidInputError(f"无法读取报告模板 {path}：{exc.reason}") from None
    except UnicodeDecodeError:
        raise InvalidInputError(f"无法读取报告模板 {path}：文件不是 UTF-8 编码的文本") from None


def _refused(path: Path, exc: BaseException) -> InvalidInputError | None:
    """A template the sandbox stopped (exit 1), in the office's words; None for other errors."""
    from jinja2.exceptions import SecurityError

    from scoring.report.sandbox import TemplateRefused

    line = _template_line(exc)
    where = f"第 {line} 行" if line else ""
    if isinstance(exc, TemplateRefused):
        reason = exc.reason
    elif isinstance(exc, SecurityError):
        reason = "模板只能使用报告的数据和提供的过滤器，不能访问程序内部的属性或函数"
    elif isinstance(exc, RecursionError):
        reason = "宏的调用层数过多（可能是宏调用了自身）"
    elif isinstance(exc, MemoryError):
        reason = "模板生成的内容过多，内存不足"
    else:
        return None
    return InvalidInputError(f"报告模板 {path} {where}被拒绝：{reason}")


def render_markdown(facts: ReportFacts, template: Path | None = None) -> str:
    """The section as Markdown, its headings numbered (numbering.number_markdown)."""
    import jinja2  # here, not at the top: kept out of the command line's start-up

    from scoring.report.sandbox import BoundedEnvironment

    path = template or DEFAULT_TEMPLATE
    source = _source(path)
    env = BoundedEnvironment(autoescape=False, undefined=jinja2.StrictUndefined, keep_trailing_newline=True,
                             finalize=markdown_value)
    env.add_filters(score=score, pct=pct, ordinal=ordinal, change=change, date=date_text, book=book)
    try:
        text = env.render_bounded(env.bounded_template(source), f=facts, period_text=period_text(facts.period))
    except Exception as exc:  # whatever a template's expression raises (1/0, 'a' + 1 …) is the template's
        refused = _refused(path, exc)
        if refused is not None:
            raise refused from None
        line = (getattr(exc, "lineno", None) if isinstance(exc, jinja2.TemplateError) else None) \
            or _template_line(exc)
        where = f"第 {line} 行" if line else ""
        raise InvalidInputError(f"报告模板 {path} {where}有误：{_explain(exc)}") from None
    lines = [line.rstrip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:  # at most one blank line between blocks
        if line or (out and out[-1]):
            out.append(line)
    return number_markdown("\n".join(out).strip()) + "\n"

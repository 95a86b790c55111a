"""Filling the office's Word draft: the paragraph 【美丽楼院考核情况】 becomes the section, fitted
to where it stands.

- Outline level, from the nearest numbered heading before the marker (一、 → （一） → 1. →
  （1）, GB/T 9704-2012 §7.3.3):
  - marker directly under that heading (nothing but empty paragraphs between), when the heading
    is a title (at most 30 characters, no closing punctuation — not an item written as one
    paragraph such as "（二）严格规范公正文明执法。"): the heading is the section's title; the
    section's own title is left out and its parts become the heading's first sub-headings
    (under "（二）" they are "1." "2." "3.");
  - after the text of a part (一、): the section's title becomes the part's next sub-heading
    (（一）…) — the report's parts are fixed by 厅字〔2019〕28号, so the section never becomes a
    part of its own; with no numbered heading before the marker, the title is numbered 一、;
  - after the text of an item (（二）, 1. …), or after an item written as one paragraph: the
    section's title becomes the next item at that level (（三）), its parts one level below.
- Numbering without gaps: the draft's following headings at the section title's level, up to
  the next heading above that level, are renumbered to continue after the section's (their
  other text untouched).
- Formatting: each inserted heading copies the paragraph and run formatting of the draft's own
  nearest heading of the same level (its style, or its direct formatting); where the draft has
  none of that level, the body's formatting with the level's official face (黑体, 楷体_GB2312,
  bold). Paragraphs copy the nearest body paragraph. Tables take the draft's table style (that of
  its first table, else 网格型 "Table Grid", else grid lines of their own), no first-line indent,
  centred headers, and columns wide enough that no number breaks.

Everything else in the draft is left as it is; the draft itself is never written. A draft is
checked, parsed and its marker found once (open_draft), before any other work of the command.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scoring.errors import InvalidInputError
from scoring.files import MB, FileRefused
from scoring.report.blocks import Block
from scoring.report.docx_format import (
    BODY_FONT,
    HEADING_FONTS,
    clean_copy,
    element,
    ppr_child,
    set_black,
    set_flag,
    set_font,
    w,
)
from scoring.report.numbering import ordinal, split_ordinal, strip_ordinal
from scoring.report.word_table import add_table, available_width
from scoring.zipbound import ZipBounds, ZipRefused, check_package

MARKER = "【美丽楼院考核情况】"
TABLE_MAX_PT = 14.0  # 四号: a table's text is at most this size, and never larger than the body's
DEFAULT_PT = 10.5  # Word's own default when a draft says nothing
TITLE_CHARS = 30  # a heading longer than this is an item's text, not a title
# A draft is opened whole by python-docx (every part in memory, every XML part a DOM of ~200
# bytes an element): bounded so that the fill stays under ~500 MB. A 200-page report with
# pictures is far inside these (about 10 MB, 300,000 elements).
DRAFT_MAX = 50 * MB  # the file, as the web page's upload limit (web/config.MAX_DRAFT_MB)
DRAFT_BOUNDS = ZipBounds(unpacked=128 * MB, xml=48 * MB, elements=1_000_000)


def section_shape(blocks: list[Block]) -> list[int]:
    """Each block's depth: 0 for the section's title (a heading alone at the top level, first),
    1, 2 … for the headings below it, -1 for paragraphs and tables."""
    levels = [b.level for b in blocks if b.kind == "heading"]
    if not levels:
        return [-1] * len(blocks)
    top = min(levels)
    titled = levels.count(top) == 1 and levels[0] == top
    first = top + 1 if titled else top
    return [b.level - first + 1 if b.kind == "heading" else -1 for b in blocks]


def check_draft(draft: Path) -> None:
    """Refuse a draft that is not a regular file (or is missing) or whose package is over
    DRAFT_BOUNDS (or declares a DTD), before python-docx opens it; every cause in one wording,
    "无法打开草稿 …：…" (exit 1, as any input file that cannot be used)."""
    try:
        check_package(draft, DRAFT_MAX, DRAFT_BOUNDS)
    except ZipRefused as exc:
        why = "不是有效的 Word 文档（.docx），或文件已损坏" if exc.kind == "broken" else exc.reason
        raise InvalidInputError(f"无法打开草稿 {draft}：{why}") from None
    except FileRefused as exc:
        raise InvalidInputError(f"无法打开草稿 {draft}：{exc.reason}") from None


@dataclass
class Draft:
    """A Word draft checked, parsed and its marker found: `body` is the document body's
    elements, `at` the marker's index among them. fill_draft changes it: it is filled once."""

    path: Path
    document: Any
    body: list[Any]
    at: int


def open_draft(path: Path) -> Draft:
    """The draft at `path`, checked (check_draft) and parsed once, holding its marker exactly
    once; InvalidInputError naming it otherwise."""
    from docx import Document

    check_draft(path)
    try:
        document = Document(str(path))
    except Exception as exc:  # python-docx meeting a file that is not a .docx: say so, never crash
        why = f"不是有效的 Word 文档（.docx）（{type(exc).__name__}）"
        raise InvalidInputError(f"无法打开草稿 {path}：{why}") from None
    body = list(document.element.body.iterchildren())
    return Draft(path, document, body, _marker(body, path))


def _text(p: Any) -> str:
    return "".join(t.text or "" for t in p.iter(w("t")))


def _marker(body: list[Any], draft: Path) -> int:
    found = [i for i, p in enumerate(body) if p.tag == w("p") and _text(p).strip() == MARKER]
    if len(found) != 1:
        why = "没有找到" if not found else f"找到 {len(found)} 处"
        raise InvalidInputError(
            f"草稿 {draft} 中{why}单独成段的“{MARKER}”标记；请在要插入考核情况的位置单独一段输入该标记（只输入一处）")
    return found[0]


def _level(p: Any) -> int | None:
    """The outline level of a body paragraph that starts with a heading ordinal."""
    if p.tag != w("p"):
        return None
    found = split_ordinal(_text(p))
    return found[0] if found else None


def _titles(rest: str) -> bool:
    """Whether a heading's text (after its ordinal) is a title, not an item written as one
    paragraph ("（二）严格规范公正文明执法。…" or "1.加强普法宣传，……；"): short, no closing
    punctuation."""
    rest = rest.strip()
    return 0 < len(rest) <= TITLE_CHARS and rest[-1] not in "。；;！!？?：:，,"


def _first_rpr(p: Any) -> Any:
    for run in p.iter(w("r")):
        if "".join(t.text or "" for t in run.findall(w("t"))).strip():
            return run.find(w("rPr"))
    return None


def _is_body(p: Any, heading_styles: set[str]) -> bool:
    """A paragraph of body text: has text, no ordinal, not centred, not in a heading style."""
    if p.tag != w("p") or not _text(p).strip() or _level(p) is not None:
        return False
    ppr = p.find(w("pPr"))
    if ppr is None:
        return True
    jc = ppr.find(w("jc"))
    style = ppr.find(w("pStyle"))
    return not ((jc is not None and jc.get(w("val")) == "center")
                or (style is not None and style.get(w("val")) in heading_styles)
                or ppr.find(w("outlineLvl")) is not None)


def _nearest(body: list[Any], at: int, wanted: Any) -> Any:
    """The nearest element before `at` satisfying `wanted`, else the nearest after; or None."""
    for p in reversed(body[:at]):
        if wanted(p):
            return p
    for p in body[at + 1:]:
        if wanted(p):
            return p
    return None


class _Formats:
    """Paragraph and run formatting copied from the draft, per heading level and for the body."""

    def __init__(self, document: Any, body: list[Any], at: int) -> None:
        heading_styles = {s.style_id for s in document.styles
                          if s.name and s.name.lower().startswith(("heading", "title", "标题"))}
        model = _nearest(body, at, lambda p: _is_body(p, heading_styles))
        self.body_p = model if model is not None else body[at]
        self.document = document
        self.body, self.at = body, at
        self.cache: dict[int, tuple[Any, Any]] = {}

    def body_format(self) -> tuple[Any, Any]:
        """(pPr, rPr) of the body text."""
        rpr = _first_rpr(self.body_p)
        return self.body_p.find(w("pPr")), rpr if rpr is not None else element("rPr")

    def heading(self, level: int) -> tuple[Any, Any]:
        """(pPr, rPr) for a heading of `level`: the draft's own, else the body's in the level's face."""
        if level not in self.cache:
            model = _nearest(self.body, self.at, lambda p: _level(p) == level)
            if model is not None:
                rpr = _first_rpr(model)
                self.cache[level] = (model.find(w("pPr")), rpr if rpr is not None else element("rPr"))
            else:
                ppr, rpr = self.body_format()
                ppr = clean_copy(ppr) if ppr is not None else element("pPr")
                rpr = clean_copy(rpr)
                set_font(rpr, HEADING_FONTS.get(level, self.font()))
                set_black(rpr)
                set_flag(rpr, "b", level == 3)
                ppr_child(ppr, "keepNext")
                self.cache[level] = (ppr, rpr)
        return self.cache[level]

    def font(self) -> str:
        """The body's East Asian face where the draft names one directly."""
        fonts = self.body_format()[1].find(w("rFonts"))
        name = fonts.get(w("eastAsia")) if fonts is not None else None
        return name or BODY_FONT

    def size(self) -> float:
        """The body's font size in points: direct, else from its style chain, else the defaults."""
        sz = self.body_format()[1].find(w("sz"))
        if sz is not None:
            return int(sz.get(w("val"))) / 2
        ppr = self.body_p.find(w("pPr"))
        style_id = ppr.find(w("pStyle")).get(w("val")) if ppr is not None and ppr.find(w("pStyle")) is not None \
            else None
        style = next((s for s in self.document.styles if s.style_id == style_id), None) if style_id else None
        if style is None:
            from docx.enum.style import WD_STYLE_TYPE

            style = self.document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
        while style is not None:
            if style.font.size is not None:
                return float(style.font.size.pt)
            style = style.base_style
        defaults = self.document.styles.element.find(
            f"{w('docDefaults')}/{w('rPrDefault')}/{w('rPr')}/{w('sz')}")
        return int(defaults.get(w("val"))) / 2 if defaults is not None else DEFAULT_PT


def _paragraph(text: str, ppr: Any, rpr: Any) -> Any:
    p = element("p")
    if ppr is not None:
        p.append(clean_copy(ppr))
    run = element("r")
    run.append(clean_copy(rpr))
    t = element("t")
    t.text = text
    t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    run.append(t)
    p.append(run)
    return p


def _renumber(p: Any, level: int, n: int) -> None:
    """Replace the ordinal at the start of paragraph `p` by the `n`-th of `level`, across runs."""
    texts = list(p.iter(w("t")))
    whole = "".join(t.text or "" for t in texts)
    found = split_ordinal(whole)
    if found is None:
        return
    cut = len(whole) - len(found[2])
    new = ordinal(level, n)
    for t in texts:
        value = t.text or ""
        take = min(cut, len(value))
        t.text = new + value[take:] if new else value[take:]
        new, cut = "", cut - take
        if cut <= 0 and not new:
            break


def _table_style(document: Any) -> str | None:
    for tbl in document.element.body.iter(w("tbl")):
        style = tbl.find(f"{w('tblPr')}/{w('tblStyle')}")
        if style is not None:
            return str(style.get(w("val")))
    grid = next((s for s in document.styles if s.name == "Table Grid"), None)
    return grid.style_id if grid is not None else None


def fill_draft(blocks: list[Block], draft: Draft | Path, target: Path) -> None:
    """A copy of `draft` (opened here when given as a path) with the marker paragraph replaced
    by the section (see the module), saved as `target`."""
    opened = draft if isinstance(draft, Draft) else open_draft(draft)
    document, body, at = opened.document, opened.body, opened.at
    marker = body[at]
    context = next((i for i in range(at - 1, -1, -1) if _level(body[i]) is not None), None)
    heading = split_ordinal(_text(body[context])) if context is not None else None
    parent, number = (heading[0], heading[1]) if heading else (0, 0)
    between = body[context + 1:at] if context is not None else body[:at]
    under = (heading is not None and _titles(heading[2])
             and not any(e.tag == w("tbl") or _text(e).strip() for e in between))
    shape = section_shape(blocks)
    titled = 0 in shape and not under
    if under or parent < 2:  # inside the heading (a part 一、 always: the report's parts are fixed)
        level_one, counters = parent + 1, {parent + 1: 0}
    else:  # after an item's text: the next item
        level_one, counters = parent, {parent: number}
    offset = level_one - (0 if titled else 1)
    formats = _Formats(document, body, at)
    section = document.sections[-1]
    available = available_width(section)
    size = min(formats.size(), TABLE_MAX_PT)
    style = _table_style(document)
    for block, depth in zip(blocks, shape, strict=True):
        if block.kind == "heading":
            if depth == 0 and not titled:
                continue  # the draft's own heading titles the section
            level = depth + offset
            counters[level] = counters.get(level, 0) + 1
            for deeper in [k for k in counters if k > level]:
                del counters[deeper]
            ppr, rpr = formats.heading(level)
            marker.addprevious(_paragraph(ordinal(level, counters[level]) + strip_ordinal(block.text), ppr, rpr))
        elif block.kind == "paragraph":
            ppr, rpr = formats.body_format()
            marker.addprevious(_paragraph(block.text, ppr, rpr))
        else:
            table = add_table(document, block.rows, formats.body_format(), size, available, style)
            marker.addprevious(table._tbl)
    for following in body[at + 1:]:
        found = _level(following)
        if found is None:
            continue
        if found < level_one:
            break
        if found == level_one:
            counters[level_one] = counters.get(level_one, 0) + 1
            _renumber(following, level_one, counters[level_one])
    marker.getparent().remove(marker)
    document.save(str(target))

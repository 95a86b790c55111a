"""`score explain --docx`: one courtyard's 评分说明及整改通知 as a printable Word document for the
楼长 — the result and why, every inspection's values with the inspectors' notes, vetoes with
their date and row, what to put right, and the steps to the next grade. It is written as the
report section is: Markdown blocks laid out by the report's Word writer (official form)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from scoring.explain import Explanation
from scoring.report.blocks import Block, escape, parse
from scoring.report.numbering import number_markdown
from scoring.report.render import period_text


def _cell(text: object) -> str:
    return escape(str(text).replace("\n", "；")) if text is not None else "—"


def _table(headers: list[str], rows: list[list[object]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return [*lines, ""]


def _points(value: Decimal | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def explanation_markdown(e: Explanation) -> str:
    """The document's text as Markdown (headings, paragraphs, pipe tables)."""
    rank = (f"在参加排名的楼院中排第{e.rank}名、社区内排第{e.rank_in_community}名" if e.rank
            else "不参加排名")
    community, courtyard = escape(e.community), escape(e.courtyard)  # user text, literal in Markdown
    lines = [f"## {courtyard}美丽楼院考核评分说明", "",
             f"{community}{courtyard}：", "",
             f"{period_text(e.period)}，你院共接受检查{e.inspections}次，按考核标准{escape(e.version)}版评分，"
             f"总分{e.total:.2f}分（基础分{e.base:.2f}分，加分{e.bonus:.2f}分），评为{escape(e.grade)}，{rank}。", "",
             "### 评定等级的理由", ""]
    for k, reason in enumerate(e.grade_reasons, start=1):
        lines += [f"{k}. {escape(reason)}。", ""]
    if e.vetoes:
        lines += ["### 一票否决事项", ""]
        for veto in e.vetoes:
            lines += [f"{escape(str(veto))}。", ""]
    fixes = e.fixes
    if fixes is not None and (fixes.open or fixes.remarks):
        lines += ["### 需要整改的事项", ""]
        if fixes.open:
            lines += _table(["编号", "项目", "各次检查结果", "失分"],
                            [[f.item, f.name, f.history, f"{f.lost:.2f}"] for f in fixes.open])
            noted = [f for f in fixes.open if f.notes]
            if noted:  # below the table, so that the values keep the width they need
                lines += ["检查人员意见：" + "；".join(f"{escape(f.name)}——{escape('；'.join(f.notes))}"
                                                    for f in noted) + "。", ""]
        if fixes.fixed:
            fixed = "、".join(f"“{escape(f.name)}”" for f in fixes.fixed)
            lines += [f"以下项目已在此后的检查中整改到位：{fixed}。", ""]
        if fixes.remarks:
            lines += ["检查人员的其他意见：" + escape("；".join(fixes.remarks)) + "。", ""]
    if e.next_grade is not None:
        next_grade = escape(e.next_grade)
        lines += [f"### 达到{next_grade}的努力方向", ""]
        if not e.steps:
            lines += [f"距{next_grade}还差{e.gap:.2f}分，但已没有可补足的项目。", ""]
        else:
            lead = f"距{next_grade}还差{e.gap:.2f}分" if e.gap else f"总分已达到{next_grade}的分数线"
            tail = ("，将以下项目补足满分即可达到（前置条件在前，其余按可提高的分数从多到少）："
                    if e.reachable else "，即使以下项目全部补足满分也还达不到：")
            lines += [lead + tail, ""]
            lines += _table(["编号", "项目", "失分", "可提高总分", "前置条件"],
                            [[s.id, s.name, f"{s.lost:.2f}", f"{s.gain:.2f}", "是" if s.required else None]
                             for s in e.steps])
    lines += ["### 各项目检查情况", ""]
    lines += _table(["编号", "项目", "各次检查结果", "得分", "满分", "情况"],
                    [[i.id, i.name, i.history or None, _points(i.earned), _points(i.possible), i.status]
                     for i in e.items])
    if e.notes:
        lines += ["检查人员意见：" + escape("；".join(e.notes)) + "。", ""]
    return number_markdown("\n".join(lines))


def explanation_blocks(e: Explanation) -> list[Block]:
    """The document as blocks for the Word writer."""
    return parse(explanation_markdown(e))


def write_explanation(e: Explanation, path: Path) -> None:
    """The 评分说明 as a Word document."""
    from scoring.report.word import write_document

    write_document(explanation_blocks(e), path)

"""The contents of the ranking workbook's sheets, as plain tables (the workbook module lays
them out). Everything here reads finished results; nothing re-scores."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from scoring.criteria.lawref import cite, law_title
from scoring.criteria.model import Criteria, Item
from scoring.criteria.regulations import Register
from scoring.engine.results import CourtyardScore, ListEntry, Results
from scoring.fixes import Catalog, courtyard_fixes
from scoring.outputs.tables import Table, short_cells

DISQUALIFIED = "取消评选资格"
UNSCORED = "未评分"
RULE_OF_LAW_RATE = "法治建设得分率"
# 得分率 is always earned ÷ possible; 满分率 only the share of courtyards with full marks.
FULL_MARKS_SHARE = "满分率（得满分楼院占比）"


def _rate(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def newest_first(results: Results) -> list[Criteria]:
    """The versions used, newest first: their names and items take precedence."""
    return sorted(results.versions, key=lambda c: c.effective_from, reverse=True)


def categories(results: Results) -> list[tuple[str, str]]:
    """(id, name) of every category of the versions used."""
    seen: dict[str, str] = {}
    for crit in newest_first(results):
        for cat in crit.categories:
            seen.setdefault(cat.id, cat.name)
    return list(seen.items())


def items(results: Results) -> list[Item]:
    """Every base and bonus item of the versions used, in the newest version's order."""
    seen: dict[str, Item] = {}
    for crit in newest_first(results):
        for item in crit.all_items:
            seen.setdefault(item.id, item)
    return list(seen.values())


def veto_names(results: Results) -> dict[str, str]:
    """Veto id → its name."""
    return {v.id: v.name for crit in newest_first(results) for v in crit.vetoes}


def grade_names(results: Results) -> list[str]:
    """Grade names, highest first."""
    return list(results.communities[0].grade_counts) if results.communities else []


def courtyard_ranking(results: Results) -> Table:
    """楼院排名: rank, community, courtyard, inspections, total, grade, pass, category rates,
    rule-of-law rate, vetoes in words; disqualified last."""
    cats = categories(results)
    vetoes = veto_names(results)
    tagged = {c.id for crit in results.versions for c in crit.categories if c.rule_of_law}
    # One term, one column: a category whose column would also be headed 法治建设得分率 is left
    # out when it is the only rule-of-law category (its rate is then the rule-of-law rate);
    # otherwise it is headed as a category (…类得分率).
    cats = [(c, name) for c, name in cats if not (f"{name}得分率" == RULE_OF_LAW_RATE and tagged == {c})]
    headers = ["排名", "社区", "楼院", "检查次数", "总分", "等级", "是否达标"]
    headers += [f"{name}类得分率" if f"{name}得分率" == RULE_OF_LAW_RATE else f"{name}得分率" for _, name in cats]
    headers += [RULE_OF_LAW_RATE, "一票否决", "社区内排名", "基础分", "加分", "说明"]
    formats = ["int", "", "", "int", "score", "", ""] + ["rate"] * len(cats)
    formats += ["rate", "wrap", "int", "score", "score", "wrap"]
    rows = []
    for y in results.courtyards:
        rates = [_rate(y.categories[c].rate) if c in y.categories else None for c, _ in cats]
        rows.append([y.rank if not y.disqualified else DISQUALIFIED, y.community, y.courtyard,
                     y.inspections, y.total_cents / 100, y.grade, y.passing, *rates,
                     _rate(y.rule_of_law_rate), "、".join(vetoes.get(v, v) for v in y.vetoes) or None,
                     y.rank_in_community, float(y.base), float(y.bonus),
                     DISQUALIFIED if y.disqualified else (y.grade_reason or None)])
    for u in results.unscored:  # never missing without a word
        rows.append([UNSCORED, u.community, u.courtyard, *[None] * (len(headers) - 4), u.reason])
    return Table("楼院排名", headers, rows, formats)


def community_ranking(results: Results) -> Table:
    """社区排名: rank, community, courtyards, mean total, counts per grade, pass rate,
    rule-of-law rate."""
    grades = grade_names(results)
    headers = ["排名", "社区", "楼院数", "平均分", *(f"{g}（个）" for g in grades), "达标率", RULE_OF_LAW_RATE]
    formats = ["int", "", "int", "score", *(["int"] * len(grades)), "rate", "rate"]
    rows = [[c.rank, c.community, c.courtyards, c.mean_total_cents / 100,
             *(c.grade_counts.get(g, 0) for g in grades), float(c.pass_rate), _rate(c.rule_of_law_rate)]
            for c in results.communities]
    return Table("社区排名", headers, rows, formats)


def item_scores(results: Results) -> Table:
    """分项得分: one row per courtyard, one column per item with its earned points."""
    all_items = items(results)
    headers = ["社区", "楼院", *(f"{i.id} {i.name}" for i in all_items)]
    formats = ["", ""] + ["score"] * len(all_items)
    rows = []
    for y in results.courtyards:
        row: list[Any] = [y.community, y.courtyard]
        for item in all_items:
            got = y.items.get(item.id)
            row.append(None if got is None else "不适用" if got.earned_cents is None else got.earned_cents / 100)
        rows.append(row)
    return Table("分项得分", headers, rows, formats)


def _applicable(yards: list[CourtyardScore], item: str) -> list[Any]:
    return [y.items[item] for y in yards if item in y.items and y.items[item].earned_cents is not None]


def _score_rate(yards: list[CourtyardScore], item: str) -> float | None:
    """得分率: points earned ÷ points possible, summed over the courtyards where it applied (as
    the report states it)."""
    applicable = _applicable(yards, item)
    possible = sum(i.possible_cents for i in applicable)
    return float(Fraction(sum(i.earned_cents for i in applicable), possible)) if possible else None


def _full_rate(yards: list[CourtyardScore], item: str) -> float | None:
    """满分率: the share of the courtyards where it applied that earned full points every time."""
    applicable = _applicable(yards, item)
    return float(Fraction(sum(i.full for i in applicable), len(applicable))) if applicable else None


def rule_of_law(results: Results, register: Register | None) -> Table:
    """法治建设: each rule-of-law item's 得分率 per community and overall (points earned ÷
    possible, as in the report), the share of courtyards with full marks (labelled so), and its
    law."""
    tagged = {c.id for crit in results.versions for c in crit.categories if c.rule_of_law}
    law_items = [i for i in items(results) if i.category in tagged]
    communities = [c.community for c in results.communities]
    members: dict[str, list[CourtyardScore]] = {c: [] for c in communities}
    for y in results.courtyards:
        members[y.community].append(y)
    headers = ["编号", "项目", "分值", "依据", *(f"{c}得分率" for c in communities), "全部楼院得分率",
               FULL_MARKS_SHARE]
    formats = ["", "wrap", "score", "wrap", *(["rate"] * len(communities)), "rate", "rate"]
    rows = []
    for item in law_items:
        basis = "；".join(
            cite(law_title(register, b.ref, short=True), b.article)
            for b in item.basis)
        per = [_score_rate(members[c], item.id) for c in communities]
        rows.append([item.id, item.name, float(item.points), basis or None, *per,
                     _score_rate(results.courtyards, item.id), _full_rate(results.courtyards, item.id)])
    return Table("法治建设", headers, rows, formats)


def red_and_black(results: Results) -> tuple[Table, Table, str | None]:
    """红榜 and 黑榜 as published by the rule (scoring/lists.py), each entry with its 上榜理由, and
    a note naming the courtyards that qualified for both and stay red only."""
    headers = ["名次", "社区", "楼院", "总分", "等级", "上榜理由"]
    formats = ["int", "", "", "score", "", "wrap"]
    lists = results.lists
    if lists is None:  # a results.json of schema 1 has no lists
        empty = Table("红榜", headers, [], formats), Table("黑榜", headers, [], formats)
        return (*empty, "该评分结果由旧版本生成，没有红黑榜；请重新评分后查看。")

    def rows(entries: list[ListEntry]) -> list[list[Any]]:
        return [[e.rank if e.rank is not None else DISQUALIFIED, e.community, e.courtyard, float(e.total), e.grade,
                 e.reason] for e in entries]

    rule = lists.rule
    red_rule = f"前 {rule.red_top} 名" + (f"、总分不低于 {rule.red_min_total} 分" if rule.red_min_total is not None
                                        else "") + (f"、{rule.red_min_grade}及以上" if rule.red_min_grade else "")
    black_rule = f"后 {rule.black_bottom} 名" + (f"或总分低于 {rule.black_max_total} 分" if rule.black_max_total
                                              is not None else "") + ("、取消评选资格的楼院"
                                                                      if rule.black_include_disqualified else "")
    note = None
    if lists.kept_off_black:
        note = (f"{'、'.join(lists.kept_off_black)} 同时符合红榜和黑榜的条件，按公示规则只列入红榜"
                f"（{lists.version} 版考核标准）。")
    return (Table(f"红榜（{red_rule}，含并列，共 {len(lists.red)} 个）", headers, rows(lists.red), formats),
            Table(f"黑榜（{black_rule}，含并列，共 {len(lists.black)} 个）", headers, rows(lists.black), formats),
            note)


def fix_list(results: Results) -> Table:
    """整改清单 (scoring/fixes.py): per courtyard, the items still short of full points at its
    latest inspection (most points lost first), then those put right since; every inspection's
    value, the notes that name the item, and the notes that name none as 备注 on the first row."""
    headers = ["社区", "楼院", "编号", "项目", "满分", "最近一次得分", "失分", "各次检查结果", "状态",
               "检查人员意见", "备注", "来源单元格"]
    formats = ["", "", "", "", "score", "score", "score", "wrap", "", "wrap", "wrap", "wrap"]
    rows = []
    catalog = Catalog(results)
    for y in sorted(results.courtyards, key=lambda y: (y.community, y.courtyard)):
        fixes = courtyard_fixes(y, results, catalog)
        remarks = "\n".join(fixes.remarks) or None
        for e in fixes.entries:
            rows.append([y.community, y.courtyard, e.item, e.name, float(e.points), float(e.earned),
                         float(e.lost), e.history, e.status, "\n".join(e.notes) or None, remarks,
                         short_cells(e.cells) or None])
            remarks = None
        if remarks:
            rows.append([y.community, y.courtyard, None, None, None, None, None, None, None, None, remarks, None])
    return Table("整改清单", headers, rows, formats)


def data_issues(results: Results) -> Table:
    """数据问题: every issue, as in results.json, with the 社区 and 楼院 of the row it is about."""
    return Table("数据问题", ["编号", "社区", "楼院", "问题", "文件", "工作表", "单元格", "项目", "填写值", "应填"],
                 [[i.code, i.community, i.courtyard, i.message, i.file, i.sheet, i.cell, i.item, i.value, i.expected]
                  for i in results.issues],
                 ["", "", "", "wrap", "wrap", "", "", "", "", "wrap"])

"""红黑榜 by the office's rule (docs/design.md §9): ties at the cut, never on both lists, 上榜理由."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from scoring.engine.results import Results
from tests.helpers import mini, record, score_results


def names(entries: list[Any]) -> list[str]:
    return [e.courtyard for e in entries]


def district(tmp: Path, lists: dict[str, Any] | None = None, **options: Any) -> Results:
    # Totals (MINI: scale 21, bonus capped at 2): 甲 23 and 乙 23 (a tie for 1st), 丙 21 (A2 1 of 3),
    # 丁 19 (A1 否), 戊 17 (A1 否, B1 1 处), 己 disqualified (V1).
    data = mini(version="1", effective_from="2023-01-01")
    if lists is not None:
        data["lists"] = lists
    return score_results(tmp, [
        record("一社区", "甲院", "2023-03-01"),
        record("一社区", "乙院", "2023-03-01"),
        record("一社区", "丙院", "2023-03-01", A2=1),
        record("二社区", "丁院", "2023-03-01", A1="否"),
        record("二社区", "戊院", "2023-03-01", A1="否", B1=1),
        record("二社区", "己院", "2023-03-01", V1="是"),
    ], data, **options)


def test_ties_at_the_cut_are_all_listed_and_nobody_is_on_both(tmp_path: Path) -> None:
    res = district(tmp_path, top=1)
    lists = res.lists
    assert lists is not None
    # Red: rank ≤ 1 — 甲 and 乙 tie at 23. Black: the lowest total among the ranked is 戊's 17
    # (A1 否 and B1 1 处: 15/21·21 + 2), and 己 is disqualified; worst first.
    # (Ties are listed by community, then name: 乙 comes before 甲 in character order.)
    assert [(e.courtyard, e.rank, e.total) for e in lists.red] == [("乙院", 1, Decimal(23)), ("甲院", 1, Decimal(23))]
    assert names(lists.black) == ["己院", "戊院"]
    assert lists.red[0].reason == "总分23.00分，优秀"
    assert lists.black[0].reason == "一票否决：重大事故"
    assert lists.black[1].reason == "失分最多的项目：名牌齐全（失4.00分）、杂物堆放（失2.00分）"


def test_a_small_district_puts_nobody_on_both_lists(tmp_path: Path) -> None:
    # Default rule: 10 each. Every ranked courtyard is in the top 10 and in the bottom 10: all
    # stay red only, and say so; the black list keeps the disqualified courtyard.
    res = district(tmp_path)
    lists = res.lists
    assert lists is not None
    assert names(lists.red) == ["乙院", "甲院", "丙院", "丁院", "戊院"]
    assert names(lists.black) == ["己院"]
    assert lists.kept_off_black == ["二社区/戊院", "二社区/丁院", "一社区/丙院", "一社区/甲院", "一社区/乙院"]


def test_the_rule_of_the_version(tmp_path: Path) -> None:
    rule = {"red": {"top": 3, "min_total": 22, "min_grade": "优秀"},
            "black": {"bottom": 1, "max_total": 20, "include_disqualified": False}}
    res = district(tmp_path, rule)
    lists = res.lists
    assert lists is not None
    # Red: rank ≤ 3 and total ≥ 22: 甲, 乙 (丙's 21 is short). Black: bottom 1 (戊 17) or below 20
    # (丁 19, 戊 17); 己 not included.
    assert names(lists.red) == ["乙院", "甲院"]
    assert names(lists.black) == ["戊院", "丁院"]
    saved = tmp_path / "results.json"
    res.save(saved)
    assert Results.load(saved).lists == lists


def test_the_lists_in_the_report(tmp_path: Path) -> None:
    from scoring.report.section import build_section

    res = district(tmp_path, top=1)
    assert res.standard is not None
    markdown = build_section(res, res.standard).markdown
    assert ("按照公示规则，2个楼院列入红榜（一社区乙院、一社区甲院），2个楼院列入黑榜（二社区己院、二社区戊院）"
            "并督促整改。") in markdown

"""Two criteria versions in one period (docs/design.md §4): each veto mark keeps the effect of the
version in force on its date; the repeat policy, grades and rule-of-law tags are those of the
version of the latest inspection; rates under `latest`, null rates, all-N/A prerequisites."""

from __future__ import annotations

import copy
from fractions import Fraction
from pathlib import Path
from typing import Any

from scoring.engine.results import Results
from tests.helpers import MINI, mini, record, score_results

# 2023.1 (from January) and 2023.2 (from July) of the MINI standard.
V1 = mini(version="2023.1", effective_from="2023-01-01")


def v2(**changes: Any) -> dict[str, Any]:
    data = mini(version="2023.2", effective_from="2023-07-01")
    data.update(changes)
    return data


def yard(results: Results, name: str) -> Any:
    return next(y for y in results.courtyards if y.courtyard == name)


def test_a_disqualification_marked_under_the_old_version_stands(tmp_path: Path) -> None:
    # 2023.2 drops the 重大事故 veto (V1). 甲院 was marked V1 in March, under 2023.1: it stays
    # disqualified, unranked, though its latest inspection (September) is scored by 2023.2.
    new = v2(vetoes=[v for v in MINI["vetoes"] if v["id"] != "V1"])
    columns = ["A1", "A2", "A3", "B1", "B2", "B3", "B4", "X1", "X2", "V1", "V2", "V3"]
    res = score_results(tmp_path, [
        record("一社区", "甲院", "2023-03-05", V1="是"),
        {**record("一社区", "甲院", "2023-09-10"), "V1": None},
        record("一社区", "乙院", "2023-09-10", A1="否"),
    ], V1, new, columns=columns)
    a, b = yard(res, "甲院"), yard(res, "乙院")
    assert (a.version, a.vetoes, a.disqualified, a.passing, a.grade, a.rank) == (
        "2023.2", ["V1"], True, False, "不合格", None)
    assert [(m.id, m.version, m.date.isoformat()) for m in a.veto_marks] == [("V1", "2023.1", "2023-03-05")]
    assert a.grade_reason == "一票否决“重大事故”：取消评选资格"
    assert (b.rank, res.courtyards[-1].courtyard) == (1, "甲院")


def test_a_veto_the_new_version_adds_does_not_reach_back(tmp_path: Path) -> None:
    # 2023.1 has no 群体事件 veto (V2); 2023.2 adds it as a cap at 合格. A mark in an inspection
    # scored by 2023.1 has no effect; the same mark under 2023.2 caps the grade.
    old = mini(version="2023.1", effective_from="2023-01-01",
               vetoes=[v for v in MINI["vetoes"] if v["id"] != "V2"])
    res = score_results(tmp_path, [
        record("一社区", "甲院", "2023-03-05", V2="是"),
        record("一社区", "甲院", "2023-09-10"),
        record("一社区", "乙院", "2023-09-10", V2="是"),
    ], old, v2())
    a, b = yard(res, "甲院"), yard(res, "乙院")
    assert (a.vetoes, a.grade) == ([], "优秀")  # 2023.1's rows never read a V2 column
    assert (b.vetoes, b.grade, b.total) == (["V2"], "合格", 23)
    assert b.grade_reason == "一票否决“群体事件”：最高评为合格；总分23.00分，达到合格的分数线10分"


def test_repeat_policy_grades_and_rule_of_law_come_from_the_latest_version(tmp_path: Path) -> None:
    # 2023.1: repeat mean, B tagged rule_of_law, 优秀 from 18. 2023.2: repeat min, A tagged
    # rule_of_law instead, 优秀 from 22. 甲院: March A1 否 (A 6/10, B 11/11: 17/21·21 + 2 = 19),
    # September full (23). Governed by 2023.2: min → 19; rule-of-law = A's rate, min → 6/10.
    new = v2(repeat="min", grades=copy.deepcopy(MINI["grades"]))
    new["grades"][0]["min"] = 22
    new["categories"][0]["tags"] = ["rule_of_law"]
    new["categories"][1]["tags"] = []
    res = score_results(tmp_path, [record("一社区", "甲院", "2023-03-05", A1="否"),
                                   record("一社区", "甲院", "2023-09-10")], V1, new)
    a = yard(res, "甲院")
    assert (a.version, a.total, a.grade) == ("2023.2", 19, "良好")
    assert a.rule_of_law_rate == Fraction(6, 10)
    assert a.grade_reason == "总分19.00分，达到良好的分数线15分"
    # The same inspections under 2023.1 alone (mean): (19 + 23) / 2 = 21 ≥ 18, but 优秀 requires A1
    # at full points in every inspection → 良好; the rule-of-law rate is B's: 1.
    (tmp_path / "alone").mkdir()
    res = score_results(tmp_path / "alone", [record("一社区", "甲院", "2023-03-05", A1="否"),
                                             record("一社区", "甲院", "2023-09-10")], V1)
    a = yard(res, "甲院")
    assert (a.version, a.total, a.grade, a.rule_of_law_rate) == ("2023.1", 21, "良好", 1)
    assert a.grade_reason == ("未评为优秀：前置条件“A1 名牌齐全”未得满分（2.00/4.00）；"
                              "总分21.00分，达到良好的分数线15分")


def test_rates_under_latest_are_the_latest_inspections(tmp_path: Path) -> None:
    # repeat latest. B3 (电梯标识, na) is 不适用 in the latest inspection only. B's rate is the
    # latest's: B1 1 处 → 3/5, B2 4 → 3/3, B4 1/1, B3 not applicable: 7/9.
    latest = mini(version="1", effective_from="2023-01-01", repeat="latest")
    res = score_results(tmp_path, [record("一社区", "甲院", "2023-03-05", B1=2),
                                   record("一社区", "甲院", "2023-09-10", B1=1, B3="不适用")], latest)
    b = yard(res, "甲院").categories["B"]
    assert (b.earned, b.possible, b.rate) == (7, 9, Fraction(7, 9))
    assert yard(res, "甲院").items["B3"].earned is None


def test_a_category_not_applicable_everywhere_has_possible_0_and_null_rate(tmp_path: Path) -> None:
    # Category C holds only an na item; 不适用 at every inspection: earned null, possible 0,
    # rate null — and a null rate does not block 优秀's min_rates on C.
    data = mini(version="1", effective_from="2023-01-01")
    data["categories"].append({"id": "C", "name": "电梯", "items": [
        {"id": "C1", "name": "电梯年检", "type": "check", "points": 1, "na": True}]})
    data["categories"][0]["items"][0]["points"] = 3  # A1 4 → 3 keeps the scale at 21
    data["grades"][0]["min_rates"] = {"C": 0.9}
    columns = ["A1", "A2", "A3", "B1", "B2", "B3", "B4", "C1", "X1", "X2", "V1", "V2", "V3"]
    res = score_results(tmp_path, [record("一社区", "甲院", "2023-03-05", C1="不适用")], data, columns=columns)
    a = yard(res, "甲院")
    c = a.categories["C"]
    assert (c.earned_cents, c.possible_cents, c.rate) == (None, 0, None)
    assert (a.total, a.grade) == (23, "优秀")
    path = tmp_path / "results.json"
    res.save(path)
    assert '"C": {\n          "earned": null,\n          "possible": 0.0,\n          "rate": null' in path.read_text(
        encoding="utf-8")


def test_a_prerequisite_not_applicable_everywhere_does_not_block(tmp_path: Path) -> None:
    # 优秀 requires B3 (na). B3 is 不适用 at both inspections: it blocks nothing.
    data = mini(version="1", effective_from="2023-01-01")
    data["grades"][0]["requires"] = ["B3"]
    res = score_results(tmp_path, [record("一社区", "甲院", "2023-03-05", B3="不适用"),
                                   record("一社区", "甲院", "2023-06-05", B3="不适用")], data)
    assert (yard(res, "甲院").grade, yard(res, "甲院").items["B3"].full) == ("优秀", True)
    # Applicable once and short of full points: it blocks.
    res = score_results(tmp_path, [record("一社区", "甲院", "2023-03-05", B3="否"),
                                   record("一社区", "甲院", "2023-06-05", B3="不适用")], data)  # same standard
    a = yard(res, "甲院")
    assert a.grade == "良好"
    assert a.grade_reason.startswith("未评为优秀：前置条件“B3 电梯标识”未得满分（0.00/2.00）")



def test_a_cap_keeps_its_effect_when_the_new_version_renames_the_grade(tmp_path: Path) -> None:
    # 2023.1 caps 群体事件 (V2) at 合格 (from 10). 2023.2 renames 合格/不合格 to 达标/不达标 and drops
    # V2. A March mark under 2023.1 still caps the courtyard, at 2023.2's grade of that threshold.
    new = v2(vetoes=[v for v in MINI["vetoes"] if v["id"] != "V2"], grades=copy.deepcopy(MINI["grades"]))
    new["grades"][2]["name"], new["grades"][3]["name"] = "达标", "不达标"
    res = score_results(tmp_path, [record("一社区", "甲院", "2023-03-05", V2="是"),
                                   record("一社区", "甲院", "2023-09-10")], V1, new)
    a = yard(res, "甲院")
    assert (a.version, a.total, a.grade) == ("2023.2", 23, "达标")
    assert a.grade_reason == "一票否决“群体事件”：最高评为达标；总分23.00分，达到达标的分数线10分"


def test_explain_offers_no_next_grade_under_a_cap(tmp_path: Path) -> None:
    from scoring.explain import explain

    res = score_results(tmp_path, [record("一社区", "甲院", "2023-03-05", V2="是", A1="否")], V1)
    e = explain(res, "甲院")
    assert (e.grade, e.next_grade, e.steps) == ("合格", None, [])
    assert e.grade_reasons[-1] == "受一票否决“群体事件”限制，本期最高只能评为合格"
    assert e.vetoes == ["V2 群体事件（3月5日，in.csv 第 2 行）：等级最高评为合格"]


def test_the_red_list_minimum_grade_across_renamed_grades(tmp_path: Path) -> None:
    # 2023.2 renames 合格 → 达标 and puts 达标 as the red list's minimum grade. 乙院, inspected
    # only in March (2023.1), is 合格 — the same threshold (10) as 达标: it qualifies.
    new = v2(grades=copy.deepcopy(MINI["grades"]), lists={"red": {"top": 10, "min_grade": "达标"}},
             vetoes=[v for v in MINI["vetoes"] if v["id"] != "V2"])
    new["grades"][2]["name"], new["grades"][3]["name"] = "达标", "不达标"
    res = score_results(tmp_path, [record("一社区", "甲院", "2023-09-10"),
                                   record("一社区", "乙院", "2023-03-05", V2="是")], V1, new)
    assert (yard(res, "乙院").version, yard(res, "乙院").grade) == ("2023.1", "合格")
    assert res.lists is not None
    assert [e.courtyard for e in res.lists.red] == ["乙院", "甲院"]  # tied at 23, by name

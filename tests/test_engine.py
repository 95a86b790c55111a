"""Hand-computed scores for each item type, N/A, exempt, vetoes, prerequisites, repeat policies,
ties, rounding and versions (docs/design.md §4). The standard is tests.helpers.MINI (scale 21)."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from scoring.engine.combine import group_sums
from scoring.errors import InvalidInputError, UsageError
from tests.helpers import MINI, mini, record, score_records, yard

# The worked example: A1 是 4, A2 2.5, A3 中 1.5 → A 8/10; B1 1 处 → 5−2 = 3, B2 2 项 → 2,
# B3 不适用 (leaves earned and possible), B4 免检 → 1 → B 6/9.
# base = 21 × 14/19 = 294/19 = 15.4736… ; bonus = min(2, 1.5 + 1) = 2 ; total = 332/19 = 17.4736…
EXAMPLE = {"A1": "是", "A2": 2.5, "A3": "中", "B1": 1, "B2": 2, "B3": "不适用", "B4": "免检",
           "X1": "是", "X2": 1}


def test_worked_example(tmp_path: Path) -> None:
    res = score_records(tmp_path, [record("一社区", "甲院", "2023-03-01", **EXAMPLE)])
    y = yard(res, "甲院")
    assert (y["base"], y["bonus"], y["total"]) == (15.47, 2.0, 17.47)
    assert (y["grade"], y["pass"], y["disqualified"], y["rank"]) == ("良好", True, False, 1)
    assert y["categories"]["A"] == {"earned": 8.0, "possible": 10.0, "rate": 0.8}
    assert y["categories"]["B"] == {"earned": 6.0, "possible": 9.0, "rate": 6 / 9}
    assert y["rule_of_law_rate"] == 6 / 9
    assert y["items"]["B3"]["earned"] is None and y["items"]["B3"]["possible"] == 0
    assert y["items"]["B4"] == {"earned": 1.0, "possible": 1.0, "value": "免检",
                                "cells": [f"{tmp_path / 'in.csv'} › J2"], "values": ["免检"], "earned_each": [1.0]}
    assert y["items"]["A3"]["value"] == "中"


@pytest.mark.parametrize(("values", "item", "earned"), [
    ({"A1": "否"}, "A1", 0.0), ({"A1": "√"}, "A1", 4.0), ({"A1": "×"}, "A1", 0.0),
    ({"A1": "Yes"}, "A1", 4.0), ({"A1": 0}, "A1", 0.0), ({"A1": "不达标"}, "A1", 0.0),
    ({"A2": "2.5分"}, "A2", 2.5), ({"A2": "０.５"}, "A2", 0.5), ({"A2": " 3 "}, "A2", 3.0),
    ({"A3": "差"}, "A3", 0.0), ({"A3": "中"}, "A3", 1.5),
    ({"B1": 0}, "B1", 5.0), ({"B1": 2}, "B1", 1.0), ({"B1": 3}, "B1", 0.0), ({"B1": 40}, "B1", 0.0),
    ({"B2": 0}, "B2", 0.0), ({"B2": 3}, "B2", 3.0), ({"B2": 4}, "B2", 3.0),
    ({"X2": 5}, "X2", 3.0), ({"X1": None}, "X1", 0.0),
])
def test_item_types(tmp_path: Path, values: dict[str, object], item: str, earned: float) -> None:
    res = score_records(tmp_path, [record("一社区", "甲院", "2023-03-01", **values)])
    assert yard(res, "甲院")["items"][item]["earned"] == earned


def test_full_marks_and_bonus_cap(tmp_path: Path) -> None:
    # 21/21 → base 21; bonus 1.5 + 3 = 4.5, capped at 2 → 23 (scale + cap).
    y = yard(score_records(tmp_path, [record("一社区", "甲院", "2023-03-01")]), "甲院")
    assert (y["base"], y["bonus"], y["total"], y["grade"]) == (21.0, 2.0, 23.0, "优秀")


def test_prerequisite_blocks_top_grade(tmp_path: Path) -> None:
    # A1 否: 17/21 → base 17, total 19 ≥ 18, but 优秀 requires A1 at full points → 良好.
    y = yard(score_records(tmp_path, [record("一社区", "甲院", "2023-03-01", A1="否")]), "甲院")
    assert (y["total"], y["grade"]) == (19.0, "良好")


def test_category_minimum_blocks_top_grade(tmp_path: Path) -> None:
    # B1 2 处 → 1/5: B 7/11 = 63.6% < 80%; base 17, total 19 → 良好. B1 1 处: B 9/11 ≥ 80% → 优秀.
    res = score_records(tmp_path, [record("一社区", "甲院", "2023-03-01", B1=2),
                                   record("一社区", "乙院", "2023-03-01", B1=1)])
    assert (yard(res, "甲院")["total"], yard(res, "甲院")["grade"]) == (19.0, "良好")
    assert (yard(res, "乙院")["total"], yard(res, "乙院")["grade"]) == (21.0, "优秀")


def test_vetoes(tmp_path: Path) -> None:
    res = score_records(tmp_path, [
        record("一社区", "否决院", "2023-03-01", V1="是"),
        record("一社区", "限级院", "2023-03-01", V2="是"),
        record("一社区", "清零院", "2023-03-01", V3="是"),
        record("一社区", "正常院", "2023-03-01"),
    ])
    out = yard(res, "否决院")
    assert (out["grade"], out["pass"], out["disqualified"], out["rank"],
            out["rank_in_community"], out["vetoes"]) == ("不合格", False, True, None, None, ["V1"])
    assert res["courtyards"][-1]["courtyard"] == "否决院"  # listed last
    capped = yard(res, "限级院")
    assert (capped["total"], capped["grade"], capped["rank"]) == (23.0, "合格", 1)
    zero = yard(res, "清零院")  # B earned 0 → base 21 × 10/21 = 10, total 12
    assert (zero["total"], zero["grade"], zero["rule_of_law_rate"]) == (12.0, "合格", 0.0)
    assert zero["categories"]["B"] == {"earned": 0.0, "possible": 11.0, "rate": 0.0}
    community = res["communities"][0]
    # Mean of 23, 23, 12 and the disqualified 23 → 81/4 = 20.25; the disqualified never passes.
    assert (community["mean_total"], community["pass_rate"]) == (20.25, 0.75)
    assert community["grade_counts"] == {"优秀": 1, "良好": 0, "合格": 2, "不合格": 1}


def test_competition_ranks_1224(tmp_path: Path) -> None:
    res = score_records(tmp_path, [
        record("一社区", "甲院", "2023-03-01"),            # 23
        record("一社区", "乙院", "2023-03-01", A1="否"),   # 19
        record("二社区", "丙院", "2023-03-01", A1="否"),   # 19
        record("二社区", "丁院", "2023-03-01", V3="是"),   # 12
    ])
    assert [(y["courtyard"], y["rank"]) for y in res["courtyards"]] == [
        ("甲院", 1), ("乙院", 2), ("丙院", 2), ("丁院", 4)]
    assert [yard(res, n)["rank_in_community"] for n in ("甲院", "乙院", "丙院", "丁院")] == [1, 2, 1, 2]
    # Communities: 一 (23 + 19)/2 = 21, 二 (19 + 12)/2 = 15.5.
    assert [(c["community"], c["mean_total"], c["rank"]) for c in res["communities"]] == [
        ("一社区", 21.0, 1), ("二社区", 15.5, 2)]


@pytest.mark.parametrize(("policy", "total", "base", "grade"), [
    # mean of 23 and 332/19 = 769/38 = 20.2368…; rates B: mean(1, 2/3) = 5/6 ≥ 0.8 → 优秀
    ("mean", 20.24, 18.24, "优秀"),
    ("latest", 17.47, 15.47, "良好"),  # the June inspection
    ("min", 17.47, 15.47, "良好"),
])
def test_repeat_policies(tmp_path: Path, policy: str, total: float, base: float, grade: str) -> None:
    res = score_records(tmp_path, [
        record("一社区", "甲院", "2023-06-01", **EXAMPLE),
        record("一社区", "甲院", "2023-03-01"),
    ], mini(repeat=policy))
    y = yard(res, "甲院")
    assert (y["inspections"], y["total"], y["base"], y["grade"]) == (2, total, base, grade)


def test_latest_breaks_date_ties_by_row_order(tmp_path: Path) -> None:
    res = score_records(tmp_path, [
        record("一社区", "甲院", "2023-03-01"),
        record("一社区", "甲院", "2023-03-01", **EXAMPLE),
    ], mini(repeat="latest"))
    assert yard(res, "甲院")["total"] == 17.47


def rounding_standard(**changes: object) -> dict[str, object]:
    """scale 100: P1 a 0–60 score in steps of 0.001, P2 a 40-point item that may be N/A."""
    data = mini(scale=100, bonus={"cap": 0, "items": []}, vetoes=[], grades=[
        {"name": "合格", "min": 90.01, "pass": True}, {"name": "不合格", "min": 0, "pass": False}],
        categories=[{"id": "P", "name": "测试", "items": [
            {"id": "P1", "name": "打分", "type": "scale", "points": 60, "step": 0.001},
            {"id": "P2", "name": "可不适用", "type": "check", "points": 40, "na": True}]}])
    data.update(changes)
    return data


def test_half_up_on_exact_value(tmp_path: Path) -> None:
    # 100 × 54.003 / 60 = 90.005 exactly; the float nearest 90.005 lies below it (round gives 90.0).
    assert round(90.005, 2) == 90.0
    res = score_records(tmp_path, [
        {"社区": "一社区", "楼院": "甲院", "检查日期": "2023-03-01", "P1": "54.003", "P2": "不适用"}],
        rounding_standard(), columns=["P1", "P2"])
    y = yard(res, "甲院")
    assert (y["total"], y["grade"]) == (90.01, "合格")


def test_half_up_on_mean_of_inspections(tmp_path: Path) -> None:
    # mean(90.00, 90.01) = 90.005 → 90.01 (both rows: P1 + P2 out of 100).
    res = score_records(tmp_path, [
        {"社区": "一社区", "楼院": "甲院", "检查日期": "2023-03-01", "P1": "50", "P2": "是"},
        {"社区": "一社区", "楼院": "甲院", "检查日期": "2023-04-01", "P1": "50.01", "P2": "是"}],
        rounding_standard(), columns=["P1", "P2"])
    assert yard(res, "甲院")["total"] == 90.01


def second_version() -> dict[str, object]:
    """Version 2 from 2023-07-01: A1 worth 2 instead of 4, new check item A4 worth 2."""
    v2 = mini(version="2", effective_from="2023-07-01")
    items = v2["categories"][0]["items"]
    items[0] = {**items[0], "points": 2}
    items.append({"id": "A4", "name": "单元牌", "type": "check", "points": 2})
    return v2


def test_two_versions_in_one_sheet(tmp_path: Path) -> None:
    columns = ["A4", *MINI_COLUMNS_NO_VETO, "V1", "V2", "V3"]
    res = score_records(tmp_path, [
        record("一社区", "甲院", "2023-03-01", A1="否"),        # v1: 17/21 → 17 + 2 = 19; A4 blank ignored
        record("一社区", "乙院", "2023-08-01", A1="否", A4="是"),  # v2: 19/21 → 19 + 2 = 21
    ], MINI, second_version(), columns=columns)
    assert (yard(res, "甲院")["total"], yard(res, "乙院")["total"]) == (19.0, 21.0)
    assert yard(res, "乙院")["items"]["A1"] == {
        "earned": 0.0, "possible": 2.0, "value": "否", "cells": [f"{tmp_path / 'in.csv'} › E3"],
        "values": ["否"], "earned_each": [0.0]}
    assert "A4" not in yard(res, "甲院")["items"]
    assert [v["version"] for v in res["criteria"]["versions"]] == ["1", "2"]


MINI_COLUMNS_NO_VETO = ["A1", "A2", "A3", "B1", "B2", "B3", "B4", "X1", "X2"]


def test_forced_version_scores_everything_by_it(tmp_path: Path) -> None:
    columns = ["A4", *MINI_COLUMNS_NO_VETO, "V1", "V2", "V3"]
    res = score_records(tmp_path, [record("一社区", "甲院", "2023-03-01", A1="否", A4="是")],
                        MINI, second_version(), columns=columns, version="2")
    assert yard(res, "甲院")["total"] == 21.0


def test_missing_column_for_the_rows_version(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError) as info:
        score_records(tmp_path, [record("一社区", "乙院", "2023-08-01")], MINI, second_version())
    assert [(i.code, i.item, i.message) for i in info.value.issues] == [
        ("E113", "A4", "该行使用 2 版标准，但表中没有项目“A4 单元牌”对应的列")]


def test_period_spanning_two_years_asks_for_period(tmp_path: Path) -> None:
    records = [record("一社区", "甲院", "2023-03-01"), record("一社区", "甲院", "2022-12-20")]
    old = mini(version="0", effective_from="2022-01-01")
    with pytest.raises(UsageError) as info:
        score_records(tmp_path, records, old, MINI)
    assert info.value.message == (
        "检查日期跨越 2 个年度（2022年、2023年），请用 --period 指定考核期，例如 --period 2023")
    res = score_records(tmp_path, records, old, MINI, period="2023")
    assert yard(res, "甲院")["inspections"] == 1
    assert [(i["code"], i["message"]) for i in res["issues"]] == [
        ("W202", "1 行检查记录的日期不在考核期 2023 内，未参与本次评分")]


def test_quarter_period(tmp_path: Path) -> None:
    records = [record("一社区", "甲院", "2023-03-31", A1="否"), record("一社区", "甲院", "2023-04-01")]
    res = score_records(tmp_path, records, period="2023Q2")
    assert (res["period"], yard(res, "甲院")["total"]) == ("2023Q2", 23.0)


def test_date_before_first_version(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError) as info:
        score_records(tmp_path, [record("一社区", "甲院", "2022-12-01")], period="2022")
    assert [(i.code, i.cell, i.message) for i in info.value.issues] == [
        ("E134", "C2", "一社区 甲院 2022-12-01：检查日期 2022-12-01 早于考核标准最早版本的生效日期 2023-01-01，"
                       "没有可用的标准版本")]


def test_group_sums_are_exact_over_a_common_denominator_and_without_one() -> None:
    num, den, ids = np.array([1, 2, 3, 5, 7]), np.array([3, 6, 3, 7, 9]), np.array([0, 0, 2, 2, 2])
    assert group_sums(num, den, ids, 3) == {0: Fraction(2, 3), 2: Fraction(1) + Fraction(5, 7) + Fraction(7, 9)}
    # too big for int64 over the common denominator 15: summed per denominator as Fractions
    big = 2**61 + 1
    got = group_sums(np.array([big, big, 1]), np.array([3, 5, 3]), np.array([1, 1, 1]), 2)
    assert got == {1: Fraction(big + 1, 3) + Fraction(big, 5)}
    assert group_sums(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), 2) == {}

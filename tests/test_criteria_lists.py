"""The publication rules section (`lists`, docs/design.md §9) on the criteria side, and criteria
positions in the office's words."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from scoring.criteria.diff import diff
from scoring.criteria.locations import describe
from scoring.criteria.model import Lists
from scoring.criteria.standard import load_standard
from scoring.errors import InvalidCriteriaError
from tests.helpers import MINI, criteria_dir, mini


def test_lists_default_to_section_9() -> None:
    crit = load_standard(workspace=None).latest
    assert crit.lists == Lists(red_top=10, red_min_total=None, red_min_grade=None, black_bottom=10,
                               black_max_total=None, black_include_disqualified=True)


def test_lists_read_validated_and_diffed(tmp_path: Path) -> None:
    v2 = mini(version="2", effective_from="2024-01-01")
    v2["lists"] = {"red": {"top": 5, "min_total": 18.5, "min_grade": "良好"},
                   "black": {"bottom": 3, "max_total": None, "include_disqualified": False}}
    standard = load_standard(criteria_dir(tmp_path, MINI, v2))
    assert standard.latest.lists == Lists(5, Decimal("18.5"), "良好", 3, None, False)
    [change] = diff(*standard.versions).settings
    assert (change.field, change.before["红榜名额："], change.after["红榜名额："],
            change.after["黑榜包含取消评选资格："]) == ("lists", "10", "5", "否")


def test_lists_problems(tmp_path: Path) -> None:
    v = mini()
    v["lists"] = {"red": {"top": -1, "min_grade": "特等"}, "black": {"botom": 3}}
    with pytest.raises(InvalidCriteriaError) as raised:
        load_standard(criteria_dir(tmp_path, v))
    assert [(i.code, i.where, i.message) for i in raised.value.issues] == [
        ("C010", "公示规则 › 黑榜 › botom", "不符合考核标准格式：未知字段“botom”，是否应为“bottom”？"),
        ("C010", "公示规则 › 红榜 › 红榜名额", "不符合考核标准格式：取值 -1 不符合要求：应 ≥ 0"),
    ]
    v["lists"] = {"red": {"min_grade": "特等"}}
    with pytest.raises(InvalidCriteriaError) as raised:
        load_standard(criteria_dir(tmp_path / "b", v))
    assert [(i.code, i.where, i.message) for i in raised.value.issues] == [
        ("C026", "公示规则 › 红榜 › 最低等级", "引用了不存在的等级“特等”")]


@pytest.mark.parametrize(("path", "where"), [
    ("$.categories[0].items[2].choices.好", "分类 环境 › 项目 A3 › 选项“好”"),
    ("$.categories[1].items[3].basis[0].ref", "分类 法治 › 项目 B4 › 法律依据"),
    ("$.bonus.items[1].per_unit", "加分项 X2 › 每处扣分"),
    ("$.bonus.cap", "加分项 › 加分上限"),
    ("$.grades[0].requires[0]", "等级 优秀 › 须满分项目“A1”"),
    ("$.grades[0].min_rates.B", "等级 优秀 › 分类得分率（B）"),
    ("$.vetoes[1].grade", "否决项 V2 › 限定等级"),
    ("$.scale", "满分"),
    ("$", "考核标准"),
    ("$.categories[9].items[0]", "分类第 10 项 › 项目第 1 项"),
])
def test_positions_in_the_office_words(path: str, where: str) -> None:
    assert describe(MINI, path) == where


def test_criteria_show_says_the_publication_rules(tmp_path: Path) -> None:
    from scoring.cli.criteria_cmd import lists_text

    assert lists_text(load_standard(workspace=None).latest) == (
        "公示规则：红榜：前 10 名（并列的一并上榜）；黑榜：后 10 名（并列的一并上榜），或取消评选资格")
    v = mini()
    v["lists"] = {"red": {"top": 3, "min_total": 18, "min_grade": "良好"},
                  "black": {"max_total": 10, "include_disqualified": False}}
    assert lists_text(load_standard(criteria_dir(tmp_path, v)).latest) == (
        "公示规则：红榜：前 3 名（并列的一并上榜），且总分不低于 18，且等级不低于良好；"
        "黑榜：后 10 名（并列的一并上榜），或总分低于 10")

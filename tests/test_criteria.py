"""Criteria and register loading: strict JSON, schema errors with JSON paths, semantic checks."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from scoring.criteria import load_standard
from scoring.errors import InvalidCriteriaError
from tests.helpers import MINI, criteria_dir, mini


def problems(folder: Path) -> list[tuple[str, str | None, str]]:
    with pytest.raises(InvalidCriteriaError) as info:
        load_standard(folder)
    return [(i.code, i.path, i.message) for i in info.value.issues]


def write_raw(tmp: Path, data: bytes) -> Path:
    folder = criteria_dir(tmp)
    (folder / "1.json").write_bytes(data)
    return folder


def test_bundled_standard_loads() -> None:
    standard = load_standard()
    assert [v.version for v in standard.versions] == ["2022.1", "2023.1"]
    old, new = standard.versions
    assert len(old.items) >= 30 and len(old.categories) >= 6
    law = {c.id: c for c in new.categories}["LAW"]
    assert law.rule_of_law and all(i.basis for i in law.items)
    assert {c.id: c for c in old.categories}["LAW"].points < law.points
    assert {i.type for i in new.all_items} == {"check", "scale", "choice", "deduct", "count"}
    assert {v.effect for v in new.vetoes} == {"disqualify", "cap_grade", "zero_category"}
    assert len(standard.register.regulations) >= 20


def test_the_shipped_schemas_are_valid_2020_12_schemas() -> None:
    from jsonschema import Draft202012Validator

    from scoring.criteria.resources import schema_path

    for name in ("criteria", "regulations"):
        Draft202012Validator.check_schema(json.loads(schema_path(name).read_text(encoding="utf-8")))


def test_bom_is_accepted(tmp_path: Path) -> None:
    data = b"\xef\xbb\xbf" + json.dumps(MINI, ensure_ascii=False).encode()
    assert load_standard(write_raw(tmp_path, data)).latest.version == "1"


def test_gbk_is_refused_with_advice(tmp_path: Path) -> None:
    folder = write_raw(tmp_path, json.dumps(MINI, ensure_ascii=False).encode("gbk"))
    assert problems(folder) == [
        ("C002", None, "文件不是 UTF-8 编码（可能是 GBK/ANSI）。请用记事本或 WPS 另存为“UTF-8”编码后重试")]


def test_nan_is_refused(tmp_path: Path) -> None:
    text = json.dumps(MINI).replace('"scale": 21', '"scale": NaN')
    assert problems(write_raw(tmp_path, text.encode())) == [
        ("C004", None, "出现非法数值 NaN：考核标准中的分值必须是普通数字")]


def test_duplicate_keys_are_refused(tmp_path: Path) -> None:
    text = json.dumps(MINI).replace('"scale": 21', '"scale": 21, "scale": 22')
    assert problems(write_raw(tmp_path, text.encode())) == [
        ("C005", None, "同一对象中键“scale”出现了两次，请删除重复的一项")]


def test_smart_quotes_are_explained(tmp_path: Path) -> None:
    text = json.dumps(MINI, ensure_ascii=False).replace('"title"', "“title”")
    ((code, _, message),) = problems(write_raw(tmp_path, text.encode()))
    assert code == "C003"
    assert message.endswith("此处是中文左引号““”，JSON 的引号和标点必须是英文半角")


def test_every_schema_error_with_its_path(tmp_path: Path) -> None:
    data: dict[str, Any] = copy.deepcopy(MINI)
    item = data["categories"][0]["items"][1]
    item["pionts"] = item.pop("points")
    data["categories"][1]["items"][0]["type"] = "deduction"
    data["effective_from"] = "2023/01/01"
    assert problems(criteria_dir(tmp_path, data)) == [
        ("C010", "$.categories[0].items[1]", "不符合考核标准格式：缺少必填字段“points”"),
        ("C010", "$.categories[0].items[1].pionts",
         "不符合考核标准格式：未知字段“pionts”，是否应为“points”？"),
        ("C010", "$.categories[1].items[0].type",
         "不符合考核标准格式：取值“deduction”无效，可选：check、scale、choice、deduct、count"),
        ("C010", "$.effective_from", "不符合考核标准格式：日期“2023/01/01”格式不对，应为 YYYY-MM-DD"),
    ]


def test_semantic_checks(tmp_path: Path) -> None:
    data: dict[str, Any] = copy.deepcopy(MINI)
    a_items = data["categories"][0]["items"]
    a_items[1]["step"] = 2  # 3 is not a multiple of 2
    a_items[2]["choices"]["好"] = 4  # more than the item's 3 points
    data["categories"][1]["items"][0]["id"] = "A1"  # duplicate id
    data["categories"][1]["items"][3]["basis"] = [{"ref": "no-such-law"}]
    data["grades"][1]["min"] = 20  # not below 优秀's 18
    data["grades"][0]["requires"] = ["Z9"]
    data["vetoes"][1]["grade"] = "特等"
    data["vetoes"][2]["category"] = "Q"
    data["grades"][-1]["min"] = 1
    data["scale"] = 20
    assert problems(criteria_dir(tmp_path, data)) == [
        ("C020", "$.categories[1].items[0].id", "编号“A1”在本版本中重复出现"),
        ("C021", "$.scale", "各类别分值合计为 21 分，与满分 scale=20 不一致"),
        ("C023", "$.categories[0].items[1].step", "步长 step=2 不能整除该项分值 3"),
        ("C022", "$.categories[0].items[2].choices.好", "选项“好”的分值 4 超出 0 至 3 分的范围"),
        ("C026", "$.grades[0].requires[0]", "引用了不存在的项目“Z9”"),
        ("C024", "$.grades[1].min", "等级须按分数线从高到低严格递减：“良好”的 20 分不低于上一等级的 18 分"),
        ("C025", "$.grades[3].min", "最后一个等级的分数线必须为 0（现为 1）"),
        ("C026", "$.vetoes[1].grade", "引用了不存在的等级“特等”"),
        ("C026", "$.vetoes[2].category", "引用了不存在的类别“Q”"),
        ("C240", "$.categories[1].items[3].basis[0].ref",
         "法律依据“no-such-law”不在法规库中。可用 score regulations list 查看法规库；新法规请先加入法规库"
         "（score regulations export 导出、填写后 score regulations import 导入）"),
    ]


def test_count_conditions_must_reach_the_points(tmp_path: Path) -> None:
    # B2 (信息公示): 3 points, 1 per condition, but only two conditions listed: never full marks.
    data = copy.deepcopy(MINI)
    data["categories"][1]["items"][1]["conditions"] = ["甲", "乙"]
    assert problems(criteria_dir(tmp_path, data)) == [
        ("C030", "$.categories[1].items[1].conditions",
         "计数项列出的条件只有 2 项，按每项分值需要 3 项才能得满分：请增加条件，或提高每项分值")]


def test_a_version_file_is_named_by_its_version(tmp_path: Path) -> None:
    folder = criteria_dir(tmp_path, MINI)
    (folder / "1.json").rename(folder / "2023.json")
    assert problems(folder) == [
        ("C033", "$.version", "文件名 2023.json 与其中的版本号 1 不一致：请把文件改名为 1.json")]


def test_versions_need_distinct_dates(tmp_path: Path) -> None:
    folder = criteria_dir(tmp_path, MINI, mini(version="2"))
    ((code, path, message),) = problems(folder)
    assert (code, path) == ("C028", "$.effective_from")
    assert message == "版本 2 与版本 1 的生效日期都是 2023-01-01，同一标准的各版本生效日期不得相同"


def test_version_in_force_by_date() -> None:
    from datetime import date

    standard = load_standard()
    assert standard.in_force(date(2021, 12, 31)) is None
    assert standard.in_force(date(2022, 12, 31)).version == "2022.1"  # type: ignore[union-attr]
    assert standard.in_force(date(2023, 1, 1)).version == "2023.1"  # type: ignore[union-attr]


def test_register_checks(tmp_path: Path) -> None:
    folder = criteria_dir(tmp_path, MINI)
    register = tmp_path / "criteria" / "regulations.json"
    data = json.loads(register.read_text(encoding="utf-8"))
    data["regulations"][0]["effective"] = "1980-01-01"  # before adoption 1982-12-04
    data["regulations"][2]["repealed"]["by"] = "nothing"
    data["regulations"].append(dict(data["regulations"][1]))
    register.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert problems(folder) == [
        ("C041", "$.regulations[0].effective", "法规“constitution”的日期前后矛盾：施行日期早于通过日期"),
        ("C042", "$.regulations[2].repealed.by", "法规“property-law”被 repealed.by 指向的“nothing”不在法规库中"),
        ("C040", f"$.regulations[{len(data['regulations']) - 1}].id", "法规编号“civil-code”重复"),
    ]


def test_bundled_register_has_real_dates() -> None:
    register = load_standard().register
    property_law = register.get("property-law")
    assert (str(property_law.repealed_on), property_law.repealed_by) == ("2021-01-01", "civil-code")
    assert str(register.get("civil-code").effective) == "2021-01-01"
    amended = register.get("public-security-penalties-law").amendments[-1]
    assert (str(amended.adopted), str(amended.effective)) == ("2025-06-27", "2026-01-01")

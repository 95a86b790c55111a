"""Test helpers: build criteria folders and inspection files in a temporary directory."""

from __future__ import annotations

import copy
import csv
import json
import shutil
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from scoring.criteria.resources import bundled_root
from scoring.engine.results import Results
from scoring.outputs.results_json import results_dict
from scoring.pipeline import run

# What every command that needs criteria says first when it falls back to the bundled example.
BUNDLED_NOTE = "考核标准：内置示例标准（未找到工作区；用 score init 建立工作区后可修改标准）\n"

# A small standard whose figures are easy to compute by hand: scale 21, two categories.
MINI: dict[str, Any] = {
    "schema_version": 1,
    "id": "mini",
    "title": "测试标准",
    "version": "1",
    "effective_from": "2023-01-01",
    "scale": 21,
    "categories": [
        {"id": "A", "name": "环境", "items": [
            {"id": "A1", "name": "名牌齐全", "type": "check", "points": 4},
            {"id": "A2", "name": "地面平整", "type": "scale", "points": 3},
            {"id": "A3", "name": "绿化", "type": "choice", "points": 3,
             "choices": {"好": 3, "中": 1.5, "差": 0}},
        ]},
        {"id": "B", "name": "法治", "tags": ["rule_of_law"], "items": [
            {"id": "B1", "name": "杂物堆放", "type": "deduct", "points": 5, "per_unit": 2},
            {"id": "B2", "name": "信息公示", "type": "count", "points": 3, "per_unit": 1,
             "conditions": ["甲", "乙", "丙", "丁"]},
            {"id": "B3", "name": "电梯标识", "type": "check", "points": 2, "na": True},
            {"id": "B4", "name": "消防设施", "type": "check", "points": 1, "exempt": True,
             "basis": [{"ref": "fire-protection-law", "article": "第十六条"}]},
        ]},
    ],
    "bonus": {"cap": 2, "items": [
        {"id": "X1", "name": "获得荣誉", "type": "check", "points": 1.5},
        {"id": "X2", "name": "媒体报道", "type": "count", "points": 3, "per_unit": 1},
    ]},
    "vetoes": [
        {"id": "V1", "name": "重大事故", "effect": "disqualify"},
        {"id": "V2", "name": "群体事件", "effect": "cap_grade", "grade": "合格"},
        {"id": "V3", "name": "安全事故", "effect": "zero_category", "category": "B"},
    ],
    "grades": [
        {"name": "优秀", "min": 18, "pass": True, "requires": ["A1"], "min_rates": {"B": 0.8}},
        {"name": "良好", "min": 15, "pass": True},
        {"name": "合格", "min": 10, "pass": True},
        {"name": "不合格", "min": 0, "pass": False},
    ],
    "repeat": "mean",
}
MINI_COLUMNS = ["A1", "A2", "A3", "B1", "B2", "B3", "B4", "X1", "X2", "V1", "V2", "V3"]
# A row earning everything: A 10/10, B 11/11, bonus capped at 2 → 23.
FULL = {"A1": "是", "A2": 3, "A3": "好", "B1": 0, "B2": 4, "B3": "是", "B4": "是",
        "X1": "是", "X2": 3}


def mini(**changes: Any) -> dict[str, Any]:
    """A copy of MINI with top-level fields replaced."""
    data = copy.deepcopy(MINI)
    data.update(changes)
    return data


def _number(value: Any) -> float:
    """Decimals as JSON numbers (their shortest float repr is the same decimal)."""
    if isinstance(value, Decimal):
        return float(value)
    raise TypeError(value)


def criteria_dir(tmp: Path, *versions: dict[str, Any], name: str = "mini") -> Path:
    """Write versions into tmp/criteria/<name>/ beside a copy of the bundled register."""
    root = tmp / "criteria"
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(bundled_root() / "regulations.json", root / "regulations.json")
    for v in versions:
        text = json.dumps(v, ensure_ascii=False, default=_number)
        (folder / f"{v['version']}.json").write_text(text, encoding="utf-8")
    return folder


def rows_for(records: list[dict[str, Any]], columns: list[str] | None = None) -> list[list[Any]]:
    """Header + rows from records with keys 社区, 楼院, 检查日期 and item ids."""
    columns = columns or MINI_COLUMNS
    header = ["社区", "楼院", "检查日期", *columns]
    return [header] + [[r.get(h) for h in header] for r in records]


def write_xlsx(path: Path, rows: list[list[Any]], sheet: str = "检查记录",
               title: str | None = None) -> Path:
    """An xlsx with one sheet: an optional title row, then `rows`."""
    book = Workbook()
    ws = book.active
    ws.title = sheet
    if title:
        ws.append([title])
    for row in rows:
        ws.append(row)
    book.save(path)
    return path


def write_csv(path: Path, rows: list[list[Any]], encoding: str = "utf-8") -> Path:
    """A CSV file of `rows`."""
    with path.open("w", encoding=encoding, newline="") as handle:
        csv.writer(handle).writerows([["" if v is None else v for v in row] for row in rows])
    return path


def record(community: str, yard: str, day: str, **values: Any) -> dict[str, Any]:
    """A full-marks inspection record with some values replaced."""
    return {"社区": community, "楼院": yard, "检查日期": day, **FULL, **values}


def score_results(tmp: Path, records: list[dict[str, Any]], *versions: dict[str, Any],
                  columns: list[str] | None = None, **options: Any) -> Results:
    """Run the pipeline on a CSV of `records` and return the typed results."""
    folder = criteria_dir(tmp, *(versions or (MINI,)))
    path = write_csv(tmp / "in.csv", rows_for(records, columns))
    return run([path], criteria=folder, **options)


def score_records(tmp: Path, records: list[dict[str, Any]], *versions: dict[str, Any],
                  columns: list[str] | None = None, **options: Any) -> dict[str, Any]:
    """Run the pipeline on a CSV of `records` and return the results.json document."""
    return results_dict(score_results(tmp, records, *versions, columns=columns, **options))


def yard(results: dict[str, Any], name: str) -> dict[str, Any]:
    """The courtyard entry called `name`."""
    return next(y for y in results["courtyards"] if y["courtyard"] == name)

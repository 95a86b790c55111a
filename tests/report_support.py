"""Shared by the report tests of issue 16 (test_hostile_report.py, test_hostile_packages.py): names
holding every character the issue names, and a run of them (`hostile`, a fixture registered in
tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.helpers import MINI, MINI_COLUMNS, criteria_dir, record, rows_for, write_csv
from tests.test_cli import invoke

# Each character the issue names, in a community name (and its courtyard's).
NAMES = ["甲|乙", "丙｜丁", "星*号", "下_划", "反`引", "[x](javascript:alert(1))", "<script>alert(1)</script>",
         "反\\斜", "方[括]号", "大于>号"]
ITEM = "名牌<b>|齐全*_`[x]\\"  # an item name from the criteria
NOTE = "门口<杂物>|*堆放_[见](javascript:x)"
SHOWN = [n.replace("｜", "|") for n in NAMES]  # the reader folds full-width forms (NFKC)
HEADER = ["名次", "社区", "楼院数", "平均分", "达标率", "法治建设得分率"]


def hostile_criteria(tmp: Path) -> Path:
    standard: dict[str, Any] = {**MINI, "categories": [dict(c) for c in MINI["categories"]]}
    items = [dict(i) for i in standard["categories"][0]["items"]]
    items[0]["name"] = ITEM
    standard["categories"][0]["items"] = items
    return criteria_dir(tmp, standard)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("hostile")
    folder = hostile_criteria(root)
    records = [record(n, f"{n}院", "2023-03-01", A1="否", 扣分原因=NOTE) for n in NAMES]
    data = write_csv(root / "检查记录.csv", rows_for(records, [*MINI_COLUMNS, "扣分原因"]))
    code, _, err = invoke("run", str(data), "--criteria", str(folder), "--out", str(root / "out"))
    assert code == 0, err
    return {"root": root, "criteria": folder, "out": root / "out"}


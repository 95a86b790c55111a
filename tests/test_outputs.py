"""results.json fields and the ranking workbook, reloaded and compared by value."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from scoring.errors import OutputError
from scoring.outputs.staging import write_all
from scoring.outputs.xlsx import sheet_name
from tests.helpers import MINI, criteria_dir, record, rows_for, write_csv
from tests.test_cli import SAMPLE, invoke


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], Path]:
    out = tmp_path_factory.mktemp("run")
    code, _, err = invoke("run", str(SAMPLE), "--out", str(out))
    assert code == 0, err
    return json.loads((out / "results.json").read_text(encoding="utf-8")), out


def test_results_fields_are_exactly_the_contract(sample_run: tuple[dict[str, Any], Path]) -> None:
    res, _ = sample_run
    assert list(res) == ["schema_version", "criteria", "inputs", "period", "courtyards",
                         "communities", "issues", "unscored", "lists"]
    assert list(res["criteria"]) == ["id", "title", "versions"]
    assert list(res["criteria"]["versions"][0]) == ["version", "effective_from", "sha256"]
    assert list(res["inputs"][0]) == ["path", "sha256"]
    yard = res["courtyards"][0]
    assert list(yard) == ["community", "courtyard", "inspections", "dates", "version", "base", "bonus",
                          "total", "grade", "pass", "disqualified", "grade_reason", "vetoes", "veto_marks",
                          "notes", "scored_by", "rank", "rank_in_community", "rule_of_law_rate", "categories",
                          "items"]
    assert list(yard["categories"]["LAW"]) == ["earned", "possible", "rate"]
    assert list(yard["items"]["LAW-01"]) == ["earned", "possible", "value", "cells", "values", "earned_each"]
    assert list(res["communities"][0]) == ["community", "courtyards", "mean_total",
                                           "grade_counts", "pass_rate", "rule_of_law_rate", "rank"]
    assert res["period"] == "2023" and len(res["courtyards"]) == 48


def test_sample_shows_every_outcome(sample_run: tuple[dict[str, Any], Path]) -> None:
    res, _ = sample_run
    yards = res["courtyards"]
    assert {y["grade"] for y in yards} >= {"五星级", "四星级", "三星级", "合格", "不合格"}
    assert [y["vetoes"] for y in yards if y["disqualified"]] == [["VETO-01"]]
    assert any(y["inspections"] > 4 for y in yards)


def test_user_text_is_never_a_formula_or_link(tmp_path: Path) -> None:
    folder = criteria_dir(tmp_path, MINI)
    names = ["=HYPERLINK(\"http://x\",\"点我\")", "@SUM(1)", "+1", "-1+2", "{=1+1}", "http://example.com"]
    records = [record("一社区", name, "2023-03-01") for name in names]
    records.append(record("一社区", "错误院", "2023-03-01", A1="#N/A"))
    data = write_csv(tmp_path / "in.csv", rows_for(records))
    code, _, err = invoke("run", str(data), "--criteria", str(folder), "--out", str(tmp_path / "o"),
                          "--lenient")
    assert code == 0, err
    book = load_workbook(tmp_path / "o" / "ranking.xlsx")
    ranked = list(book["楼院排名"].iter_rows(min_row=2, values_only=True))
    assert sorted(r[2] for r in ranked) == sorted([*names, "错误院"])
    assert [r[0] for r in ranked if r[2] == "错误院"] == ["未评分"]  # its only row had an error
    with zipfile.ZipFile(tmp_path / "o" / "ranking.xlsx") as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        xml = "".join(z.read(n).decode() for n in sheets)
        assert "<f>" not in xml and "<hyperlink" not in xml and 't="e"' not in xml
        assert not any("hyperlink" in n for n in z.namelist())


def test_sheet_names_are_sanitised() -> None:
    taken: set[str] = set()
    assert sheet_name("a/b[c]:d*e?f\\g", taken) == "a_b_c__d_e_f_g"
    assert sheet_name("很" * 40, taken) == "很" * 31
    assert sheet_name("很" * 40, taken) == "很" * 28 + "(2)"


def test_second_output_failing_leaves_earlier_outputs(tmp_path: Path) -> None:
    out = tmp_path / "o"
    out.mkdir()
    (out / "a.txt").write_text("old a", encoding="utf-8")

    def fail(path: Path) -> None:
        raise PermissionError(13, "denied")

    with pytest.raises(OutputError):
        write_all(out, {"a.txt": lambda p: p.write_text("new a", encoding="utf-8"), "b.txt": fail})
    assert [p.name for p in out.iterdir()] == ["a.txt"]
    assert (out / "a.txt").read_text(encoding="utf-8") == "old a"
    assert [p.name for p in tmp_path.iterdir()] == ["o"]

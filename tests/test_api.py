"""The front door (docs/design.md §10): `import scoring`, a DataFrame scored without files, outputs
written by the library, and the typed document that round-trips results.json byte for byte."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pandas as pd
import pytest

import scoring
from scoring.engine.results import Results
from scoring.outputs import results_json
from tests.helpers import MINI, criteria_dir, record, rows_for

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "inspections.xlsx"


def frame(records: list[dict[str, object]]) -> pd.DataFrame:
    header, *rows = rows_for(records)
    return pd.DataFrame(rows, columns=header)


def test_the_public_names() -> None:
    assert scoring.__all__ == [
        "__version__", "load_standard", "score", "write_outputs",
        "Results", "CourtyardScore", "CommunityScore", "CategoryScore", "ItemScore", "Standard", "Issue",
        "ScoreError", "InvalidInputError", "InvalidCriteriaError", "UsageError", "OutputError"]
    assert scoring.Results is Results
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        _ = scoring.nothing  # type: ignore[attr-defined]


def test_a_dataframe_is_scored_without_files(tmp_path: Path) -> None:
    std = scoring.load_standard(criteria_dir(tmp_path, MINI))
    df = frame([record("一社区", "甲院", "2023-03-01", A1="否"),
                record("一社区", "乙院", "2023-03-01"),
                record("二社区", "丙院", "2023-03-01", A2=1.5, B1=1)])
    df["检查日期"] = pd.to_datetime(df["检查日期"])  # Timestamps, as pandas reads dates
    res = scoring.score(df, std)
    # 乙院 23 (all full, bonus capped at 2); 甲院 A1 否: 17/21·21 + 2 = 19, and 优秀 requires A1 →
    # 良好; 丙院 A2 1.5 (A 8.5/10), B1 1 处 (B 9/11 = 81.8% ≥ 80%): 17.5 + 2 = 19.5 → 优秀.
    assert [(y.courtyard, y.total, y.grade, y.rank) for y in res.courtyards] == [
        ("乙院", Decimal("23.00"), "优秀", 1), ("丙院", Decimal("19.50"), "优秀", 2),
        ("甲院", Decimal("19.00"), "良好", 3)]
    assert [(c.community, c.mean_total, c.rank) for c in res.communities] == [
        ("一社区", Decimal("21.00"), 1), ("二社区", Decimal("19.50"), 2)]
    assert res.period.label == "2023" and res.inputs[0].path == "数据表1"
    assert res.courtyards[1].items["A2"].cells == ["数据表1 › E4"]
    assert res.courtyards[1].categories["B"].rate == Fraction(9, 11)
    assert res.courtyards[2].categories["A"].rate == Fraction(6, 10)


def test_a_bad_dataframe_raises_the_issue_list(tmp_path: Path) -> None:
    std = scoring.load_standard(criteria_dir(tmp_path, MINI))
    df = frame([record("一社区", "甲院", "2023-03-01", A1="可以")])
    with pytest.raises(scoring.InvalidInputError) as caught:
        scoring.score(df, std)
    (issue,) = caught.value.issues
    assert (issue.code, issue.file, issue.cell, issue.item) == ("E120", "数据表1", "D2", "A1")


def test_library_outputs_and_exact_round_trip(tmp_path: Path) -> None:
    std = scoring.load_standard()
    res = scoring.score([SAMPLE], std, period="2023")
    written = scoring.write_outputs(res, tmp_path / "out")
    assert [p.name for p in written] == ["results.json", "ranking.xlsx", "report.md", "report.docx"]
    text = (tmp_path / "out" / "results.json").read_text(encoding="utf-8")
    assert res.dump() == text
    same = scoring.Results.load(tmp_path / "out" / "results.json", std)
    assert same.dump() == text
    a, b = res.courtyards[0], same.courtyards[0]
    assert (b.total, b.base, b.bonus, b.grade, b.version, b.grade_reason) == (
        a.total, a.base, a.bonus, a.grade, a.version, a.grade_reason)
    assert [c.version for c in same.versions] == ["2023.1"]
    # The report from the loaded document says the same as the one from the run.
    from scoring.report.section import build_section
    assert build_section(same, std).markdown == (tmp_path / "out" / "report.md").read_text(encoding="utf-8")


def test_compact_results_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A city's results.json is compact (over INDENT_UP_TO courtyards); it reads back the same.
    monkeypatch.setattr(results_json, "INDENT_UP_TO", 3)
    std = scoring.load_standard()
    res = scoring.score([SAMPLE], std)
    res.save(tmp_path / "results.json")
    text = (tmp_path / "results.json").read_text(encoding="utf-8")
    assert text.startswith('{"schema_version":2,"criteria":{"id":') and "\n" not in text[:-1]
    assert Results.load(tmp_path / "results.json").dump() == text == res.dump()


def test_a_file_that_is_not_results(tmp_path: Path) -> None:
    bad = tmp_path / "r.json"
    base = ('{"schema_version": 2, "criteria": {"id": "x", "title": "t", "versions": [{"version": "1", '
            '"effective_from": "2023-01-01", "sha256": "0"}]}, "inputs": [], "period": "2023", ')
    cases = {
        '"courtyards": [{"community": "一社区"}], "communities": [], "issues": []}':
            "$.courtyards[0].courtyard 缺失",
        '"courtyards": [], "communities": [{"community": "一", "courtyards": 1, "mean_total": 1.0, '
        '"grade_counts": {"优秀": "x"}, "pass_rate": 1.0, "rule_of_law_rate": null, "rank": 1}], "issues": []}':
            "$.communities[0].grade_counts.优秀 的值 \"x\" 不对，应为不小于 0 的整数",
    }
    for tail, why in cases.items():
        bad.write_text(base + tail, encoding="utf-8")
        with pytest.raises(scoring.InvalidInputError) as caught:
            Results.load(bad)
        assert caught.value.message == f"{bad} 不是有效的评分结果文件（results.json）：{why}"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(scoring.InvalidInputError, match="JSON 格式错误（第 1 行第 2 列）"):
        Results.load(bad)


def test_malformed_elements_are_clear_errors(tmp_path: Path) -> None:
    # Every element of a list is checked: a wrong one is a message, never an internal error.
    res = scoring.score([SAMPLE], scoring.load_standard())
    good = json.loads(res.dump())
    edits = [(("courtyards", 0, "dates"), [1], "$.courtyards[0].dates 中的值 1 类型不对，应为文字"),
             (("courtyards", 0, "items", "ENV-01", "earned_each"), ["x"],
              "$.courtyards[0].items.ENV-01.earned_each 中的值 \"x\" 类型不对，应为数字"),
             (("courtyards", 0, "items", "ENV-01", "values"), [5],
              "$.courtyards[0].items.ENV-01.values 中的值 5 类型不对，应为文字"),
             (("criteria", "versions"), [], "$.criteria.versions 为空：没有记录评分所用的考核标准版本")]
    for path, value, why in edits:
        data = json.loads(json.dumps(good))
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
        (tmp_path / "r.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        with pytest.raises(scoring.InvalidInputError) as caught:
            Results.load(tmp_path / "r.json")
        assert caught.value.message.endswith(why)


def test_a_schema_1_file_still_reads(tmp_path: Path) -> None:
    # Last year's results.json, written before schema 2 added its fields, reads with them empty:
    # report --previous and compare keep working.
    std = scoring.load_standard()
    res = scoring.score([SAMPLE], std)
    data = json.loads(res.dump())
    data["schema_version"] = 1
    for key in ("unscored", "lists"):
        del data[key]
    for yard in data["courtyards"]:
        for key in ("dates", "version", "grade_reason", "veto_marks", "notes", "scored_by"):
            del yard[key]
        for item in yard["items"].values():
            del item["values"], item["earned_each"]
    for issue in data["issues"]:
        for key in ("community", "courtyard", "value", "expected"):
            del issue[key]
    (tmp_path / "old.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    old = Results.load(tmp_path / "old.json", std)
    first = old.courtyards[0]
    assert (old.schema_version, first.version, first.dates, old.lists) == (2, "2023.1", [], None)
    assert [y.total for y in old.courtyards] == [y.total for y in res.courtyards]
    from scoring.compare import compare
    from scoring.report.section import build_section

    assert compare(old, res).attribution == "两次评分使用相同的检查记录和考核标准，结果应当一致。"
    assert "与2023年相比，平均得分持平" in build_section(res, std, old).markdown


def test_import_scoring_and_help_start_light() -> None:
    # `import scoring`, `score --help`, every command's --help and `criteria list/show` never
    # import the heavy libraries (they are imported inside the commands that need them).
    heavy = ["pandas", "numpy", "openpyxl", "xlsxwriter", "docx", "jsonschema", "jinja2", "python_calamine"]
    program = f"""
import sys
import scoring
from typer.main import get_command
from scoring.cli.app import app
cli = get_command(app)
def walk(group, path):
    yield path
    for name, sub in getattr(group, "commands", {{}}).items():
        yield from walk(sub, path + [name])
for path in walk(cli, []):
    try:
        cli.main(path + ["--help"], prog_name="score", standalone_mode=False)
    except SystemExit:
        pass
for args in (["criteria", "list"], ["criteria", "show", "2023.1"], ["regulations", "list"]):
    try:
        cli.main(args, prog_name="score", standalone_mode=False)
    except SystemExit:
        pass
print("LOADED", [m for m in {heavy!r} if m in sys.modules])
"""
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert done.stdout.splitlines()[-1] == "LOADED []"


def test_results_without_their_standard_say_so(tmp_path: Path) -> None:
    from scoring.explain import explain

    res = scoring.score([SAMPLE], scoring.load_standard())
    res.save(tmp_path / "results.json")
    bare = Results.load(tmp_path / "results.json")  # no standard given
    with pytest.raises(scoring.UsageError, match=r"需要评分所用的考核标准（2023\.1 版）"):
        explain(bare, bare.courtyards[0].name)
    with pytest.raises(scoring.UsageError, match="写出结果需要评分所用的考核标准"):
        scoring.write_outputs(bare, tmp_path / "out")

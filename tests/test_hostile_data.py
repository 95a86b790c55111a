"""Issue 16 item 15 and the criteria/results parts of item 5: data never reaches an internal error.

Names holding characters no .xlsx/.docx can carry, criteria figures scoring cannot score exactly,
deeply nested or endless-digit JSON, malformed results.json, periods past the calendar, and
devices or FIFOs given as criteria, register or results: each ends in a result or a clear
Chinese message naming the file (exit 1, usage 2), never exit 70 and never an empty output folder.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from typer.testing import CliRunner

from scoring.cli.app import app
from scoring.criteria import load_standard
from scoring.criteria.jsonfile import parse_json
from scoring.engine.period import parse_period
from scoring.engine.results import Results
from scoring.errors import InvalidCriteriaError, InvalidInputError, UsageError
from scoring.exact import decimals_of
from scoring.pipeline import run
from tests.helpers import MINI, MINI_COLUMNS, criteria_dir, record, rows_for, write_csv
from tests.limited import run_limited
from tests.xlsx_builder import build_xlsx, sheet_xml

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output and "内部错误" not in result.output, result.output
    assert result.exit_code in (0, 1, 2), result.output
    return result.exit_code, result.output


def mini_text(tmp: Path, text: str) -> Path:
    """A criteria folder whose one version file holds `text` as is."""
    folder = criteria_dir(tmp)
    (folder / "1.json").write_text(text, encoding="utf-8")
    return folder


def mini_json() -> str:
    return json.dumps(MINI, ensure_ascii=False, default=float)


# Periods -------------------------------------------------------------------------------------------

def test_period_years_outside_the_calendar_are_usage_errors(tmp_path: Path) -> None:
    for text in ("0000", "1899Q4", "0001"):
        with pytest.raises(UsageError) as caught:
            parse_period(text)
        assert caught.value.message == f"考核期“{text}”超出范围：年份须在 1900 至 9999 之间"
    last = parse_period("9999Q4")
    assert (last.label, last.start, last.end) == ("9999Q4", date(9999, 10, 1), date(9999, 12, 31))
    assert parse_period("9999").end == date(9999, 12, 31)
    assert parse_period("2024Q1").end == date(2024, 3, 31)  # a leap year's quarter
    folder = criteria_dir(tmp_path, MINI)
    path = write_csv(tmp_path / "in.csv", rows_for([record("一社区", "甲院", "2023-03-01")]))
    code, out = invoke("run", str(path), "--criteria", str(folder), "--out", str(tmp_path / "o"), "--period", "0000")
    assert code == 2 and "考核期“0000”超出范围：年份须在 1900 至 9999 之间（E162）" in out
    code, out = invoke("run", str(path), "--criteria", str(folder), "--out", str(tmp_path / "o"), "--period", "9999Q4")
    assert code == 1 and "考核期 9999Q4 内没有检查记录（共 1 行均在考核期外）（E154）" in out
    assert not (tmp_path / "o").exists()


# Text no .xlsx or .docx can carry -------------------------------------------------------------------

ODD_COLUMNS = [*MINI_COLUMNS, "扣分原因"]


def test_unwritable_characters_in_names_values_and_notes_are_removed_with_a_warning(tmp_path: Path) -> None:
    folder = criteria_dir(tmp_path, MINI)
    records = [record("一社区\ufffe", "甲院", "2023-03-01", A3="好\uffff", 扣分原因="堆物\x01未清", V1="否\ufffe"),
               record("一社区\ufffe", "乙院\x02", "2023-03-02", A1="否"),
               record("二社区", "丙院", "2023-03-02")]
    path = write_csv(tmp_path / "in.csv", rows_for(records, ODD_COLUMNS))
    out = tmp_path / "o"
    code, text = invoke("run", str(path), "--criteria", str(folder), "--out", str(out))
    assert code == 0
    lines = [line for line in text.splitlines() if "W245" in line]
    assert lines == [
        f"提示 {path} › A2 一社区 甲院 2023-03-01：“一社区<U+FFFE>”中有无法保存到 Excel/Word 的不可见字符"
        "（U+FFFE），已删除，按“一社区”处理（本列另有 1 个单元格相同）（W245）",
        f"提示 {path} › B3 一社区 乙院 2023-03-02：“乙院<U+0002>”中有无法保存到 Excel/Word 的不可见字符"
        "（U+0002），已删除，按“乙院”处理（W245）",
        f"提示 {path} › F2 ［A3］一社区 甲院 2023-03-01：“好<U+FFFF>”中有无法保存到 Excel/Word 的不可见字符"
        "（U+FFFF），已删除，按“好”处理（W245）",
        f"提示 {path} › M2 ［V1］一社区 甲院 2023-03-01：“否<U+FFFE>”中有无法保存到 Excel/Word 的不可见字符"
        "（U+FFFE），已删除，按“否”处理（W245）",
        f"提示 {path} › P2 一社区 甲院 2023-03-01：“堆物<U+0001>未清”中有无法保存到 Excel/Word 的不可见字符"
        "（U+0001），已删除，按“堆物未清”处理（W245）",
    ]
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert sorted((y["community"], y["courtyard"], y["total"]) for y in results["courtyards"]) == [
        ("一社区", "乙院", 19.0), ("一社区", "甲院", 23.0), ("二社区", "丙院", 23.0)]
    assert sorted(p.name for p in out.iterdir()) == ["ranking.xlsx", "report.docx", "report.md", "results.json"]
    book = load_workbook(out / "ranking.xlsx", read_only=True)
    try:
        names = {c.value for ws in book.worksheets for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    finally:
        book.close()
    assert "一社区" in names and not any("\ufffe" in n or "\x01" in n for n in names)


def test_unwritable_characters_from_a_workbook(tmp_path: Path) -> None:
    # An .xlsx can carry them as raw characters, character references or _x0001_ escapes.
    rows = rows_for([record("一社区\ufffe", "甲院&#xFFFF;", "2023-03-01"),
                     record("二社区", "乙院_x0001_", "2023-03-02")])
    xml = sheet_xml(rows).replace("&amp;#xFFFF;", "&#xFFFF;")
    path = build_xlsx(tmp_path / "in.xlsx", [("检查记录", xml)])
    out = tmp_path / "o"
    code, text = invoke("run", str(path), "--criteria", str(criteria_dir(tmp_path, MINI)), "--out", str(out))
    assert code == 0
    assert [line.split("：“")[1].split("”")[0] for line in text.splitlines() if "W245" in line] == [
        "一社区<U+FFFE>", "甲院<U+FFFF>", "乙院<U+0001>"]
    assert f"提示 {path} › 检查记录!A2 一社区 甲院 2023-03-01：" in text
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    assert [(y["community"], y["courtyard"]) for y in results["courtyards"]] == [("一社区", "甲院"), ("二社区", "乙院")]


@pytest.mark.parametrize(("old", "new", "where", "shown", "chars"), [
    ("名牌齐全", "名牌\ufffe齐全", "分类 环境 › 项目 A1 › 名称", "名牌<U+FFFE>齐全", "U+FFFE"),
    ("名牌齐全", "名牌\\u0001齐全", "分类 环境 › 项目 A1 › 名称", "名牌<U+0001>齐全", "U+0001"),
    ("名牌齐全", "名牌\\ud800齐全", "分类 环境 › 项目 A1 › 名称", "名牌<U+D800>齐全", "U+D800"),
    ('"良好"', '"良\\uffff好"', "等级 良<U+FFFF>好 › 名称", "良<U+FFFF>好", "U+FFFF"),
    ('"法治"', '"法\\u001f治"', "分类 法<U+001F>治 › 名称", "法<U+001F>治", "U+001F"),
])
def test_criteria_names_that_no_output_can_carry_are_refused(tmp_path: Path, old: str, new: str, where: str,
                                                              shown: str, chars: str) -> None:
    folder = mini_text(tmp_path, mini_json().replace(old, new, 1))
    line = (f"错误 {folder / '1.json'} › {where} 文字“{shown}”中有无法保存到 Excel/Word 的不可见字符"
            f"（{chars}），请删除后重试（C203）")
    for args in (["criteria", "validate", str(folder)],
                 ["run", str(write_csv(tmp_path / "in.csv", rows_for([record("一社区", "甲院", "2023-03-01")]))),
                  "--criteria", str(folder), "--out", str(tmp_path / "o")]):
        code, text = invoke(*args)
        assert code == 1 and line in text.splitlines()
    assert not (tmp_path / "o").exists()


def test_register_texts_that_no_output_can_carry_are_refused(tmp_path: Path) -> None:
    folder = criteria_dir(tmp_path, MINI)
    register = folder.parent / "regulations.json"
    register.write_text(register.read_text(encoding="utf-8").replace("中华人民共和国", "中华\ufffe人民共和国", 1),
                        encoding="utf-8")
    with pytest.raises(InvalidCriteriaError) as caught:
        load_standard(folder)
    assert [(i.code, i.message) for i in caught.value.issues][:1] == [
        ("C203", "文字“中华<U+FFFE>人民共和国" + caught.value.issues[0].message.split("人民共和国", 1)[1])]
    assert caught.value.issues[0].path is not None and caught.value.issues[0].path.startswith("$.regulations[")


# Figures scoring cannot score exactly ---------------------------------------------------------------

FIGURES = [
    ('"points": 1.5', '"points": 1E-20', "加分项 X1 › 分值",
     "［X1］分值（points）为 1E-20，小数位数过多：最多 3 位小数"),
    ('"scale": 21', '"scale": 1E+30', "满分", "满分（scale）为 1E+30，超出可用范围：应在 0 至 1000 分之间"),
    ('"scale": 21', '"scale": 1E+999999999', "满分",
     "满分（scale）为 1E+999999999，超出可用范围：应在 0 至 1000 分之间"),
    ('"points": 1.5', '"points": 1E-999999999', "加分项 X1 › 分值",
     "［X1］分值（points）为 1E-999999999，小数位数过多：最多 3 位小数"),
    ('"per_unit": 2', '"per_unit": 0.1111111111111111111111111111', "分类 法治 › 项目 B1 › 每处扣分",
     "［B1］每处（每项）分值（per_unit）为 0.1111111111111111111111…，小数位数过多：最多 3 位小数"),
    ('"type": "scale", "points": 3', '"type": "scale", "points": 3, "step": 1E-9', "分类 环境 › 项目 A2 › 步长",
     "［A2］步长（step）为 1E-9，小数位数过多：最多 3 位小数"),
    ('"cap": 2', '"cap": 5000', "加分项 › 加分上限",
     "加分上限（bonus.cap）为 5000，超出可用范围：应在 0 至 1000 分之间"),
    ('"中": 1.5', '"中": 1.0000000000000000000000000001', "分类 环境 › 项目 A3 › 选项“中”",
     "［A3］选项“中”的分值为 1.0000000000000000000000…，小数位数过多：最多 3 位小数"),
    ('"min": 15', '"min": 15.0001', "等级 良好 › 分数线",
     "等级“良好”的分数线（min）为 15.0001，小数位数过多：最多 3 位小数"),
    ('"B": 0.8', '"B": 0.80001', "等级 优秀 › 分类得分率（B）",
     "等级“优秀”的得分率要求（min_rates.B）为 0.80001，小数位数过多：最多 4 位小数（如 0.8333 表示 83.33%）"),
]


@pytest.mark.parametrize(("old", "new", "where", "message"), FIGURES)
def test_figures_scoring_cannot_score_exactly_are_refused(tmp_path: Path, old: str, new: str, where: str,
                                                          message: str) -> None:
    text = mini_json()
    assert old in text
    folder = mini_text(tmp_path, text.replace(old, new, 1))
    line = f"错误 {folder / '1.json'} › {where} {message}（C202）"
    code, out = invoke("criteria", "validate", str(folder))
    assert code == 1 and line in out.splitlines(), out
    data = write_csv(tmp_path / "in.csv", rows_for([record("一社区", "甲院", "2023-03-01")]))
    code, out = invoke("run", str(data), "--criteria", str(folder), "--out", str(tmp_path / "o"))
    assert code == 1 and line in out.splitlines()
    assert not (tmp_path / "o").exists()


def test_figures_at_the_bounds_are_scored(tmp_path: Path) -> None:
    # 1,000 points, 3 decimals: the largest figures accepted score exactly.
    version = copy.deepcopy(MINI)
    version["scale"] = 1000
    version["categories"][0]["items"][0]["points"] = Decimal("982.999")
    version["categories"][0]["items"][1].update(points=Decimal("3.001"), step=Decimal("0.001"))
    for grade, least in zip(version["grades"], ("950.5", "900.125", "600", "0"), strict=True):
        grade["min"] = Decimal(least)
    inputs = write_csv(tmp_path / "in.csv", rows_for([record("一社区", "甲院", "2023-03-01", A2="2.999")]))
    (yard,) = run([inputs], criteria=criteria_dir(tmp_path, version)).courtyards
    # 982.999 + 2.999 + 3 + 11 = 999.998 of 1000 points, + the bonus cap 2
    assert (yard.total_exact, yard.total_cents) == (Fraction(1001998, 1000), 100200)


def test_a_version_in_force_before_1900_is_refused(tmp_path: Path) -> None:
    # Its inspections would fall in a year no --period (and no results.json period) can name.
    folder = mini_text(tmp_path, mini_json().replace('"2023-01-01"', '"0001-01-01"', 1))
    code, out = invoke("criteria", "validate", str(folder))
    line = f"错误 {folder / '1.json'} › 施行日期 不符合考核标准格式：日期“0001-01-01”早于 1900 年（C010）"
    assert code == 1 and line in out.splitlines()


def test_decimals_are_counted_exactly() -> None:
    assert [decimals_of(Decimal(t)) for t in ("1E-999999999", "1.0000000000000000000000000001", "1.50", "5E+2",
                                              "0E-20", "0.001")] == [999999999, 28, 1, 0, 0, 3]


# JSON that would overflow the parser ----------------------------------------------------------------

def test_deep_nesting_and_endless_numbers_in_criteria(tmp_path: Path) -> None:
    value, issues = parse_json(b'{"a":\n  ' + b"[" * 100_000, "x.json")
    assert value is None and [i.message for i in issues] == [
        "JSON 嵌套过深（第 2 行第 66 列处超过 64 层括号），不是考核标准或法规库文件的内容"]
    value, issues = parse_json(b'{"a": ' + b"[" * 70 + b"]" * 70 + b"}", "x.json")  # parsed, still refused
    assert [i.code for i in issues] == ["C200"]
    for number in (b"1" * 5000, b"0." + b"1" * 5000, b"1E" + b"9" * 5000):
        value, issues = parse_json(b'{"scale": ' + number + b"}", "x.json")
        assert [i.message for i in issues] == [
            f"数字“{number[:20].decode()}…”过长（超过 30 个字符）：分值应写成普通数字，如 12.5"]
    folder = mini_text(tmp_path, mini_json().replace('"scale": 21', '"scale": ' + "2" * 5000))
    code, out = invoke("criteria", "validate", str(folder))
    assert code == 1 and f"错误 {folder / '1.json'} 数字“22222222222222222222…”过长" in out
    register = folder.parent / "regulations.json"
    register.write_text("[" * 100_000, encoding="utf-8")
    code, out = invoke("criteria", "validate", str(folder))
    assert code == 1 and f"错误 {register} JSON 嵌套过深（第 1 行第 65 列处超过 64 层括号）" in out


# Files that are not regular files -------------------------------------------------------------------

def test_devices_fifos_and_folders_as_criteria_register_or_results(tmp_path: Path) -> None:
    folder = criteria_dir(tmp_path, MINI)
    fifo = tmp_path / "fifo.json"
    os.mkfifo(fifo)
    special = "这不是普通文件（是设备、管道或其他特殊文件），不能读取"
    data = write_csv(tmp_path / "in.csv", rows_for([record("一社区", "甲院", "2023-03-01")]))
    cases = [
        (["criteria", "validate", "/dev/zero", "--regulations", str(folder.parent / "regulations.json")],
         f"无法读取考核标准文件：{special}（C001）"),
        (["criteria", "validate", str(fifo), "--regulations", str(folder.parent / "regulations.json")],
         f"无法读取考核标准文件：{special}（C001）"),
        (["criteria", "validate", str(folder), "--regulations", "/dev/zero"], f"无法读取法规库文件：{special}"),
        (["run", str(data), "--criteria", str(folder), "--regulations", str(fifo), "--out", "o"],
         f"无法读取法规库文件：{special}"),
        # a device as the one version file: said as such, before its register is looked for
        (["run", str(data), "--criteria", "/dev/zero", "--out", "o"],
         f"错误 /dev/zero 无法读取考核标准文件：{special}（C001）"),
        (["run", str(data), "--criteria", str(fifo), "--out", "o"],
         f"错误 {fifo} 无法读取考核标准文件：{special}（C001）"),
        (["explain", "/dev/zero", "甲院", "--criteria", str(folder)],
         f"/dev/zero 不是有效的评分结果文件（results.json）：{special}"),
        (["compare", str(fifo), str(fifo)], f"{fifo} 不是有效的评分结果文件（results.json）：{special}"),
        (["report", str(tmp_path), "--criteria", str(folder), "--out", "r"],
         f"{tmp_path} 不是有效的评分结果文件（results.json）：这是一个文件夹，这里需要的是文件"),
    ]
    for args, message in cases:
        outcome = run_limited(args, tmp_path, mb=400, timeout=30)
        assert not outcome.crashed and outcome.code == 1, (args, outcome)
        assert message in outcome.stdout + outcome.stderr, (args, outcome)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["criteria", "fifo.json", "in.csv"]


def test_reading_asks_for_no_more_memory_than_the_file_needs(tmp_path: Path) -> None:
    # read_bytes(path, RESULTS_MAX) once asked for 512 MB at once: a 5 KB results.json failed under a limit.
    folder = criteria_dir(tmp_path, MINI)
    data = write_csv(tmp_path / "in.csv", rows_for([record("一社区", "甲院", "2023-03-01")]))
    results = tmp_path / "results.json"
    results.write_text(run([data], criteria=folder).dump(), encoding="utf-8")
    got = run_limited(["explain", str(results), "甲院", "--criteria", str(folder)], tmp_path, mb=300, timeout=60)
    assert not got.crashed and got.code == 0, got.stderr
    assert "甲院" in got.stdout


# results.json ---------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path]:
    """A results.json's text and the criteria it was scored by."""
    tmp = tmp_path_factory.mktemp("results")
    records = [record("一社区", "甲院", "2023-03-01"), record("一社区", "乙院", "2023-03-02", A1="否", B1=1),
               record("二社区", "丙院", "2023-03-02", A3="中")]
    folder = criteria_dir(tmp, MINI)
    return run([write_csv(tmp / "in.csv", rows_for(records))], criteria=folder).dump(), folder


def _edited(text: str, path: tuple[Any, ...], value: Any) -> str:
    data = json.loads(text)
    target = data
    for key in path[:-1]:
        target = target[key]
    if value is _DELETE:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return json.dumps(data, ensure_ascii=False)


_DELETE = object()


@pytest.mark.parametrize(("path", "value", "why"), [
    (("courtyards", 2, "total"), _DELETE, "$.courtyards[2].total 缺失"),
    (("courtyards", 2, "total"), "九十", '$.courtyards[2].total 的值 "九十" 类型不对，应为数字'),
    (("courtyards", 1, "total"), "@NaN", "$.courtyards[1].total 的值 NaN 类型不对，应为数字"),
    (("courtyards", 1, "total"), "@1E+999999999", "$.courtyards[1].total 的值 1E+999999999 超出评分结果的范围"),
    (("courtyards", 1, "base"), "@1E-999999999", "$.courtyards[1].base 的值 1E-999999999 超出评分结果的范围"),
    (("courtyards", 0, "inspections"), "@" + "7" * 5000, "文件中有几千位长的数字，不是评分结果中的数字"),
    (("courtyards", 0, "inspections"), "@" + "7" * 4000,
     f"$.courtyards[0].inspections 的值 {'7' * 40}… 超出评分结果的范围"),
    (("communities", 0, "grade_counts", "优秀"), -1,
     "$.communities[0].grade_counts.优秀 的值 -1 不对，应为不小于 0 的整数"),
    (("courtyards", 0, "items"), ["x" * 1000], "$.courtyards[0].items 的值 […]（列表） 类型不对，应为对象 {…}"),
    (("courtyards", 0, "community"), "x" * 1000, None),  # a long name is a name
    (("communities", 0, "rank"), True, "$.communities[0].rank 的值 true 类型不对，应为整数"),
    (("courtyards",), {"a": 1}, "$.courtyards 的值 {…}（对象） 类型不对，应为列表 […]"),
    (("period",), "9999Q5", '$.period 的值 "9999Q5" 不是考核期'),
    (("period",), "0000", '$.period 的值 "0000" 不是考核期'),
    (("courtyards", 0, "dates", 0), "2023-02-30", "$.courtyards[0].dates 的日期“2023-02-30”格式不对"),
    (("courtyards", 0, "notes"), "@" + "[" * 100_000, "JSON 嵌套过深"),
])
def test_malformed_results_name_the_first_problem(tmp_path: Path, scored: tuple[str, Path], path: tuple[Any, ...],
                                                   value: Any, why: str | None) -> None:
    results_text, folder = scored
    marker = isinstance(value, str) and value.startswith("@")
    text = _edited(results_text, path, "@@@" if marker else value)
    if marker:
        text = text.replace('"@@@"', value[1:])
    target = tmp_path / "r.json"
    target.write_text(text, encoding="utf-8")
    if why is None:
        assert Results.load(target).courtyards[0].community == "x" * 1000
        return
    with pytest.raises(InvalidInputError) as caught:
        Results.load(target)
    assert caught.value.message.startswith(f"{target} 不是有效的评分结果文件（results.json）：{why}")
    for args in (["explain", str(target), "甲院", "--criteria", str(folder)], ["compare", str(target), str(target)],
                 ["report", str(target), "--criteria", str(folder), "--out", str(tmp_path / "rep")]):
        code, out = invoke(*args)
        assert code == 1 and why in out.replace("\n", "")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json"]


LEAVES = st.one_of(st.none(), st.booleans(), st.integers(-(10**20), 10**20), st.text(max_size=8),
                   st.sampled_from(["NaN", "2023-13-45", "2023Q4", "甲院", "优秀", "A1", "", "\ufffe"]),
                   st.decimals(allow_nan=False, places=3, min_value=-10**6, max_value=10**6).map(float),
                   st.just([]), st.just({}), st.just([1, "x"]), st.just({"a": None}))
SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])


def _leaf_paths(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [at] if at else []
    if isinstance(node, dict):
        for key, child in node.items():
            out += _leaf_paths(child, (*at, key))
    elif isinstance(node, list):
        for k, child in enumerate(node):
            out += _leaf_paths(child, (*at, k))
    return out


@SETTINGS
@given(data=st.data())
def test_mutated_results_are_read_or_refused(tmp_path: Path, scored: tuple[str, Path], data: st.DataObject) -> None:
    text = scored[0]
    for _ in range(data.draw(st.integers(1, 3))):
        paths = _leaf_paths(json.loads(text))
        path = data.draw(st.sampled_from(paths))
        text = _edited(text, path, data.draw(st.one_of(LEAVES, st.just(_DELETE))))
    target = tmp_path / "r.json"
    target.write_text(text, encoding="utf-8")
    try:
        loaded = Results.load(target)
    except InvalidInputError as exc:
        assert exc.message.startswith(f"{target} 不是有效的评分结果文件（results.json）：")
        event("results refused")
        return
    event("results read")
    loaded.dump()  # what was read can be written again
    assert invoke("compare", str(target), str(target))[0] == 0
    courtyard = loaded.courtyards[0].courtyard if loaded.courtyards else "甲院"
    assert invoke("explain", str(target), courtyard, "--criteria", str(scored[1]))[0] in (0, 1, 2)


NUMBERS = st.one_of(st.sampled_from(["1E-20", "1E+30", "0", "-1", "1E-9", "1000.001", "0.0005", "1E+999999999",
                                     "1E-999999999", "NaN", "Infinity", "1" * 29, '"3"', "true", "null"]),
                    st.decimals(allow_nan=False, allow_infinity=False, min_value=0, max_value=2000).map(str),
                    st.decimals(allow_nan=False, allow_infinity=False, min_value=0, max_value=30, places=2).map(str))


def _number_paths(node: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(node, int | float | Decimal) and not isinstance(node, bool):
        return [at]
    if isinstance(node, dict):
        return [p for key, child in node.items() for p in _number_paths(child, (*at, key))]
    if isinstance(node, list):
        return [p for k, child in enumerate(node) for p in _number_paths(child, (*at, k))]
    return []


@SETTINGS
@given(data=st.data())
def test_mutated_criteria_are_scored_or_refused(tmp_path: Path, data: st.DataObject) -> None:
    version = copy.deepcopy(MINI)
    marks: dict[str, str] = {}
    for k in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(_number_paths(version)))
        target: Any = version
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = f"@{k}@"
        marks[f'"@{k}@"'] = data.draw(NUMBERS)
    text = json.dumps(version, ensure_ascii=False, default=float)
    for mark, number in marks.items():
        text = text.replace(mark, number)
    shutil.rmtree(tmp_path / "criteria", ignore_errors=True)
    folder = mini_text(tmp_path, text)
    inputs = write_csv(tmp_path / "in.csv", rows_for([record("一社区", "甲院", "2023-03-01"),
                                                      record("一社区", "乙院", "2023-03-02", A1="否", B1=2, A2=1.5)]))
    try:
        standard = load_standard(folder)
    except InvalidCriteriaError as exc:
        assert exc.issues and all(i.code.startswith("C") and i.file for i in exc.issues)
        event("criteria refused")
        return
    try:
        results = run([inputs], standard=standard)
    except (InvalidInputError, UsageError):
        event("inspections refused")
        return
    event("scored")
    for yard in results.courtyards:  # docs/design.md §4: a total never exceeds scale + bonus cap
        assert 0 <= yard.total_exact <= standard.latest.scale + standard.latest.bonus_cap

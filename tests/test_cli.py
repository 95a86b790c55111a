"""The command line: exact messages and exit codes, nothing written on failure, no tracebacks."""

from __future__ import annotations

import gc
import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scoring.cli.app import app
from scoring.cli.common import collector_paused
from tests.helpers import BUNDLED_NOTE, MINI, criteria_dir, record, rows_for, write_csv

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "inspections.xlsx"
runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_run_sample(tmp_path: Path) -> None:
    before = digest(SAMPLE)
    code, out, err = invoke("run", str(SAMPLE), "--out", str(tmp_path / "o"))
    assert code == 0, err
    assert out.startswith("考核期 2023：6 个社区、48 个楼院，")
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["ranking.xlsx", "report.docx", "report.md",
                                                                 "results.json"]
    assert digest(SAMPLE) == before


def test_default_output_folder_is_named_by_period(tmp_path: Path) -> None:
    os.chdir(tmp_path)
    code, _, _ = invoke("run", str(SAMPLE), "--period", "2023Q3")
    assert code == 0
    assert (tmp_path / "score-output" / "2023Q3" / "results.json").is_file()


def test_missing_file(tmp_path: Path) -> None:
    code, _, err = invoke("run", str(tmp_path / "无此文件.xlsx"), "--out", str(tmp_path / "o"))
    assert code == 1
    assert err == BUNDLED_NOTE + (f"错误 {tmp_path / '无此文件.xlsx'} 找不到文件或文件夹：{tmp_path / '无此文件.xlsx'}"
                   "（E101）\n共 1 处错误，未生成任何输出文件。\n")
    assert not (tmp_path / "o").exists()


def test_bad_data_lists_every_problem_and_writes_nothing(tmp_path: Path) -> None:
    folder = criteria_dir(tmp_path, MINI)
    data = write_csv(tmp_path / "in.csv", rows_for([
        record("一社区", "甲院", "2023-03-01", A1="可以"),
        record("一社区", "乙院", "2023-03-01", B1=-1)]))
    out = tmp_path / "o"
    out.mkdir()
    (out / "results.json").write_text("earlier", encoding="utf-8")
    code, _, err = invoke("run", str(data), "--criteria", str(folder), "--out", str(out))
    assert code == 1
    lines = err.splitlines()
    assert lines[0].startswith(f"错误 {data} › D2 ［A1］一社区 甲院 2023-03-01：“可以”不是有效的名牌齐全填写值：")
    assert lines[1].startswith(f"错误 {data} › G3 ［B1］一社区 乙院 2023-03-01：“-1”不是有效的杂物堆放填写值：")
    assert lines[2] == "共 2 处错误，未生成任何输出文件。"
    assert [p.name for p in out.iterdir()] == ["results.json"]
    assert (out / "results.json").read_text(encoding="utf-8") == "earlier"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["criteria", "in.csv", "o"]


def test_lenient_reports_rows_left_out(tmp_path: Path) -> None:
    folder = criteria_dir(tmp_path, MINI)
    data = write_csv(tmp_path / "in.csv", rows_for([
        record("一社区", "甲院", "2023-03-01"), record("一社区", "乙院", "2023-03-01", A1="可以")]))
    code, out, err = invoke("run", str(data), "--criteria", str(folder), "--out",
                            str(tmp_path / "o"), "--lenient")
    assert code == 0
    assert "有 1 条检查记录因数据问题未参与评分，详见“数据问题”工作表。" in out
    assert err.startswith(f"错误 {data} › D3 ［A1］")


@pytest.mark.parametrize(("args", "message"), [
    (["--period", "23年"], "错误 考核期“23年”格式不对：请写成 2023（年度）或 2023Q2（季度）（E152）\n"),
    (["--criteria-version", "9.9"], "错误 没有版本号为“9.9”的考核标准；现有版本：2022.1、2023.1（E153）\n"),
])
def test_usage_errors(tmp_path: Path, args: list[str], message: str) -> None:
    code, _, err = invoke("run", str(SAMPLE), "--out", str(tmp_path / "o"), *args)
    assert (code, err) == (2, BUNDLED_NOTE + message)
    assert not (tmp_path / "o").exists()


def test_period_required_when_years_differ(tmp_path: Path) -> None:
    folder = criteria_dir(tmp_path, MINI, {**MINI, "version": "0", "effective_from": "2022-01-01"})
    data = write_csv(tmp_path / "in.csv", rows_for([record("一社区", "甲院", "2022-12-01"),
                                                    record("一社区", "甲院", "2023-01-05")]))
    code, _, err = invoke("run", str(data), "--criteria", str(folder))
    assert code == 2
    assert err == ("错误 检查日期跨越 2 个年度（2022年、2023年），请用 --period 指定考核期，"
                   "例如 --period 2023（E151）\n")


def test_output_equal_to_input_is_refused(tmp_path: Path) -> None:
    folder = criteria_dir(tmp_path, MINI)
    data = write_csv(tmp_path / "results.json", rows_for([record("一社区", "甲院", "2023-03-01")]))
    before = digest(data)
    code, _, err = invoke("run", str(data), "--criteria", str(folder), "--out", str(tmp_path))
    assert code == 2
    assert err == (f"输出文件 {tmp_path / 'results.json'} 就是输入的检查记录 {data}，写入会覆盖它；"
                   "请用 --out 换一个输出文件夹\n")
    assert digest(data) == before


def test_workbook_open_in_excel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = os.replace

    def locked(src: object, dst: object) -> None:
        if str(dst).endswith("ranking.xlsx"):
            raise PermissionError(13, "Permission denied")
        real(src, dst)  # type: ignore[arg-type]

    out = tmp_path / "o"
    out.mkdir()
    (out / "results.json").write_text("earlier", encoding="utf-8")
    (out / "ranking.xlsx").write_bytes(b"earlier ranking")  # the one open in Excel
    monkeypatch.setattr(os, "replace", locked)
    code, _, err = invoke("run", str(SAMPLE), "--out", str(out))
    assert code == 3
    assert err == BUNDLED_NOTE + (f"无法写入 {out / 'ranking.xlsx'}：文件可能正在 Excel/WPS 中打开，"
                                  "请先在 Excel/WPS 中关闭“ranking.xlsx”后重试（或没有在该文件夹中新建文件的权限）\n")
    assert sorted(p.name for p in out.iterdir()) == ["ranking.xlsx", "results.json"]
    assert (out / "results.json").read_text(encoding="utf-8") == "earlier"
    assert (out / "ranking.xlsx").read_bytes() == b"earlier ranking"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["o"]


def test_internal_error_is_one_line_without_debug(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("scoring.api.score", broken)
    code, _, err = invoke("run", str(SAMPLE))
    assert code == 70
    assert err == BUNDLED_NOTE + "内部错误（程序缺陷）。请加 --debug 重新运行，并把输出发给维护人员。\n"
    result = runner.invoke(app, ["run", str(SAMPLE), "--debug"])
    assert result.exit_code == 70 and "Traceback" in result.stderr


def test_criteria_commands(tmp_path: Path) -> None:
    code, out, _ = invoke("criteria", "list")
    assert code == 0 and "2022.1" in out and "2023.1" in out
    code, out, _ = invoke("criteria", "show", "2023.1")
    assert code == 0 and "LAW-04" in out and "《民法典》第二百七十八条" in out
    code, out, _ = invoke("criteria", "validate")
    assert code == 0 and out.startswith("检查通过：")
    bad = dict(MINI, scale=20)
    folder = criteria_dir(tmp_path, bad)
    for args in ([str(folder)], ["--criteria", str(folder)]):
        code, _, err = invoke("criteria", "validate", *args)
        assert code == 1
        assert err == f"错误 {folder / '1.json'} › 满分 各类别分值合计为 21 分，与满分 scale=20 不一致（C021）\n"


@pytest.mark.parametrize("command", [[], ["run"], ["compare"], ["criteria"], ["criteria", "list"],
                                     ["criteria", "show"], ["criteria", "validate"], ["criteria", "diff"],
                                     ["criteria", "new"], ["criteria", "audit"], ["regulations"],
                                     ["regulations", "list"], ["regulations", "show"]])
def test_every_command_has_help(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0 and "用法：score" in result.output


def test_python_dash_m() -> None:
    done = subprocess.run([sys.executable, "-m", "scoring", "--help"], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0 and "score" in done.stdout.lower()


def test_the_garbage_collector_is_paused_only_while_a_command_works() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), collector_paused():
        raise ValueError
    assert gc.isenabled()


@pytest.mark.parametrize("sample", ["inspections.xlsx", "inspections-2022.xlsx"])
def test_both_reader_paths_give_identical_results(tmp_path: Path, sample: str) -> None:
    written = {}
    for reader in ("calamine", "openpyxl"):
        code, _, err = invoke("run", str(SAMPLE.parent / sample), "--out", str(tmp_path / reader),
                              "--reader", reader)
        assert code == 0, err
        written[reader] = (tmp_path / reader / "results.json").read_bytes()
    assert written["calamine"] == written["openpyxl"]

"""Messages name the right thing in Chinese: JSON syntax errors, operating-system errors naming the
file that failed, no exception class names, one item count with its parts, and every command that
writes a file says which (`report --into` writes only the filled draft unless asked)."""

from __future__ import annotations

import errno
import json
from pathlib import Path

import pytest

from scoring.criteria.jsonfile import parse_json, syntax_error_text
from scoring.oserrors import describe
from tests.helpers import BUNDLED_NOTE, MINI, criteria_dir, record, rows_for, write_csv
from tests.test_cli import invoke


def c003(text: str) -> str:
    _, issues = parse_json(text.encode("utf-8"), "1.json")
    assert [i.code for i in issues] == ["C003"]
    return issues[0].message


@pytest.mark.parametrize(("text", "message"), [
    ('{"a": 1\n "b": 2}', "JSON 格式错误（第 2 行第 2 列）：这里缺少英文逗号“,”（相邻两项之间要用逗号分隔），"
                          "或缺少右括号“}”“]”"),
    ('{"a" 1}', "JSON 格式错误（第 1 行第 6 列）：这里缺少英文冒号“:”（键名和值之间要用冒号分隔）"),
    ('{"a": }', "JSON 格式错误（第 1 行第 7 列）：这里缺少值（可能多了一个逗号，或文字没有用英文双引号括起来）"),
    ('{"a": 1,}', "JSON 格式错误（第 1 行第 9 列）：这里应是用英文双引号括起来的键名（可能最后一项后面多了逗号）"),
    ('{"a": "x}', "JSON 格式错误（第 1 行第 7 列）：从这里开始的文字缺少右边的英文双引号"),
    ('{"a": 1}}', "JSON 格式错误（第 1 行第 9 列）：内容已经结束，后面还有多余的内容"
                  "（可能多了右括号，或两段内容没有合并）"),
    ('{"a": [1, 2', "JSON 格式错误（第 1 行第 12 列）：内容不完整：文件在这里提前结束了"
                    "（可能缺少右括号“}”“]”或右引号）"),
    ('{"a"： 1}', "JSON 格式错误（第 1 行第 5 列）：此处是中文冒号“：”，JSON 的引号和标点必须是英文半角"),
    ('{"a": "c:\\d"}', "JSON 格式错误（第 1 行第 10 列）：反斜杠“\\”用法不对（文字中的反斜杠要写成两个：\\\\）"),
])
def test_json_syntax_errors_say_what_is_missing(text: str, message: str) -> None:
    assert c003(text) == message


def test_every_json_message_python_knows_is_translated() -> None:
    for text in ('{"a": 1 "b"}', '{"a" 1}', "[", "{1: 2}", '"abc', '"\x01"', "1 2", '"\\x"', '"\\u12"'):
        with pytest.raises(json.JSONDecodeError) as caught:
            json.loads(text)
        words = syntax_error_text(caught.value)
        assert words != "格式不对，请检查这一处的括号、引号和逗号", text
        assert not any(c.isascii() and c.isalpha() for c in words.replace("\\n", "").replace("\\u", "")), words


@pytest.mark.parametrize(("exc", "words"), [
    (FileNotFoundError(errno.ENOENT, "No such file or directory", "a.json"), "找不到文件"),
    (PermissionError(errno.EACCES, "Permission denied"),
     "没有访问权限（文件可能正在 Excel/WPS 中打开，或没有该文件夹的权限）"),
    (IsADirectoryError(errno.EISDIR, "Is a directory"), "这是一个文件夹，这里需要的是文件"),
    (OSError(errno.ENOSPC, "No space left on device"), "磁盘空间已满，请清理磁盘后重试"),
    (OSError(errno.EROFS, "Read-only file system"), "磁盘或文件夹是只读的"),
    (OSError(9999, "Strange"), "系统报告读写错误（错误号 9999）"),
])
def test_os_errors_in_words(exc: OSError, words: str) -> None:
    assert describe(exc) == words


def test_a_missing_register_is_named_as_the_register(tmp_path: Path) -> None:
    folder = criteria_dir(tmp_path, MINI)
    register = folder.parent / "regulations.json"
    register.unlink()
    code, _, err = invoke("criteria", "list", "--criteria", str(folder))
    assert code == 1
    assert err == (f"错误 {register} 无法读取法规库文件：找不到文件（法规库是考核标准文件夹上一级的 "
                   "regulations.json，也可用 --regulations 指定）（C050）\n")
    code, _, err = invoke("criteria", "list", "--criteria", str(folder), "--regulations", str(tmp_path))
    assert code == 1
    assert err.startswith(f"错误 {tmp_path} 无法读取法规库文件：这是一个文件夹，这里需要的是文件")


def test_an_unreadable_criteria_file_is_said_in_chinese(tmp_path: Path) -> None:
    code, _, err = invoke("criteria", "validate", str(tmp_path / "无此标准.json"))
    assert code == 1
    assert "No such file" not in err and "无此标准.json" in err


def test_an_os_error_escaping_a_command_names_its_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refused(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied", "/共享盘/检查记录.xlsx")

    monkeypatch.setattr("scoring.api.score", refused)
    code, _, err = invoke("run", str(tmp_path))
    assert code == 1
    assert err == BUNDLED_NOTE + ("无法读写文件 /共享盘/检查记录.xlsx：没有访问权限（文件可能正在 Excel/WPS 中打开，"
                   "或没有该文件夹的权限）\n")


def test_a_broken_results_file_is_said_in_chinese(tmp_path: Path) -> None:
    broken = tmp_path / "results.json"
    broken.write_text('{"schema_version": 1,', encoding="utf-8")
    code, _, err = invoke("compare", str(broken), str(broken))
    assert code == 1
    assert err == (f"{broken} 不是有效的评分结果文件（results.json）：JSON 格式错误（第 1 行第 22 列）："
                   "内容不完整：文件在这里提前结束了（可能缺少右括号“}”“]”或右引号）\n")


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("run")
    folder = criteria_dir(root, MINI)
    data = write_csv(root / "in.csv", rows_for([record("一社区", "甲院", "2023-03-01"),
                                               record("一社区", "乙院", "2023-03-01", A1="否")]))
    code, _, err = invoke("run", str(data), "--criteria", str(folder), "--out", str(root / "out"))
    assert code == 0, err
    return root / "out" / "results.json"


def criteria_of(results: Path) -> str:
    return str(results.parent.parent / "criteria" / "mini")


def test_into_a_missing_draft_says_it_is_not_found(results: Path, tmp_path: Path) -> None:
    code, out, err = invoke("report", str(results), "--criteria", criteria_of(results),
                            "--into", str(tmp_path / "不存在.docx"))
    assert code == 1 and out == ""
    assert err == f"无法打开草稿 {tmp_path / '不存在.docx'}：找不到文件\n"
    code, _, err = invoke("report", str(results), "--criteria", criteria_of(results), "--into", str(tmp_path))
    assert code == 1
    assert err == f"无法打开草稿 {tmp_path}：这是一个文件夹，这里需要的是文件\n"


def make_draft(path: Path) -> None:
    from docx import Document

    from scoring.report.word import MARKER

    document = Document()
    document.add_paragraph("报告")
    document.add_paragraph(MARKER)
    document.save(str(path))


def test_into_writes_only_the_filled_draft_unless_asked(results: Path, tmp_path: Path) -> None:
    draft = tmp_path / "草稿.docx"
    make_draft(draft)
    before = sorted(p.name for p in results.parent.iterdir())
    code, out, err = invoke("report", str(results), "--criteria", criteria_of(results), "--into", str(draft))
    assert code == 0, err
    assert out == f"已写入 {tmp_path / '草稿-已填写.docx'}\n"
    assert sorted(p.name for p in results.parent.iterdir()) == before
    code, out, err = invoke("report", str(results), "--criteria", criteria_of(results), "--into", str(draft),
                            "--out", str(tmp_path / "节"))
    assert code == 0, err
    assert out.splitlines() == [f"已写入 {tmp_path / '草稿-已填写.docx'}", f"已写入 {tmp_path / '节' / 'report.md'}",
                                f"已写入 {tmp_path / '节' / 'report.docx'}"]


def test_commands_that_write_say_what_they_wrote(results: Path, tmp_path: Path) -> None:
    code, out, _ = invoke("report", str(results), "--criteria", criteria_of(results), "--out", str(tmp_path))
    assert (code, out) == (0, f"已写入 {tmp_path / 'report.md'}\n已写入 {tmp_path / 'report.docx'}\n")
    code, out, _ = invoke("compare", str(results), str(results), "--xlsx", str(tmp_path / "对比.xlsx"))
    assert code == 0 and out.splitlines()[-1] == f"已写入 {tmp_path / '对比.xlsx'}"
    code, out, _ = invoke("template", "--criteria", criteria_of(results), "-o", str(tmp_path / "表.xlsx"))
    assert (code, out) == (0, f"已生成 {tmp_path / '表.xlsx'}：测试标准 1（2023-01-01 起施行），7 个评分项目、"
                              "2 个加分项目、3 个否决项，预设 300 行。\n")


def test_criteria_show_and_list_in_words() -> None:
    code, out, _ = invoke("criteria", "show", "2023.1")
    assert code == 0
    first = out.splitlines()[0]
    assert first.endswith("满分 100  33 个评分项目、3 个加分项目、3 个否决项  多次检查：取平均分")
    assert "法治建设（法治建设）" not in out and "法治建设" in out
    code, out, _ = invoke("criteria", "list")
    assert code == 0 and "33 个评分项目、3 个加分项目、3 个否决项" in out


def test_run_json_keeps_stdout_json_and_says_what_it_wrote_on_stderr(tmp_path: Path) -> None:
    folder = criteria_dir(tmp_path, MINI)
    data = write_csv(tmp_path / "in.csv", rows_for([record("一社区", "甲院", "2023-03-01")]))
    out_dir = tmp_path / "o"
    code, out, err = invoke("run", str(data), "--criteria", str(folder), "--out", str(out_dir), "--json")
    assert code == 0
    assert json.loads(out)["courtyards"][0]["courtyard"] == "甲院"
    assert err.splitlines() == [f"已写入 {out_dir / name}"
                                for name in ("results.json", "ranking.xlsx", "report.md", "report.docx")]

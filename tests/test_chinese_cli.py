"""The command line's own words are Chinese: every help page and every kind of usage error, read
as a clerk sees them in an 80-column terminal (a real pty), and exact messages in-process."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path
from typing import Annotated

import pytest
import typer
from rich.cells import cell_len
from typer.core import TyperArgument, TyperGroup, TyperOption
from typer.testing import CliRunner

from scoring.cli.app import app
from scoring.cli.chinese import ChineseGroup, break_offsets, walk

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = 80
runner = CliRunner()

# One process in the pty runs every case (importing the app once keeps the test quick); each
# case ends with a marker line carrying its exit code.
DRIVER = r"""
import json, sys
from scoring.cli.app import app
for args in json.loads(sys.argv[1]):
    try:
        app(args, prog_name="score")
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    sys.stdout.flush(); sys.stderr.flush()
    print(f"@@END {code}@@", flush=True)
"""

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# What may be ASCII on the screen: option names, file names and paths, codes and numbers, and
# the few names that are the product's or a format's own (checked per word below).
ALLOWED = re.compile(
    r"--?[a-z][a-z-]*"                      # option names
    r"|[\w./<>\-]*\.(?:json|xlsx|xlsm|xls|csv|docx|md|j2)\b"   # file names
    r"|score-output/<[^>]*>/"               # the default output folder
    r"|[A-Z]+-\d+|\d{4}Q\d|[A-Z]\d{3}"      # item ids, periods, issue codes
    r"|\b[a-z]+(?:-[a-z]+)+\b"              # register ids such as civil-code
    r"|\bSCORE_[A-Z_]+\b|\bscore-workspace(?:\.toml)?\b"   # the workspace's environment variable and names
    r"|\bscore\.db\b|\bruns\b|\bCtrl\+C\b"    # its index and runs folder; the key that stops the page
)
NAMES = {"score", "Excel", "WPS", "JSON", "Word", "Jinja", "MB", "YYYY", "MM", "DD", "sha"}


def tree() -> list[tuple[typer.main.click.Command, tuple[str, ...]]]:  # type: ignore[name-defined]
    return list(walk(typer.main.get_command(app)))


def allowed_words() -> set[str]:
    """Command names and choice values, found in the app itself (new commands included)."""
    words = set(NAMES)
    for cmd, path in tree():
        words.update(path)
        for p in cmd.params:
            desc = getattr(p, "type_descriptor", None)
            if desc is not None and desc.is_choice:
                words.update(str(getattr(c, "value", c)) for c in desc.choices or ())
    return words


def fillers(cmd: typer.main.click.Command) -> list[str]:  # type: ignore[name-defined]
    """Values for a command's required parameters, so that the case's own error is the one shown."""
    out: list[str] = []
    for p in cmd.params:
        if p.required and isinstance(p, TyperOption):
            out += [max(p.opts, key=len), "x.xlsx"]
        elif p.required:
            out.append("x")
    return out


def cases() -> list[tuple[str, list[str], int]]:
    """(what, arguments, exit code): every command's help and every kind of usage error."""
    found: list[tuple[str, list[str], int]] = []
    for cmd, path in tree():
        args = list(path)
        found.append(("help", [*args, "--help"], 0))
        if isinstance(cmd, TyperGroup):
            name = next(iter(cmd.commands))
            found.append(("unknown command", [*args, name + "x"], 2))
            found.append(("no command", args, 2))
            continue
        fill = fillers(cmd)
        options = [p for p in cmd.params if isinstance(p, TyperOption) and not p.hidden]
        long_names = [max(p.opts, key=len) for p in options]
        if long_names:
            typo = long_names[0]
            found.append(("unknown option", [*args, typo[:3] + typo[4] + typo[3] + typo[5:], *fill], 2))
        if fill:
            found.append(("missing", args, 2))
        for p, name in zip(options, long_names, strict=True):
            if p.is_flag:
                found.append(("flag with a value", [*args, f"{name}=1", *fill], 2))
                continue
            found.append(("option without its value", [*args, *fill, name], 2))
            desc = p.type_descriptor
            if desc.is_choice:
                found.append(("not a choice", [*args, name, "foo", *fill], 2))
            elif desc.annotation in (int, float):
                found.append(("not a number", [*args, name, "abc", *fill], 2))
                if p.min is not None:
                    found.append(("below the range", [*args, name, str(p.min - 1), *fill], 2))
                if p.max is not None:
                    found.append(("above the range", [*args, name, str(p.max + 1), *fill], 2))
        arguments = [p for p in cmd.params if isinstance(p, TyperArgument)]
        if all(p.nargs == 1 for p in arguments):
            optional = ["x" for p in arguments if not p.required]
            found.append(("extra argument", [*args, *fill, *optional, "多余"], 2))
    return found


def run_in_pty(all_args: list[list[str]], columns: int = COLUMNS) -> list[tuple[int, str]]:
    """Run the cases in one process whose stdout and stderr are a terminal `columns` wide."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES", "TERMINAL_WIDTH")}
    env["TERM"] = "xterm-256color"
    proc = subprocess.Popen([sys.executable, "-c", DRIVER, json.dumps(all_args)], stdin=slave, stdout=slave,
                            stderr=slave, cwd=ROOT, env=env, close_fds=True)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    os.close(master)
    assert proc.wait(timeout=120) == 0
    screen = ANSI.sub("", b"".join(chunks).decode("utf-8")).replace("\r\n", "\n")
    parts = re.split(r"@@END (\d+)@@\n", screen)
    return [(int(code), text) for text, code in zip(parts[0::2], parts[1::2], strict=False)]


def english_words(text: str, allowed: set[str]) -> list[str]:
    """ASCII words on the screen that are not an option, a file name, a code or an allowed name."""
    rest = ALLOWED.sub(" ", text)
    return [w for w in re.findall(r"[A-Za-z]{2,}", rest) if w not in allowed]


@pytest.mark.parametrize("columns", [COLUMNS, 100])
def test_every_help_page_and_usage_error_is_chinese_and_fits_the_terminal(columns: int) -> None:
    every = cases()
    kinds = {what for what, _, _ in every}
    assert kinds >= {"help", "unknown command", "no command", "unknown option", "missing", "flag with a value",
                     "option without its value", "not a choice", "not a number", "below the range",
                     "above the range", "extra argument"}
    results = run_in_pty([args for _, args, _ in every], columns)
    assert len(results) == len(every)
    allowed = allowed_words()
    for (what, args, expected), (code, screen) in zip(every, results, strict=True):
        where = f"score {' '.join(args)} ({what})"
        assert code == expected, f"{where}\n{screen}"
        assert "Traceback" not in screen, where
        typed = set(re.findall(r"[A-Za-z]+", " ".join(args)))  # what the user typed is repeated
        assert english_words(screen, allowed | typed) == [], f"{where}\n{screen}"
        for line in screen.splitlines():
            assert cell_len(line) <= columns, f"{where}: too wide\n{line}"
            assert not re.search(r"…\s*│$", line), f"{where}: a description is cut\n{line}"
        assert screen.startswith("用法：score"), f"{where}\n{screen}"
        if what not in ("help", "no command"):
            lines = screen.rstrip("\n").splitlines()
            assert lines[1].startswith("错误：") and lines[-1].startswith("查看说明：score"), f"{where}\n{screen}"


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout + result.stderr


def error_line(*args: str) -> str:
    code, text = invoke(*args)
    assert code == 2, text
    return next(line for line in text.splitlines() if line.startswith("错误："))


def test_usage_errors_in_words() -> None:
    assert error_line("run", "--peroid", "2023", "x.xlsx") == "错误：没有 --peroid 这个选项，是不是 --period？"
    assert error_line("runn") == "错误：没有 runn 这个命令，是不是 run？"
    assert error_line("criteria", "lst") == "错误：没有 lst 这个命令，是不是 list？"
    assert error_line("run", "x.xlsx", "--top", "abc") == "错误：--top 应写整数，“abc”不是整数"
    assert error_line("run", "x.xlsx", "--top", "0") == "错误：--top 不能小于 1（现为 0）"
    assert error_line("template", "-o", "x.xlsx", "--rows", "100001") == "错误：--rows 不能大于 100000（现为 100001）"
    assert error_line("criteria", "diff", "a", "b", "--format", "foo") == \
        "错误：--format 不能写“foo”，可选：text、markdown、json、xlsx"
    assert error_line("run", "x.xlsx", "--top") == "错误：--top 后面要写一个值"
    code, text = invoke("criteria", "diff", "a", "b", "--format")
    assert code == 2 and text.splitlines() == [
        "用法：score criteria diff [选项] 原版本 新版本",
        "错误：--format 后面要写一个值",
        "查看说明：score criteria diff --help"]
    assert error_line("run", "--lenient=1", "x.xlsx") == "错误：--lenient 是开关，后面不能写值（只写 --lenient 即可）"
    assert error_line("explain", "a.json", "甲院", "乙院") == "错误：多余的参数：乙院（文件名含空格时请用引号括起来）"
    assert error_line("template") == "错误：缺少选项 --output：要生成的检查记录表，如 检查记录表.xlsx"


def test_a_usage_error_shows_the_usage_and_where_to_read_more() -> None:
    code, text = invoke("run")
    assert code == 2
    assert text.splitlines()[0] == "用法：score run [选项] 检查记录文件…"
    assert text.splitlines()[-1] == "查看说明：score run --help"
    assert "缺少参数“检查记录文件”：检查记录文件（.xlsx/.xlsm/.csv）或文件夹，可写多个" in text.replace("\n", "")


def test_help_page_words() -> None:
    code, text = invoke("run", "--help")
    assert code == 0
    flat = re.sub(r"\s*│\s*", "", text)
    for words in ("用法：score run [选项] 检查记录文件…", "─ 参数 ─", "─ 选项 ─", "［必填］", "［默认：200］",
                  "不小于 1", "可选：calamine、openpyxl［默认：calamine］", "--help", "显示本说明并退出"):
        assert words in flat, words
    code, text = invoke("--help")
    assert code == 0 and "─ 命令 ─" in text


def test_lines_break_between_chinese_characters_never_inside_words_or_before_closing_marks() -> None:
    text = "默认为考核标准文件夹上一级的 regulations.json，或（备用）"
    lines = [text[a:b] for a, b in zip([0, *break_offsets(text, 20)], [*break_offsets(text, 20), len(text)],
                                       strict=True)]
    assert [line.rstrip() for line in lines] == ["默认为考核标准文件夹", "上一级的", "regulations.json，或",
                                                 "（备用）"]
    assert all(cell_len(line.rstrip()) <= 20 for line in lines)
    assert break_offsets("a" * 25, 10) == [10, 20]


def test_the_screen_check_catches_english_chrome() -> None:
    allowed = allowed_words()
    assert english_words("Usage: score run [OPTIONS] FILES... Try 'score run --help' for help.", allowed) == \
        ["Usage", "OPTIONS", "FILES", "Try", "for", "help"]
    assert english_words("错误 检查记录.xlsx › LAW-01 用 --criteria-version，E120，2023Q2 civil-code", allowed) == []
    assert len(cases()) > 60


def test_panels_and_argument_names_of_commands_added_later() -> None:
    extra = typer.Typer(name="score", cls=ChineseGroup, add_completion=False)

    @extra.command("serve")
    def serve(folder: Annotated[str, typer.Argument(metavar="工作目录", help="办公室的工作目录")],
              port: Annotated[int, typer.Option("--port", help="端口", rich_help_panel="网络", min=1024)] = 8000,
              ) -> None:
        """打开网页。"""

    @extra.command("init", hidden=True)
    def init() -> None:
        """不显示。"""

    code, text = invoke_on(extra, "serve", "--help")
    assert code == 0
    flat = re.sub(r"\s*│\s*", " ", text)
    assert text.splitlines()[0] == "用法：score serve [选项] 工作目录"
    assert "─ 网络 ─" in text and "--port 端口；不小于 1024［默认：8000］" in flat.replace("--port  ", "--port ")
    code, text = invoke_on(extra, "--help")
    assert "serve" in text and "init" not in text
    code, text = invoke_on(extra, "serve")
    assert (code, text.splitlines()[1]) == (2, "错误：缺少参数“工作目录”：办公室的工作目录")


def invoke_on(application: typer.Typer, *args: str) -> tuple[int, str]:
    result = runner.invoke(application, list(args))
    return result.exit_code, result.stdout + result.stderr

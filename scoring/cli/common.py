"""Shared CLI pieces: consoles, option types, and the one place that turns exceptions into
Chinese messages and exit codes (docs/design.md §6: 0 ok, 1 bad data/criteria, 2 usage,
3 output not written, 70 internal error — a traceback only with --debug)."""

from __future__ import annotations

import gc
import signal
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console, RenderableType
from rich.status import Status
from rich.text import Text

from scoring.errors import ScoreError, UsageError

if TYPE_CHECKING:
    from scoring.criteria.standard import Standard
from scoring.oserrors import describe
from scoring.outputs.terminal import print_issues
from scoring.text import visible  # every character a terminal would act on, as <U+001B>

EXIT_INTERNAL = 70
# An OSError that no library function turned into an issue: the file is named, in Chinese, and the
# code is that of bad input (the commonest case is a file that cannot be read).
EXIT_OS_ERROR = 1

def _plain(status: RenderableType | None) -> RenderableType | None:
    """A progress line as text, never as markup: a file named `[/x].csv` is no closing tag."""
    return Text(visible(status)) if isinstance(status, str) else status


class _SafeStatus(Status):
    def update(self, status: RenderableType | None = None, **options: Any) -> None:
        super().update(_plain(status), **options)


class SafeConsole(Console):
    """The one place where the CLI writes text: everything printed (messages, table cells,
    titles) goes through `render_str`, and the progress line through `status`, both of which
    make control characters visible."""

    def render_str(self, text: str, **options: Any) -> Text:
        return super().render_str(visible(text), **options)

    def status(self, status: RenderableType, **options: Any) -> Status:
        return _SafeStatus(_plain(status) or "", console=self, **options)


# Piped or redirected output is not cut to 80 columns: tables keep every character.
_WIDTH = None if sys.stdout.isatty() else 200
# No console markup: names from the data ("[/x]", "[b]") are shown as written, not taken for tags.
stdout = SafeConsole(highlight=False, soft_wrap=True, width=_WIDTH, markup=False)
stderr = SafeConsole(stderr=True, highlight=False, soft_wrap=True, width=_WIDTH, markup=False)

CriteriaOpt = Annotated[
    Path | None,
    typer.Option("--criteria", help="考核标准文件夹（含各版本 JSON）或单个版本文件；默认使用内置示例标准",
                 show_default=False),
]
RegulationsOpt = Annotated[
    Path | None,
    typer.Option("--regulations", help="法规库文件；默认为考核标准文件夹上一级的 regulations.json",
                 show_default=False),
]
WorkspaceOpt = Annotated[
    Path | None,
    typer.Option("--workspace", help="工作区文件夹（score init 建立）；默认依次查找环境变量 SCORE_WORKSPACE、"
                 "当前文件夹、用户主目录下的 score-workspace",
                 show_default=False),
]
# The limits every input file is held to (docs/reliability.md), for `score run` and the page's uploads.
MaxSizeOpt = Annotated[int, typer.Option("--max-size", help="单个文件（及 .xlsx 解压后）大小上限，MB", min=1)]
MaxSheetsOpt = Annotated[int, typer.Option("--max-sheets", help="单个工作簿的工作表数上限", min=1)]
MaxCellsOpt = Annotated[int, typer.Option("--max-cells", help="单个工作表数据范围（行 × 列）上限", min=1)]
DebugOpt = Annotated[bool, typer.Option("--debug", help="出现内部错误时显示完整的错误跟踪信息（供开发人员排查）")]


def open_standard(criteria: Path | None, regulations: Path | None, workspace: Path | None, *,
                  check_refs: bool = True, schema: bool = True) -> Standard:
    """The standard a command works on (`--criteria`, else the workspace's, else the bundled
    example); says on stderr which one when it was not named."""
    from scoring.criteria.standard import load_standard
    from scoring.workspace import find_workspace

    found = find_workspace(workspace)
    standard = load_standard(criteria, regulations, check_refs=check_refs, workspace=found, schema=schema)
    if standard.origin != "path":
        stderr.print(standard.source_note, markup=False)
    return standard


@contextmanager
def reported(debug: bool, *, writes_outputs: bool = False) -> Iterator[None]:
    """Run a command body; show ScoreErrors in Chinese with their exit code, and anything else as
    an internal error (exit 70). `writes_outputs`: say that nothing was written on bad data."""
    from scoring.outputs.staging import written_count

    before = written_count()
    try:
        yield
    except ScoreError as exc:
        if exc.issues:
            # --debug shows criteria positions as JSON paths too (the office reads `where`).
            shown = [replace(i, where=f"{i.where}（{i.path}）") if debug and i.where and i.path else i
                     for i in exc.issues]
            print_issues(stderr, shown)
            errors = sum(i.is_error for i in exc.issues)
            if exc.exit_code == 1 and writes_outputs:
                stderr.print(f"共 {errors} 处错误，未生成任何输出文件。", style="red", markup=False)
            elif errors > 1:
                stderr.print(f"共 {errors} 处错误。", style="red", markup=False)
        else:
            stderr.print(exc.message, style="red", markup=False)
        raise typer.Exit(exc.exit_code) from None
    except (typer.Exit, typer.Abort):
        raise
    except KeyboardInterrupt as exc:  # Ctrl+C, SIGTERM, SIGHUP (scoring/interrupts.py): every `finally` has run
        stderr.print(interrupted_message(exc, before), style="red", markup=False)
        raise typer.Exit(getattr(exc, "exit_code", 128 + signal.SIGINT)) from None
    except OSError as exc:  # a file the library did not expect to fail: name it, in Chinese
        if debug:
            traceback.print_exc(file=sys.stderr)
        name = f" {exc.filename}" if exc.filename else ""
        stderr.print(f"无法读写文件{name}：{describe(exc)}", style="red", markup=False)
        raise typer.Exit(EXIT_OS_ERROR) from None
    except Exception:  # a bug: one line for the user, the traceback only with --debug
        if debug:
            traceback.print_exc(file=sys.stderr)
        stderr.print("内部错误（程序缺陷）。请加 --debug 重新运行，并把输出发给维护人员。",
                     style="red", markup=False)
        raise typer.Exit(EXIT_INTERNAL) from None


def interrupted_message(exc: KeyboardInterrupt, before: int) -> str:
    """What an interrupted command says: what stopped it, and which outputs (if any) it had
    already put in place before (those being written were removed, earlier files kept)."""
    from scoring.interrupts import Interrupted
    from scoring.outputs.staging import written_since

    cause = exc.cause if isinstance(exc, Interrupted) else "按下了 Ctrl+C"
    done = written_since(before)
    if not done:
        return f"已中断（{cause}），未写入任何文件。"
    return f"已中断（{cause}）。中断前已写入：{'、'.join(str(p) for p in done)}；其余文件未写入。"


# What to do when an output would replace an input (scoring.outputs.staging.refuse_inputs): the one
# wording of each hint, shared by the commands.
OUT_HINT = "请用 --out 换一个输出文件夹"


def rename_hint(option: str) -> str:
    """The hint for an output file named by `option` (`-o`, `--xlsx`) that would replace an input."""
    return f"请给 {option} 换一个文件名"


def command_inputs(standard: Standard | None, *named: tuple[str, Path | None]) -> dict[Path, str]:
    """The input files of a command that writes outputs, each with what it is (for refusing an
    output that would replace one): the (what, path) pairs given (None skipped) and the criteria
    versions and regulations register `standard` was read from."""
    inputs = {path: what for what, path in named if path is not None}
    if standard is not None:
        inputs.update({Path(v.path): "考核标准文件" for v in standard.versions})
        inputs[Path(standard.register.path)] = "法规库文件"
    return inputs


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while a command works. A run allocates millions
    of small objects (cells, scores, table rows) that live until it ends and form no cycles;
    the collector's repeated passes over them cost a fifth of a 100k-row run. Reference counting
    still frees everything as usual."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def parse_day(text: str, option: str) -> date:
    """A YYYY-MM-DD option value; UsageError in Chinese otherwise."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"{option} 的日期“{text}”格式不对，应为 YYYY-MM-DD，例如 2023-01-01") from None

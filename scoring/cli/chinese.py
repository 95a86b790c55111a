"""The command line's own words in Chinese: help pages, usage lines and usage errors.

Typer 0.29 vendors its own copy of click (`typer._click`) whose words are English literals
("Usage: ", "[OPTIONS]", "Missing argument 'files'.", pydantic's "Input should be a valid
integer…") — there is no gettext catalogue to install and no setting for most of them, and
typer's `rich_utils` constants only cover the panel titles. So the chrome is rendered here,
through click's two documented extension points, and nothing of typer is patched:

- `ChineseGroup` is the root Typer's `cls=`. Its `main()` walks the whole command tree (so
  commands added later are covered without a list), gives every command `ChineseContext` as its
  `context_class`, runs the command with `standalone_mode=False` so that click's usage errors come
  back as exceptions, and prints them in Chinese from their structured fields (option name,
  possibilities, parameter, the validation error's kind and input). English text is matched
  only where an error carries no fields: the three `ctx.fail` messages (unknown command, missing
  command, extra arguments) and the two kinds of bad option usage (a flag given a value, an
  option without its value); anything unforeseen gets a general Chinese sentence, never English.
- `ChineseContext` renders the help page (`get_help`) and the usage line (`get_usage`): usage,
  description, panels 参数 / 选项 / 命令, ［必填］ and ［默认：…］, number ranges and choices in
  words, no type tags (the descriptions say what to write), descriptions wrapped, never cut.

Arguments are shown by a Chinese name: their `metavar` when it is not ASCII, else
`ARGUMENT_NAMES` below. Only typer, click (vendored) and rich are imported: `score --help` must
stay fast.
"""

from __future__ import annotations

import difflib
import io
import re
import shutil
import sys
from collections.abc import Iterator, Sequence
from typing import Any, NoReturn

import typer
from rich.cells import cell_len
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

# typer exports only BadParameter of its click exceptions; the others are needed to tell the
# kinds of usage error apart (this module is the one place that imports typer's vendored click).
from typer._click import exceptions as click_errors
from typer._click.core import Command, Context, Parameter
from typer.core import TyperArgument, TyperGroup, TyperOption

EXIT_USAGE = 2
MAX_WIDTH = 100

# Chinese names of positional arguments, by parameter name (used in usage lines and errors).
ARGUMENT_NAMES = {
    "files": "检查记录文件",
    "results": "结果文件",
    "courtyard": "楼院",
    "version": "版本",
    "path": "考核标准路径",
    "a": "原版本",
    "b": "新版本",
    "first": "前一次结果",
    "second": "后一次结果",
    "ident": "法规编号",
    "directory": "文件夹",
    "folder": "文件夹",
    "workbook": "工作簿",
}

HELP_TEXT = "显示本说明并退出"


def _width() -> int:
    return max(40, min(MAX_WIDTH, shutil.get_terminal_size((80, 24)).columns))


def walk(command: Command) -> Iterator[tuple[Command, tuple[str, ...]]]:
    """Every command of the tree with its path of names below the root (the root has ())."""
    stack: list[tuple[Command, tuple[str, ...]]] = [(command, ())]
    while stack:
        cmd, path = stack.pop(0)
        yield cmd, path
        if isinstance(cmd, TyperGroup):
            stack.extend((sub, (*path, name)) for name, sub in cmd.commands.items())


def argument_name(param: Parameter) -> str:
    """An argument's Chinese name: its non-ASCII metavar, else ARGUMENT_NAMES, else its name."""
    if param.metavar and not param.metavar.isascii():
        return param.metavar
    name = param.name or ""
    return ARGUMENT_NAMES.get(name, name)


def param_label(param: Parameter | None) -> str:
    """How a parameter is named in a message: `--top`, or an argument's Chinese name."""
    if param is None:
        return "参数"
    if isinstance(param, TyperOption) and param.opts:
        return max(param.opts, key=len)
    return f"“{argument_name(param)}”"


def _visible_params(cmd: Command, ctx: Context) -> list[Parameter]:
    return [p for p in cmd.get_params(ctx) if not getattr(p, "hidden", False)]


def usage(ctx: Context) -> str:
    """`用法：score run [选项] 检查记录文件…` — the command path, then what may follow."""
    cmd = ctx.command
    pieces = [ctx.command_path]
    if isinstance(cmd, TyperGroup):
        pieces.append("命令 …")
    else:
        if any(isinstance(p, TyperOption) for p in _visible_params(cmd, ctx)):
            pieces.append("[选项]")
        for p in cmd.get_params(ctx):
            if isinstance(p, TyperArgument):
                name = argument_name(p) + ("…" if p.nargs != 1 else "")
                pieces.append(name if p.required else f"[{name}]")
    return "用法：" + " ".join(pieces)


def _range(param: Parameter) -> str:
    low, high = getattr(param, "min", None), getattr(param, "max", None)
    if low is not None and high is not None:
        return f"{low} 到 {high}"
    if low is not None:
        return f"不小于 {low}"
    if high is not None:
        return f"不大于 {high}"
    return ""


def _choices(param: Parameter) -> list[str]:
    desc = getattr(param, "type_descriptor", None)
    if desc is None or not desc.is_choice:
        return []
    return [str(getattr(c, "value", c)) for c in desc.choices or ()]


def _default(param: Parameter) -> str:
    show = getattr(param, "show_default", False)
    if isinstance(show, str):
        return show
    if not show or param.default is None or getattr(param, "is_flag", False) or param.required:
        return ""
    value = param.default
    if isinstance(value, (list, tuple)):
        return "、".join(str(getattr(v, "value", v)) for v in value) if value else ""
    return str(getattr(value, "value", value))


_TOKEN = re.compile(r"[!-~]+ *|[^!-~] *|\s+")
_CLOSING = set("，。、；：？！）］》」』”’…,.;:?!)]")
_OPENING = set("（［《「『“‘([")


def break_offsets(text: str, width: int) -> list[int]:
    """Where to break `text` into lines of at most `width` terminal cells: between Chinese
    characters, at spaces, never inside an ASCII word (unless it alone is too wide), never before
    closing or after opening punctuation."""
    tokens: list[str] = []
    glue = False
    for token in _TOKEN.findall(text):
        if tokens and (glue or token[0] in _CLOSING):
            tokens[-1] += token
        else:
            tokens.append(token)
        glue = token.rstrip()[-1:] in _OPENING if token.strip() else False
    offsets, used, position = [], 0, 0
    for token in tokens:
        size = cell_len(token.rstrip())
        if used and used + size > width:
            offsets.append(position)
            used = 0
        while size > width:  # a word wider than the line: fold it
            cut, cells = 0, 0
            while cells + cell_len(token[cut]) <= width - used:
                cells += cell_len(token[cut])
                cut += 1
            position, token, used = position + cut, token[cut:], 0
            offsets.append(position)
            size = cell_len(token.rstrip())
        used += cell_len(token)
        position += len(token)
    return offsets


def wrapped(text: Text, width: int) -> Text:
    """`text` with line breaks where `break_offsets` puts them."""
    lines = text.divide(break_offsets(text.plain, width))
    for line in lines:
        line.rstrip()
    return Text("\n").join(lines)


def _description(param: Parameter, is_help: bool) -> Text:
    text = Text(HELP_TEXT if is_help else (getattr(param, "help", None) or ""))
    notes = []
    if choices := _choices(param):
        notes.append("可选：" + "、".join(choices))
    if limits := _range(param):
        notes.append(limits)
    if notes:
        text.append(("；" if text else "") + "，".join(notes))
    if default := _default(param):
        text.append(f"［默认：{default}］", style="dim")
    if param.required:
        text.append("［必填］", style="red")
    return text


def _panel(title: str, rows: list[list[Text]], width: int) -> Panel:
    """A titled box: the name columns as wide as their widest entry, the last column (the
    description) wrapped to the rest of the line."""
    names = [max(cell_len(row[i].plain) for row in rows) for i in range(len(rows[0]) - 1)]
    rest = max(10, width - 4 - sum(names) - 2 * len(names))
    table = Table.grid(padding=(0, 2, 0, 0))
    for size in names:
        table.add_column(no_wrap=True, width=size)
    table.add_column(width=rest, overflow="fold")
    for row in rows:
        table.add_row(*row[:-1], wrapped(row[-1], rest))
    return Panel(table, title=title, title_align="left", border_style="dim", width=width)


def _params_panel(title: str, params: Sequence[Parameter], help_option: Parameter | None, width: int) -> Panel:
    marks = any(p.required for p in params)
    rows = []
    for p in params:
        if isinstance(p, TyperArgument):
            name = Text(argument_name(p) + ("…" if p.nargs != 1 else ""), style="bold cyan")
        else:
            opts = sorted(p.opts, key=len, reverse=True) + list(p.secondary_opts)
            name = Text(", ".join(opts), style="bold cyan")
        row = [name, _description(p, p is help_option)]
        rows.append([Text("*", style="red") if p.required else Text(""), *row] if marks else row)
    return _panel(title, rows, width)


def help_page(ctx: Context, width: int) -> Group:
    """The whole help page of the command of `ctx`, `width` cells wide."""
    cmd = ctx.command
    parts: list[Any] = [wrapped(Text(usage(ctx), style="bold"), width), Text("")]
    if cmd.help:
        parts += [wrapped(Text(cmd.help.split("\f")[0].strip()), width), Text("")]
    params = _visible_params(cmd, ctx)
    help_option = cmd.get_help_option(ctx)
    panels: dict[str, list[Parameter]] = {"参数": [], "选项": []}  # typer's rich_help_panel kept
    for p in params:
        default = "参数" if isinstance(p, TyperArgument) else "选项"
        panels.setdefault(getattr(p, "rich_help_panel", None) or default, []).append(p)
    parts += [_params_panel(title, members, help_option, width) for title, members in panels.items() if members]
    if isinstance(cmd, TyperGroup):
        commands: dict[str, list[list[Text]]] = {"命令": []}
        for name, sub in cmd.commands.items():
            if not sub.hidden:
                commands.setdefault(getattr(sub, "rich_help_panel", None) or "命令", []).append(
                    [Text(name, style="bold cyan"), Text((sub.help or "").split("\n\n")[0].strip())])
        parts += [_panel(title, rows, width) for title, rows in commands.items() if rows]
    return Group(*parts)


def render(renderable: Any, width: int, *, stderr: bool = False) -> str:
    """Rich output as a string for click's echo: styled on a terminal, plain text otherwise."""
    stream = sys.stderr if stderr else sys.stdout
    console = Console(file=io.StringIO(), width=width, highlight=False,
                      force_terminal=stream.isatty(), color_system="standard" if stream.isatty() else None)
    console.print(renderable)
    file = console.file
    assert isinstance(file, io.StringIO)
    return file.getvalue().rstrip("\n")


class ChineseContext(typer.Context):
    """A click context whose help page and usage line are the Chinese ones of this module."""

    def get_help(self) -> str:
        """The help page (click's help option and no_args_is_help print this)."""
        width = _width()
        return render(help_page(self, width), width)

    def get_usage(self) -> str:
        """The usage line."""
        return usage(self)


# --- usage errors ---------------------------------------------------------------------------

_NO_COMMAND = re.compile(r"No such command '(?P<name>.*)'\.")
_EXTRA = re.compile(r"Got unexpected extra argument\(s\) \((?P<args>.*)\)$", re.S)
_ARGS_COUNT = re.compile(r"requires (?P<n>\d+) arguments")


def _or(names: Sequence[str]) -> str:
    return "、".join(names[:-1]) + f"还是 {names[-1]}" if len(names) > 1 else names[0]


def _commands(ctx: Context | None) -> list[str]:
    cmd = ctx.command if ctx is not None else None
    if not isinstance(cmd, TyperGroup):
        return []
    return [name for name, sub in cmd.commands.items() if not sub.hidden]


def _validation_error(exc: click_errors.BadParameter) -> str:
    """A bad value in words: what was written, and what the parameter takes."""
    label = param_label(exc.param)
    cause = exc.__cause__
    errors: list[Any] = getattr(cause, "errors", list)()
    detail: dict[str, Any] = errors[0] if errors and isinstance(errors[0], dict) else {}
    value = detail.get("input")
    shown = f"“{value}”" if value is not None else "所写的值"
    kind = str(detail.get("type", ""))
    limits = detail.get("ctx") or {}
    if choices := (_choices(exc.param) if exc.param is not None else []):
        return f"{label} 不能写{shown}，可选：{'、'.join(choices)}"
    if kind in ("int_parsing", "int_from_float", "int_type"):
        return f"{label} 应写整数，{shown}不是整数"
    if kind in ("float_parsing", "float_type", "decimal_parsing"):
        return f"{label} 应写数字，{shown}不是数字"
    if kind in ("bool_parsing", "bool_type"):
        return f"{label} 应写“是”或“否”（true/false），不能写{shown}"
    words = {"greater_than_equal": ("ge", "不能小于"), "greater_than": ("gt", "应大于"),
             "less_than_equal": ("le", "不能大于"), "less_than": ("lt", "应小于")}
    if kind in words:
        key, phrase = words[kind]
        return f"{label} {phrase} {limits.get(key)}（现为 {value}）"
    return f"{label} 的值{shown}不对" + (f"，可写：{_range(exc.param)}" if exc.param and _range(exc.param) else "")


def error_message(exc: click_errors.ClickException) -> str:
    """One Chinese sentence for a click/typer usage error, suggestions kept."""
    ctx: Context | None = getattr(exc, "ctx", None)
    if isinstance(exc, click_errors.NoSuchOption):
        options = sorted(exc.possibilities or [])
        return f"没有 {exc.option_name} 这个选项" + (f"，是不是 {_or(options)}？" if options else "")
    if isinstance(exc, click_errors.MissingParameter):
        param = exc.param
        what = "选项 " if isinstance(param, TyperOption) else "参数"
        help_text = getattr(param, "help", None)
        described = f"：{help_text}" if help_text else ""
        return f"缺少{what}{param_label(param)}{described}"
    if isinstance(exc, click_errors.BadParameter):
        return _validation_error(exc)
    if isinstance(exc, click_errors.BadOptionUsage):
        if "does not take a value" in exc.message:
            return f"{exc.option_name} 是开关，后面不能写值（只写 {exc.option_name} 即可）"
        counted = _ARGS_COUNT.search(exc.message)
        return f"{exc.option_name} 后面要写{counted['n'] + ' 个值' if counted else '一个值'}"
    commands = _commands(ctx)
    if found := _NO_COMMAND.match(exc.message):
        name = found["name"]
        close = difflib.get_close_matches(name, commands)
        return f"没有 {name} 这个命令，" + (f"是不是 {_or(close)}？" if close else f"可用的命令：{'、'.join(commands)}")
    if exc.message.startswith("Missing command"):
        return f"请写出要执行的命令：{'、'.join(commands)}"
    if found := _EXTRA.match(exc.message):
        return f"多余的参数：{found['args']}（文件名含空格时请用引号括起来）"
    return "命令的写法不对"


def command_context(root: Command, prog_name: str, args: Sequence[str]) -> Context:
    """The context of the command that `args` name (errors raised while parsing options carry
    none), so that its usage line can be shown."""
    ctx: Context = ChineseContext(root, info_name=prog_name)
    for token in args:
        cmd = ctx.command
        if isinstance(cmd, TyperGroup) and token in cmd.commands:
            ctx = ChineseContext(cmd.commands[token], info_name=token, parent=ctx)
    return ctx


def show_error(exc: click_errors.ClickException, fallback: Context | None = None) -> None:
    """Print a usage error: the usage line, the Chinese message, where to read the help."""
    ctx: Context | None = getattr(exc, "ctx", None) or fallback
    width = _width()
    lines = []
    if ctx is not None:
        lines.append(Text(usage(ctx), style="bold"))
    from scoring.text import visible  # the words typed may hold control characters

    lines.append(Text(f"错误：{visible(error_message(exc))}", style="red"))
    if ctx is not None:
        lines.append(Text(f"查看说明：{ctx.command_path} --help", style="dim"))
    typer.echo(render(Group(*(wrapped(line, width) for line in lines)), width, stderr=True), err=True)


class ChineseGroup(TyperGroup):
    """The root group of `score`: localises the command tree, shows usage errors in Chinese."""

    def main(self, args: Sequence[str] | None = None, prog_name: str | None = None,
             complete_var: str | None = None, standalone_mode: bool = True,
             windows_expand_args: bool = True, **extra: Any) -> Any:
        """Run the command line; on its own (standalone) it exits with the command's code."""
        for cmd, _ in walk(self):
            cmd.context_class = ChineseContext
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        try:
            code = super().main(args, prog_name, complete_var, False, windows_expand_args, **extra)
        except click_errors.NoArgsIsHelpError as exc:
            typer.echo(exc.format_message(), err=True)
            _exit(EXIT_USAGE)
        except click_errors.ClickException as exc:
            words = list(sys.argv[1:] if args is None else args)
            show_error(exc, command_context(self, prog_name or self.name or "score", words))
            _exit(exc.exit_code)
        except typer.Abort:
            typer.echo("已取消。", err=True)
            _exit(1)
        _exit(code if isinstance(code, int) else 0)


def _exit(code: int) -> NoReturn:
    sys.exit(code)

"""The `score` application: registers the commands."""

from __future__ import annotations

import typer

from scoring.cli import criteria_cmd, regulations_cmd
from scoring.cli.chinese import ChineseGroup
from scoring.cli.compare_cmd import compare_command
from scoring.cli.explain_cmd import explain_command
from scoring.cli.history_cmd import history_command, reindex_command
from scoring.cli.init_cmd import init_command
from scoring.cli.report_cmd import report_command
from scoring.cli.run_cmd import run_command
from scoring.cli.serve_cmd import serve_command
from scoring.cli.template_cmd import template_command

app = typer.Typer(
    name="score",
    cls=ChineseGroup,  # Chinese help pages and usage errors (see scoring/cli/chinese.py)
    help="美丽楼院考核评分工具：评分、排名、考核标准管理。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command("run")(run_command)
app.command("template")(template_command)
app.command("report")(report_command)
app.command("explain")(explain_command)
app.command("compare")(compare_command)
app.command("init")(init_command)
app.command("history")(history_command)
app.command("reindex")(reindex_command)
app.command("serve")(serve_command)
app.add_typer(criteria_cmd.app, name="criteria")
app.add_typer(regulations_cmd.app, name="regulations")


def main() -> None:
    """Console-script entry point: signals that end the command clean up first
    (scoring/interrupts.py)."""
    from scoring.interrupts import install

    install()
    app(prog_name="score")

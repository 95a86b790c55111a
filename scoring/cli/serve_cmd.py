"""`score serve`: the office's page on 127.0.0.1 (docs/design.md §11). Starlette and uvicorn are
imported inside the command, so `score --help` stays fast."""

from __future__ import annotations

import contextlib
import os
import threading
import webbrowser
from pathlib import Path
from typing import Annotated

import typer

from scoring.cli.common import DebugOpt, MaxCellsOpt, MaxSheetsOpt, MaxSizeOpt, WorkspaceOpt, reported, stdout
from scoring.engine.limits import DEFAULT_LIMITS, Limits
from scoring.errors import UsageError

HOST = "127.0.0.1"  # never another interface (docs/design.md §11)
DEFAULT_PORT = 8765


def serve_home(explicit: Path | None) -> Path:
    """The folder to serve: the workspace found by the usual lookup, else the named folder or
    ~/score-workspace, where the page offers to create one."""
    from scoring.workspace import ENV_VAR, HOME_FOLDER, MARKER, find_workspace

    if explicit is not None and not (explicit.expanduser() / MARKER).is_file():
        return explicit.expanduser().resolve()
    named = os.environ.get(ENV_VAR, "").strip()
    if explicit is None and named and not (Path(named).expanduser() / MARKER).is_file():
        return Path(named).expanduser().resolve()
    found = find_workspace(explicit)
    return found.root if found is not None else Path.home() / HOME_FOLDER


def serve_command(
    port: Annotated[int, typer.Option("--port", help="端口号", min=1, max=65535)] = DEFAULT_PORT,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="不自动打开浏览器")] = False,
    workspace: WorkspaceOpt = None,
    max_size: MaxSizeOpt = DEFAULT_LIMITS.max_size_mb,
    max_sheets: MaxSheetsOpt = DEFAULT_LIMITS.max_sheets,
    max_cells: MaxCellsOpt = DEFAULT_LIMITS.max_cells,
    debug: DebugOpt = False,
) -> None:
    """在本机打开评分网页（只供本机访问），按 Ctrl+C 停止。"""
    with reported(debug):
        import socket

        import uvicorn

        from scoring.web.app import build_app
        from scoring.web.config import WebConfig

        home = serve_home(workspace)
        limits = Limits(max_size_mb=max_size, max_sheets=max_sheets, max_cells=max_cells)
        app = build_app(WebConfig(home, limits))
        with socket.socket() as probe:
            if probe.connect_ex((HOST, port)) == 0:
                raise UsageError(f"端口 {port} 已被占用（可能评分网页已经打开）；请在浏览器中打开 "
                                 f"http://{HOST}:{port}/ ，或用 --port 换一个端口")
        url = f"http://{HOST}:{port}/"
        stdout.print(f"评分网页：{url}（工作区 {home}）。按 Ctrl+C 停止。", markup=False, highlight=False)
        if not no_browser:
            threading.Timer(1.0, webbrowser.open, args=(url,)).start()
        server = uvicorn.Server(uvicorn.Config(app, host=HOST, port=port, log_level="warning",
                                               timeout_graceful_shutdown=5))
        # uvicorn handles Ctrl-C (stops accepting, finishes requests), then re-raises it; for the
        # office, stopping is the normal end of the page.
        with contextlib.suppress(KeyboardInterrupt):
            server.run()
        stdout.print("评分网页已停止。", markup=False)

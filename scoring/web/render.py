"""Pages from Jinja templates, and the one place where exceptions become pages: a ScoreError
shows the same Chinese messages as the command line; anything else is a bug, shown in one line
while its traceback goes to the log file (never to the page)."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Awaitable, Callable
from datetime import datetime
from functools import wraps
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from scoring.errors import ScoreError
from scoring.outputs.tables import Table, cell_text
from scoring.web.config import WebConfig

TEMPLATES = Path(__file__).parent / "templates"
View = Callable[[Request], Awaitable[Response]]
log = logging.getLogger("scoring.web")

environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                                 undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
environment.globals["cell_text"] = cell_text


def table_cells(table: Table) -> list[list[str]]:
    """A table's rows as the office reads them (scores to 2 decimals, rates as %)."""
    formats = table.formats or [""] * len(table.headers)
    return [[cell_text(v, f) for v, f in zip(row, formats, strict=True)] for row in table.rows]


environment.globals["table_cells"] = table_cells


def config_of(request: Request) -> WebConfig:
    """The page's configuration (set on the app at start)."""
    config: WebConfig = request.app.state.config
    return config


def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    """Render a template with the CSRF token, the active menu entry and the workspace."""
    token = request.scope.get("csrftoken")
    config = config_of(request)
    values = {"active": "", "issues": [], **context}
    html = environment.get_template(name).render(
        request=request, csrftoken=token() if token else "", workspace=config.workspace(), **values)
    return HTMLResponse(html, status_code=status)


def attachment(data: bytes, filename: str, media_type: str) -> Response:
    """A download with the name in UTF-8 (RFC 6266): the name is only ever a header value."""
    ascii_name = "".join(c if (c.isascii() and c.isalnum()) or c in "._-" else "_" for c in filename)
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(data, media_type=media_type, headers={"content-disposition": disposition})


def log_bug(config: WebConfig, where: str) -> Path:
    """Append the traceback of the exception being handled to the log; the log's path."""
    path = config.log_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(f"--- {datetime.now().astimezone().isoformat(timespec='seconds')} "
                         f"{where}\n{traceback.format_exc()}\n")
    except OSError:  # the log itself cannot be written: keep the traceback in the server's log
        log.exception("internal error")
    return path


def bug_line(exc: BaseException, log: Path) -> str:
    """The one line a person sees for a bug."""
    return f"内部错误（程序缺陷）：{type(exc).__name__}。详细信息已记入 {log}，请发给维护人员。"


def guarded(view: View) -> View:
    """Turn errors into pages: ScoreError → its Chinese messages (status by kind); anything
    else → one line, the traceback logged into the workspace."""
    @wraps(view)
    async def wrapper(request: Request) -> Response:
        try:
            return await view(request)
        except ScoreError as exc:
            status = {1: 422, 2: 400, 3: 503}.get(exc.exit_code, 400)
            return page(request, "error.html", {"title": "无法完成", "message": exc.message,
                                                "issues": exc.issues}, status)
        except Exception as exc:  # a bug: one line for the person, the traceback into the log
            path = log_bug(config_of(request), f"{request.method} {request.url.path}")
            return page(request, "error.html", {"title": "内部错误", "message": bug_line(exc, path)}, 500)

    return wrapper

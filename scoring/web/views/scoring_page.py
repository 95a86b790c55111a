"""评分: create the workspace on first start, upload inspection files, show every problem as a
sortable table with the choice to score the rest anyway (`score run --lenient`)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from scoring.errors import InvalidInputError, UsageError
from scoring.web.config import WebConfig
from scoring.web.problems import COLUMNS, problem_rows
from scoring.web.render import config_of, guarded, page
from scoring.web.uploads import PENDING, Upload, find_upload, save_upload, score_upload

if TYPE_CHECKING:
    from scoring.workspace import Workspace


def need_workspace(config: WebConfig) -> Workspace:
    """The workspace; UsageError pointing to the first-start page while there is none."""
    workspace = config.workspace()
    if workspace is None:
        raise UsageError("还没有建立工作区，请先在“评分”页点击“建立工作区”")
    return workspace


@guarded
async def home(request: Request) -> Response:
    """The 评分 page, or on first start the offer to create the workspace."""
    config = config_of(request)
    workspace = config.workspace()
    if workspace is None:
        return page(request, "init.html", {"title": "建立工作区", "home": config.home, "active": "score"})
    from scoring.history import list_runs

    return page(request, "score.html", {"title": "评分", "active": "score", "runs": list_runs(workspace)[:5],
                                        "limits": config.limits, "max_files": config.max_files})


@guarded
async def create_workspace(request: Request) -> Response:
    """POST: create the workspace at the folder the page serves (never a folder from the form)."""
    from scoring.workspace import init_workspace

    config = config_of(request)
    if config.workspace() is None:
        await run_in_threadpool(init_workspace, config.home)
    return RedirectResponse("/", status_code=303)


async def _scored(request: Request, upload: Upload, lenient: bool) -> Response:
    config = config_of(request)
    workspace = need_workspace(config)
    try:
        record = await run_in_threadpool(score_upload, workspace, upload, lenient=lenient, limits=config.limits)
    except InvalidInputError as exc:
        if not upload.folder.is_dir():
            raise
        pending = json.loads((upload.folder / PENDING).read_text(encoding="utf-8"))
        pending["issues"] = [{**i.as_dict(), "path": i.path, "where": i.where} for i in exc.issues]
        (upload.folder / PENDING).write_text(json.dumps(pending, ensure_ascii=False), encoding="utf-8")
        return RedirectResponse(f"/uploads/{upload.token}", status_code=303)
    return RedirectResponse(f"/runs/{record.id}", status_code=303)


@guarded
async def upload_files(request: Request) -> Response:
    """POST (multipart): store the files under generated names, score, archive; problems go to
    the problem table."""
    config = config_of(request)
    workspace = need_workspace(config)
    async with request.form(max_files=config.max_files + 1, max_fields=20) as form:
        files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
        period = str(form.get("period") or "").strip() or None
        lenient = form.get("lenient") == "1"
        upload = await save_upload(workspace, files, config.limits, config.max_files, period)
    return await _scored(request, upload, lenient)


@guarded
async def problems(request: Request) -> Response:
    """The problems of a waiting upload, sortable by any column (links, no script)."""
    from scoring.issues import Issue

    workspace = need_workspace(config_of(request))
    upload = find_upload(workspace, request.path_params["token"])
    data = json.loads((upload.folder / PENDING).read_text(encoding="utf-8"))
    issues = [Issue(**i) for i in data.get("issues", [])]
    sort = request.query_params.get("sort")
    descending = request.query_params.get("desc") == "1"
    rows = problem_rows(issues, sort, descending)
    errors = sum(r.level == "错误" for r in rows)
    return page(request, "problems.html", {
        "title": "检查记录有误", "active": "score", "upload": upload, "rows": rows, "columns": COLUMNS,
        "sort": sort if sort in COLUMNS else None, "descending": descending, "errors": errors})


@guarded
async def score_leniently(request: Request) -> Response:
    """POST: score a waiting upload, leaving out the records with errors."""
    workspace = need_workspace(config_of(request))
    upload = find_upload(workspace, request.path_params["token"])
    return await _scored(request, upload, lenient=True)

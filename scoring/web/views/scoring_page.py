"""评分: create the workspace on first start, upload inspection files, show every problem as a
sortable table with the choice to score the rest anyway (`score run --lenient`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from scoring.errors import InvalidInputError, UsageError
from scoring.web.config import WebConfig
from scoring.web.jobs import Job, Jobs
from scoring.web.problems import COLUMNS, problem_rows
from scoring.web.render import bug_line, config_of, guarded, log_bug, page
from scoring.web.uploads import PENDING, Upload, find_upload, save_upload, score_upload, upload_bytes

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
    from scoring.web.cache import standard_of

    versions = [v.version for v in reversed(standard_of(workspace).versions)]
    return page(request, "score.html", {"title": "评分", "active": "score", "runs": list_runs(workspace)[:5],
                                        "versions": versions,
                                        "limits": config.limits, "max_files": config.max_files})


@guarded
async def create_workspace(request: Request) -> Response:
    """POST: create the workspace at the folder the page serves (never a folder from the form)."""
    from scoring.workspace import init_workspace

    config = config_of(request)
    if config.workspace() is None:
        await run_in_threadpool(init_workspace, config.home)
    return RedirectResponse("/", status_code=303)


def _keep_problems(upload: Upload, exc: InvalidInputError) -> str:
    """Keep the problems beside the waiting upload; the problem table's address."""
    if not upload.folder.is_dir():
        raise exc
    pending = json.loads((upload.folder / PENDING).read_text(encoding="utf-8"))
    pending["issues"] = [{**i.as_dict(), "path": i.path, "where": i.where} for i in exc.issues]
    pending["skippable"] = exc.skippable  # whether scoring the rest (跳过有误记录) can help
    (upload.folder / PENDING).write_text(json.dumps(pending, ensure_ascii=False), encoding="utf-8")
    return f"/uploads/{upload.token}"


def _score(workspace: Workspace, upload: Upload, lenient: bool, config: WebConfig,
           progress: Callable[[str], None] | None = None) -> str:
    """Score and archive; where the browser goes next (the results, or the problem table)."""
    try:
        record = score_upload(workspace, upload, lenient=lenient, limits=config.limits, progress=progress)
    except InvalidInputError as exc:
        return _keep_problems(upload, exc)
    return f"/runs/{record.id}"


async def _scored(request: Request, upload: Upload, lenient: bool) -> Response:
    """A small upload is scored while the browser waits; a big one in the background, with the
    progress page (works without script: it reloads itself)."""
    config = config_of(request)
    workspace = need_workspace(config)
    jobs: Jobs = request.app.state.jobs
    if not jobs.claim(upload.token):  # the form sent twice: the first sending is scoring these files
        return RedirectResponse(f"/uploads/{upload.token}/wait", status_code=303)
    if upload_bytes(upload) <= config.background_bytes:
        try:
            location = await run_in_threadpool(_score, workspace, upload, lenient, config)
        finally:
            jobs.release(upload.token)
        return RedirectResponse(location, status_code=303)

    def work(job: Job) -> str:
        def progress(message: str) -> None:
            job.message = message

        return _score(workspace, upload, lenient, config, progress)

    jobs.start(upload.token, work, lambda exc: bug_line(exc, log_bug(config, f"upload {upload.token}")))
    return RedirectResponse(f"/uploads/{upload.token}/wait", status_code=303)


@guarded
async def waiting(request: Request) -> Response:
    """The progress of a big upload: reloads itself each second until the run is done."""
    token = request.path_params["token"]
    job = request.app.state.jobs.get(token)
    if job is None:  # not started since the page started: its problems, if it has them
        workspace = need_workspace(config_of(request))
        find_upload(workspace, token)
        return RedirectResponse(f"/uploads/{token}", status_code=303)
    if job.location is not None:
        return RedirectResponse(job.location, status_code=303)
    if job.error is not None:
        raise job.error
    if job.failed is not None:
        return page(request, "error.html", {"title": "内部错误", "message": job.failed}, 500)
    return page(request, "wait.html", {"title": "正在评分", "active": "score", "job": job})


@guarded
async def upload_files(request: Request) -> Response:
    """POST (multipart): store the files under generated names, score, archive; problems go to
    the problem table."""
    config = config_of(request)
    workspace = need_workspace(config)
    async with request.form(max_files=config.max_files + 1, max_fields=20) as form:
        files = [f for f in form.getlist("files") if isinstance(f, UploadFile)]
        period = str(form.get("period") or "").strip() or None
        version = str(form.get("criteria_version") or "").strip() or None
        lenient = form.get("lenient") == "1"
        upload = await save_upload(workspace, files, config.limits, config.max_files, period, version)
    return await _scored(request, upload, lenient)


@guarded
async def problems(request: Request) -> Response:
    """The problems of a waiting upload, sortable by any column (links, no script)."""
    from scoring.issues import Issue

    workspace = need_workspace(config_of(request))
    upload = find_upload(workspace, request.path_params["token"])
    data = json.loads((upload.folder / PENDING).read_text(encoding="utf-8"))
    found = [Issue(**i) for i in data.get("issues", [])]
    sort = request.query_params.get("sort")
    descending = request.query_params.get("desc") == "1"
    rows = problem_rows(found, sort, descending)
    errors = sum(r.level == "错误" for r in rows)
    return page(request, "problems.html", {
        "title": "检查记录有误", "active": "score", "upload": upload, "rows": rows, "columns": COLUMNS,
        "sort": sort if sort in COLUMNS else None, "descending": descending, "errors": errors,
        "skippable": data.get("skippable", True)})


@guarded
async def score_leniently(request: Request) -> Response:
    """POST: score a waiting upload, leaving out the records with errors."""
    workspace = need_workspace(config_of(request))
    upload = find_upload(workspace, request.path_params["token"])
    return await _scored(request, upload, lenient=True)

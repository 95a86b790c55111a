"""检查记录表 and 年度报告: the blank inspection workbook of a version (`score template`), and
the annual-report section of a run (`score report`): shown, downloaded, or filled into an
uploaded Word draft at 【美丽楼院考核情况】 (`score report --into`)."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import Response

from scoring.errors import InvalidInputError, UsageError
from scoring.web.config import MAX_DRAFT_MB
from scoring.web.render import attachment, config_of, guarded, page
from scoring.web.uploads import display_name
from scoring.web.views.results_page import MEDIA, LoadedRun, load_run
from scoring.web.views.scoring_page import need_workspace

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@guarded
async def template_page(request: Request) -> Response:
    """The versions to make a blank inspection workbook for."""
    from scoring.web.cache import standard_of

    standard = standard_of(need_workspace(config_of(request)))
    current = standard.in_force(date.today()) or standard.latest
    return page(request, "template.html", {"title": "检查记录表", "active": "template",
                                           "versions": list(reversed(standard.versions)), "current": current})


@guarded
async def template_download(request: Request) -> Response:
    """The blank workbook of `?version=V` (generated into a temporary folder, then sent)."""
    from scoring.outputs.template import write_template
    from scoring.web.cache import standard_of

    standard = standard_of(need_workspace(config_of(request)))
    crit = standard.get(request.query_params.get("version", "").strip())

    def build() -> bytes:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "template.xlsx"
            write_template(crit, path, standard.register)
            return path.read_bytes()

    return attachment(await run_in_threadpool(build), f"检查记录表（{crit.version}版）.xlsx", XLSX)


def _section_runs(request: Request, run_id: str, previous_id: str) -> tuple[LoadedRun, LoadedRun | None]:
    workspace = need_workspace(config_of(request))
    return load_run(workspace, run_id), load_run(workspace, previous_id) if previous_id else None


@guarded
async def report_page(request: Request) -> Response:
    """The section of `?run=` (default the newest run), compared with `?previous=`."""
    from scoring.history import list_runs
    from scoring.report.section import build_section

    runs = list_runs(need_workspace(config_of(request)))
    run_id = request.query_params.get("run", "").strip() or (runs[0].id if runs else "")
    if not run_id:
        raise UsageError("还没有评分结果：请先在“评分”页上传检查记录")
    previous_id = request.query_params.get("previous", "").strip()
    run, previous = _section_runs(request, run_id, previous_id)
    section = build_section(run.results, run.standard, previous.results if previous else None)
    return page(request, "report.html", {"title": "年度报告", "active": "report", "runs": runs, "run_id": run_id,
                                         "previous_id": previous_id, "blocks": section.blocks,
                                         "max_mb": MAX_DRAFT_MB})


@guarded
async def report_download(request: Request) -> Response:
    """report.docx or report.md of `?run=` with `?previous=` (made on request)."""
    from scoring.report.section import build_section

    kind = request.query_params.get("format", "docx")
    if kind not in ("docx", "md"):
        raise UsageError("只能下载 docx 或 md 格式")
    run, previous = _section_runs(request, request.query_params.get("run", "").strip(),
                                  request.query_params.get("previous", "").strip())
    section = build_section(run.results, run.standard, previous.results if previous else None)

    def build() -> bytes:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / f"report.{kind}"
            section.writers()[f"report.{kind}"](path)
            return path.read_bytes()

    return attachment(await run_in_threadpool(build), f"美丽楼院考核情况（{run.record.period}）.{kind}",
                      MEDIA[f"report.{kind}"])


@guarded
async def report_fill(request: Request) -> Response:
    """POST (multipart): a Word draft filled at 【美丽楼院考核情况】; the draft is stored under a
    generated name in a temporary folder and never kept."""
    from scoring.report.section import build_section
    from scoring.report.word import fill_draft

    async with request.form(max_files=1, max_fields=10) as form:
        run, previous = _section_runs(request, str(form.get("run") or "").strip(),
                                      str(form.get("previous") or "").strip())
        draft = form.get("draft")
        if not isinstance(draft, UploadFile) or not draft.filename:
            raise UsageError("请选择年度报告草稿（.docx）")
        name = display_name(draft.filename, 1)
        data = await draft.read(MAX_DRAFT_MB * 1024 * 1024 + 1)
    if len(data) > MAX_DRAFT_MB * 1024 * 1024:
        raise UsageError(f"草稿超过 {MAX_DRAFT_MB} MB 的上限")
    section = build_section(run.results, run.standard, previous.results if previous else None)

    def build() -> bytes:
        with tempfile.TemporaryDirectory() as folder:
            source, target = Path(folder) / "draft.docx", Path(folder) / "filled.docx"
            source.write_bytes(data)
            try:
                fill_draft(section.blocks, source, target)
            except InvalidInputError as exc:  # name the draft as uploaded, not the temporary file
                raise InvalidInputError(exc.message.replace(str(source), name)) from None
            return target.read_bytes()

    filled = await run_in_threadpool(build)
    stem = name[:-5] if name.lower().endswith(".docx") else name
    return attachment(filled, f"{stem}-已填写.docx", MEDIA["report.docx"])

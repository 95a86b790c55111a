"""结果 and 楼院: one archived run — community ranking with a bar chart, the courtyard ranking
filtered by community and grade, 红黑榜, 法治建设, downloads of every output — and one
courtyard explained (the same `explain` as the command line), printable."""

from __future__ import annotations

import mimetypes
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response

from scoring.api import OUTPUT_NAMES
from scoring.criteria.standard import Standard
from scoring.engine.results import Results
from scoring.errors import UsageError
from scoring.runs import RunRecord, read_record, results_path, run_dir
from scoring.web.charts import bar_chart
from scoring.web.render import attachment, config_of, guarded, page
from scoring.web.views.scoring_page import need_workspace

if TYPE_CHECKING:
    from scoring.workspace import Workspace

MEDIA = {"results.json": "application/json", "report.md": "text/markdown; charset=utf-8",
         "ranking.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
         "report.docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}


@dataclass
class LoadedRun:
    """An archived run read back: its record, its results and the workspace's standard."""

    record: RunRecord
    results: Results
    standard: Standard


def load_run(workspace: Workspace, run_id: str) -> LoadedRun:
    """Run `run_id` of the workspace, its results typed (InvalidInputError when missing)."""
    from scoring.web.cache import results_of, standard_of

    folder = run_dir(workspace, run_id)
    standard = standard_of(workspace)
    return LoadedRun(read_record(folder), results_of(results_path(folder), standard), standard)


@guarded
async def latest(request: Request) -> Response:
    """结果 in the menu: the newest run, or the upload page when there is none."""
    from scoring.history import list_runs

    runs = list_runs(need_workspace(config_of(request)))
    return RedirectResponse(f"/runs/{runs[0].id}" if runs else "/", status_code=303)


@guarded
async def run_page(request: Request) -> Response:
    """One run's results."""
    from scoring.outputs.ranking_sheets import red_and_black, rule_of_law, veto_names

    workspace = need_workspace(config_of(request))
    run = load_run(workspace, request.path_params["run_id"])
    results = run.results
    community = request.query_params.get("community", "")
    grade = request.query_params.get("grade", "")
    yards = [y for y in results.courtyards
             if (not community or y.community == community) and (not grade or y.grade == grade)]
    red, black, lists_note = red_and_black(results)
    chart = bar_chart([(c.community, c.mean_total_cents / 100) for c in results.communities],
                      float(max((v.scale for v in results.versions), default=100)))
    grades = list(results.communities[0].grade_counts) if results.communities else []
    return page(request, "results.html", {
        "title": f"评分结果 {run.record.id}", "active": "results", "run": run.record, "results": results,
        "yards": yards, "community": community, "grade": grade, "grades": grades, "chart": chart,
        "red": red, "black": black, "lists_note": lists_note, "law": rule_of_law(results, run.standard.register),
        "outputs": OUTPUT_NAMES, "passed": sum(y.passing for y in results.courtyards),
        "veto_names": veto_names(results)})


@guarded
async def run_json(request: Request) -> Response:
    """The same run as data (datasette's `.json`): its results.json as archived."""
    folder = run_dir(need_workspace(config_of(request)), request.path_params["run_id"])
    return FileResponse(results_path(folder), media_type=MEDIA["results.json"])


@guarded
async def courtyard_page(request: Request) -> Response:
    """One courtyard explained: values, source cells, vetoes, why this grade, steps up."""
    from scoring.explain import explain
    from scoring.outputs.tables import short_cells

    workspace = need_workspace(config_of(request))
    run = load_run(workspace, request.path_params["run_id"])
    name = request.query_params.get("name", "").strip()
    if not name:
        raise UsageError("请指定楼院")
    explanation = explain(run.results, name)
    return page(request, "courtyard.html", {
        "title": f"{explanation.community} {explanation.courtyard}", "active": "results", "run": run.record,
        "e": explanation, "short_cells": short_cells, "name": f"{explanation.community}/{explanation.courtyard}"})


@guarded
async def courtyard_docx(request: Request) -> Response:
    """The courtyard's 评分说明 as a Word file (the same as `score explain --docx`)."""
    from scoring.explain import explain
    from scoring.outputs.explain_doc import write_explanation

    workspace = need_workspace(config_of(request))
    run = load_run(workspace, request.path_params["run_id"])
    explanation = explain(run.results, request.query_params.get("name", "").strip() or "—")

    def build() -> bytes:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "说明.docx"
            write_explanation(explanation, path)
            return path.read_bytes()

    return attachment(await run_in_threadpool(build), f"{explanation.courtyard}评分说明（{run.record.period}）.docx",
                      MEDIA["report.docx"])


@guarded
async def download(request: Request) -> Response:
    """An output of a run; only the four output names are served (never a path from the URL)."""
    workspace = need_workspace(config_of(request))
    folder = run_dir(workspace, request.path_params["run_id"])
    name = request.path_params["name"]
    if name not in OUTPUT_NAMES:
        raise UsageError(f"没有名为“{name}”的结果文件")
    path = folder / "outputs" / name
    if not path.is_file():
        raise UsageError(f"第 {folder.name} 次评分没有 {name}")
    media = MEDIA.get(name) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    return FileResponse(path, media_type=media, filename=f"{folder.name}-{name}")

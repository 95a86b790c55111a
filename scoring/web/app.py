"""The Starlette application of `score serve`: routes, middleware (security.py) and the static
assets that ship in the package. `build_app(config)` is what uvicorn serves and what the tests
drive in-process."""

from __future__ import annotations

import importlib
import secrets
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from scoring.web.config import WebConfig
from scoring.web.jobs import Jobs
from scoring.web.render import page
from scoring.web.security import middleware
from scoring.web.views import criteria_page, documents_page, history_page, results_page, scoring_page

STATIC = Path(__file__).parent / "static"


def routes() -> list[Route | Mount]:
    """Every page; POST only where a form changes something."""
    return [
        Route("/", scoring_page.home),
        Route("/init", scoring_page.create_workspace, methods=["POST"]),
        Route("/score", scoring_page.upload_files, methods=["POST"]),
        Route("/uploads/{token}", scoring_page.problems),
        Route("/uploads/{token}/lenient", scoring_page.score_leniently, methods=["POST"]),
        Route("/uploads/{token}/wait", scoring_page.waiting),
        Route("/results", results_page.latest),
        Route("/runs/{run_id}.json", results_page.run_json),
        Route("/runs/{run_id}", results_page.run_page),
        Route("/runs/{run_id}/courtyard", results_page.courtyard_page),
        Route("/runs/{run_id}/courtyard.docx", results_page.courtyard_docx),
        Route("/runs/{run_id}/files/{name}", results_page.download),
        Route("/history.json", history_page.history_json),
        Route("/history", history_page.history),
        Route("/compare", history_page.compare_runs),
        Route("/template", documents_page.template_page),
        Route("/template/download", documents_page.template_download),
        Route("/report", documents_page.report_page),
        Route("/report/download", documents_page.report_download),
        Route("/report/fill", documents_page.report_fill, methods=["POST"]),
        Route("/criteria", criteria_page.criteria_page),
        Route("/criteria/diff", criteria_page.criteria_diff),
        Route("/criteria/audit", criteria_page.criteria_audit),
        Route("/criteria/download", criteria_page.criteria_download),
        Route("/criteria/import", criteria_page.criteria_import, methods=["POST"]),
        Route("/criteria/regulations/download", criteria_page.regulations_download),
        Route("/criteria/regulations/import", criteria_page.regulations_import, methods=["POST"]),
        Mount("/static", StaticFiles(directory=STATIC), name="static"),
    ]


async def not_found(request: Request, exc: Exception) -> Response:
    """A page or method that does not exist, in Chinese."""
    return page(request, "error.html", {"title": "找不到该页面", "message": "找不到该页面，请从上方菜单进入。"}, 404)


WARM_UP = ("scoring.pipeline", "scoring.outputs.workbook", "scoring.report.word", "scoring.explain",
           "scoring.compare", "python_calamine", "openpyxl")


def _warm_up() -> None:
    """Import the libraries a first upload needs, so that it is not slower than the next."""
    for name in WARM_UP:
        importlib.import_module(name)


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    """On start: warm up in the background (the page answers meanwhile)."""
    threading.Thread(target=_warm_up, name="warm-up", daemon=True).start()
    yield


def build_app(config: WebConfig) -> Starlette:
    """The application serving `config.home`; a random CSRF signing secret per start unless given."""
    if config.secret is None:
        config = replace(config, secret=secrets.token_urlsafe(32))
    app = Starlette(routes=routes(), middleware=middleware(config),
                    exception_handlers={404: not_found, 405: not_found}, lifespan=lifespan)
    app.state.config = config
    app.state.jobs = Jobs()
    return app

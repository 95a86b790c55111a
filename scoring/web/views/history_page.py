"""历次评分: the runs in score.db, a courtyard's scores across runs, and two runs compared
(the same `compare` as `score compare`, with the data/criteria split when a re-score is given)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from scoring.errors import UsageError
from scoring.web.charts import bar_chart
from scoring.web.render import config_of, guarded, page
from scoring.web.views.results_page import load_run
from scoring.web.views.scoring_page import need_workspace


@guarded
async def history(request: Request) -> Response:
    """The runs, and the trend of the courtyard named in `?courtyard=社区/楼院`."""
    from scoring.history import courtyard_history, known_courtyards, list_runs

    workspace = need_workspace(config_of(request))
    runs = list_runs(workspace)
    name = request.query_params.get("courtyard", "").strip()
    trend = []
    if name:
        community, sep, courtyard = name.partition("/")
        trend = courtyard_history(workspace, community.strip() if sep else None, (courtyard if sep else name).strip())
        if not trend:
            raise UsageError(f"历次评分中没有楼院“{name}”；请写成 社区/楼院，如 焦南社区/建设路1号院")
    chart = bar_chart([(f"{r.period}（{r.run_id}）", r.total_cents / 100) for r in trend]) if trend else None
    return page(request, "history.html", {"title": "历次评分", "active": "history", "runs": runs, "name": name,
                                          "trend": trend, "chart": chart, "names": known_courtyards(workspace)})


@guarded
async def history_json(request: Request) -> Response:
    """The runs as data (datasette's `.json`), newest first."""
    from dataclasses import asdict

    from scoring.history import list_runs

    return JSONResponse([asdict(r) for r in list_runs(need_workspace(config_of(request)))])


@guarded
async def compare_runs(request: Request) -> Response:
    """Two runs compared: `?a=RUN&b=RUN[&rescored=RUN]`."""
    from scoring.compare import compare

    workspace = need_workspace(config_of(request))
    ids = {k: request.query_params.get(k, "").strip() for k in ("a", "b", "rescored")}
    if not ids["a"] or not ids["b"]:
        raise UsageError("请选择要对比的两次评分")
    a, b = load_run(workspace, ids["a"]), load_run(workspace, ids["b"])
    rescored = load_run(workspace, ids["rescored"]).results if ids["rescored"] else None
    comparison = compare(a.results, b.results, rescored)
    return page(request, "compare.html", {"title": f"对比 {ids['a']} 与 {ids['b']}", "active": "history",
                                          "c": comparison, "ids": ids})

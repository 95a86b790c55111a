"""The office's page (`score serve`), driven in-process with Starlette's TestClient: every page,
form and error path, and the security checks (Host header, CSRF, upload limits, generated
names, no traceback on the page)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from starlette.testclient import TestClient

from scoring.engine.limits import Limits
from scoring.history import list_runs
from scoring.report.word import MARKER, text_of
from scoring.runs import read_record
from scoring.web.app import build_app
from scoring.web.config import WebConfig
from scoring.workspace import MARKER as WORKSPACE_MARKER
from scoring.workspace import Workspace, init_workspace

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "inspections.xlsx"
SAMPLE_2022 = ROOT / "samples" / "inspections-2022.xlsx"
BASE = "http://127.0.0.1:8765"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
TOKEN = re.compile(r'name="csrftoken" value="([^"]+)"')


def client_for(home: Path, **config: object) -> TestClient:
    return TestClient(build_app(WebConfig(home, **config)), base_url=BASE)  # type: ignore[arg-type]


def token(client: TestClient, path: str = "/") -> str:
    found = TOKEN.search(client.get(path).text)
    assert found, "the page has a form with a CSRF token"
    return found.group(1)


def upload(client: TestClient, *files: tuple[str, bytes], **fields: str) -> object:
    return client.post("/score", data={"csrftoken": token(client), **fields},
                       files=[("files", (name, data, XLSX)) for name, data in files], follow_redirects=False)


def with_mistake(cell: str = "AF5", value: str = "可以") -> bytes:
    book = load_workbook(SAMPLE)
    book.active[cell] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Workspace]]:
    """A workspace with the 2022 and the 2023 sample uploaded through the page."""
    ws = init_workspace(tmp_path_factory.mktemp("web") / "ws")
    with client_for(ws.root) as client:
        for sample in (SAMPLE_2022, SAMPLE):
            response = upload(client, (sample.name, sample.read_bytes()))
            assert response.status_code == 303  # type: ignore[attr-defined]
        yield client, ws


# --- first start -------------------------------------------------------------------------------


def test_first_start_offers_to_create_the_workspace(tmp_path: Path) -> None:
    home = tmp_path / "score-workspace"
    with client_for(home) as client:
        page = client.get("/")
        assert page.status_code == 200
        assert "建立工作区" in page.text and str(home) in page.text
        for path in ("/history", "/criteria", "/template"):
            assert "还没有建立工作区" in client.get(path).text
        response = client.post("/init", data={"csrftoken": token(client)}, follow_redirects=False)
        assert response.status_code == 303
        assert (home / WORKSPACE_MARKER).is_file()
        assert (home / "criteria" / "beautiful-courtyard" / "2023.1.json").is_file()
        assert "开始评分" in client.get("/").text


# --- security ----------------------------------------------------------------------------------


def test_other_host_headers_are_refused(tmp_path: Path) -> None:
    with client_for(tmp_path) as client:
        assert client.get("/", headers={"host": "evil.example"}).status_code == 400
        assert client.get("/", headers={"host": "127.0.0.1.evil.example:8765"}).status_code == 400
        assert client.get("/", headers={"host": "localhost:8765"}).status_code == 200
        assert client.get("/", headers={"host": "127.0.0.1:8765"}).status_code == 200


def test_forms_without_the_csrf_token_are_refused(tmp_path: Path) -> None:
    home = tmp_path / "ws"
    with client_for(home) as client:
        token(client)  # the cookie is set
        for data in ({}, {"csrftoken": "forged"}):
            response = client.post("/init", data=data)
            assert response.status_code == 403
            assert "表单未提交" in response.text
        assert not home.exists()
    # A cross-site post carries no cookie: refused all the same.
    with client_for(home) as fresh:
        assert fresh.post("/init", data={"csrftoken": "x"}).status_code == 403
        assert not home.exists()


def test_multipart_needs_the_token_before_the_file(scored: tuple[TestClient, Workspace]) -> None:
    client, ws = scored
    before = len(list_runs(ws))
    response = client.post("/score", files=[("files", ("a.xlsx", SAMPLE.read_bytes(), XLSX))])
    assert response.status_code == 403
    response = client.post("/score", data={"csrftoken": "forged"},
                           files=[("files", ("a.xlsx", SAMPLE.read_bytes(), XLSX))])
    assert response.status_code == 403
    assert len(list_runs(ws)) == before


def test_oversized_and_unlabelled_bodies_are_refused_before_reading(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    with client_for(ws.root, limits=Limits(max_size_mb=1), max_files=2) as client:
        csrf = token(client)
        big = client.post("/score", content=b"x" * (3 * 1024 * 1024 + 10),
                          headers={"content-type": "multipart/form-data; boundary=abc", "x-csrftoken": csrf})
        assert big.status_code == 413 and "太大" in big.text
        no_boundary = client.post("/score", content=b"abc", headers={"content-type": "multipart/form-data"})
        assert no_boundary.status_code == 400


def test_upload_limits_as_score_run(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    with client_for(ws.root, limits=Limits(max_size_mb=1), max_files=2) as client:
        response = upload(client, *[(f"{k}.xlsx", b"x") for k in range(3)])
        assert response.status_code == 400  # type: ignore[attr-defined]
        assert "一次最多上传 2 个文件" in response.text  # type: ignore[attr-defined]
        response = upload(client, ("大.xlsx", b"x" * (1024 * 1024 + 1)))
        assert "文件“大.xlsx”超过 1 MB 的上限" in response.text  # type: ignore[attr-defined]
        response = client.post("/score", data={"csrftoken": token(client)})
        assert "请先选择要评分的检查记录文件" in response.text
    assert list((ws.root / "uploads").iterdir()) == []  # nothing kept
    assert list_runs(ws) == []


def test_uploads_get_generated_names_and_names_stay_text(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    with client_for(ws.root) as client:
        response = upload(client, ("..\\..\\..\\evil.xlsx", SAMPLE.read_bytes()))
        assert response.status_code == 303  # type: ignore[attr-defined]
    record = read_record(ws.runs_dir / "2023-1")
    assert record.inputs[0].name == "evil.xlsx" and record.inputs[0].stored == "inputs/1.xlsx"
    assert (ws.runs_dir / "2023-1" / "inputs" / "1.xlsx").read_bytes() == SAMPLE.read_bytes()
    assert not list(tmp_path.glob("evil*")) and not list(ws.root.rglob("evil*"))
    results = json.loads((ws.runs_dir / "2023-1" / "outputs" / "results.json").read_text(encoding="utf-8"))
    assert [i["path"] for i in results["inputs"]] == ["evil.xlsx"]
    cells = next(iter(results["courtyards"][0]["items"].values()))["cells"]
    assert cells[0].startswith("evil.xlsx › 检查记录!")


def test_run_ids_and_file_names_from_the_url_are_never_paths(scored: tuple[TestClient, Workspace]) -> None:
    client, _ = scored
    assert "找不到第 2023-1x 次评分的记录" in client.get("/runs/2023-1x").text
    assert "找不到该页面" in client.get("/runs/..%2F..%2Fscore.db").text
    for path in ("/runs/2023-1/files/score.db", "/runs/2023-1/files/run.json"):
        response = client.get(path)
        assert response.status_code == 400 and "没有名为" in response.text
    for path in ("/runs/2023-1/files/..%2F..%2F..%2Fscore.db", "/runs/..%2Fscore.db/files/results.json"):
        assert client.get(path).status_code == 404
    assert client.get("/uploads/..%2F..%2Fruns/lenient").status_code == 404
    assert "找不到这次上传的文件" in client.get("/uploads/0123").text


# --- 评分 ---------------------------------------------------------------------------------------


def test_upload_scores_archives_and_shows_results(scored: tuple[TestClient, Workspace]) -> None:
    client, ws = scored
    assert [r.id for r in list_runs(ws)][:2] == ["2023-1", "2022-1"]
    record = read_record(ws.runs_dir / "2023-1")
    assert record.via == "网页" and record.inputs[0].name == "inspections.xlsx"
    page = client.get("/runs/2023-1")
    assert page.status_code == 200
    assert "考核期 2023：6 个社区、48 个楼院" in page.text
    assert "<svg class=\"chart\"" in page.text and "各社区平均分" in page.text
    results = json.loads((ws.runs_dir / "2023-1" / "outputs" / "results.json").read_text(encoding="utf-8"))
    first = results["communities"][0]
    assert f"{first['mean_total']:.2f}" in page.text
    lists = results["lists"]
    assert f"红榜（前 10 名，含并列，共 {len(lists['red'])} 个）" in page.text
    assert f"黑榜（后 10 名、取消评选资格的楼院，含并列，共 {len(lists['black'])} 个）" in page.text
    assert "法治建设" in page.text
    assert "<form" in page.text and "/runs/2023-1/files/ranking.xlsx" in page.text
    assert client.get("/results", follow_redirects=False).headers["location"] == "/runs/2023-1"


def test_courtyard_filter_by_community_and_grade(scored: tuple[TestClient, Workspace]) -> None:
    client, ws = scored
    results = json.loads((ws.runs_dir / "2023-1" / "outputs" / "results.json").read_text(encoding="utf-8"))
    yard = results["courtyards"][0]
    same = [y for y in results["courtyards"] if y["community"] == yard["community"] and y["grade"] == yard["grade"]]
    page = client.get("/runs/2023-1", params={"community": yard["community"], "grade": yard["grade"]}).text
    table = page.split('id="courtyards"')[1].split("红黑榜")[0]
    assert table.count("/courtyard?name=") == len(same)
    others = [y["courtyard"] for y in results["courtyards"] if y["community"] != yard["community"]]
    assert not any(f">{name}</a>" in table for name in others)


def test_every_output_downloads(scored: tuple[TestClient, Workspace]) -> None:
    client, ws = scored
    outputs = ws.runs_dir / "2023-1" / "outputs"
    for name in ("results.json", "ranking.xlsx", "report.md", "report.docx"):
        response = client.get(f"/runs/2023-1/files/{name}")
        assert response.status_code == 200
        assert response.content == (outputs / name).read_bytes()
    book = load_workbook(io.BytesIO(client.get("/runs/2023-1/files/ranking.xlsx").content), read_only=True)
    assert book.sheetnames[:2] == ["楼院排名", "社区排名"]


def test_a_mistake_gives_the_problem_table_and_nothing_is_archived(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    with client_for(ws.root) as client:
        response = upload(client, ("一季度.xlsx", with_mistake()))
        assert response.status_code == 303  # type: ignore[attr-defined]
        location = response.headers["location"]  # type: ignore[attr-defined]
        assert location.startswith("/uploads/")
        assert list_runs(ws) == [] and not list(ws.runs_dir.iterdir())
        page = client.get(location).text
        row = next(r for r in page.split("<tr") if "AF5" in r)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        book = load_workbook(SAMPLE, read_only=True)
        community, courtyard = (c.value for c in next(book.active.iter_rows(min_row=5, max_row=5))[1:3])
        assert cells[:9] == ["错误", "一季度.xlsx", "检查记录", "AF5", community, courtyard, "LAW-01", "可以", cells[8]]
        assert cells[8].startswith("应填")
        assert "仍然评分（跳过有误记录）" in page and "未生成任何结果" in page
        # The same words as the command line.
        from scoring.api import score
        from scoring.errors import InvalidInputError
        copy = tmp_path / "一季度.xlsx"
        copy.write_bytes(with_mistake())
        with pytest.raises(InvalidInputError) as caught:
            score([copy])
        assert caught.value.issues[0].message in page
        # Sortable by any column, without script.
        by_cell = client.get(location, params={"sort": "cell", "desc": "1"}).text
        assert "单元格 ▼" in by_cell
        # Then the rest is scored anyway — once, even when the form is sent again while the first
        # sending is still scoring (here: the upload is held as being scored).
        csrf = TOKEN.search(page)
        assert csrf
        token_of_upload = location.rsplit("/", 1)[1]
        jobs = client.app.state.jobs  # type: ignore[attr-defined]
        assert jobs.claim(token_of_upload)
        again = client.post(f"{location}/lenient", data={"csrftoken": csrf.group(1)}, follow_redirects=False)
        assert again.status_code == 303 and again.headers["location"] == f"{location}/wait"
        assert list_runs(ws) == []
        jobs.release(token_of_upload)
        done = client.post(f"{location}/lenient", data={"csrftoken": csrf.group(1)}, follow_redirects=False)
        assert done.status_code == 303 and done.headers["location"] == "/runs/2023-1"
    record = read_record(ws.runs_dir / "2023-1")
    assert record.lenient
    results = json.loads((ws.runs_dir / "2023-1" / "outputs" / "results.json").read_text(encoding="utf-8"))
    assert any(i["cell"] == "AF5" and i["file"] == "一季度.xlsx" for i in results["issues"])
    assert not (ws.root / "uploads" / location.rsplit("/", 1)[1]).exists()


def test_fix_and_reupload(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    with client_for(ws.root) as client:
        first = upload(client, ("一季度.xlsx", with_mistake()))
        assert first.headers["location"].startswith("/uploads/")  # type: ignore[attr-defined]
        fixed = upload(client, ("一季度.xlsx", SAMPLE.read_bytes()))
        assert fixed.headers["location"] == "/runs/2023-1"  # type: ignore[attr-defined]
        assert not read_record(ws.runs_dir / "2023-1").lenient


def test_a_bad_file_gets_the_command_lines_message(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    with client_for(ws.root) as client:
        response = upload(client, ("检查记录.xlsx", b"<html><body>not a workbook</body></html>"))
        page = client.get(response.headers["location"]).text  # type: ignore[attr-defined]
    assert "这是网页（HTML）文件" in page and "检查记录.xlsx" in page
    assert "Traceback" not in page and str(ws.root) not in page.split("<footer>")[0]


def test_a_period_that_does_not_fit_is_a_message(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    with client_for(ws.root) as client:
        response = upload(client, ("a.xlsx", SAMPLE.read_bytes()), period="2023季度")
        assert response.status_code == 400  # type: ignore[attr-defined]
        assert "考核期" in response.text  # type: ignore[attr-defined]


def test_two_uploads_at_once_both_complete(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    statuses: list[int] = []

    def one() -> None:
        with client_for(ws.root) as client:
            statuses.append(upload(client, ("a.xlsx", SAMPLE.read_bytes())).status_code)  # type: ignore[attr-defined]

    threads = [threading.Thread(target=one) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [303, 303]
    assert sorted(r.id for r in list_runs(ws)) == ["2023-1", "2023-2"]
    for run in ("2023-1", "2023-2"):
        assert (ws.runs_dir / run / "outputs" / "ranking.xlsx").stat().st_size > 0


# --- 楼院 ---------------------------------------------------------------------------------------


def test_courtyard_page_explains(scored: tuple[TestClient, Workspace]) -> None:
    client, ws = scored
    results = json.loads((ws.runs_dir / "2023-1" / "outputs" / "results.json").read_text(encoding="utf-8"))
    yard = results["courtyards"][1]
    page = client.get("/runs/2023-1/courtyard", params={"name": f"{yard['community']}/{yard['courtyard']}"})
    assert page.status_code == 200
    assert f"总分 <strong>{yard['total']:.2f}</strong>" in page.text
    assert "为什么是这个等级" in page.text and "各项目得分" in page.text
    assert "inspections.xlsx › 检查记录!" in page.text
    # Every inspection's value, the items to put right, and the Word copy for the courtyard.
    assert "各次检查结果" in page.text and "需要整改的事项" in page.text and "3月15日 " in page.text
    name = f"{yard['community']}/{yard['courtyard']}"
    docx = client.get("/runs/2023-1/courtyard.docx", params={"name": name})
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert "%E8%AF%84%E5%88%86%E8%AF%B4%E6%98%8E" in docx.headers["content-disposition"]  # 评分说明
    missing = client.get("/runs/2023-1/courtyard", params={"name": "无此楼院"})
    assert missing.status_code == 400 and "无此楼院" in missing.text and "Traceback" not in missing.text


# --- 历次评分 -----------------------------------------------------------------------------------


def test_history_lists_runs_trend_and_compare(scored: tuple[TestClient, Workspace]) -> None:
    client, ws = scored
    page = client.get("/history").text
    assert page.index("2023-1") < page.index("2022-1")
    results = json.loads((ws.runs_dir / "2023-1" / "outputs" / "results.json").read_text(encoding="utf-8"))
    yard = results["courtyards"][0]
    trend = client.get("/history", params={"courtyard": f"{yard['community']}/{yard['courtyard']}"}).text
    assert f"{yard['total']:.2f}" in trend and "历次总分" in trend
    assert "历次评分中没有楼院" in client.get("/history", params={"courtyard": "无此楼院"}).text
    compared = client.get("/compare", params={"a": "2022-1", "b": "2023-1"})
    assert compared.status_code == 200
    assert "检查记录和考核标准都有变化" in compared.text
    same = client.get("/compare", params={"a": "2023-1", "b": "2023-1"}).text
    assert "结果应当一致" in same
    assert "请选择要对比的两次评分" in client.get("/compare").text


# --- 检查记录表, 年度报告, 考核标准 ---------------------------------------------------------------


def test_template_downloads(scored: tuple[TestClient, Workspace]) -> None:
    client, _ = scored
    assert "2023.1" in client.get("/template").text
    response = client.get("/template/download", params={"version": "2023.1"})
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    assert "检查记录" in book.sheetnames
    assert "9.9" in client.get("/template/download", params={"version": "9.9"}).text


def test_report_section_download_and_draft(scored: tuple[TestClient, Workspace], tmp_path: Path) -> None:
    client, _ = scored
    page = client.get("/report", params={"run": "2023-1", "previous": "2022-1"})
    assert page.status_code == 200 and "与上年相比" in page.text
    docx = client.get("/report/download", params={"run": "2023-1", "previous": "2022-1", "format": "docx"})
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    draft = Document()
    draft.add_paragraph("2023年法治政府建设情况报告")
    draft.add_paragraph(MARKER)
    draft.add_paragraph("三、下一步工作")
    buffer = io.BytesIO()
    draft.save(buffer)
    csrf = token(client, "/report")
    filled = client.post("/report/fill", data={"csrftoken": csrf, "run": "2023-1", "previous": ""},
                         files=[("draft", ("草稿.docx", buffer.getvalue(), "application/octet-stream"))])
    assert filled.status_code == 200
    assert "%E8%8D%89%E7%A8%BF-%E5%B7%B2%E5%A1%AB%E5%86%99.docx" in filled.headers["content-disposition"]
    (tmp_path / "filled.docx").write_bytes(filled.content)
    text = text_of(tmp_path / "filled.docx")
    # No numbered heading before the marker: the section is 一、 and the draft's 三、 follows as 二、.
    assert text[0] == "2023年法治政府建设情况报告" and text[-1] == "二、下一步工作"
    assert MARKER not in text and len(text) > 5
    no_marker = Document()
    no_marker.add_paragraph("没有标记")
    buffer = io.BytesIO()
    no_marker.save(buffer)
    refused = client.post("/report/fill", data={"csrftoken": csrf, "run": "2023-1"},
                          files=[("draft", ("我的草稿.docx", buffer.getvalue(), "application/octet-stream"))])
    assert refused.status_code == 422
    assert "草稿 我的草稿.docx 中没有找到单独成段的“【美丽楼院考核情况】”标记" in refused.text
    broken = client.post("/report/fill", data={"csrftoken": csrf, "run": "2023-1"},
                         files=[("draft", ("坏.docx", b"not a docx", "application/octet-stream"))])
    assert broken.status_code == 422 and "不是有效的 Word 文档" in broken.text


def test_criteria_versions_items_diff_and_audit(scored: tuple[TestClient, Workspace]) -> None:
    client, _ = scored
    page = client.get("/criteria").text
    assert "2022.1" in page and "2023.1" in page and "工作区" in page
    assert "LAW-01" in page and "《" in page  # items with their legal basis
    older = client.get("/criteria", params={"version": "2022.1"}).text
    assert "2022.1 版" in older
    diff = client.get("/criteria/diff", params={"a": "2022.1", "b": "2023.1"})
    assert diff.status_code == 200 and "2022.1 → 2023.1 的全部变更" in diff.text
    audit = client.get("/criteria/audit", params={"as_of": "2026-06-01"})
    assert audit.status_code == 200 and "截至 2026-06-01" in audit.text
    assert "格式不对" in client.get("/criteria/audit", params={"as_of": "昨天"}).text
    assert client.get("/criteria", params={"version": "9.9"}).status_code == 400


# --- errors -------------------------------------------------------------------------------------


def test_a_bug_shows_one_line_and_logs_the_traceback(scored: tuple[TestClient, Workspace],
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    client, ws = scored

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("scoring.history.known_courtyards", broken)
    response = client.get("/history")
    assert response.status_code == 500
    assert "内部错误（程序缺陷）：RuntimeError" in response.text and "Traceback" not in response.text
    log = (ws.root / "logs" / "web-errors.log").read_text(encoding="utf-8")
    assert "Traceback" in log and "RuntimeError: boom" in log


def test_static_assets_ship_in_the_package(scored: tuple[TestClient, Workspace]) -> None:
    client, _ = scored
    css = client.get("/static/style.css")
    assert css.status_code == 200 and "@media print" in css.text
    page = client.get("/runs/2023-1").text
    assert "http://" not in page.replace(BASE, "") and "https://" not in page  # nothing from a CDN
    assert "<script" not in page


def test_serve_help_imports_no_heavy_library() -> None:
    heavy = ["pandas", "numpy", "openpyxl", "xlsxwriter", "docx", "jsonschema", "starlette", "uvicorn"]
    code = ("import sys\nfrom typer.testing import CliRunner\nfrom scoring.cli.app import app\n"
            "for args in (['serve', '--help'], ['history', '--help'], ['reindex', '--help'], ['--help']):\n"
            "    r = CliRunner().invoke(app, args)\n    assert r.exit_code == 0, r.output\n"
            f"print(sorted(m for m in {heavy!r} if m in sys.modules))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    assert done.stdout.strip() == "[]"


def test_serve_help_is_chinese() -> None:
    from typer.testing import CliRunner

    from scoring.cli.app import app

    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    assert "在本机打开评分网页" in result.output and "--no-browser" in result.output


def test_workspace_files_are_hashed_unchanged_by_reading_pages(scored: tuple[TestClient, Workspace]) -> None:
    client, ws = scored
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in ws.runs_dir.rglob("*") if p.is_file()}
    for path in ("/runs/2023-1", "/history", "/criteria", "/report", "/template"):
        assert client.get(path).status_code == 200
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in ws.runs_dir.rglob("*") if p.is_file()}
    assert before == after


def test_an_edited_standard_is_picked_up_by_the_next_page(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    with client_for(ws.root) as client:
        assert "解放区美丽楼院创建考核标准（示例）" in client.get("/criteria").text
        path = ws.standard_dir / "2023.1.json"
        data = json.loads(path.read_text(encoding="utf-8"))
        data["title"] = "本社区办修订的考核标准"
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        assert "本社区办修订的考核标准" in client.get("/criteria").text


def follow_wait(client: TestClient, location: str) -> tuple[str, list[str]]:
    """Reload the progress page as the browser does until it moves on; where it went, and the
    progress pages seen."""
    seen = []
    for _ in range(600):
        response = client.get(location, follow_redirects=False)
        if response.status_code == 303:
            return response.headers["location"], seen
        assert response.status_code == 200, response.text
        assert '<meta http-equiv="refresh" content="1">' in response.text
        seen.append(response.text)
        time.sleep(0.05)
    raise AssertionError("the run did not finish")


def test_a_big_upload_is_scored_in_the_background_with_progress(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    with client_for(ws.root, background_bytes=0) as client:
        response = upload(client, ("一季度.xlsx", SAMPLE.read_bytes()))
        location = response.headers["location"]  # type: ignore[attr-defined]
        assert re.fullmatch(r"/uploads/[0-9a-f]{32}/wait", location)
        target, pages = follow_wait(client, location)
        assert target == "/runs/2023-1"
        assert all("已用时" in p for p in pages)
        assert "考核期 2023" in client.get(target).text
        # With a mistake the progress page leads to the problem table.
        response = upload(client, ("二季度.xlsx", with_mistake()))
        target, _ = follow_wait(client, response.headers["location"])  # type: ignore[attr-defined]
        assert target.startswith("/uploads/") and "AF5" in client.get(target).text
    assert [r.id for r in list_runs(ws)] == ["2023-1"]


def test_progress_names_the_file_as_uploaded(tmp_path: Path) -> None:
    from scoring.web.uploads import Upload, score_upload

    ws = init_workspace(tmp_path / "ws")
    folder = tmp_path / "up"
    folder.mkdir()
    (folder / "1.xlsx").write_bytes(SAMPLE.read_bytes())
    messages: list[str] = []
    score_upload(ws, Upload("0" * 32, folder, ["一季度.xlsx"], None), lenient=False, limits=Limits(),
                 progress=messages.append)
    assert messages[0] == "正在读取 一季度.xlsx 检查记录 ……"
    assert messages[-2:] == ["正在写出结果文件（ranking.xlsx、results.json、report.docx）……", "正在存入工作区……"]


def test_a_bug_in_a_background_run_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = init_workspace(tmp_path / "ws")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("scoring.web.views.scoring_page.score_upload", broken)
    with client_for(ws.root, background_bytes=0) as client:
        response = upload(client, ("a.xlsx", SAMPLE.read_bytes()))
        location = response.headers["location"]  # type: ignore[attr-defined]
        for _ in range(100):
            page = client.get(location, follow_redirects=False)
            if page.status_code != 200:
                break
            time.sleep(0.05)
        assert page.status_code == 500
        assert "内部错误（程序缺陷）：RuntimeError" in page.text and "Traceback" not in page.text
    assert "RuntimeError: boom" in (ws.root / "logs" / "web-errors.log").read_text(encoding="utf-8")


def test_score_serve_listens_on_loopback_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    import signal
    import socket
    import urllib.request

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    home = tmp_path / "新工作区"
    env = {**os.environ, "HOME": str(tmp_path), "SCORE_WORKSPACE": ""}
    server = subprocess.Popen([sys.executable, "-m", "scoring", "serve", "--no-browser", "--port", str(port),
                               "--workspace", str(home)], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as answer:
                    page = answer.read().decode()
                break
            except OSError:
                assert time.monotonic() < deadline, "score serve did not start"
                time.sleep(0.2)
        assert "建立工作区" in page and str(home) in page  # offered at the named folder, not made yet
        assert not home.exists()
        listening = subprocess.run(["ss", "-ltnH", f"sport = :{port}"], capture_output=True, text=True, check=False)
        if listening.returncode == 0:  # the local address of every listening socket on the port
            assert [line.split()[3] for line in listening.stdout.splitlines()] == [f"127.0.0.1:{port}"]
    finally:
        server.send_signal(signal.SIGINT)
        out, err = server.communicate(timeout=30)
    assert server.returncode == 0, err.decode()
    assert f"评分网页：http://127.0.0.1:{port}/" in out.decode() and "评分网页已停止。" in out.decode()
    assert "Traceback" not in err.decode()


def test_a_what_if_run_splits_the_comparison(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    with client_for(ws.root) as client:
        assert "全部按 2023.1 版评分（测算" in client.get("/").text
        for sample, version in ((SAMPLE_2022, ""), (SAMPLE, ""), (SAMPLE_2022, "2023.1")):
            response = upload(client, (sample.name, sample.read_bytes()), criteria_version=version)
            assert response.status_code == 303  # type: ignore[attr-defined]
        assert sorted(r.id for r in list_runs(ws)) == ["2022-1", "2022-2", "2023-1"]
        unsplit = client.get("/compare", params={"a": "2022-1", "b": "2023-1"}).text
        assert "全部按后一次的标准版本评分（测算）" in unsplit and "--rescored" not in unsplit
        split = client.get("/compare", params={"a": "2022-1", "b": "2023-1", "rescored": "2022-2"}).text
        assert "其中标准调整" in split and "其中检查数据" in split
        assert "已按“标准调整”和“检查数据变化”分别列出" in split
        assert "9.9" in upload(client, ("a.xlsx", SAMPLE.read_bytes()), criteria_version="9.9").text  # type: ignore[attr-defined]


def test_score_serve_says_when_the_port_is_taken(tmp_path: Path) -> None:
    import socket

    from typer.testing import CliRunner

    from scoring.cli.app import app

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        result = CliRunner().invoke(app, ["serve", "--no-browser", "--port", str(port), "--workspace", str(tmp_path)],
                                    env={"HOME": str(tmp_path), "SCORE_WORKSPACE": ""})
    assert result.exit_code == 2
    assert f"端口 {port} 已被占用" in result.stderr and "--port" in result.stderr
    assert "Traceback" not in result.output


def test_names_from_the_data_are_escaped(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    book = load_workbook(SAMPLE)
    for row in book.active.iter_rows(min_row=3):
        if row[2].value == "建设路1号院":
            row[2].value = "<script>alert(1)</script>院"
    data = io.BytesIO()
    book.save(data)
    with client_for(ws.root) as client:
        response = upload(client, ("<img src=x onerror=alert(1)>.xlsx", data.getvalue()))
        page = client.get(response.headers["location"]).text  # type: ignore[attr-defined]
        assert "&lt;script&gt;alert(1)&lt;/script&gt;院" in page
        assert "<script" not in page and "<img" not in page
        assert "&lt;img src=x onerror=alert(1)&gt;.xlsx" in page
        yard = client.get(f"{response.headers['location']}/courtyard",  # type: ignore[attr-defined]
                          params={"name": "<script>alert(1)</script>院"}).text
        assert "<script" not in yard and "&lt;script&gt;" in yard


def test_the_sheet_limits_of_score_run_apply_to_uploads(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    with client_for(ws.root, limits=Limits(max_cells=100)) as client:
        response = upload(client, ("大表.xlsx", SAMPLE.read_bytes()))
        page = client.get(response.headers["location"]).text  # type: ignore[attr-defined]
    assert "超过上限 100（可用 --max-cells 调高）" in page and "大表.xlsx" in page
    assert list_runs(ws) == []


def test_the_same_data_as_json(scored: tuple[TestClient, Workspace]) -> None:
    client, ws = scored
    response = client.get("/runs/2023-1.json")
    assert response.status_code == 200 and response.headers["content-type"].startswith("application/json")
    assert response.content == (ws.runs_dir / "2023-1" / "outputs" / "results.json").read_bytes()
    runs = client.get("/history.json").json()
    assert [r["id"] for r in runs][:2] == ["2023-1", "2022-1"]
    assert runs[0]["inputs"] == ["inspections.xlsx"] and runs[0]["courtyards"] == 48
    assert "找不到第" in client.get("/runs/9999-1.json").text


def test_vetoes_are_named_in_the_ranking(scored: tuple[TestClient, Workspace]) -> None:
    client, ws = scored
    results = json.loads((ws.runs_dir / "2023-1" / "outputs" / "results.json").read_text(encoding="utf-8"))
    vetoed = next(y for y in results["courtyards"] if y["vetoes"])
    crit = json.loads((ws.standard_dir / "2023.1.json").read_text(encoding="utf-8"))
    name = next(v["name"] for v in crit["vetoes"] if v["id"] == vetoed["vetoes"][0])
    page = client.get("/runs/2023-1", params={"community": vetoed["community"]}).text
    row = next(r for r in page.split("<tr") if f">{vetoed['courtyard']}</a>" in r)
    assert name in row

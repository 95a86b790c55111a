"""The page's safety and robustness: first start, the Host header, CSRF on every form, upload
limits and generated names, names from the data escaped, no traceback on the page (a bug is one
line, logged), and `score serve` itself (loopback only, Ctrl-C, a taken port, its help)."""

from __future__ import annotations

import hashlib
import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from starlette.testclient import TestClient

from scoring.engine.limits import Limits
from scoring.history import list_runs
from scoring.runs import read_record
from scoring.workspace import MARKER as WORKSPACE_MARKER
from scoring.workspace import Workspace, init_workspace
from tests.web_support import BASE, ROOT, SAMPLE, XLSX, client_for, token, upload


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

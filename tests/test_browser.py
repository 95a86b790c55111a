"""The whole year in a real browser: Debian's Chromium driven by Playwright against `score
serve`'s app under uvicorn on 127.0.0.1, at the office's 1366×768. Screenshots of every page go
to the test's temporary folder (printed at the end) to be looked at.

Skipped when chromium is not installed here; CI (`.ci/run`) installs it, so there it runs."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from docx import Document
from openpyxl import load_workbook

from scoring.report.word import MARKER
from scoring.web.app import build_app
from scoring.web.config import WebConfig
from tests.drafts import text_of

CHROMIUM = shutil.which("chromium")
# Under CI the test must run: a missing chromium fails there instead of skipping.
pytestmark = pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"),
                                reason="chromium is not installed (CI installs it)")

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "inspections.xlsx"
SAMPLE_2022 = ROOT / "samples" / "inspections-2022.xlsx"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def serving(home: Path, **config: Any) -> Iterator[str]:
    """`score serve`'s app under uvicorn in a thread; its address."""
    import uvicorn

    port = free_port()
    app_server = uvicorn.Server(uvicorn.Config(build_app(WebConfig(home, **config)), host="127.0.0.1", port=port,
                                               log_level="warning"))
    thread = threading.Thread(target=app_server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not app_server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        app_server.should_exit = True
        thread.join(timeout=20)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The page serving a folder that is not yet a workspace."""
    home = tmp_path / "score-workspace"
    with serving(home) as url:
        yield url, home


def test_the_whole_year_in_chromium(server: tuple[str, Path], tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    url, home = server
    shots = tmp_path / "screenshots"
    shots.mkdir()
    mistake = tmp_path / "一季度检查记录.xlsx"
    book = load_workbook(SAMPLE)
    book.active["AF5"] = "可以"
    book.save(mistake)
    draft = tmp_path / "2023年法治政府建设情况报告（草稿）.docx"
    document = Document()
    document.add_paragraph("2023年法治政府建设情况报告")
    document.add_paragraph(MARKER)
    document.add_paragraph("三、2024年工作打算")
    document.save(str(draft))

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM or "chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1366, "height": 768}, accept_downloads=True, locale="zh-CN")

        def shot(name: str) -> None:
            page.screenshot(path=str(shots / f"{name}.png"), full_page=False)

        # First start: the page offers to create the workspace.
        page.goto(url)
        assert page.locator("h1").inner_text() == "建立工作区"
        shot("01-init")
        page.get_by_role("button", name="建立工作区").click()
        page.wait_for_url(f"{url}/")
        assert (home / "score-workspace.toml").is_file()

        # Upload the sample with a mistake: the problem table.
        page.set_input_files("#files", str(mistake))
        page.get_by_role("button", name="开始评分").click()
        page.wait_for_url(f"{url}/uploads/**")
        row = page.locator("table.problems tbody tr", has_text="AF5")
        cells = row.locator("td").all_inner_texts()
        assert cells[:4] == ["错误", mistake.name, "检查记录", "AF5"]
        assert cells[4:8] == [book.active["B5"].value, book.active["C5"].value, "LAW-01", "可以"]
        assert cells[8].startswith("应填")
        shot("02-problems")
        assert not list((home / "runs").iterdir())

        # Fix and re-upload: the results.
        page.get_by_role("link", name="改正后重新上传").click()
        page.set_input_files("#files", str(SAMPLE))
        page.get_by_role("button", name="开始评分").click()
        page.wait_for_url(f"{url}/runs/2023-1")
        assert "6 个社区、48 个楼院" in page.locator("p.lead").inner_text()
        assert page.locator("svg.chart rect").count() == 6
        shot("03-results")

        # Download ranking.xlsx and read it.
        with page.expect_download() as caught:
            page.get_by_role("link", name="ranking.xlsx").click()
        saved = tmp_path / "ranking.xlsx"
        caught.value.save_as(saved)
        ranking = load_workbook(saved, read_only=True)
        assert ranking.sheetnames[:2] == ["楼院排名", "社区排名"]
        first = next(ranking["楼院排名"].iter_rows(min_row=2, max_row=2, values_only=True))
        ranking.close()

        # Filter by community, then open a courtyard.
        page.select_option("select[name=community]", label=str(first[1]))
        page.get_by_role("button", name="筛选").click()
        page.locator("#courtyards + form + table a", has_text=str(first[2])).first.click()
        page.wait_for_url(f"{url}/runs/2023-1/courtyard**")
        assert str(first[2]) in page.locator("h1").inner_text()
        assert page.get_by_text("为什么是这个等级").is_visible()
        shot("04-courtyard")

        # The annual report: fill the draft.
        page.locator("nav").get_by_role("link", name="年度报告").click()
        shot("05-report")
        page.set_input_files("#draft", str(draft))
        with page.expect_download() as caught:
            page.get_by_role("button", name="填写并下载").click()
        assert caught.value.suggested_filename == "2023年法治政府建设情况报告（草稿）-已填写.docx"
        filled = tmp_path / "filled.docx"
        caught.value.save_as(filled)
        text = text_of(filled)
        # The section becomes 一、 (no numbered heading before the marker); the draft's 三、 follows as 二、.
        assert text[0] == "2023年法治政府建设情况报告" and text[-1] == "二、2024年工作打算"
        assert MARKER not in text and len(text) > 5

        # Last year's run, then compare the two.
        page.locator("nav").get_by_role("link", name="评分", exact=True).click()
        page.set_input_files("#files", str(SAMPLE_2022))
        page.get_by_role("button", name="开始评分").click()
        page.wait_for_url(f"{url}/runs/2022-1")
        page.locator("nav").get_by_role("link", name="历次评分").click()
        page.select_option("select[name=a]", "2022-1")
        page.select_option("select[name=b]", "2023-1")
        page.locator("form[action='/compare'] button").click()
        page.wait_for_url(f"{url}/compare**")
        assert "检查记录和考核标准都有变化" in page.locator("p.lead").inner_text()
        shot("06-compare")
        page.locator("nav").get_by_role("link", name="历次评分").click()
        page.fill("input[name=courtyard]", f"{first[1]}/{first[2]}")
        page.get_by_role("button", name="查看").click()
        assert page.locator("svg.chart rect").count() == 2
        shot("07-history")

        # The standard and the blank inspection workbook.
        page.locator("nav").get_by_role("link", name="考核标准").click()
        assert page.get_by_text("LAW-01").first.is_visible()
        shot("08-criteria")
        page.locator("nav").get_by_role("link", name="检查记录表").click()
        with page.expect_download() as caught:
            page.get_by_role("button", name="下载检查记录表").click()
        template = tmp_path / "template.xlsx"
        caught.value.save_as(template)
        assert "检查记录" in load_workbook(template).sheetnames
        browser.close()
    print(f"\nscreenshots: {shots}")
    assert len(list(shots.glob("*.png"))) == 8


def test_without_javascript_the_upload_still_works(server: tuple[str, Path], tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    url, home = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM or "chromium", args=["--no-sandbox"])
        page = browser.new_page(java_script_enabled=False, viewport={"width": 1366, "height": 768})
        page.goto(url)
        page.get_by_role("button", name="建立工作区").click()
        assert (home / "score-workspace.toml").is_file()
        page.set_input_files("#files", str(SAMPLE))
        page.get_by_role("button", name="开始评分").click()
        page.wait_for_url(f"{url}/runs/2023-1")
        assert "48 个楼院" in page.locator("p.lead").inner_text()
        browser.close()


@pytest.mark.parametrize("script", [True, False])
def test_the_progress_page_reloads_itself_until_the_results(tmp_path: Path, script: bool,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    from playwright.sync_api import sync_playwright

    from scoring.web.views import scoring_page
    from scoring.workspace import init_workspace

    real = scoring_page.score_upload

    def slow(*args: Any, **kwargs: Any) -> Any:  # a run long enough to need the reloads
        time.sleep(2.5)
        return real(*args, **kwargs)

    monkeypatch.setattr(scoring_page, "score_upload", slow)

    ws = init_workspace(tmp_path / "ws")
    with serving(ws.root, background_bytes=0) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM or "chromium", args=["--no-sandbox"])
        page = browser.new_page(java_script_enabled=script, viewport={"width": 1366, "height": 768})
        seen: list[str] = []
        page.on("response", lambda r: seen.append(r.url))
        page.goto(url)
        page.set_input_files("#files", str(SAMPLE))
        page.get_by_role("button", name="开始评分").click()
        page.wait_for_url(f"{url}/runs/2023-1", timeout=60_000)
        assert sum(u.endswith("/wait") for u in seen) >= 2  # reloaded by itself, with or without script
        assert "48 个楼院" in page.locator("p.lead").inner_text()
        browser.close()

"""The office's page (`score serve`), driven in-process with Starlette's TestClient: every page
and form — 评分 and its problem table, 结果, 楼院, 历次评分, 检查记录表, 年度报告, 考核标准 —
and scoring in the background with progress."""

from __future__ import annotations

import io
import json
import re
import threading
import time
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook
from starlette.testclient import TestClient

from scoring.engine.limits import Limits
from scoring.history import list_runs
from scoring.report.word import MARKER
from scoring.runs import read_record
from scoring.workspace import Workspace, init_workspace
from tests.drafts import text_of
from tests.web_support import SAMPLE, SAMPLE_2022, TOKEN, client_for, token, upload, with_mistake


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
    book.close()


def test_a_file_level_error_offers_no_scoring_of_the_rest(tmp_path: Path) -> None:
    # The same workbook twice (E139) stops even when records with errors are skipped: the page
    # says so instead of offering a button that would lead back here.
    ws = init_workspace(tmp_path / "ws")
    with client_for(ws.root) as client:
        response = upload(client, ("一季度.xlsx", SAMPLE.read_bytes()), ("二季度.xlsx", SAMPLE.read_bytes()))
        page = client.get(response.headers["location"]).text  # type: ignore[attr-defined]
    assert "（E139）" in page and "未生成任何结果" in page
    assert "仍然评分（跳过有误记录）" not in page
    assert "这些错误在文件、工作表或表头上（不是个别检查记录），跳过有误记录也无法评分" in page


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
        book.close()
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
        assert caught.value.skippable  # a value in a row: scoring the rest can help
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

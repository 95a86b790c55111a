"""考核标准 on the office's page: the standard and the regulations register downloaded as Excel
workbooks and uploaded back (docs/design.md §11, §12), through the same library calls as `score
criteria export/import` and `score regulations export/import`; problems at their sheet and cell
with nothing written; the forms' CSRF token and upload limits."""

from __future__ import annotations

import hashlib
import html
import io
import json
import re
import warnings
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from openpyxl import Workbook, load_workbook
from starlette.testclient import TestClient

from scoring.criteria.register_workbook import canonical_register_text
from scoring.engine.limits import Limits
from scoring.workspace import Workspace, init_workspace
from tests.web_support import XLSX, client_for, token

STANDARD_SHEETS = ["说明", "基本信息", "项目", "选项", "加分项", "否决项", "等级", "公示规则", "变更记录"]


@pytest.fixture
def office(tmp_path: Path) -> Iterator[tuple[TestClient, Workspace]]:
    ws = init_workspace(tmp_path / "ws", today=date(2026, 3, 1))
    with client_for(ws.root) as client:
        yield client, ws


def book_of(data: bytes) -> Any:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl: data validation extensions are dropped
        return load_workbook(io.BytesIO(data))


def saved(book: Any) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def row_of(sheet: Any, ident: str) -> int:
    """The row of item `ident` on the 项目 sheet (编号 is column B)."""
    for row in sheet.iter_rows(min_row=2):
        if row[1].value == ident:
            return int(row[0].row)
    raise AssertionError(f"{ident} not on the sheet")


def text(response: Any) -> str:
    """The page's words: tags removed, entities resolved, spaces collapsed."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.text)))


def snapshot(ws: Workspace) -> dict[str, str]:
    return {p.relative_to(ws.root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in ws.criteria_dir.rglob("*") if p.is_file()}


def download(client: TestClient, version: str) -> bytes:
    response = client.get("/criteria/download", params={"version": version})
    assert response.status_code == 200
    assert response.headers["content-type"] == XLSX
    name = quote(f"标准编制表（{version}版）.xlsx")
    assert response.headers["content-disposition"].endswith(f"filename*=UTF-8''{name}")
    return response.content


def import_standard(client: TestClient, data: bytes, name: str = "标准.xlsx", **fields: str) -> Any:
    return client.post("/criteria/import", data={"csrftoken": token(client, "/criteria"), **fields},
                       files=[("workbook", (name, data, XLSX))])


def import_register(client: TestClient, data: bytes, name: str = "法规库.xlsx") -> Any:
    return client.post("/criteria/regulations/import", data={"csrftoken": token(client, "/criteria")},
                       files=[("workbook", (name, data, XLSX))])


def test_the_page_offers_downloads_and_upload_forms(office: tuple[TestClient, Workspace]) -> None:
    client, _ = office
    page = client.get("/criteria").text
    for version in ("2022.1", "2023.1"):
        assert f'href="/criteria/download?version={version}"' in page
    assert 'href="/criteria/regulations/download"' in page
    for action in ("/criteria/import", "/criteria/regulations/import"):
        form = page.split(f'action="{action}"', 1)[1].split("</form>", 1)[0]
        assert 'enctype="multipart/form-data"' in form
        # the CSRF token is the form's first field (asgi-csrf reads it before the file)
        assert form.index('name="csrftoken"') < form.index('type="file"')
    standard_form = page.split('action="/criteria/import"', 1)[1].split("</form>", 1)[0]
    assert 'name="version"' in standard_form and 'type="date" name="effective"' in standard_form
    assert 'name="draft_changelog" value="1"' in standard_form and "根据对比起草变更记录" in standard_form


def test_a_version_downloads_as_the_standard_workbook(office: tuple[TestClient, Workspace]) -> None:
    client, ws = office
    book = book_of(download(client, "2022.1"))
    assert book.sheetnames[:len(STANDARD_SHEETS)] == STANDARD_SHEETS
    assert [c.value for c in book["项目"][1]][:12] == ["分类", "编号", "名称", "考核标准", "考核方法", "类型",
                                                     "分值", "每处扣分", "步长", "允许不适用", "允许免检", "法律依据"]
    info = {row[0].value: row[1].value for row in book["基本信息"].iter_rows(min_row=1, max_row=8)}
    assert (info["标准编号"], info["版本号"], info["施行日期"]) == ("beautiful-courtyard", "2022.1", "2022-01-01")
    law01 = row_of(book["项目"], "LAW-01")
    source = json.loads((ws.standard_dir / "2022.1.json").read_text(encoding="utf-8"))
    item = next(i for c in source["categories"] for i in c["items"] if i["id"] == "LAW-01")
    assert book["项目"][f"C{law01}"].value == item["name"]
    assert book["项目"][f"G{law01}"].value == item["points"]
    assert book_of(download(client, "2023.1"))["基本信息"]["B5"].value == "2023.1"
    # default: the version in force today; an unknown version is a message, not a file
    default = client.get("/criteria/download")
    assert default.status_code == 200 and "2023.1" in default.headers["content-disposition"]
    missing = client.get("/criteria/download", params={"version": "9.9"})
    assert missing.status_code == 400 and "9.9" in missing.text
    # generated inside the workspace, nothing left behind
    assert [p.name for p in (ws.root / "uploads").iterdir()] == []


def test_upload_a_new_version_shows_diff_changelog_check_and_audit(office: tuple[TestClient, Workspace]) -> None:
    client, ws = office
    book = book_of(download(client, "2023.1"))
    law01 = row_of(book["项目"], "LAW-01")
    old_name = book["项目"][f"C{law01}"].value
    book["项目"][f"C{law01}"] = old_name + "（修订）"
    response = import_standard(client, saved(book), version="2026.1", effective="2026-07-01", draft_changelog="1")
    assert response.status_code == 200
    words = text(response)
    assert "已导入 2026.1（2026-07-01 起施行），保存为工作区的 criteria/beautiful-courtyard/2026.1.json。" in words
    assert "与 2023.1 版的对比：" in words
    assert f"项目 LAW-01 {old_name}（修订） 修改 名称 {old_name} {old_name}（修订）" in words
    assert "已按与 2023.1 版的对比起草 1 条变更记录（原因一栏待填写）" in words  # W343, the drafted changelog
    as_of = max(date.today(), date(2026, 7, 1)).isoformat()
    assert f"审核通过（{as_of}）：版本 2026.1 未引用已废止、已修改或法规库中没有的法规。" in words
    if date.today() > date(2026, 7, 1):  # W340, worded for the page
        assert "此前按 2023.1 版评分，重新评分（在“评分”页重新上传检查记录）时将改按 2026.1 版计分" in words
    written = json.loads((ws.standard_dir / "2026.1.json").read_text(encoding="utf-8"))
    assert (written["version"], written["effective_from"]) == ("2026.1", "2026-07-01")
    assert next(i for c in written["categories"] for i in c["items"] if i["id"] == "LAW-01")["name"] == \
        old_name + "（修订）"
    assert written["changelog"][-1]["changes"] == [{"item": "LAW-01", "action": "changed", "fields": ["name"]}]
    # the page lists the new version, its items, and the diff
    page = client.get("/criteria").text
    assert 'href="?version=2026.1"' in page and "2026-07-01" in page
    assert f"{old_name}（修订）" in client.get("/criteria", params={"version": "2026.1"}).text
    diff = client.get("/criteria/diff", params={"a": "2023.1", "b": "2026.1"})
    assert "2023.1 → 2026.1 的全部变更" in diff.text and f"{old_name}（修订）" in diff.text
    assert [p.name for p in (ws.root / "uploads").iterdir()] == []  # the upload is removed
    # the same again: the version exists, nothing is overwritten
    before = snapshot(ws)
    again = import_standard(client, saved(book), version="2026.1", effective="2026-08-01")
    assert again.status_code == 400
    assert "版本 2026.1 已存在，不会覆盖；请换一个版本号" in text(again)
    assert snapshot(ws) == before


def test_without_the_draft_choice_the_missing_changelog_is_a_hint(office: tuple[TestClient, Workspace]) -> None:
    client, ws = office
    book = book_of(download(client, "2023.1"))
    book["基本信息"]["B5"] = "2026.1"
    book["基本信息"]["B6"] = "2026-07-01"
    law01 = row_of(book["项目"], "LAW-01")
    book["项目"][f"D{law01}"] = "居民公约经居民会议通过"
    words = text(import_standard(client, saved(book)))  # 版本号 and 施行日期 from 基本信息
    assert "已导入 2026.1（2026-07-01 起施行）" in words
    assert ("提示 变更记录 变更记录中没有版本 2026.1 的记录；上传时可勾选“根据对比起草变更记录”，"
            "由程序按与 2023.1 版的对比起草变更记录（W342）") in words
    written = json.loads((ws.standard_dir / "2026.1.json").read_text(encoding="utf-8"))
    assert [e["version"] for e in written["changelog"]] == ["2022.1", "2023.1"]  # nothing drafted unasked


def test_a_broken_workbook_lists_every_problem_and_writes_nothing(office: tuple[TestClient, Workspace]) -> None:
    client, ws = office
    book = book_of(download(client, "2023.1"))
    law02 = row_of(book["项目"], "LAW-02")
    env01 = row_of(book["项目"], "ENV-01")
    book["项目"][f"G{law02}"] = "abc"
    book["项目"][f"F{env01}"] = "扣"
    before = snapshot(ws)
    response = import_standard(client, saved(book), name="我的标准.xlsx", version="2026.1", effective="2026-07-01")
    assert response.status_code == 422
    words = text(response)
    assert "我的标准.xlsx 有 2 处问题" in words and "没有写入任何文件" in words
    assert f"错误 项目!F{env01} ENV-01 类型应为是否、打分、选项、扣分、计数 之一，现为“扣”（C242）" in words
    assert f"错误 项目!G{law02} LAW-02 分值应为数字，如 3 或 2.5，现为“abc”（C242）" in words
    assert "/ws/uploads/" not in response.text and "1.xlsx" not in response.text  # never the stored name
    assert snapshot(ws) == before
    assert not (ws.standard_dir / "2026.1.json").exists()
    assert [p.name for p in (ws.root / "uploads").iterdir()] == []


def test_a_law_not_in_the_register_names_the_form_not_the_command_line(office: tuple[TestClient, Workspace]) -> None:
    client, ws = office
    book = book_of(download(client, "2023.1"))
    law04 = row_of(book["项目"], "LAW-04")
    book["项目"][f"L{law04}"] = "《物业管理法》第一条"
    before = snapshot(ws)
    words = text(import_standard(client, saved(book), version="2026.1", effective="2026-07-01"))
    assert (f"错误 项目!L{law04} LAW-04 法律依据“《物业管理法》”不在法规库中，是否是：《物业管理条例》、"
            "《河南省物业管理条例》、《中华人民共和国物权法》？可在本页下载法规库编制表查看；新法规请先加入法规库"
            "（在本页下载法规库编制表，填写后上传）（C240）") in words
    assert snapshot(ws) == before


def test_not_a_workbook_too_big_or_no_file(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    with client_for(ws.root, limits=Limits(max_size_mb=1)) as client:
        before = snapshot(ws)
        for path in ("/criteria/import", "/criteria/regulations/import"):
            csrf = token(client, "/criteria")
            big = client.post(path, data={"csrftoken": csrf},
                              files=[("workbook", ("大.xlsx", b"x" * (1024 * 1024 + 1), XLSX))])
            assert big.status_code == 400 and "文件“大.xlsx”超过 1 MB 的上限，未导入" in big.text
            old = client.post(path, data={"csrftoken": csrf}, files=[("workbook", ("标准.xls", b"x", XLSX))])
            assert old.status_code == 400 and "“标准.xls”不是 .xlsx 文件" in old.text
            none = client.post(path, data={"csrftoken": csrf})
            assert none.status_code == 400 and "请先选择要上传的" in none.text
            junk = client.post(path, data={"csrftoken": csrf},
                               files=[("workbook", ("..\\..\\坏.xlsx", b"not a workbook", XLSX))])
            assert junk.status_code == 422 and "坏.xlsx" in junk.text and "没有写入任何文件" in junk.text
        bad_day = import_standard(client, b"x", effective="明年")
        assert bad_day.status_code == 400 and "格式不对" in bad_day.text
        assert snapshot(ws) == before
        assert [p.name for p in (ws.root / "uploads").iterdir()] == []
        assert not list(tmp_path.rglob("坏*"))


def test_forms_without_the_csrf_token_are_refused(office: tuple[TestClient, Workspace]) -> None:
    client, ws = office
    book = download(client, "2023.1")
    before = snapshot(ws)
    for path in ("/criteria/import", "/criteria/regulations/import"):
        for data in ({}, {"csrftoken": "forged"}):
            response = client.post(path, data={**data, "version": "2026.1", "effective": "2026-07-01"},
                                   files=[("workbook", ("标准.xlsx", book, XLSX))])
            assert response.status_code == 403 and "表单未提交" in response.text
    assert snapshot(ws) == before
    assert not (ws.root / "uploads").exists() or [p.name for p in (ws.root / "uploads").iterdir()] == []


def test_the_register_downloads_and_uploads_back(office: tuple[TestClient, Workspace]) -> None:
    client, ws = office
    response = client.get("/criteria/regulations/download")
    assert response.status_code == 200
    assert response.headers["content-disposition"].endswith(f"filename*=UTF-8''{quote('法规库编制表.xlsx')}")
    book = book_of(response.content)
    assert book.sheetnames == ["说明", "法规", "修正"]
    assert [c.value for c in book["法规"][1]] == ["编号", "法规名称", "简称", "效力级别", "制定机关", "通过日期",
                                                 "施行日期", "废止日期", "替代法规", "来源", "备注"]
    register = json.loads(ws.regulations_path.read_text(encoding="utf-8"))
    assert book["法规"].max_row - 1 == len(register["regulations"])
    # unchanged, uploaded back: the same register (in canonical form)
    original = canonical_register_text(register)
    words = text(import_register(client, response.content))
    assert f"已更新法规库（工作区的 criteria/regulations.json）：共 {len(register['regulations'])} 部法规。" in words
    assert "与原法规库相比没有新增、修正或废止的法规。" in words
    assert "审核通过" in words and "版本 2023.1 未引用" in words
    assert ws.regulations_path.read_text(encoding="utf-8") == original
    # a new law and an amendment
    laws, amendments = book["法规"], book["修正"]
    new_row = laws.max_row + 1
    for column, value in zip("BDEFG", ["焦作市文明行为促进条例", "地方性法规", "焦作市人民代表大会常务委员会",
                                       "2025-10-30", "2026-01-01"], strict=True):
        laws[f"{column}{new_row}"] = value
    amended_row = amendments.max_row + 1
    for column, value in zip("ABCD", ["中华人民共和国治安管理处罚法", "2025-06-27", "2026-01-01", "修订"], strict=True):
        amendments[f"{column}{amended_row}"] = value
    words = text(import_register(client, saved(book)))
    assert f"共 {len(register['regulations']) + 1} 部法规" in words
    assert "新增：《焦作市文明行为促进条例》" in words
    assert "新增修正：《中华人民共和国治安管理处罚法》" in words
    updated = json.loads(ws.regulations_path.read_text(encoding="utf-8"))
    added = next(r for r in updated["regulations"] if r["title"] == "焦作市文明行为促进条例")
    assert added["id"].startswith("reg-") and added["effective"] == "2026-01-01"
    police = next(r for r in updated["regulations"] if r["title"] == "中华人民共和国治安管理处罚法")
    assert police["amendments"][-1] == {"date": "2025-06-27", "effective": "2026-01-01", "note": "修订"}
    again = book_of(client.get("/criteria/regulations/download").content)
    assert "焦作市文明行为促进条例" in [c.value for c in again["法规"]["B"]]
    assert [p.name for p in (ws.root / "uploads").iterdir()] == []


def test_a_broken_register_lists_every_problem_and_keeps_the_register(office: tuple[TestClient, Workspace]) -> None:
    client, ws = office
    book = book_of(client.get("/criteria/regulations/download").content)
    fire = next(r[0].row for r in book["法规"].iter_rows(min_row=2) if r[0].value == "fire-protection-law")
    civil = next(r[0].row for r in book["法规"].iter_rows(min_row=2) if r[0].value == "civil-code")
    book["法规"][f"G{fire}"] = "明年"
    before = ws.regulations_path.read_bytes()
    words = text(import_register(client, saved(book), name="新法规库.xlsx"))
    assert "新法规库.xlsx 有 1 处问题" in words and "没有写入任何文件" in words
    assert f"错误 法规!G{fire} 中华人民共和国消防法 施行日期应为日期，如 2026-01-01，现为“明年”（C242）" in words
    book["法规"][f"G{fire}"] = "1998-09-01"
    book["法规"][f"A{civil}"] = "civil-code-2020"  # a law the standard cites, renamed
    refused = import_register(client, saved(book))
    assert refused.status_code == 422
    words = text(refused)
    assert "考核标准引用的法规不在新法规库中" in words and "考核标准仍在引用的法规不能删除或改名" in words
    assert ws.regulations_path.read_bytes() == before


def test_a_workbook_of_another_kind_names_the_missing_sheets(office: tuple[TestClient, Workspace]) -> None:
    client, ws = office
    other = Workbook()
    other.active.title = "检查记录"
    before = snapshot(ws)
    response = import_standard(client, saved(other), name="检查记录.xlsx", version="2026.1")
    assert response.status_code == 422
    assert "找不到工作表“基本信息”；文件中的工作表：检查记录" in text(response)
    assert snapshot(ws) == before

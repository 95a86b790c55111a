"""The regulations register as a workbook the office edits (issue 14): sheets 说明, 法规 (one row
per law: 施行日期, 废止日期, 替代法规 …) and 修正 (one row per amendment: 修正日期, 施行日期).

Export writes the register's JSON data; import reads it back into canonical register JSON,
every problem at its sheet and cell. A new law may leave 编号 blank: it gets a stable id made
from its title (`reg-` and eight hex digits), since criteria may cite it by title anyway.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scoring.criteria.sheet_layout import Col
from scoring.criteria.sheet_reader import SheetReader
from scoring.criteria.workbook_export import row_height
from scoring.engine.reader import read_file
from scoring.errors import InvalidCriteriaError, UsageError
from scoring.issues import Issue, make
from scoring.text import compact

if TYPE_CHECKING:
    from scoring.workspace import Workspace

LAWS = "法规"
AMENDMENTS = "修正"
INFO = "说明"
SCHEMA_REF = "schema/regulations.schema.json"
LEVELS = ("法律", "行政法规", "地方性法规", "规章", "规范性文件", "党内法规")
LAW_COLS = (
    Col("编号", "id", "text", 16, "法规的英文编号，如 civil-code；新法规可留空，程序按名称生成"),
    Col("法规名称", "title", "text", 30, "法规的完整名称，不带书名号，如：中华人民共和国治安管理处罚法", True),
    Col("简称", "short_title", "text", 14, "如：治安管理处罚法；可留空"),
    Col("效力级别", "level", "text", 10, "法律、行政法规、地方性法规、规章、规范性文件 或 党内法规", True),
    Col("制定机关", "issuer", "text", 18, "如：全国人民代表大会常务委员会", True),
    Col("通过日期", "adopted", "date", 11, "如 2005-08-28", True),
    Col("施行日期", "effective", "date", 11, "如 2006-03-01", True),
    Col("废止日期", "repealed.date", "date", 11, "已废止的填废止日期；施行中的留空"),
    Col("替代法规", "repealed.by", "text", 24, "取代它的法规名称（须也在本表中），如：中华人民共和国民法典；可留空"),
    Col("来源", "source", "text", 20, "如：国家法律法规数据库 flk.npc.gov.cn"),
    Col("备注", "note", "text", 20, "可留空"),
)
AMENDMENT_COLS = (
    Col("法规名称", "law", "text", 30, "被修正或修订的法规名称（须在“法规”表中）", True),
    Col("修正日期", "date", "date", 11, "修正或修订通过的日期，如 2025-06-27", True),
    Col("施行日期", "effective", "date", 11, "修正或修订后施行的日期，如 2026-01-01", True),
    Col("说明", "note", "text", 20, "如：修订、第二次修正"),
)
INSTRUCTIONS = (
    "法规库编制表：怎样记录新出台、修改、废止的法律法规",
    "",
    "1. “法规”表每行一部法律法规；“修正”表每行一次修正或修订。第一行是标题行，已锁定，请不要改动。",
    "2. 新出台的法规：在“法规”表末尾加一行，填名称、效力级别、制定机关、通过日期、施行日期（编号可留空）。",
    "3. 法规修改了：在“修正”表加一行，填法规名称、修正日期、修正后的施行日期。",
    "4. 法规废止了：在“法规”表该行填废止日期，有替代的填替代法规名称（替代法规也要在表中）。",
    "5. 改好后保存，运行 score regulations import 本文件.xlsx。有错误时逐条列出工作表和单元格，不会改动法规库；"
    "考核标准仍在引用的法规不能删除。",
)


def regulation_id(title: str) -> str:
    """A stable id for a law added without one: reg- and eight hex digits of its title."""
    return "reg-" + hashlib.sha1(compact(title).encode("utf-8")).hexdigest()[:8]


def canonical_register_text(data: dict[str, Any]) -> str:
    """The register's JSON text in canonical key order (amendments and repealed always there)."""
    regs = []
    for raw in data["regulations"]:
        out = {k: raw[k] for k in ("id", "title", "short_title", "level", "issuer", "adopted", "effective")
               if k in raw}
        out["amendments"] = [{k: a[k] for k in ("date", "effective", "note") if k in a}
                             for a in raw.get("amendments", [])]
        repealed = raw.get("repealed")
        out["repealed"] = {k: repealed[k] for k in ("date", "by") if k in repealed} if repealed else None
        out.update({k: raw[k] for k in ("source", "note") if k in raw})
        regs.append(out)
    top = {"$schema": data.get("$schema", SCHEMA_REF), "schema_version": 1, "regulations": regs}
    return json.dumps(top, ensure_ascii=False, indent=2) + "\n"


def write_register_workbook(data: dict[str, Any], path: Path) -> None:
    """The register's data as the 法规库编制表."""
    from scoring.outputs.excel_rules import MAX_HEADER_FOOTER, MAX_ROW_HEIGHT, cell_text, header_footer
    from scoring.outputs.xlsx import plain_workbook

    book = plain_workbook(path)
    base = {"font_name": "宋体", "font_size": 10, "valign": "top", "text_wrap": True}
    header = book.add_format({**base, "bold": True, "bg_color": "#D9E1F2", "border": 1, "align": "center",
                              "valign": "vcenter", "locked": True})
    cell = book.add_format({**base, "border": 1, "locked": False})
    free = book.add_format({**base, "locked": False})
    para = book.add_format({"font_name": "宋体", "font_size": 11, "text_wrap": True, "valign": "top"})
    info = book.add_worksheet(INFO)
    heading = book.add_format({"font_name": "黑体", "font_size": 14, "bold": True})
    info.set_column(0, 0, 64)
    info.set_paper(9)
    info.fit_to_pages(1, 0)
    for r, text in enumerate(INSTRUCTIONS):
        info.set_row(r, min(row_height([text], [64]) + 2, MAX_ROW_HEIGHT))
        info.write_string(r, 0, text, heading if r == 0 else para)
    titles = {r["id"]: r["title"] for r in data["regulations"]}
    laws = []
    for raw in data["regulations"]:
        repealed = raw.get("repealed") or {}
        values = {**raw, "repealed.date": repealed.get("date"),
                  "repealed.by": titles.get(repealed.get("by", ""), repealed.get("by"))}
        laws.append([values.get(c.key) for c in LAW_COLS])
    amendments = [[raw["title"], a["date"], a["effective"], a.get("note")]
                  for raw in data["regulations"] for a in raw.get("amendments", [])]
    for name, cols, rows in ((LAWS, LAW_COLS, laws), (AMENDMENTS, AMENDMENT_COLS, amendments)):
        sheet = book.add_worksheet(name)
        for c, col in enumerate(cols):
            sheet.set_column(c, c, col.width, free)
            sheet.write_string(0, c, col.header, header)
            options: dict[str, Any] = {"validate": "any", "input_title": col.header,
                                       "input_message": col.prompt[:255]}
            if col.key == "level":
                options = {**options, "validate": "list", "source": list(LEVELS)}
            elif col.key in ("law", "repealed.by"):
                options = {**options, "validate": "list", "show_error": False,
                           "source": f"='{LAWS}'!$B$2:$B${len(laws) + 200}"}
            sheet.data_validation(1, c, len(rows) + 200, c, options)
        for r, row in enumerate(rows, start=1):
            sheet.set_row(r, row_height(row, [c.width for c in cols]))
            for c, value in enumerate(row):
                if value is None:
                    sheet.write_blank(r, c, None, cell)
                else:
                    sheet.write_string(r, c, cell_text(str(value)), cell)
        sheet.freeze_panes(1, 0)
        sheet.set_paper(9)
        sheet.set_landscape()
        sheet.fit_to_pages(1, 0)
        sheet.repeat_rows(0)
        code = '&C&12&"黑体"'
        sheet.set_header(code + header_footer(f"法规库 — {name}", MAX_HEADER_FOOTER - len(code)))
        sheet.set_footer("&C第 &P 页，共 &N 页")
        sheet.protect("", {"insert_rows": True, "delete_rows": True, "format_columns": True,
                           "format_rows": True, "select_locked_cells": True, "select_unlocked_cells": True})
    book.close()


def read_register_workbook(path: Path) -> tuple[dict[str, Any], list[Issue], dict[str, tuple[str, str]]]:
    """The register data a 法规库编制表 holds, every problem at its sheet and cell, and the cell
    each JSON path came from."""
    from scoring.criteria.regulations import Register

    sheets, _ = read_file(path)
    reader = SheetReader(path, sheets, Register({}, str(path)))
    file = str(path)
    regs: list[dict[str, Any]] = []
    by_title: dict[str, dict[str, Any]] = {}
    repeal_cells: list[tuple[dict[str, Any], str, str]] = []
    origins: dict[str, tuple[str, str]] = {}
    amendment_cells: dict[int, list[dict[str, str]]] = {}
    for row, values, where in reader.table(LAWS, LAW_COLS, required=True, id_key="title"):
        at = f"$.regulations[{len(regs)}]"
        origins[at] = (LAWS, where.get("title", f"B{row}"))
        for key, cell in where.items():
            origins[f"{at}.{key}"] = (LAWS, cell)
        title = values.get("title", "")
        if values.get("level") is not None and values["level"] not in LEVELS:
            reader.problem(LAWS, where["level"], title, "效力级别", "、".join(LEVELS) + " 之一", values["level"])
        raw: dict[str, Any] = {"id": values.get("id") or regulation_id(title)}
        raw.update({k: values[k] for k in ("title", "short_title", "level", "issuer", "adopted", "effective")
                    if k in values})
        raw["amendments"] = []
        raw["repealed"] = None
        if "repealed.date" in values:
            raw["repealed"] = {"date": values["repealed.date"]}
        if "repealed.by" in values:
            if raw["repealed"] is None:
                reader.missing(LAWS, where.get("repealed.date", where["repealed.by"]), title,
                               "废止日期（填了替代法规时必填）")
            else:
                repeal_cells.append((raw, values["repealed.by"], where["repealed.by"]))
        raw.update({k: values[k] for k in ("source", "note") if k in values})
        if title and compact(title) in by_title:
            reader.problem(LAWS, where.get("title", f"B{row}"), title, "法规名称", "不重复的名称（该法规已在表中）",
                           title)
        for key in (title, raw.get("short_title", ""), raw["id"]):  # never an empty name: it would match a blank
            if compact(key):
                by_title.setdefault(compact(key), raw)
        regs.append(raw)
    for raw, name, where_by in repeal_cells:
        target = by_title.get(compact(name.strip("《》")))
        if target is None:
            reader.problem(LAWS, where_by, raw.get("title"), "替代法规", "“法规”表中某一部法规的名称", name)
        else:
            raw["repealed"]["by"] = target["id"]
    for _row, values, where in reader.table(AMENDMENTS, AMENDMENT_COLS, id_key="law"):
        name = values.get("law", "")
        target = by_title.get(compact(name.strip("《》")))
        if target is None:
            if name:
                reader.problem(AMENDMENTS, where["law"], name, "法规名称", "“法规”表中某一部法规的名称", name)
            continue
        amendment = {k: values[k] for k in ("date", "effective", "note") if k in values}
        target["amendments"].append(amendment)
        amendment_cells.setdefault(id(target), []).append(where)
    for i, raw in enumerate(regs):
        for k, where in enumerate(amendment_cells.get(id(raw), [])):
            for key, cell in where.items():
                origins[f"$.regulations[{i}].amendments[{k}].{key}"] = (AMENDMENTS, cell)
            origins[f"$.regulations[{i}].amendments[{k}]"] = (AMENDMENTS, where.get("law", "A1"))
    issues = reader.issues
    if not regs and not any(i.sheet == LAWS for i in issues):
        issues.append(make("C244", file=file, sheet=LAWS, cell="A2", detail="法规表中没有任何法规"))
    return {"$schema": SCHEMA_REF, "schema_version": 1, "regulations": regs}, issues, origins


@dataclass
class RegisterUpdate:
    """What `regulations import` changed."""

    path: Path
    count: int
    added: list[str]
    amended: list[str]
    repealed: list[str]


def import_register(workbook: Path, workspace: Workspace | None) -> RegisterUpdate:
    """Replace the workspace's register by the workbook's, after every check passed: the
    workbook's cells, the register schema and checks, and every criteria version of the
    workspace still finding the laws it cites. Writes nothing on any error."""
    from scoring.criteria.importing import at_cells
    from scoring.criteria.jsonfile import read_json
    from scoring.criteria.regulations import build_register, check_register
    from scoring.criteria.schema import schema_issues
    from scoring.criteria.standard import check_data
    from scoring.criteria.versioning import REGISTER_REFUSAL
    from scoring.outputs.staging import text_writer, write_one

    if workspace is None:
        raise UsageError(REGISTER_REFUSAL)
    data, issues, origins = read_register_workbook(workbook)
    if issues:
        raise InvalidCriteriaError(f"{workbook} 有 {len(issues)} 处问题", issues)
    file = str(workbook)
    issues = schema_issues(data, "regulations", file)
    if not issues:
        issues = check_register(data, file)
    issues = at_cells(issues, origins, data)
    if issues:
        raise InvalidCriteriaError(f"{workbook} 有 {len(issues)} 处问题", issues)
    register = build_register(data, str(workspace.regulations_path))
    for version in sorted(workspace.criteria_dir.glob("*/*.json")):
        if version.parent.name == "schema":
            continue
        cited, _, problems = read_json(version)
        if problems or not isinstance(cited, dict):
            continue  # the version's own problems are `criteria validate`'s to report
        issues += [replace(i, message=f"{i.message}；考核标准仍在引用的法规不能删除或改名")
                   for i in check_data(cited, str(version), register) if i.code == "C240"]
    if issues:
        raise InvalidCriteriaError("考核标准引用的法规不在新法规库中", issues)
    old, _, _ = read_json(workspace.regulations_path)
    before = {r["id"]: r for r in (old or {}).get("regulations", [])} if isinstance(old, dict) else {}
    added = [r["title"] for r in data["regulations"] if r["id"] not in before]
    amended = [r["title"] for r in data["regulations"] if r["id"] in before
               and len(r["amendments"]) > len(before[r["id"]].get("amendments", []))]
    repealed = [r["title"] for r in data["regulations"] if r["id"] in before
                and r["repealed"] and not before[r["id"]].get("repealed")]
    write_one(workspace.regulations_path, text_writer(canonical_register_text(data)))
    return RegisterUpdate(workspace.regulations_path, len(data["regulations"]), added, amended, repealed)

"""The regulations register as an Excel workbook (法规库编制表, issue 14): an exact round trip,
every problem at its cell, a workspace needed, and any edit giving an import or a clear error."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scoring.criteria.register_workbook import canonical_register_text, read_register_workbook
from scoring.criteria.resources import bundled_root
from scoring.workspace import Workspace, init_workspace
from tests.test_cli import invoke
from tests.workbook_support import CELL_VALUES, REGISTER, edit, row_of, workspace


def test_register_round_trip_exactly(tmp_path: Path) -> None:
    target = tmp_path / "法规库.xlsx"
    code, out, err = invoke("regulations", "export", "-o", str(target))
    assert code == 0 and err == "法规库：内置示例法规库（未找到工作区）\n"
    assert out.startswith(f"已导出法规库（{len(REGISTER.regulations)} 部法规）到 {target}。")
    data, issues, _ = read_register_workbook(target)
    assert issues == []
    raw = (bundled_root() / "regulations.json").read_text(encoding="utf-8")
    assert canonical_register_text(data) == canonical_register_text(json.loads(raw))


def test_register_import_checks_everything(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    target = tmp_path / "法规库.xlsx"
    invoke("regulations", "export", "-o", str(target), "--workspace", str(ws.root))
    civil = row_of(target, "法规", "A", "civil-code")
    fire = row_of(target, "法规", "A", "fire-protection-law")
    edit(target, {("法规", f"G{fire}"): "明年",
                  ("修正", "A40"): "中华人民共和国物权法典", ("修正", "B40"): "2025-01-01",
                  ("修正", "C40"): "2025-02-01"})
    before = ws.regulations_path.read_bytes()
    code, _, err = invoke("regulations", "import", str(target), "--workspace", str(ws.root))
    assert code == 1
    assert err.splitlines() == [
        f"错误 {target} › 法规!G{fire} ［中华人民共和国消防法］施行日期应为日期，如 2026-01-01，现为“明年”（C242）",
        f"错误 {target} › 修正!A40 ［中华人民共和国物权法典］法规名称应为“法规”表中某一部法规的名称，"
        "现为“中华人民共和国物权法典”（C242）",
        "共 2 处错误。",
    ]
    edit(target, {("法规", f"G{fire}"): "1998-09-01", ("修正", "A40"): None, ("修正", "B40"): None,
                  ("修正", "C40"): None, ("法规", f"A{civil}"): "civil-code-2020"})
    code, _, err = invoke("regulations", "import", str(target), "--workspace", str(ws.root))
    assert code == 1 and "法律依据“civil-code”不在法规库中" in err and "考核标准仍在引用的法规不能删除或改名" in err
    assert ws.regulations_path.read_bytes() == before


def test_register_import_needs_a_workspace(tmp_path: Path) -> None:
    target = tmp_path / "法规库.xlsx"
    invoke("regulations", "export", "-o", str(target))
    code, out, err = invoke("regulations", "import", str(target))
    assert (code, out) == (2, "")
    assert err == ("没有找到工作区，不能修改内置示例法规库（它随程序安装，升级时会被替换）。"
                   "请先运行 score init 建立工作区（例如 score init 考核工作区），再在工作区中导入法规库\n")


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.tuples(st.sampled_from(["法规", "修正"]), st.integers(1, 30), st.integers(1, 11), CELL_VALUES),
                min_size=1, max_size=6))
@example([("法规", 1, 2, None)])  # the 法规名称 header cleared: once a crash, now a clear error
def test_any_register_edit_gives_an_import_or_a_clear_error(tmp_path: Path,
                                                             edits: list[tuple[str, int, int, Any]]) -> None:
    from openpyxl.utils import get_column_letter

    from scoring.criteria.register_workbook import import_register
    from scoring.errors import ScoreError

    ws_root, pristine, target = tmp_path / "ws", tmp_path / "base.xlsx", tmp_path / "法规库.xlsx"
    if not ws_root.exists():
        init_workspace(ws_root)
        invoke("regulations", "export", "-o", str(pristine), "--workspace", str(ws_root))
    shutil.copyfile(pristine, target)
    edit(target, {(sheet, f"{get_column_letter(col)}{row}"): value for sheet, row, col, value in edits})
    ws = Workspace(ws_root.resolve())
    before = ws.regulations_path.read_bytes()
    try:
        import_register(target, ws)
    except ScoreError as exc:
        assert exc.issues or exc.message
        assert ws.regulations_path.read_bytes() == before
    else:
        ws.regulations_path.write_bytes(before)


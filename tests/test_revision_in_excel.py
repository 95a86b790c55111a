"""Issue 14's "Done when": the office revises its standard in Excel — the revised law recorded in
the register workbook, an item's basis and points changed, imported as 2026.1, the diff and a
clean audit, scored with it — and no JSON is opened."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest

from scoring.criteria.standard import load_standard
from tests.test_cli import invoke
from tests.workbook_support import edit, row_of, table_rows


def test_the_office_revises_its_standard_in_excel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    code, _, _ = invoke("init", str(tmp_path / "考核工作区"))
    assert code == 0
    ws = tmp_path / "考核工作区"
    monkeypatch.chdir(ws)
    # The office's register predates the 2025 revision of 治安管理处罚法.
    register = json.loads(Path("criteria/regulations.json").read_text(encoding="utf-8"))
    law = next(r for r in register["regulations"] if r["id"] == "public-security-penalties-law")
    law["amendments"] = law["amendments"][:1]
    Path("criteria/regulations.json").write_text(json.dumps(register, ensure_ascii=False, indent=2),
                                                 encoding="utf-8")

    # 1. record the revised law in the register
    assert invoke("regulations", "export", "-o", "法规库.xlsx")[0] == 0
    edit(Path("法规库.xlsx"), {("修正", "A30"): "中华人民共和国治安管理处罚法", ("修正", "B30"): "2025-06-27",
                               ("修正", "C30"): date(2026, 1, 1), ("修正", "D30"): "修订"})
    code, out, _ = invoke("regulations", "import", "法规库.xlsx")
    assert code == 0 and "新增修正：《中华人民共和国治安管理处罚法》" in out

    # 2. export the standard, change an item's basis and points, record the change
    assert invoke("criteria", "export", "-o", "标准.xlsx")[0] == 0
    civ01 = row_of(Path("标准.xlsx"), "项目", "B", "CIV-01")
    civ04 = row_of(Path("标准.xlsx"), "项目", "B", "CIV-04")
    edit(Path("标准.xlsx"), {
        ("基本信息", "B5"): "2026.1", ("基本信息", "B6"): "2026-01-01",
        ("项目", f"G{civ01}"): "3分", ("项目", f"L{civ01}"): "《中华人民共和国治安管理处罚法》第九条",
        ("项目", f"G{civ04}"): 2,
        ("变更记录", "A14"): "2026.1", ("变更记录", "B14"): "2025-12-20",
        ("变更记录", "C14"): "治安管理处罚法修订施行，调整邻里和睦的依据和分值",
        ("变更记录", "D14"): "CIV-01", ("变更记录", "G14"): "修改", ("变更记录", "H14"): "分值、法律依据",
        ("变更记录", "I14"): "依据修订后的治安管理处罚法", ("变更记录", "J14"): "《治安管理处罚法》第九条",
        ("变更记录", "A15"): "2026.1", ("变更记录", "D15"): "CIV-04", ("变更记录", "G15"): "修改",
        ("变更记录", "H15"): "分值", ("变更记录", "I15"): "分值调整",
    })

    # 3. import it as 2026.1: the diff and a clean audit
    code, out, err = invoke("criteria", "import", "标准.xlsx")
    assert code == 0, err
    target = ws.resolve() / "criteria" / "beautiful-courtyard" / "2026.1.json"
    assert out.splitlines()[0] == f"已导入 2026.1（2026-01-01 起施行），保存为 {target}。"
    assert table_rows(out)[:3] == [["项目", "CIV-01", "邻里和睦", "修改", "分值", "2", "3"],
                                   ["项目", "CIV-01", "邻里和睦", "修改", "依据", "—", "《治安管理处罚法》第九条"],
                                   ["项目", "CIV-04", "居民满意度", "修改", "分值", "3", "2"]]
    assert out.splitlines()[-1] == (f"审核通过（{max(date.today(), date(2026, 1, 1)).isoformat()}）：版本 2026.1 "
                                    "未引用已废止、已修改或法规库中没有的法规。")
    assert "W30" not in err  # the changelog matches the diff
    code, out, _ = invoke("criteria", "list")
    assert code == 0 and "2026.1" in out

    # 4. score with it
    with Path("2026年检查.csv").open("w", encoding="utf-8", newline="") as handle:
        crit = load_standard().get("2026.1")
        columns = [i.id for i in crit.all_items] + [v.id for v in crit.vetoes]
        writer = csv.writer(handle)
        writer.writerow(["社区", "楼院", "检查日期", *columns])
        full = {i.id: ("是" if i.type == "check" else "0" if i.type in ("deduct", "count")
                       else next(iter(i.choices)) if i.type == "choice" else str(i.points)) for i in crit.all_items}
        for name in ("甲院", "乙院"):
            writer.writerow(["一社区", name, "2026-03-01", *[full.get(c, "") for c in columns]])
    code, out, err = invoke("run", "2026年检查.csv", "--out", "结果")
    assert code == 0, err
    results = json.loads(Path("结果/results.json").read_text(encoding="utf-8"))
    assert [v["version"] for v in results["criteria"]["versions"]] == ["2026.1"]

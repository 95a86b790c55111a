"""The workspace (docs/design.md §8): lookup order, `score init`, criteria looked up in the workspace
first, nothing ever written into the bundled example, new versions' dates."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

from scoring.criteria.resources import bundled_root, bundled_standard
from scoring.criteria.standard import load_standard
from scoring.criteria.versioning import BUNDLED_REFUSAL, date_warnings
from scoring.errors import UsageError
from scoring.workspace import MARKER, Workspace, WorkspaceError, find_workspace, init_workspace
from tests.helpers import MINI, criteria_dir, mini
from tests.test_cli import invoke


def make_workspace(root: Path) -> Workspace:
    return init_workspace(root, today=date(2026, 3, 1))


def test_init_copies_the_bundled_standard_and_register(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws")
    assert ws.root == (tmp_path / "ws").resolve()
    bundled = bundled_standard()
    assert sorted(p.name for p in ws.standard_dir.iterdir()) == ["2022.1.json", "2023.1.json"]
    for name in ("2022.1.json", "2023.1.json"):
        assert (ws.standard_dir / name).read_bytes() == (bundled / name).read_bytes()
    assert ws.regulations_path.read_bytes() == (bundled_root() / "regulations.json").read_bytes()
    assert (ws.criteria_dir / "schema" / "criteria.schema.json").is_file()
    assert ws.runs_dir.is_dir() and not ws.db_path.exists() and ws.courtyard_register is None
    assert (ws.root / MARKER).read_text(encoding="utf-8").splitlines()[2:] == [
        "schema_version = 1",
        'standard = "beautiful-courtyard"  # 默认使用的考核标准（criteria/ 下的文件夹）',
        "created = 2026-03-01",
    ]
    assert sorted(p.name for p in ws.root.iterdir()) == ["criteria", "runs", MARKER]  # no temp left


def test_init_refuses_an_existing_workspace(tmp_path: Path) -> None:
    make_workspace(tmp_path / "ws")
    before = (tmp_path / "ws" / MARKER).read_bytes()
    with pytest.raises(UsageError) as raised:
        make_workspace(tmp_path / "ws")
    assert raised.value.message == (f"{tmp_path / 'ws'} 已经是工作区（有 {MARKER}），不会覆盖其中的考核标准和法规库。"
                                    "如需重新开始，请换一个文件夹")
    assert (tmp_path / "ws" / MARKER).read_bytes() == before
    (tmp_path / "other" / "criteria").mkdir(parents=True)
    with pytest.raises(UsageError, match="中已有 criteria 文件夹，不会覆盖"):
        make_workspace(tmp_path / "other")


def test_lookup_order(tmp_path: Path) -> None:
    a, b, here, _ = (make_workspace(tmp_path / n).root for n in ("a", "b", "here", "home-ws"))
    (tmp_path / "home").mkdir()
    (tmp_path / "home-ws").rename(tmp_path / "home" / "score-workspace")
    home_ws = (tmp_path / "home" / "score-workspace").resolve()
    env = {"SCORE_WORKSPACE": str(b)}
    look = {"cwd": here, "home": tmp_path / "home"}
    assert find_workspace(a, env=env, **look) == Workspace(a, "beautiful-courtyard", "explicit")
    assert find_workspace(None, env=env, **look) == Workspace(b, "beautiful-courtyard", "env")
    assert find_workspace(None, env={}, **look) == Workspace(here, "beautiful-courtyard", "cwd")
    assert find_workspace(None, env={}, cwd=tmp_path, home=tmp_path / "home") == Workspace(
        home_ws, "beautiful-courtyard", "home")
    assert find_workspace(None, env={}, cwd=tmp_path, home=tmp_path) is None


def test_a_named_folder_must_be_a_workspace(tmp_path: Path) -> None:
    with pytest.raises(UsageError) as raised:
        find_workspace(tmp_path, env={})
    assert raised.value.message == (f"--workspace 指定的文件夹 {tmp_path} 不是工作区（没有 {MARKER}）。"
                                    f"新建工作区请运行：score init {tmp_path}")
    with pytest.raises(UsageError, match=r"^环境变量 SCORE_WORKSPACE 指定的文件夹"):
        find_workspace(None, env={"SCORE_WORKSPACE": str(tmp_path)}, cwd=tmp_path, home=tmp_path)


def test_broken_settings_file(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws")
    ws.marker.write_text('standard = "../etc"\n', encoding="utf-8")
    with pytest.raises(WorkspaceError, match="不是考核标准文件夹的名称"):
        find_workspace(ws.root, env={})
    ws.marker.write_text("standard = \n", encoding="utf-8")
    code, _, err = invoke("criteria", "list", "--workspace", str(ws.root))
    assert code == 1 and err.startswith(f"工作区设置文件 {ws.marker} 无法读取（")


def test_criteria_come_from_the_workspace_first(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ws = make_workspace(tmp_path / "ws")
    (ws.standard_dir / "2022.1.json").unlink()
    standard = load_standard(workspace=ws)
    assert (standard.origin, standard.source, [v.version for v in standard.versions]) == (
        "workspace", str(ws.standard_dir), ["2023.1"])
    assert standard.source_note == f"考核标准：工作区 {ws.standard_dir}"
    assert standard.workspace == ws and standard.editable
    monkeypatch.chdir(ws.root)  # found by the current folder
    assert load_standard().origin == "workspace"
    code, out, err = invoke("criteria", "list")
    assert code == 0 and "2022.1" not in out and err == f"考核标准：工作区 {ws.standard_dir}\n"
    monkeypatch.chdir(tmp_path)
    bundled = load_standard()
    assert (bundled.origin, bundled.editable) == ("bundled", False)
    assert bundled.source_note == "考核标准：内置示例标准（未找到工作区；用 score init 建立工作区后可修改标准）"


def test_cli_init(tmp_path: Path) -> None:
    code, out, _ = invoke("init", str(tmp_path / "ws"))
    root = (tmp_path / "ws").resolve()
    assert code == 0 and out.splitlines()[0] == (
        f"已建立工作区 {root}：考核标准在 {root / 'criteria' / 'beautiful-courtyard'}，法规库在 "
        f"{root / 'criteria' / 'regulations.json'}。")
    code, out, err = invoke("init", str(tmp_path / "ws"))
    assert (code, out) == (2, "")
    assert err == (f"{tmp_path / 'ws'} 已经是工作区（有 {MARKER}），不会覆盖其中的考核标准和法规库。"
                   "如需重新开始，请换一个文件夹\n")


def test_nothing_is_written_into_the_bundled_example(tmp_path: Path) -> None:
    before = sorted(p.name for p in bundled_standard().iterdir())
    code, out, err = invoke("criteria", "new", "--from", "2023.1", "--version", "2024.1", "--effective",
                            "2024-01-01")
    assert (code, out) == (2, "")
    assert err.splitlines()[1] == BUNDLED_REFUSAL
    code, _, err = invoke("criteria", "new", "--from", "2023.1", "--version", "2024.1", "--effective",
                          "2024-01-01", "--criteria", str(bundled_standard()))
    assert (code, err) == (2, BUNDLED_REFUSAL + "\n")
    assert sorted(p.name for p in bundled_standard().iterdir()) == before


def test_criteria_new_writes_into_the_workspace(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "ws")
    code, out, err = invoke("criteria", "new", "--from", "2023.1", "--version", "2024.1", "--effective",
                            "2024-01-01", "--workspace", str(ws.root))
    assert code == 0 and out.startswith(f"已创建 {ws.standard_dir / '2024.1.json'}：以 2023.1 为底稿")
    assert err.splitlines()[0] == f"考核标准：工作区 {ws.standard_dir}"
    assert err.splitlines()[1].startswith(
        f"提示 新版本 2024.1 的施行日期 2024-01-01 早于今天（{date.today().isoformat()}）：检查日期在 2024-01-01 "
        "及以后的检查记录此前按 2023.1 版评分，重新评分（score run）时将改按 2024.1 版计分")
    created = json.loads((ws.standard_dir / "2024.1.json").read_text(encoding="utf-8"))
    assert created["version"] == "2024.1" and created["changelog"][-1]["version"] == "2024.1"


def test_date_warnings_say_what_changes(tmp_path: Path) -> None:
    folder = criteria_dir(tmp_path, MINI, mini(version="2", effective_from="2024-01-01"))
    standard = load_standard(folder)
    today = date(2024, 6, 1)
    assert date_warnings(standard, "3", date(2025, 1, 1), today) == []
    [past] = date_warnings(standard, "3", date(2024, 3, 1), today)
    assert past.code == "W340" and past.message == (
        "新版本 3 的施行日期 2024-03-01 早于今天（2024-06-01）：检查日期在 2024-03-01 及以后的检查记录"
        "此前按 2 版评分，重新评分（score run）时将改按 3 版计分，得分、等级和名次可能变化；"
        "已发出的结果不会自动改变，如需更正请重新评分")
    past, before_latest = date_warnings(standard, "1.5", date(2023, 6, 1), today)
    assert past.message.startswith("新版本 1.5 的施行日期 2023-06-01 早于今天（2024-06-01）："
                                   "检查日期在 2023-06-01 至 2023-12-31 的检查记录此前按 1 版评分")
    assert before_latest.code == "W341" and before_latest.message == (
        "新版本 1.5 的施行日期 2023-06-01 早于最新版本 2 的施行日期 2024-01-01：1.5 版只对检查日期在 "
        "2023-06-01 至 2023-12-31 的检查记录施行，2024-01-01 起仍按 2 版计分")
    assert date_warnings(standard, "9", today + timedelta(days=1), today) == []


def test_law_named_by_title_in_json(tmp_path: Path) -> None:
    v = mini()
    v["categories"][1]["items"][3]["basis"] = ["《中华人民共和国民法典》第二百七十八条",
                                               {"ref": "《消防法》", "article": "第十六条"}]
    crit = load_standard(criteria_dir(tmp_path, v)).latest
    item = crit.categories[1].items[3]
    assert [(b.ref, b.article) for b in item.basis] == [("civil-code", "第二百七十八条"),
                                                        ("fire-protection-law", "第十六条")]


def test_unknown_law_title_names_the_item_and_the_closest_titles(tmp_path: Path) -> None:
    v = mini()
    v["categories"][1]["items"][3]["basis"] = ["《治安处罚法》第九条"]
    folder = criteria_dir(tmp_path, v)
    code, _, err = invoke("criteria", "validate", str(folder))
    category = v["categories"][1]["name"]
    assert code == 1
    assert err == (f"错误 {folder / '1.json'} › 分类 {category} › 项目 B4 › 法律依据 "
                   "法律依据“《治安处罚法》”不在法规库中，是否是：《中华人民共和国治安管理处罚法》？"
                   "可用 score regulations list 查看法规库；新法规请先加入法规库"
                   "（score regulations export 导出、填写后 score regulations import 导入）（C240）\n")
    code, _, err = invoke("criteria", "validate", str(folder), "--debug")
    assert code == 1 and "› 项目 B4 › 法律依据（$.categories[1].items[3].basis[0]） " in err


@pytest.mark.parametrize("module", ["scoring.cli.criteria_cmd", "scoring.cli.regulations_cmd",
                                    "scoring.cli.init_cmd", "scoring.workspace", "scoring.criteria.standard"])
def test_start_up_imports_nothing_heavy(module: str) -> None:
    heavy = ("pandas", "numpy", "openpyxl", "xlsxwriter", "docx", "jsonschema")
    code = f"import sys, {module}; print(sorted(m for m in {heavy!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout == "[]\n"


@pytest.mark.parametrize("command", [["init"], ["criteria", "export"], ["criteria", "import"],
                                     ["regulations", "export"], ["regulations", "import"]])
def test_new_commands_have_help(command: list[str]) -> None:
    code, out, _ = invoke(*command, "--help")
    assert code == 0 and out.startswith(f"用法：score {' '.join(command)} [选项]")


def test_changelog_bases_by_title_reach_the_model_as_ids(tmp_path: Path) -> None:
    v = mini()
    v["changelog"] = [{"version": "1", "date": "2022-12-20", "summary": "",
                       "changes": [{"item": "B4", "action": "added", "basis": ["《消防法》第十六条"]}]}]
    crit = load_standard(criteria_dir(tmp_path, v)).latest
    assert crit.changelog[0]["changes"][0]["basis"] == [{"ref": "fire-protection-law", "article": "第十六条"}]

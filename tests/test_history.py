"""The run archive and the SQLite index of a workspace (docs/design.md §8): `score run` archives,
`score reindex` rebuilds score.db identically, `score history` lists, and two runs at once
both land."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scoring.api import score
from scoring.cli.app import app
from scoring.engine.results import Results
from scoring.history import courtyard_history, dump_rows, list_runs, record_run, reindex
from scoring.outputs.locks import FolderLock
from scoring.runs import archived_runs, parse_run_id, read_record, stored_name
from scoring.workspace import Workspace, init_workspace

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "inspections.xlsx"
SAMPLE_2022 = ROOT / "samples" / "inspections-2022.xlsx"
runner = CliRunner()


def invoke(ws: Path | None, home: Path, *args: str) -> tuple[int, str, str]:
    env = {"SCORE_WORKSPACE": str(ws) if ws else "", "HOME": str(home)}
    result = runner.invoke(app, list(args), env=env)
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """A workspace with two runs of 2023 and one of 2022, made by `score run`."""
    base = tmp_path_factory.mktemp("history")
    ws = init_workspace(base / "ws")
    for sample, out in ((SAMPLE, "o1"), (SAMPLE, "o2"), (SAMPLE_2022, "o3")):
        code, out_text, err = invoke(ws.root, base, "run", str(sample), "--out", str(base / out))
        assert code == 0, err
        assert "已存入工作区" in out_text
    return ws


def test_run_is_archived_with_inputs_outputs_and_run_json(workspace: Workspace) -> None:
    assert [p.name for p in archived_runs(workspace)] == ["2022-1", "2023-1", "2023-2"]
    folder = workspace.runs_dir / "2023-1"
    assert (folder / "inputs" / "1.xlsx").read_bytes() == SAMPLE.read_bytes()
    assert sorted(p.name for p in (folder / "outputs").iterdir()) == ["ranking.xlsx", "report.docx", "report.md",
                                                                       "results.json"]
    record = read_record(folder)
    assert (record.id, record.period, record.number, record.via) == ("2023-1", "2023", 1, "命令行")
    assert record.inputs[0].name == "inspections.xlsx"
    assert record.inputs[0].sha256 == hashlib.sha256(SAMPLE.read_bytes()).hexdigest()
    assert [v["version"] for v in record.versions] == ["2023.1"]
    assert len(record.versions[0]["sha256"]) == 64
    assert not [p for p in workspace.runs_dir.iterdir() if p.name.startswith(".")]  # no staging left


def test_index_rows_are_the_archived_results(workspace: Workspace) -> None:
    results = Results.load(workspace.runs_dir / "2023-1" / "outputs" / "results.json")
    rows = dump_rows(workspace)
    assert len(rows["runs"]) == 3
    yards_2023_1 = [r for r in rows["courtyard_results"] if r[0] == "2023-1"]
    assert len(yards_2023_1) == len(results.courtyards) == 48
    first = results.courtyards[0]
    row = next(r for r in yards_2023_1 if r[2:4] == (first.community, first.courtyard))
    assert row[6] == first.total_cents and row[7] == first.grade and row[10] == first.rank == 1
    assert len([r for r in rows["community_results"] if r[0] == "2023-1"]) == 6


def test_reindex_rebuilds_identical_rows(workspace: Workspace) -> None:
    before = dump_rows(workspace)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{workspace.db_path}{suffix}").unlink(missing_ok=True)
    code, out, err = invoke(workspace.root, workspace.root, "reindex")
    assert code == 0, err
    assert "3 次评分" in out
    assert dump_rows(workspace) == before


def test_history_lists_runs_and_a_courtyards_scores(workspace: Workspace) -> None:
    code, out, err = invoke(workspace.root, workspace.root, "history")
    assert code == 0, err
    assert out.index("2023-2") < out.index("2023-1") < out.index("2022-1")
    results = Results.load(workspace.runs_dir / "2023-1" / "outputs" / "results.json")
    yard = results.courtyards[0]
    code, out, err = invoke(workspace.root, workspace.root, "history", "--courtyard", yard.name)
    assert code == 0, err
    assert f"{yard.total_cents / 100:.2f}" in out
    assert [r.period for r in courtyard_history(workspace, yard.community, yard.courtyard)][-2:] == ["2023", "2023"]
    code, out, err = invoke(workspace.root, workspace.root, "history", "--community", yard.community)
    assert code == 0, err
    assert out.count("2023-") == 2 and "2022-1" in out
    code, _, err = invoke(workspace.root, workspace.root, "history", "--courtyard", "无此楼院")
    assert code == 2 and "历次评分中没有楼院“无此楼院”" in err


def test_history_without_workspace_says_how_to_make_one(tmp_path: Path) -> None:
    code, _, err = invoke(None, tmp_path, "history")
    assert code == 2
    assert "没有找到工作区" in err and "score init" in err


def test_run_without_workspace_archives_nothing(tmp_path: Path) -> None:
    code, out, err = invoke(None, tmp_path, "run", str(SAMPLE), "--out", str(tmp_path / "o"))
    assert code == 0, err
    assert "已存入工作区" not in out
    assert not (tmp_path / "score-workspace").exists()


def test_two_runs_at_once_both_land(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    results = score([SAMPLE])
    errors: list[BaseException] = []

    def one() -> None:
        try:
            record_run(ws, results, [("检查记录.xlsx", SAMPLE)],
                       lambda folder: results.save(folder / "results.json"), via="网页")
        except BaseException as exc:  # reported below
            errors.append(exc)

    threads = [threading.Thread(target=one) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sorted(r.id for r in list_runs(ws)) == ["2023-1", "2023-2", "2023-3", "2023-4"]
    assert len(dump_rows(ws)["courtyard_results"]) == 4 * 48


def test_two_processes_at_once_both_land(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    env = {**os.environ, "SCORE_WORKSPACE": str(ws.root), "HOME": str(tmp_path)}
    procs = [subprocess.Popen([sys.executable, "-m", "scoring", "run", str(SAMPLE), "--out", str(tmp_path / f"o{k}")],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for k in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err.decode()
    assert sorted(r.id for r in list_runs(ws)) == ["2023-1", "2023-2"]
    before = dump_rows(ws)
    assert reindex(ws) == 2
    assert dump_rows(ws) == before


def test_run_ids_and_stored_names_are_generated() -> None:
    assert parse_run_id("2023Q2-12") == ("2023Q2", 12)
    for bad in ("../2023-1", "2023-0", "2023-1/..", "x-1", "2023-1 "):
        assert parse_run_id(bad) is None
    assert stored_name(3, "..\\..\\evil.XLSX") == "3.xlsx"
    assert stored_name(1, "a.exe") == "1.xlsx"
    assert stored_name(2, "数据.csv") == "2.csv"


def test_damaged_run_json_is_reported_in_chinese(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    folder = ws.runs_dir / "2023-1"
    folder.mkdir(parents=True)
    (folder / "run.json").write_text(json.dumps({"period": "2023"}), encoding="utf-8")
    code, _, err = invoke(ws.root, tmp_path, "reindex")
    assert code == 1
    assert "已损坏" in err


def test_a_staging_folder_left_by_a_killed_process_is_not_a_run_and_goes_next_time(tmp_path: Path) -> None:
    # A staging folder is locked by its process while it lives (the system drops the lock when the
    # process dies, however it dies): an unlocked one goes at the next archive, a locked one stays.
    ws = init_workspace(tmp_path / "ws")
    dead, alive = ws.runs_dir / ".staging-dead", ws.runs_dir / ".staging-alive"
    for folder in (dead, alive):
        (folder / "outputs").mkdir(parents=True)
        (folder / "run.json").write_text("{}", encoding="utf-8")
    holder = FolderLock(alive)
    assert holder.acquire(0)
    try:
        assert archived_runs(ws) == [] and reindex(ws) == 0
        results = score([SAMPLE])
        record_run(ws, results, [("a.xlsx", SAMPLE)], lambda folder: results.save(folder / "results.json"),
                   via="网页")
        assert not dead.exists() and alive.exists()
    finally:
        holder.release()
    assert [p.name for p in archived_runs(ws)] == ["2023-1"]


def test_a_damaged_index_is_said_in_chinese(tmp_path: Path) -> None:
    ws = init_workspace(tmp_path / "ws")
    ws.db_path.write_bytes(b"not an index " * 100)  # SQLite's own words would be "file is not a database"
    code, _, err = invoke(ws.root, tmp_path, "history")
    assert code == 3
    assert err.splitlines()[-1] == (f"工作区的评分索引 {ws.db_path} 无法使用（文件已损坏，或不是评分索引）。"
                                    "可删除 score.db 后运行 score reindex 重建")

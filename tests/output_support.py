"""Shared by the tests of issue 16's output safety (test_hostile_outputs.py, test_hostile_signals.py):
a small scored standard, a bigger input, and a `score` child process held at a known point of
its write (inside the staging folder) so a test can signal it there."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from scoring.cli.app import app
from tests.helpers import MINI, criteria_dir, record, rows_for, write_csv

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "inspections.xlsx"
OUTPUTS = ["ranking.xlsx", "report.docx", "report.md", "results.json"]
runner = CliRunner()


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = runner.invoke(app, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every entry of a folder tree: file bytes, None for a folder."""
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
            for p in sorted(folder.rglob("*"))}


def stagings(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.fixture(scope="module")
def mini(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A small standard, its inspections and their results (results.json and the other outputs)."""
    root = tmp_path_factory.mktemp("mini")
    folder = criteria_dir(root, MINI)
    data = write_csv(root / "in.csv", rows_for([record("一社区", "甲院", "2023-03-01"),
                                               record("一社区", "乙院", "2023-03-01", A1="否")]))
    code, _, err = invoke("run", data, "--criteria", folder, "--out", root / "out")
    assert code == 0, err
    return {"criteria": folder, "data": data, "results": root / "out" / "results.json"}


# ---------------------------------------------------------------- signals and stale staging (item 9)

# A `score` process whose ranking.xlsx writer, once done, says so and then waits for a go-ahead:
# the test signals (or lets go of) it at a known point of the write, inside the staging folder.
CHILD = """
import sys, time
from pathlib import Path
import scoring.outputs.workbook as workbook

ready, go = Path(sys.argv[1]), Path(sys.argv[2])
real = workbook.write_ranking

def held(results, path):
    real(results, path)
    ready.write_text("ready")
    deadline = time.monotonic() + 60
    while not go.exists() and time.monotonic() < deadline:
        time.sleep(0.02)

workbook.write_ranking = held
from scoring.cli.app import main
sys.argv = ["score", *sys.argv[3:]]
main()
"""


def start_child(tmp_path: Path, *args: str | Path) -> tuple[subprocess.Popen[str], Path, Path]:
    ready, go = tmp_path / "ready", tmp_path / "go"
    ready.unlink(missing_ok=True)
    go.unlink(missing_ok=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": "utf-8"}
    env.pop("SCORE_WORKSPACE", None)
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(ready), str(go), *map(str, args)], cwd=tmp_path,
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")
    deadline = time.monotonic() + 60
    while not ready.exists():
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    return child, ready, go


@pytest.fixture
def bigger(tmp_path: Path) -> Path:
    """Inspections of 100 courtyards (ten times the outputs of `mini`, quick to score)."""
    rows = [record(f"{c}社区", f"{k}号院", f"2023-{m:02d}-01") for c in "一二" for k in range(50)
            for m in range(1, 5)]
    return write_csv(tmp_path / "大.csv", rows_for(rows))


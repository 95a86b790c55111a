"""Docs that cannot drift: every `score …` command shown in README.md runs, in the order shown,
in a sandbox folder, and every Python example runs too (as typer tests its tutorial).

Files the README names as a clerk's own (检查记录.xlsx, a Word draft, 我的标准/ …) are made from
the bundled sample before the command that first reads them; results.json files come from a run
of the sample. A command is expected to succeed unless its README comment says 退出码 N.
`score serve` is checked with --help (it would wait for a browser). Nothing is written into
the package.
"""

from __future__ import annotations

import hashlib
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from scoring.criteria.resources import bundled_root

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
SAMPLES = ROOT / "samples"
INPUT_SUFFIXES = (".xlsx", ".xls", ".csv")
OUTPUT_OPTIONS = {"-o", "--out", "--xlsx", "--output"}
MARKER = "【美丽楼院考核情况】"


def fenced(language: str) -> list[str]:
    """The bodies of README's fenced blocks in `language`, in order."""
    return re.findall(rf"^```{language}\n(.*?)^```", README.read_text(encoding="utf-8"), re.M | re.S)


def commands() -> list[tuple[list[str], int]]:
    """Every `score …` line of the sh blocks (comments cut off) and the exit code it expects."""
    found = []
    for block in fenced("sh"):
        for line in block.splitlines():
            if not line.startswith("score "):
                continue
            command, _, comment = line.partition(" #")
            expected = re.search(r"退出码 ?(\d+)", comment)
            found.append((shlex.split(command)[1:], int(expected.group(1)) if expected else 0))
    return found


def tree_digest(folder: Path) -> str:
    """A digest of every file's name and bytes below `folder`."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


def draft(path: Path) -> None:
    """A minimal Word draft with the marker paragraph."""
    doc = Document()
    doc.add_heading("2023年法治政府建设情况报告", level=1)
    doc.add_paragraph("一、主要举措和成效")
    doc.add_paragraph(MARKER)
    doc.add_paragraph("二、下一年度工作计划")
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(path))


QUARTERS = {"一季度": 1, "二季度": 2, "三季度": 3, "四季度": 4}


def sample_copy(path: Path) -> None:
    """The 2023 sample as an input the README names; a file named for a quarter holds only that
    quarter's inspections (the same file twice is refused, issue 16)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    quarter = next((q for word, q in QUARTERS.items() if word in path.name), None)
    if quarter is None:
        shutil.copy(SAMPLES / "inspections.xlsx", path)
        return
    book = load_workbook(SAMPLES / "inspections.xlsx")
    sheet = book.active
    assert sheet is not None
    others = [r for r in range(3, sheet.max_row + 1) if (sheet.cell(r, 4).value.month - 1) // 3 + 1 != quarter]
    for row in reversed(others):
        sheet.delete_rows(row)
    book.save(path)


def score(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scoring", *args], cwd=cwd, env=env, text=True,
                          capture_output=True, timeout=300)


def prepare(args: list[str], cwd: Path, env: dict[str, str]) -> list[str]:
    """Make the inputs a command reads when the README has not made them yet."""
    outputs = {args[k + 1] for k, a in enumerate(args[:-1]) if a in OUTPUT_OPTIONS}
    for token in args:
        if token in outputs or token.startswith("-"):
            continue
        path = cwd / token
        if path.exists():
            continue
        if token.endswith("results.json"):
            sample = SAMPLES / ("inspections-2022.xlsx" if "2022" in token else "inspections.xlsx")
            done = score(["run", str(sample), "--out", str(path.parent)], cwd, env)
            assert done.returncode == 0, done.stderr
        elif token.endswith(".docx"):
            draft(path)
        elif token.endswith(INPUT_SUFFIXES):
            sample_copy(path)
        elif token.endswith("/") and args[0] == "run":
            path.mkdir(parents=True)
            shutil.copy(SAMPLES / "inspections.xlsx", path / "检查记录.xlsx")
        elif token.endswith("/") and args[0] in {"criteria", "template"}:
            shutil.copytree(bundled_root() / "beautiful-courtyard", path)
            shutil.copy(bundled_root() / "regulations.json", path.parent / "regulations.json")
    return [*args, "--help"] if args[0] == "serve" else args


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    cwd = tmp_path_factory.mktemp("readme")
    shutil.copytree(SAMPLES, cwd / "samples")
    env = {k: v for k, v in os.environ.items() if k != "SCORE_WORKSPACE"}
    env["HOME"] = str(cwd / "home")  # no ~/score-workspace of the machine's user
    env["COLUMNS"] = "200"
    return cwd, env


def test_readme_shows_commands() -> None:
    assert len(commands()) >= 20


def test_every_readme_command_runs(sandbox: tuple[Path, dict[str, str]]) -> None:
    cwd, env = sandbox
    package = tree_digest(bundled_root())
    for args, expected in commands():
        done = score(prepare(args, cwd, env), cwd, env)
        assert "Traceback" not in done.stderr, (args, done.stderr)
        assert done.returncode == expected, (args, done.returncode, done.stdout[-2000:], done.stderr[-2000:])
    assert tree_digest(bundled_root()) == package  # nothing was written into the package


def test_every_readme_python_example_runs(sandbox: tuple[Path, dict[str, str]],
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    cwd, _ = sandbox
    blocks = fenced("python")
    assert blocks, "README shows the library"
    monkeypatch.chdir(cwd)
    shutil.copy(SAMPLES / "inspections.xlsx", cwd / "检查记录.xlsx")
    for block in blocks:
        exec(compile(block, "README.md", "exec"), {"__name__": "readme"})

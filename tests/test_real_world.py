"""Real-world workbooks nobody here wrote (fetched by tests/real_world/fetch.sh, which .ci/run
calls): each gets a clear answer, and calamine and openpyxl read the same values from each."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.engine.reader import read_file
from scoring.engine.values import display
from tests.test_reliability import refused

CORPUS = Path(__file__).parent / "real_world" / "corpus"
FILES = sorted(p for p in CORPUS.glob("*") if p.suffix.lower() in (".xlsx", ".xls")) if CORPUS.is_dir() else []
XLSX = [p for p in FILES if p.suffix.lower() == ".xlsx"]


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_real_world_workbook_gets_a_clear_answer(tmp_path: Path, path: Path) -> None:
    lines = refused(tmp_path, path)  # none of them is an inspection record
    assert lines[-1] == "共 1 处错误，未生成任何输出文件。"
    assert lines[-2].startswith("错误 所有工作表（") and lines[-2].endswith("（E110）")


@pytest.mark.parametrize("path", XLSX, ids=lambda p: p.name)
def test_both_readers_read_the_same_values(path: Path) -> None:
    fast, _ = read_file(path, backend="calamine")
    safe, _ = read_file(path, backend="openpyxl")
    assert [s.sheet for s in fast] == [s.sheet for s in safe]
    for a, b in zip(fast, safe, strict=True):
        width = max([len(r) for r in a.rows + b.rows] or [0])
        assert _grid(a.rows, width) == _grid(b.rows, width), a.sheet


def _grid(rows: list[list[object]], width: int) -> list[list[str]]:
    """Cells as displayed, rows padded to one width, trailing empty rows dropped."""
    out = [[display(v) for v in r] + [""] * (width - len(r)) for r in rows]
    while out and not any(out[-1]):
        out.pop()
    return out


def test_corpus_is_there_when_ci_runs() -> None:
    import os

    if os.environ.get("CI") == "true":
        assert len(FILES) >= 20, "tests/real_world/fetch.sh did not fetch the corpus"

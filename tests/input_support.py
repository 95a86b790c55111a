"""Shared by the tests of issue 16's input readers (test_hostile_inputs.py, test_hostile_xls.py):
`score run` on the MINI standard, in-process or in a memory-limited child, with the inputs
checked byte-identical afterwards."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import MINI, criteria_dir, record, rows_for
from tests.limited import Outcome, run_limited
from tests.test_cli import invoke

MB_LIMIT = 512  # the whole run of a small file takes < 300 MB of address space
ROWS = rows_for([record("一社区", "甲院", "2023-03-01"), record("一社区", "乙院", "2023-03-02", A1="否")])
TOTALS = [("一社区", "乙院", 19.0), ("一社区", "甲院", 23.0)]  # A1 否: 17/21 of 21 + bonus 2


def limited(tmp: Path, *paths: Path, options: tuple[str, ...] = (), child: bool = True) -> Outcome:
    """`score run` on MINI — in a child under MB_LIMIT for a fixture meant to blow up memory,
    else in-process (faster); inputs byte-identical afterwards."""
    folder = criteria_dir(tmp, MINI)
    before = {p: p.read_bytes() for p in paths if p.is_file()}
    args = ["run", *map(str, paths), "--criteria", str(folder), "--out", str(tmp / "o"), *options]
    done = run_limited(args, tmp, mb=MB_LIMIT) if child else Outcome(*invoke(*args))
    assert not done.crashed, done.stderr
    assert {p: p.read_bytes() for p in paths if p.is_file()} == before
    return done


def refused(tmp: Path, *paths: Path, options: tuple[str, ...] = (), child: bool = False) -> list[str]:
    """The error lines of a run that must end with exit 1 and write nothing (`child`: under a
    memory limit)."""
    done = limited(tmp, *paths, options=options, child=child)
    assert done.code == 1, done.stderr
    assert not (tmp / "o").exists()
    lines = done.stderr.splitlines()
    assert lines[-1].startswith("共 ") and lines[-1].endswith("未生成任何输出文件。")
    return lines[:-1]


def totals(tmp: Path) -> list[tuple[str, str, float]]:
    results = json.loads((tmp / "o" / "results.json").read_text(encoding="utf-8"))
    return sorted((y["community"], y["courtyard"], y["total"]) for y in results["courtyards"])


def scored(tmp: Path, *paths: Path) -> str:
    """Run in-process; exit 0; the stderr."""
    folder = criteria_dir(tmp, MINI)
    code, _, err = invoke("run", *map(str, paths), "--criteria", str(folder), "--out", str(tmp / "o"))
    assert code == 0, err
    return err


"""Benchmark `score run` at city scale against the floor and the naive script, in one run on one
machine. Every measurement is a separate process (wall time, and peak RSS from wait4); each is
repeated and the median reported.

- score run: `python -m scoring run FILE --out DIR`, end to end (all four outputs).
- floor: the fastest plain read of the same file (python-calamine into Python lists) plus the
  fastest plain write of the same output workbook (its cells, xlsxwriter constant_memory,
  `write_row`).
- naive: what a user would write — `pandas.read_excel` (openpyxl) and `DataFrame.to_excel`
  (openpyxl) of the same output tables.

At the largest size it also runs `score run --reader openpyxl` once and checks that its
results.json is identical to the calamine run's (the other reader path must give the same
results).

    python benchmarks/bench.py                 # 10k and 100k rows, 3 runs each
    python benchmarks/bench.py --rows 10000 --repeat 5
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402  (the sibling script)

FLOOR_READ = """
import sys
from python_calamine import CalamineWorkbook
book = CalamineWorkbook.from_path(sys.argv[1])
rows = [book.get_sheet_by_name(n).to_python() for n in book.sheet_names]
"""
FLOOR_WRITE = """
import sys, time, openpyxl, xlsxwriter
source = openpyxl.load_workbook(sys.argv[1], read_only=True)
sheets = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in source.worksheets}
start = time.perf_counter()
out = xlsxwriter.Workbook(sys.argv[2], {"constant_memory": True})
for name, rows in sheets.items():
    ws = out.add_worksheet(name)
    for r, row in enumerate(rows):
        ws.write_row(r, 0, row)
out.close()
print(time.perf_counter() - start)
"""
NAIVE = """
import sys, time, openpyxl, pandas as pd
source = openpyxl.load_workbook(sys.argv[2], read_only=True)
tables = {ws.title: pd.DataFrame([list(r) for r in ws.iter_rows(values_only=True)]) for ws in source.worksheets}
start = time.perf_counter()
data = pd.read_excel(sys.argv[1], engine="openpyxl", header=1)
with pd.ExcelWriter(sys.argv[3], engine="openpyxl") as writer:
    for name, frame in tables.items():
        frame.to_excel(writer, sheet_name=name, index=False, header=False)
print(time.perf_counter() - start)
"""


def run_child(args: list[str]) -> tuple[float, float, str]:
    """Like measure, but waits with wait4 itself so the child's peak RSS is known."""
    start = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert child.stdout is not None and child.stderr is not None
    out = child.stdout.read().decode()
    err = child.stderr.read().decode()
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(args[:5])} failed ({child.returncode}):\n{err[-2000:]}")
    return elapsed, usage.ru_maxrss / 1024, out


def bench(rows: int, repeat: int, work: Path) -> dict[str, tuple[float, float]]:
    """Median seconds and peak MB of each contender at `rows` rows."""
    data = HERE / "data" / f"inspections-{rows}.xlsx"
    if not data.exists():
        data.parent.mkdir(parents=True, exist_ok=True)
        print(f"generating {data.name} …", flush=True)
        generate(rows, data)
    python = sys.executable
    results: dict[str, list[tuple[float, float]]] = {k: [] for k in
                                                     ("run", "floor read", "floor write", "naive")}
    for n in range(repeat):
        out = work / f"run-{rows}-{n}"
        t, mb, _ = run_child([python, "-m", "scoring", "run", str(data), "--out", str(out)])
        results["run"].append((t, mb))
        ranking = out / "ranking.xlsx"
        t, mb, _ = run_child([python, "-c", FLOOR_READ, str(data)])
        results["floor read"].append((t, mb))
        _, mb, printed = run_child([python, "-c", FLOOR_WRITE, str(ranking), str(work / "floor.xlsx")])
        results["floor write"].append((float(printed), mb))
        _, mb, printed = run_child([python, "-c", NAIVE, str(data), str(ranking), str(work / "naive.xlsx")])
        results["naive"].append((float(printed), mb))
        print(f"  {rows} rows, run {n + 1}/{repeat}: " + ", ".join(
            f"{k} {v[-1][0]:.1f} s" for k, v in results.items()), flush=True)
    return {k: (statistics.median(t for t, _ in v), max(m for _, m in v)) for k, v in results.items()}


def same_results_with_openpyxl(rows: int, work: Path) -> bool:
    """Whether `score run --reader openpyxl` writes the results.json the calamine run wrote."""
    data = HERE / "data" / f"inspections-{rows}.xlsx"
    outs = {}
    for reader in ("calamine", "openpyxl"):
        outs[reader] = work / f"check-{reader}"
        run_child([sys.executable, "-m", "scoring", "run", str(data), "--out", str(outs[reader]),
                   "--reader", reader])
    calamine, openpyxl = (json.loads((outs[r] / "results.json").read_text(encoding="utf-8"))
                          for r in ("calamine", "openpyxl"))
    return calamine == openpyxl


def table(figures: dict[int, dict[str, tuple[float, float]]]) -> str:
    """The README table."""
    lines = ["| rows | `score run` | peak RSS | floor (read + write) | run ÷ floor | naive | naive ÷ run |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for rows, f in figures.items():
        run, peak = f["run"]
        floor = f["floor read"][0] + f["floor write"][0]
        naive = f["naive"][0]
        lines.append(f"| {rows:,} | {run:.1f} s | {peak:.0f} MB | {floor:.1f} s "
                     f"({f['floor read'][0]:.1f} + {f['floor write'][0]:.1f}) | {run / floor:.2f}× | "
                     f"{naive:.1f} s | {naive / run:.1f}× |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    figures = {}
    with tempfile.TemporaryDirectory(prefix="score-bench-") as tmp:
        for rows in args.rows:
            figures[rows] = bench(rows, args.repeat, Path(tmp))
        largest = max(args.rows)
        print(f"checking results.json with --reader openpyxl at {largest} rows …", flush=True)
        same = same_results_with_openpyxl(largest, Path(tmp))
    text = table(figures)
    check = (f"results.json at {largest:,} rows with `--reader openpyxl` "
             f"{'is identical to' if same else 'DIFFERS from'} the calamine run's.")
    print(text + "\n\n" + check)
    (HERE / "RESULTS.md").write_text(
        f"Measured {time.strftime('%Y-%m-%d')} on {os.cpu_count()} cores; medians of {args.repeat} runs.\n\n"
        + text + "\n\n" + check + "\n", encoding="utf-8")
    if not same:
        raise SystemExit(1)


if __name__ == "__main__":
    main()

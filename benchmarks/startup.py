"""Start-up and small-run latency: what a clerk waits for at every command. Each command runs
in its own process, `--repeat` times, all in one run of this script; the median wall time is
reported next to its target (issue 11: `score --help` ≤ 0.25 s, the bundled sample ≤ 1.0 s).

    python benchmarks/startup.py               # 9 runs each
    python benchmarks/startup.py --repeat 15
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "inspections.xlsx"


def commands(out: Path) -> list[tuple[str, list[str], float | None]]:
    """(label, argv, target seconds)."""
    score = [sys.executable, "-m", "scoring"]
    return [
        ("python -c pass", [sys.executable, "-c", "pass"], None),
        ("score --help", [*score, "--help"], 0.25),
        ("score run --help", [*score, "run", "--help"], 0.25),
        ("score criteria list", [*score, "criteria", "list"], None),
        ("score criteria show 2023.1", [*score, "criteria", "show", "2023.1"], None),
        ("score run samples/inspections.xlsx", [*score, "run", str(SAMPLE), "--out", str(out)], 1.0),
    ]


def median_wall(argv: list[str], repeat: int) -> float:
    """Median wall seconds of `repeat` runs (each must succeed)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print("| command | median | target |")
        print("|---|---:|---:|")
        for label, argv, target in commands(Path(tmp) / "out"):
            seconds = median_wall(argv, args.repeat)
            verdict = "" if target is None else (f"≤ {target:.2f} s " + ("✓" if seconds <= target else "✗"))
            print(f"| `{label}` | {seconds:.2f} s | {verdict} |", flush=True)


if __name__ == "__main__":
    main()

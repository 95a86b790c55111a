"""Run `score` in a child process under a memory limit (issue 16): a hostile fixture that makes
a reader blow up fails its test with exit 134/MemoryError instead of exhausting the machine.

The limit is on address space (RLIMIT_AS), which Python and the Rust parser (python-calamine)
both allocate from; the whole sample job runs in under 300 MB of it."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

DEFAULT_MB = 768
TIMEOUT_S = 120


@dataclass(frozen=True)
class Outcome:
    """What a limited run ended with."""

    code: int
    stdout: str
    stderr: str

    @property
    def crashed(self) -> bool:
        """Killed by a signal, out of memory, or an internal error (exit 70 / a traceback)."""
        return (self.code < 0 or self.code in (70, 134, 137) or "Traceback" in self.stderr
                or "MemoryError" in self.stderr)


def _limit(mb: int) -> None:
    size = mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (size, size))


def run_limited(args: list[str], cwd: Path, mb: int = DEFAULT_MB, stdin: str | None = None,
                env: dict[str, str] | None = None, timeout: float = TIMEOUT_S) -> Outcome:
    """`python -m scoring *args` in `cwd` with at most `mb` MB of address space."""
    environment = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "100", **(env or {})}
    environment.pop("SCORE_WORKSPACE", None)
    # The checkout these tests belong to, also when another one is installed (a worktree).
    environment["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    done = subprocess.run(
        [sys.executable, "-m", "scoring", *args], cwd=cwd, env=environment, input=stdin,
        capture_output=True, text=True, encoding="utf-8", errors="replace", timeout=timeout,
        preexec_fn=lambda: _limit(mb),
    )
    return Outcome(done.returncode, done.stdout, done.stderr)

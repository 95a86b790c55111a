"""Scoring a big upload in the background, with progress the page can show without script.

An upload larger than `WebConfig.background_bytes` is scored in a thread; the browser is sent to
a waiting page that reloads itself every second (`<meta http-equiv="refresh">`) and shows what
the run is doing — reading which file and sheet, writing the outputs, archiving — until the run
is done and the page moves on to the results (or to the problem table)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from scoring.errors import ScoreError

JOBS_KEPT = 50


@dataclass
class Job:
    """One upload being scored."""

    token: str
    started: float = field(default_factory=time.monotonic)
    message: str = "正在读取检查记录……"
    location: str | None = None  # where the browser goes when done
    error: ScoreError | None = None  # a ScoreError that is not a list of data problems
    failed: str | None = None  # a bug, in one line (the traceback is logged)

    @property
    def seconds(self) -> int:
        """Seconds since the job started."""
        return int(time.monotonic() - self.started)

    @property
    def done(self) -> bool:
        """Whether the browser can move on."""
        return self.location is not None or self.error is not None or self.failed is not None


class Jobs:
    """The jobs of one running page, by upload token (the newest JOBS_KEPT)."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._busy: set[str] = set()  # uploads being scored now, in the background or not
        self._lock = threading.Lock()

    def claim(self, token: str) -> bool:
        """Mark an upload as being scored; False when it already is (a form sent twice), so that
        the same files are never scored and archived twice at once."""
        with self._lock:
            if token in self._busy:
                return False
            self._busy.add(token)
            return True

    def release(self, token: str) -> None:
        """The upload is no longer being scored."""
        with self._lock:
            self._busy.discard(token)

    def get(self, token: str) -> Job | None:
        """The job of an upload, if one was started since the page started."""
        with self._lock:
            return self._jobs.get(token)

    def start(self, token: str, work: Callable[[Job], str], on_bug: Callable[[BaseException], str]) -> Job:
        """Run `work` (which returns where to go next) in a thread."""
        job = Job(token)
        with self._lock:
            self._jobs[token] = job
            for old in list(self._jobs)[:-JOBS_KEPT]:
                del self._jobs[old]

        def run() -> None:
            try:
                job.location = work(job)
            except ScoreError as exc:
                job.error = exc
            except Exception as exc:  # a bug: logged by on_bug, one line for the page
                job.failed = on_bug(exc)
            finally:
                self.release(token)

        threading.Thread(target=run, name=f"upload-{token[:8]}", daemon=True).start()
        return job

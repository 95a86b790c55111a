"""Signals that end a command become one exception, so that every `finally` runs (issue 16).

Ctrl+C (SIGINT), SIGTERM (`kill`, a service manager, a shutdown) and SIGHUP (the terminal window
closed) by default end the process at once, leaving a half-filled staging folder behind. The
command line installs `install()`'s handlers: the first such signal raises `Interrupted` in the
main thread; staging folders are removed and moved files put back on the way out. Code that must
not be cut in half (moving the finished files into place, putting them back, removing a staging
folder) runs inside `deferred()`: a signal arriving there is held until the block ends.
A second signal, once the first is raised or held, stops the process at once the system's way
(the default handler): the clean-up may hang (waiting for a lock, a stuck network drive), and
pressing Ctrl+C again must still end it. An interrupted clean-up leaves at worst a staging folder,
which the next command into that folder removes.

Only the main thread receives signals; library callers and the web page's worker threads are
unaffected (there `deferred()` does nothing).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

# What each signal means to the office, for the message that ends the command.
_CAUSES = {"SIGINT": "按下了 Ctrl+C", "SIGTERM": "收到结束程序的请求", "SIGHUP": "终端窗口已关闭",
           "SIGBREAK": "按下了 Ctrl+Break"}
HANDLED = tuple(getattr(signal, name) for name in _CAUSES if hasattr(signal, name))

_held = 0  # deferred() blocks open in the main thread
_pending: list[int] = []
_raised = False  # the first signal has become an exception: a later one ends the process at once


class Interrupted(KeyboardInterrupt):
    """The command was stopped by a signal; `exit_code` is the shell's 128 + signal number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum
        self.exit_code = 128 + signum

    @property
    def cause(self) -> str:
        """What stopped the command, in the office's words."""
        return _CAUSES.get(signal.Signals(self.signum).name, f"收到信号 {self.signum}")


def _handle(signum: int, frame: FrameType | None) -> None:
    global _raised
    if _raised or _pending:  # already stopping, and asked again: stop now
        signal.signal(signum, signal.SIG_DFL)
        signal.raise_signal(signum)
        return
    if _held:
        _pending.append(signum)
        return
    _raised = True
    raise Interrupted(signum)


def install() -> None:
    """Turn SIGINT, SIGTERM and SIGHUP (SIGBREAK on Windows) into `Interrupted` (main thread only)."""
    global _raised
    _raised = False
    _pending.clear()
    for signum in HANDLED:
        signal.signal(signum, _handle)


@contextmanager
def deferred() -> Iterator[None]:
    """Hold signals until the block ends; then the first one held is raised (unless the block
    already ends with an exception, which then ends the command anyway)."""
    global _held, _raised
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    _held += 1
    try:
        yield
    finally:
        _held -= 1
    if not _held and _pending and not _raised:
        signum = _pending[0]
        _pending.clear()
        _raised = True
        raise Interrupted(signum)

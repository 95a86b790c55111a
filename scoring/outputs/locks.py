"""Exclusive locks on folders (issue 16): one process at a time writes into an output folder, and
a staging folder whose lock can be taken was left by a process that died (killed, power lost) —
the operating system drops a process's locks when it ends, however it ends.

The lock is `filelock`'s native primitive (flock on POSIX, LockFileEx on Windows). On POSIX it
is taken on the folder itself, so nothing is created in the office's folder; where the system
cannot lock a folder (Windows, some network shares, a folder one may write in but not list) it is
a `.score-lock` file inside it, removed on release: on Windows by filelock; on POSIX here, while
the lock is still held — a process that locked the file just before it was removed sees that its
file is no longer the one at that path, and locks the new one instead (no two holders).
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING

from scoring.errors import OutputError

if TYPE_CHECKING:
    from filelock import FileLock

LOCK_FILE = ".score-lock"
WAIT_SECONDS = 10.0  # how long a second run waits for the first to finish writing
_POLL_SECONDS = 0.1


class FolderLock:
    """An exclusive lock on one folder, held by this process between `acquire` and `release`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._fd: int | None = None
        self._lock_file: Path | None = None  # POSIX: the .score-lock file `_fd` locks, removed on release
        self._file: FileLock | None = None

    def acquire(self, wait: float) -> bool:
        """Take the lock, waiting at most `wait` seconds; False when another process holds it.
        OSError when the folder cannot be opened or locked at all."""
        from filelock import FileLock, Timeout  # only when writing (start-up time)

        deadline = time.monotonic() + wait
        directory = getattr(os, "O_DIRECTORY", None)
        fd = -1
        if directory is not None:
            try:
                fd = os.open(self.folder, os.O_RDONLY | directory)
            except PermissionError:  # a folder one may write in but not list: use a lock file
                fd = -1
        if fd >= 0:
            try:
                if not _wait_for(fd, deadline):
                    os.close(fd)
                    return False
            except OSError:  # the file system cannot lock a folder: fall back to a lock file
                os.close(fd)
            else:
                self._fd = fd
                return True
        if os.name == "posix":
            return self._acquire_file(deadline)
        lock = FileLock(self.folder / LOCK_FILE)
        try:
            lock.acquire(timeout=max(0.0, deadline - time.monotonic()), poll_interval=_POLL_SECONDS)
        except Timeout:
            return False
        self._file = lock
        return True

    def _acquire_file(self, deadline: float) -> bool:
        """POSIX: lock the `.score-lock` file in the folder, made if needed (see the module)."""
        path = self.folder / LOCK_FILE
        while True:
            fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
            try:
                if not _wait_for(fd, deadline):
                    os.close(fd)
                    return False
                held = os.fstat(fd)
                try:
                    current = path.lstat()
                except FileNotFoundError:  # its holder removed it on release: lock the next one
                    current = None
            except BaseException:
                os.close(fd)
                raise
            if current is not None and (current.st_dev, current.st_ino) == (held.st_dev, held.st_ino):
                self._fd, self._lock_file = fd, path
                return True
            os.close(fd)

    def release(self) -> None:
        """Let the next process in."""
        if self._fd is not None:
            from filelock import unlock_descriptor

            if self._lock_file is not None:
                path, self._lock_file = self._lock_file, None
                with suppress(OSError):  # else left for the next run, which locks and removes it
                    path.unlink()
            fd, self._fd = self._fd, None
            try:
                unlock_descriptor(fd)
            finally:
                os.close(fd)
        if self._file is not None:
            lock, self._file = self._file, None
            lock.release()


def _wait_for(fd: int, deadline: float) -> bool:
    """Lock the open file or folder `fd`, polling until `deadline`; False when it stays held.
    OSError when the file system cannot lock it at all."""
    from filelock import lock_descriptor

    while not lock_descriptor(fd, blocking=False):
        if time.monotonic() >= deadline:
            return False
        time.sleep(_POLL_SECONDS)
    return True


@contextmanager
def locked(folder: Path, wait: float | None = None) -> Iterator[None]:
    """Hold `folder`'s lock for the block; OutputError naming the folder when another run keeps
    it past `wait` seconds (default WAIT_SECONDS). OSError when it cannot be locked at all."""
    seconds = WAIT_SECONDS if wait is None else wait
    lock = FolderLock(folder)
    if not lock.acquire(seconds):
        raise OutputError(f"另一次评分正在向文件夹 {folder} 写入文件（已等待 {seconds:g} 秒）；"
                          "请等它完成后再试，或换一个输出文件夹")
    try:
        yield
    finally:
        lock.release()

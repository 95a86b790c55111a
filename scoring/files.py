"""Reading a whole file safely (issue 16): only a regular file is read — never a device such as
/dev/zero, a FIFO that would block for ever, or a folder — and its size is bounded before a byte
is read, so that no input a user names can exhaust memory.

Callers turn `FileRefused` into their own message or Issue; `reason` is the Chinese text."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from scoring.oserrors import describe

MB = 1024 * 1024
# Bounds for the small text files the toolkit reads whole; each is far above any real one.
CRITERIA_MAX = 16 * MB  # one version of a standard, the regulations register
RESULTS_MAX = 256 * MB  # results.json of a city-wide year (100k rows) is ~123 MB; reading takes ~10× its size
TEMPLATE_MAX = 1 * MB  # a report template


class FileRefused(Exception):
    """A file that is not read; `reason` says why in Chinese (without naming the file)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def size_text(size: int) -> str:
    """A size the office reads: 12.3 MB, 512 KB, 80 字节."""
    if size >= MB:
        return f"{size / MB:.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size} 字节"


def check_regular(path: Path, limit: int) -> int:
    """The size of the regular file at `path`; FileRefused when it is something else or larger
    than `limit` bytes."""
    try:
        info = path.stat()
    except OSError as exc:
        raise FileRefused(describe(exc)) from None
    if stat.S_ISDIR(info.st_mode):
        raise FileRefused("这是一个文件夹，这里需要的是文件")
    if not stat.S_ISREG(info.st_mode):
        raise FileRefused("这不是普通文件（是设备、管道或其他特殊文件），不能读取")
    if info.st_size > limit:
        size, most = size_text(info.st_size), size_text(limit)
        if size == most:  # just over the limit: rounded, both would read the same
            size, most = f"{info.st_size:,} 字节", f"{limit:,} 字节"
        raise FileRefused(f"文件有 {size}，超过上限 {most}；请确认选择了正确的文件")
    return info.st_size


def read_bytes(path: Path, limit: int) -> bytes:
    """The bytes of the regular file at `path`, at most `limit` of them (the file is read through
    one descriptor, so a file swapped or grown after the check is still bounded)."""
    check_regular(path, limit)
    try:
        # O_NONBLOCK: a FIFO put in the file's place after the check does not block the open.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        with os.fdopen(descriptor, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise FileRefused("这不是普通文件（是设备、管道或其他特殊文件），不能读取")
            # read(n) allocates n bytes before reading: ask for what the file holds (plus one, to
            # see it grew), not for the limit (512 MB of address space for a 5 KB results.json).
            wanted = min(info.st_size, limit) + 1
            data = handle.read(wanted)
            if len(data) == wanted <= limit:  # grown since fstat: read on, still bounded
                data += handle.read(limit + 1 - wanted)
    except OSError as exc:
        raise FileRefused(describe(exc)) from None
    if len(data) > limit:
        raise FileRefused(f"文件超过上限 {size_text(limit)}；请确认选择了正确的文件")
    return data

"""Reading a whole file safely (issue 16): only a regular file is read — never a device such as
/dev/zero, a FIFO that would block for ever, or a folder — and its size is bounded before a byte
is read, so that no input a user names can exhaust memory.

Callers turn `FileRefused` into their own message or Issue; `reason` is the Chinese text."""

from __future__ import annotations

import os
import re
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


def sizes_apart(size: int, limit: int) -> tuple[str, str]:
    """`size` and `limit` as size_text writes them, or in bytes when they would read the same
    (a size just over its limit)."""
    shown, most = size_text(size), size_text(limit)
    return (shown, most) if shown != most else (f"{size:,} 字节", f"{limit:,} 字节")


def file_keys(path: Path) -> set[object]:
    """What identifies the file at `path`: the path as given (absolute), the path with every
    link resolved, and the device and file number of what it names (a hard link shares them).
    Two paths name one file when their keys meet."""
    keys: set[object] = {("path", path.absolute())}
    try:
        keys.add(("real", path.resolve()))
        info = path.stat()
        if info.st_ino:  # some network drives report no file numbers (0 for every file)
            keys.add(("file", info.st_dev, info.st_ino))
    except (OSError, RuntimeError):  # not there (yet); a link loop
        pass
    return keys


NOT_REGULAR = "这不是普通文件（是设备、管道或其他特殊文件），不能读取"
_SURROGATE = re.compile("[\ud800-\udfff]")


def _component(raw: bytes) -> str:
    """One part of a path from its bytes: UTF-8, else GB18030 (a name made on Chinese Windows and
    copied as bytes onto a UTF-8 system, e.g. from a USB drive), else UTF-8 with U+FFFD."""
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("utf-8", "replace")


def shown_path(path: Path | str) -> str:
    """A path as text that can be written anywhere (results.json, Excel, the terminal, score.db).
    Python holds a name that is not UTF-8 with lone surrogates (\\udcff), which no writer
    accepts; each such part is shown decoded as GB18030 where that works, else with U+FFFD."""
    text = str(path)
    if not _SURROGATE.search(text):
        return text
    try:
        raw = os.fsencode(text)
    except UnicodeEncodeError:  # a surrogate that did not come from a byte of the name
        return _SURROGATE.sub("\ufffd", text)
    return "/".join(_component(part) for part in raw.split(b"/"))  # bytes names are POSIX ones


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
        raise FileRefused(NOT_REGULAR)
    if info.st_size > limit:
        size, most = sizes_apart(info.st_size, limit)
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
                raise FileRefused(NOT_REGULAR)
            # read(n) allocates n bytes before reading: ask for what the file holds (plus one, to
            # see it grew), not for the limit (hundreds of MB of address space for a 5 KB results.json).
            wanted = min(info.st_size, limit) + 1
            data = handle.read(wanted)
            if len(data) == wanted <= limit:  # grown since fstat: read on, still bounded
                data += handle.read(limit + 1 - wanted)
    except OSError as exc:
        raise FileRefused(describe(exc)) from None
    if len(data) > limit:
        raise FileRefused(f"文件超过上限 {size_text(limit)}；请确认选择了正确的文件")
    return data

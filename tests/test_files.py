"""scoring/files.py: only regular files of bounded size are read (issue 16)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from scoring.files import MB, FileRefused, read_bytes, size_text

NOT_REGULAR = "这不是普通文件（是设备、管道或其他特殊文件），不能读取"


def refused(path: Path, limit: int) -> str:
    with pytest.raises(FileRefused) as caught:
        read_bytes(path, limit)
    return caught.value.reason


def test_a_regular_file_is_read_whole(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_bytes(b"{}\n")
    assert read_bytes(tmp_path / "a.json", 3) == b"{}\n"


def test_devices_fifos_and_folders_are_not_read(tmp_path: Path) -> None:
    assert refused(Path("/dev/zero"), MB) == NOT_REGULAR
    os.mkfifo(tmp_path / "pipe")
    assert refused(tmp_path / "pipe", MB) == NOT_REGULAR  # refused at once, not blocked on open
    assert refused(tmp_path, MB) == "这是一个文件夹，这里需要的是文件"
    assert refused(tmp_path / "missing.json", MB) == "找不到文件"


def test_size_is_bounded_before_reading(tmp_path: Path) -> None:
    (tmp_path / "big").write_bytes(b"x" * (3 * MB))
    assert refused(tmp_path / "big", MB) == "文件有 3.0 MB，超过上限 1.0 MB；请确认选择了正确的文件"
    (tmp_path / "just").write_bytes(b"x" * (MB + 5))
    assert refused(tmp_path / "just", MB) == (
        "文件有 1,048,581 字节，超过上限 1,048,576 字节；请确认选择了正确的文件")


def test_size_text() -> None:
    assert [size_text(n) for n in (80, 2048, 5 * MB // 2)] == ["80 字节", "2 KB", "2.5 MB"]

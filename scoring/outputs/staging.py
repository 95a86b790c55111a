"""Write all outputs or none: each is written into a staging folder next to the target folder,
and only when every one succeeded are they moved into place. A failure while moving puts the
earlier files back, so earlier outputs stay untouched and no temporary file is left.

openpyxl's and others' save() truncate their target first (docs/reliability.md); writing into the
staging folder and renaming avoids half-written files.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from scoring.errors import OutputError
from scoring.oserrors import describe

Writer = Callable[[Path], None]


def text_writer(text: str) -> Writer:
    """A writer of UTF-8 text."""
    def write(path: Path) -> None:
        path.write_text(text, encoding="utf-8")

    return write


def _explain(exc: OSError, target: Path) -> OutputError:
    if isinstance(exc, PermissionError):
        return OutputError(f"无法写入 {target}：文件可能正在 Excel/WPS 中打开，请先在 Excel/WPS 中关闭"
                           f"“{target.name}”后重试（或该文件夹没有写入权限）")
    return OutputError(f"无法写入 {target}：{describe(exc)}")


def write_all(out_dir: Path, writers: dict[str, Writer]) -> list[Path]:
    """Run each writer on a staging path, then move all files into `out_dir` together."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    except OSError as exc:
        raise _explain(exc, out_dir) from exc
    moved: list[tuple[Path, Path | None]] = []  # (target, backup of what it replaced)
    try:
        for name, writer in writers.items():
            try:
                writer(staging / name)
            except OSError as exc:
                raise _explain(exc, out_dir / name) from exc
        for name in writers:
            target = out_dir / name
            backup = None
            try:
                if target.exists():
                    backup = staging / f"{name}.previous"
                    target.replace(backup)
                (staging / name).replace(target)
            except OSError as exc:
                if backup is not None and backup.exists() and not target.exists():
                    backup.replace(target)
                raise _explain(exc, target) from exc
            moved.append((target, backup))
    except BaseException:
        for target, backup in reversed(moved):
            if backup is not None:
                backup.replace(target)
            else:
                target.unlink(missing_ok=True)
        raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return [out_dir / name for name in writers]


def write_one(target: Path, writer: Writer) -> Path:
    """Write one file the same way (staged next to it, then moved into place)."""
    return write_all(target.parent, {target.name: writer})[0]

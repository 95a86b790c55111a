"""Write all outputs of a command or none, never over an input, never deleting what the toolkit
did not write (docs/reliability.md; issue 16).

For each folder that receives outputs:

1. the folder is created if needed and locked (`locks.py`): a second run into the same folder
   waits a little, then is told that another run is writing there — two runs never mix files
   (the lock is held until `then` has run: `score run` archives the outputs under it);
2. staging folders left there by a process that died (killed, power lost) are removed, putting
   back any earlier output one of them had set aside;
3. a hidden staging folder `.score-staging-…` is made inside the output folder itself, on the same
   file system as the final files, so that moving them into place is a rename within one folder
   (an output folder that is a mount point, a symbolic link or on a USB drive included);
4. every writer writes its file there (openpyxl's and others' save() truncate their target
   first: a failure must not leave a half-written output);
5. only when every writer succeeded are the files moved into place, each earlier file first set
   aside in the staging folder and put back if a later move fails (no hard links: USB drives
   formatted FAT/exFAT have none);
6. the staging folder is removed, with the earlier files once every new one is in place — but
   never while an earlier output set aside in it could not be put back (something took its
   place, or the move failed): then it is kept, and each later run tries again.

Before anything is written, an output that is one of the command's inputs (the same path, or a
symbolic or hard link to it) is refused, and so is anything but a regular file where an output
goes (a folder, a link, a device). Signals are held while files are moved and put back
(`scoring.interrupts.deferred`), so an interrupted command leaves the earlier outputs and no
staging folder.
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping
from contextlib import ExitStack, suppress
from pathlib import Path

from scoring.errors import OutputError, ScoreError, UsageError
from scoring.files import file_keys
from scoring.interrupts import deferred
from scoring.oserrors import describe_write
from scoring.outputs.locks import FolderLock, locked

Writer = Callable[[Path], None]
# Each input file of a command and what it is, in the office's words ("检查记录", "Word 报告草稿").
Inputs = Mapping[Path, str]

STAGING_PREFIX = ".score-staging-"
_PREVIOUS = ".previous-"  # an earlier output set aside in the staging folder while files are moved
# Files that Excel/WPS keep open (and locked, on Windows) while the office looks at them.
OFFICE_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xls", ".docx", ".csv"})
DEFAULT_HINT = "请换一个输出文件名或文件夹"

_written: list[Path] = []  # the outputs this process has put in place (main thread), for interrupt messages


def written_count() -> int:
    """How many outputs this process has put in place so far (see `written_since`)."""
    return len(_written)


def written_since(count: int) -> list[Path]:
    """The outputs put in place after `written_count()` returned `count`."""
    return _written[count:]


def note_written(paths: Iterable[Path]) -> None:
    """Record outputs just put in place (by the main thread: the command line's interrupt message
    names them). Call it inside the `deferred()` block that put them there, so that a signal held
    meanwhile cannot skip it."""
    if threading.current_thread() is threading.main_thread():
        _written.extend(paths)


def text_writer(text: str) -> Writer:
    """A writer of UTF-8 text."""
    def write(path: Path) -> None:
        path.write_text(text, encoding="utf-8")

    return write


def folder_error(folder: Path, exc: OSError) -> OutputError:
    """A folder that cannot take new files, said as such (never "close Excel")."""
    if isinstance(exc, FileExistsError | NotADirectoryError) or exc.errno in (errno.EEXIST, errno.ENOTDIR):
        reason = "那里已有同名的文件（不是文件夹）"
    else:
        reason = describe_write(exc)
    return OutputError(f"无法在文件夹 {folder} 中写入文件：{reason}；请换一个输出文件夹")


def _file_error(exc: OSError, target: Path, *, existing: bool) -> OutputError:
    if isinstance(exc, PermissionError) and existing and target.suffix.lower() in OFFICE_SUFFIXES:
        return OutputError(f"无法写入 {target}：文件可能正在 Excel/WPS 中打开，请先在 Excel/WPS 中关闭"
                           f"“{target.name}”后重试（或{describe_write(exc)}）")
    return OutputError(f"无法写入 {target}：{describe_write(exc)}")


def refuse_inputs(targets: Iterable[Path], inputs: Inputs, hint: str = DEFAULT_HINT) -> None:
    """UsageError naming both when an output would replace one of the inputs."""
    known: dict[object, Path] = {}
    for source in inputs:
        for key in file_keys(source):
            known.setdefault(key, source)
    for target in targets:
        for key in file_keys(target):
            if key in known:
                source = known[key]
                raise UsageError(f"输出文件 {target} 就是输入的{inputs[source]} {source}，写入会覆盖它；{hint}")


def _in_the_way(target: Path) -> OutputError | None:
    """Anything but a regular file where an output goes is left alone: an error."""
    try:
        mode = os.lstat(target).st_mode
    except FileNotFoundError:
        return None
    except OSError as exc:
        return _file_error(exc, target, existing=False)
    if stat.S_ISREG(mode):
        return None
    what = ("文件夹" if stat.S_ISDIR(mode) else "快捷方式（符号链接）" if stat.S_ISLNK(mode)
            else "设备、管道或其他特殊文件")
    return OutputError(f"无法写入 {target}：那里已有同名的{what}，不会替换或删除它；"
                       "请把它移走，或换一个输出文件名或文件夹")


class Staging:
    """A hidden working folder of this process inside `parent`, locked while it lives, so that one
    whose lock can be taken is known to be left by a process that died. Create it while holding
    `parent`'s lock (no one sweeps the folder between its making and its locking)."""

    def __init__(self, parent: Path, prefix: str = STAGING_PREFIX) -> None:
        self.parent = parent
        self.prefix = prefix
        self.path: Path | None = None
        self._lock: FolderLock | None = None

    def create(self) -> Path:
        """Remove stale siblings, then make and lock the folder; OutputError naming the folder."""
        with deferred():
            try:
                sweep(self.parent, self.prefix)
                self.path = Path(tempfile.mkdtemp(prefix=self.prefix, dir=self.parent))
                lock = FolderLock(self.path)
                if not lock.acquire(0):  # cannot happen: the folder is new and ours
                    raise OutputError(f"无法锁定临时文件夹 {self.path}")
                self._lock = lock
            except ScoreError:
                raise
            except OSError as exc:
                raise folder_error(self.parent, exc) from exc
        return self.path

    def release(self) -> None:
        """Give up the lock (before the folder is renamed into place, which Windows refuses while
        a file in it is open)."""
        if self._lock is not None:
            lock, self._lock = self._lock, None
            lock.release()

    def remove(self) -> None:
        """Release and remove the folder with whatever is left in it — unless an earlier output
        set aside in it could not be put back (then the next run's sweep tries again)."""
        with deferred():
            self.release()
            if self.path is not None and _put_back(self.path, self.parent):
                shutil.rmtree(self.path, ignore_errors=True)


def _put_back(folder: Path, parent: Path) -> bool:
    """Move each earlier output set aside in `folder` back into `parent` where nothing took its
    place; False when one is still in `folder` (something is in its place, or the move failed):
    then `folder` must be kept, or the earlier output would be lost with it."""
    done = True
    for kept in folder.glob(f"{_PREVIOUS}*"):
        original = parent / kept.name[len(_PREVIOUS):]
        try:
            if os.path.lexists(original):
                done = False  # not ours to replace: both stay, the office's earlier file included
            else:
                kept.replace(original)
        except OSError:
            done = False
    return done


def sweep(parent: Path, prefix: str = STAGING_PREFIX) -> None:
    """Remove the staging folders in `parent` whose process has died: an earlier output set aside
    in one (the process died while moving files into place) goes back where it was first."""
    try:
        entries = list(os.scandir(parent))
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith(prefix) or not entry.is_dir(follow_symlinks=False):
            continue
        folder = Path(entry.path)
        lock = FolderLock(folder)
        try:
            if not lock.acquire(0):
                continue  # its process is alive
            lock.release()
        except OSError:
            continue
        if _put_back(folder, parent):
            shutil.rmtree(folder, ignore_errors=True)


def _commit(staged: Mapping[Path, Path]) -> None:
    """Move every staged file onto its target; on any failure put back what was there before."""
    moved: list[tuple[Path, Path | None]] = []  # (target, the earlier file set aside)
    try:
        for target, source in staged.items():
            backup = None
            existing = os.path.lexists(target)
            try:
                if existing:
                    backup = source.with_name(_PREVIOUS + target.name)
                    target.replace(backup)
                source.replace(target)
            except OSError as exc:
                if backup is not None and os.path.lexists(backup) and not os.path.lexists(target):
                    backup.replace(target)
                raise _file_error(exc, target, existing=existing) from exc
            moved.append((target, backup))
    except BaseException as exc:
        stranded: list[tuple[Path, Path]] = []  # (target, the earlier file that could not go back)
        for target, backup in reversed(moved):
            try:
                if backup is not None:
                    backup.replace(target)
                else:
                    target.unlink(missing_ok=True)
            except OSError:
                if backup is not None:  # it stays in the staging folder, which is then kept
                    stranded.append((target, backup))
        if stranded and isinstance(exc, OutputError):
            kept = "；".join(f"原有的 {target.name} 未能放回原处，保存在 {backup}，请把它移回 {target}"
                            for target, backup in reversed(stranded))
            raise OutputError(f"{exc.message}。{kept}") from exc
        raise
    for _, backup in moved:  # every file is in place: the earlier ones are no longer needed
        if backup is not None:
            with suppress(FileNotFoundError):
                backup.unlink()


def _remove_if_empty(folder: Path) -> None:
    with suppress(OSError):  # not empty, or gone
        folder.rmdir()


def write_files(targets: Mapping[Path, Writer], *, inputs: Inputs | None = None, hint: str = DEFAULT_HINT,
                private: bool = False, then: Callable[[list[Path]], None] | None = None) -> list[Path]:
    """Write every target or none (see the module). `inputs`: the command's input files, never
    written over (UsageError naming both; `hint` says what to do instead). `private`: the folders
    belong to this process alone (a run being archived), so they are not locked. `then`: called
    with the targets once they are in place, while their folders are still locked (to copy them
    elsewhere with no other run replacing them meanwhile)."""
    sources = inputs or {}
    refuse_inputs(targets, sources, hint)
    folders: dict[str, list[Path]] = {}
    for target in targets:
        folders.setdefault(os.path.realpath(target.parent), []).append(target)
    with ExitStack() as stack:
        for key in sorted(folders):  # one order for every process: no two runs wait for each other
            folder = folders[key][0].parent
            try:
                if _made(folder):
                    stack.callback(_remove_if_empty, folder)  # made for nothing if the write fails
                if not private:
                    stack.enter_context(locked(folder))
            except ScoreError:
                raise
            except OSError as exc:
                raise folder_error(folder, exc) from exc
        refuse_inputs(targets, sources, hint)  # again: files may have changed while waiting
        for target in targets:
            if (problem := _in_the_way(target)) is not None:
                raise problem
        staged: dict[Path, Path] = {}
        for group in folders.values():
            staging = Staging(group[0].parent)
            stack.callback(staging.remove)
            path = staging.create()
            staged.update((target, path / target.name) for target in group)
        for target, writer in targets.items():
            try:
                writer(staged[target])
            except ScoreError:
                raise
            except OSError as exc:
                raise _file_error(exc, target, existing=False) from exc
        with deferred():
            _commit(staged)
            note_written(targets)  # here: a signal held by deferred() is raised as the block ends
        if then is not None:
            then(list(targets))
    return list(targets)


def _made(folder: Path) -> bool:
    """Make `folder` (and its parents) unless it is there; whether this call made it. Another
    process making it meanwhile is no error; a file of that name is (FileExistsError)."""
    try:
        folder.mkdir(parents=True)
    except FileExistsError:
        if not folder.is_dir():
            raise
        return False
    return True


def write_all(out_dir: Path, writers: Mapping[str, Writer], *, inputs: Inputs | None = None,
              hint: str = DEFAULT_HINT, private: bool = False,
              then: Callable[[list[Path]], None] | None = None) -> list[Path]:
    """Write the named files into `out_dir` together (see `write_files`)."""
    return write_files({out_dir / name: writer for name, writer in writers.items()}, inputs=inputs, hint=hint,
                       private=private, then=then)


def write_one(target: Path, writer: Writer, *, inputs: Inputs | None = None, hint: str = DEFAULT_HINT) -> Path:
    """Write one file the same way (staged beside it, then moved into place)."""
    return write_files({target: writer}, inputs=inputs, hint=hint)[0]

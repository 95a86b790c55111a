"""Uploaded inspection files: stored inside the workspace under generated names
(`uploads/<random>/1.xlsx`, …), scored by the library exactly as `score run` scores files, and
archived as a run. The names the office gave the files are kept as text (shown in the problem
table and the outputs), never used as paths. An upload with errors stays in `uploads/` under its
random token until it is scored leniently or a newer upload replaces it."""

from __future__ import annotations

import gc
import json
import re
import secrets
import shutil
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path, PureWindowsPath
from typing import TYPE_CHECKING

from starlette.datastructures import UploadFile

from scoring.engine.limits import Limits
from scoring.engine.results import Results
from scoring.errors import InvalidInputError, ScoreError, UsageError
from scoring.issues import Issue
from scoring.runs import RunRecord, stored_name

if TYPE_CHECKING:
    from scoring.workspace import Workspace

TOKEN = re.compile(r"[0-9a-f]{32}")
PENDING = "upload.json"
CHUNK = 1 << 20


async def write_chunks(upload_file: UploadFile, target: Path, name: str, limits: Limits, refused: str) -> None:
    """Stream one uploaded file to `target` in chunks, refusing it past the size limit (the
    message ends with `refused`, what was not done: 未评分 / 未导入)."""
    written = 0
    with target.open("wb") as out:
        while chunk := await upload_file.read(CHUNK):
            written += len(chunk)
            if written > limits.max_bytes:
                raise UsageError(f"文件“{name}”超过 {limits.max_size_mb} MB 的上限，{refused}")
            out.write(chunk)
STALE_SECONDS = 7 * 24 * 3600
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Upload:
    """Files uploaded together: the folder that holds them and their names as given."""

    token: str
    folder: Path
    names: list[str]
    period: str | None
    criteria_version: str | None = None  # score every row by this version (a what-if, like --criteria-version)

    @property
    def files(self) -> list[Path]:
        """The stored files, in upload order."""
        return [self.folder / stored_name(k, n) for k, n in enumerate(self.names, start=1)]


def uploads_dir(workspace: Workspace) -> Path:
    """Where uploads wait to be scored."""
    return workspace.root / "uploads"


def display_name(filename: str | None, k: int) -> str:
    """The name a browser sent, as text to show: no folders, no control characters."""
    name = _CONTROL.sub("", PureWindowsPath(filename or "").name).strip()
    return name[:120] or f"文件{k}"


def _forget_stale(folder: Path) -> None:
    now = time.time()
    for old in folder.iterdir():
        if old.is_dir() and TOKEN.fullmatch(old.name) and now - old.stat().st_mtime > STALE_SECONDS:
            shutil.rmtree(old, ignore_errors=True)


async def save_upload(workspace: Workspace, files: list[UploadFile], limits: Limits, max_files: int,
                      period: str | None, criteria_version: str | None = None) -> Upload:
    """Store the uploaded files under generated names; UsageError when there are none, too
    many, or one is larger than the size limit (nothing is kept then)."""
    chosen = [f for f in files if f.filename]
    if not chosen:
        raise UsageError("请先选择要评分的检查记录文件（.xlsx、.xls 或 .csv）")
    if len(chosen) > max_files:
        raise UsageError(f"一次最多上传 {max_files} 个文件，本次选择了 {len(chosen)} 个；请分批上传")
    parent = uploads_dir(workspace)
    parent.mkdir(parents=True, exist_ok=True)
    _forget_stale(parent)
    token = secrets.token_hex(16)
    folder = parent / token
    folder.mkdir()
    names = [display_name(f.filename, k) for k, f in enumerate(chosen, start=1)]
    upload = Upload(token, folder, names, period, criteria_version)
    try:
        for upload_file, target, name in zip(chosen, upload.files, names, strict=True):
            await write_chunks(upload_file, target, name, limits, "未评分")
        pending = {"names": names, "period": period, "criteria_version": criteria_version}
        (folder / PENDING).write_text(json.dumps(pending, ensure_ascii=False), encoding="utf-8")
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return upload


@asynccontextmanager
async def stored_workbook(workspace: Workspace, upload_file: object, limits: Limits,
                          what: str) -> AsyncIterator[tuple[Path, str]]:
    """One uploaded .xlsx (a 标准编制表 or 法规库编制表) stored as `uploads/<random>/1.xlsx`
    inside the workspace while the block runs, removed afterwards whatever happens; yields the
    stored path and the name as given (text only). UsageError when there is no file, it is not
    .xlsx, or it is larger than the size limit of `score run`."""
    if not isinstance(upload_file, UploadFile) or not upload_file.filename:
        raise UsageError(f"请先选择要上传的{what}（.xlsx）")
    name = display_name(upload_file.filename, 1)
    if not name.lower().endswith(".xlsx"):
        raise UsageError(f"“{name}”不是 .xlsx 文件；请上传{what}（Excel .xlsx 格式；WPS 中另存为 .xlsx）")
    parent = uploads_dir(workspace)
    parent.mkdir(parents=True, exist_ok=True)
    folder = parent / secrets.token_hex(16)
    folder.mkdir()
    target = folder / "1.xlsx"
    try:
        await write_chunks(upload_file, target, name, limits, "未导入")
        yield target, name
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def find_upload(workspace: Workspace, token: str) -> Upload:
    """A waiting upload by its token; the token is checked against its pattern first."""
    folder = uploads_dir(workspace) / token
    if not TOKEN.fullmatch(token) or not (folder / PENDING).is_file():
        raise UsageError("找不到这次上传的文件（可能已经评分或已过期），请重新上传")
    data = json.loads((folder / PENDING).read_text(encoding="utf-8"))
    return Upload(token, folder, [str(n) for n in data["names"]], data.get("period"), data.get("criteria_version"))


def _label(text: str | None, names: dict[str, str]) -> str | None:
    if text is None:
        return None
    for stored, name in names.items():
        if text == stored:
            return name
        if text.startswith(stored + " › "):
            return name + text[len(stored):]
    return text


def relabel_issues(issues: list[Issue], names: dict[str, str]) -> list[Issue]:
    """Issues naming a stored file name the file as the office uploaded it (also inside the
    message, where one names another file: E139, the same file uploaded twice)."""
    out = []
    for issue in issues:
        message = issue.message
        for stored, name in names.items():
            message = message.replace(stored, name)
        out.append(replace(issue, file=_label(issue.file, names), message=message))
    return out


def relabel(results: Results, names: dict[str, str]) -> None:
    """Results that name stored files (inputs, issues, source cells) name them as uploaded."""
    results.inputs = [i._replace(path=_label(i.path, names) or i.path) for i in results.inputs]
    results.issues = relabel_issues(results.issues, names)
    for yard in results.courtyards:
        for item in yard.items.values():
            item.cells = [_label(c, names) or c for c in item.cells]


_collector_lock = threading.Lock()
_collector_users = 0
_collector_was_enabled = True


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while any upload is scored (as `score run`
    does, see README "Performance"): a run's millions of small objects form no cycles and the
    collector's passes over them cost a fifth of a big run. Counted, so overlapping uploads
    resume it only when the last one ends."""
    global _collector_users, _collector_was_enabled
    with _collector_lock:
        if _collector_users == 0:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
        _collector_users += 1
    try:
        yield
    finally:
        with _collector_lock:
            _collector_users -= 1
            if _collector_users == 0 and _collector_was_enabled:
                gc.enable()


def upload_bytes(upload: Upload) -> int:
    """The size of the stored files together."""
    return sum(f.stat().st_size for f in upload.files)


def score_upload(workspace: Workspace, upload: Upload, *, lenient: bool, limits: Limits,
                 progress: Callable[[str], None] | None = None) -> RunRecord:
    """Score the upload with the workspace's standard, write every output and archive the run
    (runs/ and score.db); the upload's folder is removed once the run is archived.
    InvalidInputError (with every problem, named as uploaded) leaves the upload waiting."""
    from scoring.api import output_writers, score
    from scoring.history import record_run
    from scoring.outputs.staging import write_all
    from scoring.web.cache import standard_of

    names = {str(f): n for f, n in zip(upload.files, upload.names, strict=True)}
    standard = standard_of(workspace)

    def tell(message: str) -> None:
        if progress is not None:
            progress(message)

    def reading(where: str) -> None:
        for stored, name in names.items():
            where = where.replace(stored, name)
        tell(f"正在读取 {where} ……")

    try:
        with collector_paused():
            results = score(upload.files, standard, period=upload.period, criteria_version=upload.criteria_version,
                            lenient=lenient, limits=limits,
                            progress=reading)
    except ScoreError as exc:
        exc.issues = relabel_issues(exc.issues, names)
        if not isinstance(exc, InvalidInputError):
            shutil.rmtree(upload.folder, ignore_errors=True)
        raise
    relabel(results, names)
    tell("正在写出结果文件（ranking.xlsx、results.json、report.docx）……")
    writers = output_writers(results)

    def write_outputs(folder: Path) -> None:
        write_all(folder, writers, private=True)  # the run's own staging folder (runs.archive_run)
        tell("正在存入工作区……")

    with collector_paused():
        record = record_run(workspace, results, list(zip(upload.names, upload.files, strict=True)),
                            write_outputs, via="网页", lenient=lenient)
    shutil.rmtree(upload.folder, ignore_errors=True)
    return record

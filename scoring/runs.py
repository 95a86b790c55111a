"""The run archive of a workspace (docs/design.md §8): every `score run` or upload of the web page
is kept under `runs/<period>-<n>/` — a copy of the inputs, the outputs, and `run.json` (who,
when, which files, which criteria versions and their sha256).

A run is assembled in a staging folder inside `runs/` and renamed into place; renaming a
folder onto an existing one fails on every platform, so two processes archiving a run of the
same period at once each claim their own number. The staging folder is locked by its process
while it lives (scoring/outputs/staging.py), so one left by a process that was killed is
removed by the next archive, at once. Inputs are stored under generated names
(`inputs/1.xlsx`, …); the names the office gave them are kept in `run.json` as text only.
"""

from __future__ import annotations

import getpass
import json
import re
import shutil
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scoring.engine.results import Results
from scoring.errors import InvalidInputError, OutputError, ScoreError
from scoring.interrupts import deferred
from scoring.oserrors import describe_write

if TYPE_CHECKING:
    from scoring.workspace import Workspace

RUN_FILE = "run.json"
INPUTS = "inputs"
OUTPUTS = "outputs"
SUFFIXES = (".xlsx", ".xlsm", ".xls", ".csv")
RUN_ID = re.compile(r"(\d{4}(?:Q[1-4])?)-([1-9]\d{0,5})")
_CLAIM_TRIES = 1000


@dataclass(frozen=True)
class InputCopy:
    """One input of an archived run: the name the office knows it by and where the copy is."""

    name: str  # the original file name (text only, never a path)
    stored: str  # inputs/<k><suffix>, relative to the run folder
    sha256: str


@dataclass(frozen=True)
class RunRecord:
    """The `run.json` of one archived run."""

    id: str
    period: str
    number: int
    created: str  # ISO timestamp with offset
    who: str
    via: str  # 命令行 | 网页
    lenient: bool
    standard_id: str
    versions: list[dict[str, str]]  # version, effective_from, sha256
    inputs: list[InputCopy]

    def as_dict(self) -> dict[str, Any]:
        """The JSON form."""
        return {"schema_version": 1, "period": self.period,
                "created": self.created, "who": self.who, "via": self.via, "lenient": self.lenient,
                "standard_id": self.standard_id, "versions": self.versions,
                "inputs": [{"name": i.name, "stored": i.stored, "sha256": i.sha256} for i in self.inputs]}

    @classmethod
    def from_dict(cls, run_id: str, number: int, data: dict[str, Any]) -> RunRecord:
        """Read back `as_dict` (the folder name is the id); KeyError/TypeError/ValueError on a
        damaged file."""
        return cls(run_id, str(data["period"]), number, str(data["created"]),
                   str(data["who"]), str(data["via"]), bool(data["lenient"]), str(data["standard_id"]),
                   [dict(v) for v in data["versions"]],
                   [InputCopy(str(i["name"]), str(i["stored"]), str(i["sha256"])) for i in data["inputs"]])


def parse_run_id(text: str) -> tuple[str, int] | None:
    """(period, n) of a run folder name like `2023-2` or `2023Q1-1`; None for anything else."""
    match = RUN_ID.fullmatch(text)
    return (match.group(1), int(match.group(2))) if match else None


def run_dir(workspace: Workspace, run_id: str) -> Path:
    """The folder of run `run_id`; InvalidInputError when the id is not a run's or it is missing.
    The id is checked against the run-id pattern before it touches the file system."""
    if parse_run_id(run_id) is None or not (workspace.runs_dir / run_id / RUN_FILE).is_file():
        raise InvalidInputError(f"找不到第 {run_id} 次评分的记录")
    return workspace.runs_dir / run_id


def read_record(folder: Path) -> RunRecord:
    """The run.json of an archived run; InvalidInputError naming the file when it is damaged."""
    path = folder / RUN_FILE
    parsed = parse_run_id(folder.name)
    if parsed is None:
        raise InvalidInputError(f"{folder} 不是评分记录文件夹")
    try:
        return RunRecord.from_dict(folder.name, parsed[1], json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InvalidInputError(f"评分记录 {path} 已损坏，无法读取（{type(exc).__name__}）") from None


def results_path(folder: Path) -> Path:
    """The archived results.json of a run folder."""
    return folder / OUTPUTS / "results.json"


def archived_runs(workspace: Workspace) -> list[Path]:
    """Every archived run folder, by period and number (staging folders are not runs)."""
    if not workspace.runs_dir.is_dir():
        return []
    found = [(parsed, p) for p in workspace.runs_dir.iterdir()
             if p.is_dir() and (parsed := parse_run_id(p.name)) is not None and (p / RUN_FILE).is_file()]
    return [p for _, p in sorted(found)]


def stored_name(k: int, original: str) -> str:
    """The generated name of the k-th input: its number and, from a short list, its suffix."""
    suffix = Path(original.replace("\\", "/")).suffix.lower()
    return f"{k}{suffix if suffix in SUFFIXES else '.xlsx'}"


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no user name in the environment or the password database
        return "未知"


STAGING_PREFIX = ".staging-"


def _claim(staging: Path, runs: Path, period: str) -> tuple[str, int]:
    """Rename `staging` to the next free `runs/<period>-<n>`; a folder that appeared meanwhile
    (another process) makes it try the next number."""
    taken = [n for p in runs.iterdir() if (parsed := parse_run_id(p.name)) and parsed[0] == period
             for n in [parsed[1]]]
    number = max(taken, default=0) + 1
    for _ in range(_CLAIM_TRIES):
        target = runs / f"{period}-{number}"
        try:
            if not target.exists():
                staging.rename(target)
                return target.name, number
        except OSError:
            if not target.exists():
                raise
        number += 1
    raise OutputError(f"无法在 {runs} 中登记本次评分（编号已用尽）")


def archive_run(workspace: Workspace, results: Results, inputs: Sequence[tuple[str, Path]],
                write_outputs: Callable[[Path], None], *, via: str, lenient: bool = False) -> RunRecord:
    """Archive a finished run: copy `inputs` ((name shown, file) pairs) under generated names,
    let `write_outputs` fill the outputs folder, write run.json, then rename the staging
    folder into `runs/`. All or nothing: on any failure or interruption the staging folder is removed."""
    from scoring.outputs.locks import locked
    from scoring.outputs.staging import Staging, note_written
    from scoring.pipeline import file_sha256

    runs = workspace.runs_dir
    # The staging folder is made (and staging folders of processes that died are removed) and
    # later renamed into place while runs/ is locked; meanwhile it is locked by this process.
    staging = Staging(runs, STAGING_PREFIX)
    try:
        runs.mkdir(parents=True, exist_ok=True)
        with locked(runs):
            folder = staging.create()
    except ScoreError:
        raise
    except OSError as exc:
        raise OutputError(f"无法写入工作区 {runs}：{describe_write(exc)}") from exc
    try:
        (folder / INPUTS).mkdir()
        (folder / OUTPUTS).mkdir()
        copies = []
        for k, (name, path) in enumerate(inputs, start=1):
            stored = f"{INPUTS}/{stored_name(k, name)}"
            shutil.copyfile(path, folder / stored)
            copies.append(InputCopy(name, stored, file_sha256(folder / stored)))
        write_outputs(folder / OUTPUTS)
        period = results.period.label
        record = RunRecord(
            id="", period=period, number=0, created=datetime.now().astimezone().isoformat(timespec="seconds"),
            who=_who(), via=via, lenient=lenient, standard_id=results.standard_id,
            versions=[{"version": r.version, "effective_from": r.effective_from.isoformat(), "sha256": r.sha256}
                      for r in results.version_refs],
            inputs=copies)
        # The folder's name is the run's id, so run.json need not change when it is claimed.
        (folder / RUN_FILE).write_text(json.dumps(record.as_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
        with locked(runs), deferred():
            staging.release()  # Windows renames no folder with an open file in it
            run_id, number = _claim(folder, runs, period)
            staging.path = None  # it is the run's folder now: nothing to remove
            note_written([runs / run_id])  # in the block: an interrupt held meanwhile still names it
    except ScoreError:
        raise
    except OSError as exc:
        raise OutputError(f"无法把本次评分存入工作区 {runs}：{describe_write(exc)}") from exc
    finally:
        staging.remove()
    return replace(record, id=run_id, number=number)

"""The office's workspace (docs/design.md §8): the one folder where its own standard, register, runs
and index live.

Lookup order: an explicit folder (`--workspace DIR`), else `$SCORE_WORKSPACE`, else the current
folder when it holds `score-workspace.toml`, else `~/score-workspace` when it holds one. A
workspace is made only by `init_workspace` (`score init`), which copies the bundled example
standard and regulations register into it. With no workspace found, callers fall back to the
bundled example and write nothing but their own outputs.

Everything a later feature needs has its place here already: `runs_dir` (archived runs),
`db_path` (the SQLite index, a cache of `runs/`), `courtyard_register` (the 楼院台账).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from scoring.criteria.resources import BUNDLED_STANDARD, REGISTER_NAME, bundled_root
from scoring.errors import OutputError, ScoreError, UsageError
from scoring.oserrors import describe_write

MARKER = "score-workspace.toml"
ENV_VAR = "SCORE_WORKSPACE"
HOME_FOLDER = "score-workspace"
SCHEMA_VERSION = 1


class WorkspaceError(ScoreError):
    """A workspace folder that cannot be used: its settings file is unreadable (exit 1)."""

    exit_code = 1


@dataclass(frozen=True)
class Workspace:
    """A workspace folder and the settings in its `score-workspace.toml`."""

    root: Path
    standard: str = BUNDLED_STANDARD  # the folder under criteria/ that commands use by default
    found_by: str = "explicit"  # explicit | env | cwd | home: how the lookup found it

    @property
    def marker(self) -> Path:
        """The settings file that makes the folder a workspace."""
        return self.root / MARKER

    @property
    def criteria_dir(self) -> Path:
        """`criteria/`: one folder per standard, and the regulations register."""
        return self.root / "criteria"

    @property
    def standard_dir(self) -> Path:
        """The folder of the workspace's standard (all its versions)."""
        return self.criteria_dir / self.standard

    @property
    def regulations_path(self) -> Path:
        """The regulations register of the workspace."""
        return self.criteria_dir / REGISTER_NAME

    @property
    def runs_dir(self) -> Path:
        """`runs/<period>-<n>/`: archived runs (inputs, outputs, run.json)."""
        return self.root / "runs"

    @property
    def db_path(self) -> Path:
        """`score.db`: the SQLite index of `runs/` (a cache; rebuilt by `score reindex`)."""
        return self.root / "score.db"

    @property
    def courtyard_register(self) -> Path | None:
        """The 楼院台账 (`register.xlsx`, else `register.csv`) when the office keeps one."""
        for name in ("register.xlsx", "register.csv"):
            path = self.root / name
            if path.is_file():
                return path
        return None


def _read(root: Path, found_by: str) -> Workspace:
    """The workspace at `root`, whose settings file is known to exist."""
    marker = root / MARKER
    try:
        settings: dict[str, Any] = tomllib.loads(marker.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise WorkspaceError(f"工作区设置文件 {marker} 无法读取（{exc}）。请改正，或删除后重新运行 "
                             f"score init {root}") from None
    standard = settings.get("standard", BUNDLED_STANDARD)
    if not isinstance(standard, str) or not standard or "/" in standard or "\\" in standard:
        raise WorkspaceError(f"工作区设置文件 {marker} 中 standard = {standard!r} 不是考核标准文件夹的名称"
                             f"（应为 criteria/ 下的文件夹名，如 {BUNDLED_STANDARD}）")
    return Workspace(root, standard, found_by)


def _given(path: Path, how: str) -> Workspace:
    """A folder the user named: it must be a workspace."""
    root = path.expanduser()
    if not (root / MARKER).is_file():
        raise UsageError(f"{how}指定的文件夹 {root} 不是工作区（没有 {MARKER}）。"
                         f"新建工作区请运行：score init {root}")
    return _read(root.resolve(), "explicit" if how.startswith("--") else "env")


def find_workspace(explicit: Path | None = None, *, env: Mapping[str, str] | None = None,
                   cwd: Path | None = None, home: Path | None = None) -> Workspace | None:
    """The workspace to use, by docs/design.md §8's lookup order; None when there is none.

    A folder named by `--workspace` or `$SCORE_WORKSPACE` that is not a workspace is a
    UsageError (the user asked for it); the current folder and `~/score-workspace` count only
    when they hold `score-workspace.toml`.
    """
    if explicit is not None:
        return _given(explicit, "--workspace ")
    environ = os.environ if env is None else env
    named = environ.get(ENV_VAR, "").strip()
    if named:
        return _given(Path(named), f"环境变量 {ENV_VAR} ")
    here = cwd if cwd is not None else Path.cwd()
    if (here / MARKER).is_file():
        return _read(here.resolve(), "cwd")
    home_dir = home if home is not None else Path.home()
    candidate = home_dir / HOME_FOLDER
    if (candidate / MARKER).is_file():
        return _read(candidate.resolve(), "home")
    return None


def _settings_text(standard: str, today: date) -> str:
    # Written by hand (the standard library reads TOML but does not write it); json.dumps
    # gives a valid TOML basic string for any name.
    return (
        "# score 工作区：社区办自己的考核标准、法规库和历次评分都保存在这个文件夹里。\n"
        "# 请不要删除本文件；程序凭它识别工作区。\n"
        f"schema_version = {SCHEMA_VERSION}\n"
        f"standard = {json.dumps(standard, ensure_ascii=False)}  # 默认使用的考核标准（criteria/ 下的文件夹）\n"
        f"created = {today.isoformat()}\n"
    )


def init_workspace(root: Path, *, today: date | None = None) -> Workspace:
    """Create a workspace at `root`: the bundled example standard, the regulations register and
    the schemas copied into `criteria/`, an empty `runs/`, and `score-workspace.toml`.

    Refuses (UsageError) when `root` is already a workspace or already has a `criteria/`
    folder; everything is assembled in a temporary folder beside it and moved into place, so a
    failure leaves nothing half made.
    """
    root = root.expanduser()
    if (root / MARKER).exists():
        raise UsageError(f"{root} 已经是工作区（有 {MARKER}），不会覆盖其中的考核标准和法规库。"
                         "如需重新开始，请换一个文件夹")
    if (root / "criteria").exists():
        raise UsageError(f"{root} 中已有 criteria 文件夹，不会覆盖。请换一个空文件夹，或先把它移走")
    if root.exists() and not root.is_dir():
        raise UsageError(f"{root} 是一个文件，不是文件夹")
    source = bundled_root()
    try:
        root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".score-init-", dir=root))
        try:
            criteria = staging / "criteria"
            shutil.copytree(source / BUNDLED_STANDARD, criteria / BUNDLED_STANDARD,
                            ignore=shutil.ignore_patterns("__pycache__"))
            shutil.copytree(source / "schema", criteria / "schema",
                            ignore=shutil.ignore_patterns("__pycache__"))
            shutil.copy2(source / REGISTER_NAME, criteria / REGISTER_NAME)
            (staging / MARKER).write_text(_settings_text(BUNDLED_STANDARD, today or date.today()),
                                          encoding="utf-8")
            (root / "runs").mkdir(exist_ok=True)
            criteria.replace(root / "criteria")
            (staging / MARKER).replace(root / MARKER)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    except OSError as exc:
        raise OutputError(f"无法在 {root} 建立工作区：{describe_write(exc)}") from exc
    return Workspace(root.resolve(), BUNDLED_STANDARD, "explicit")

"""New versions of a standard: a copy of an existing version under a new number and date, the
checks every new version gets (number, distinct date, never into the installed package), and
the warnings for a date in the past (what it changes for inspections already scored)."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from scoring.criteria.canonical import canonical_text
from scoring.criteria.jsonfile import read_json
from scoring.criteria.model import Criteria
from scoring.errors import OutputError, UsageError
from scoring.issues import Issue, make
from scoring.oserrors import describe_write

if TYPE_CHECKING:
    from scoring.criteria.standard import Standard

_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]*$")
BUNDLED_REFUSAL = ("内置示例标准随程序安装，升级时会被替换，不能在其中新建或导入版本。请先运行 score init 建立工作区"
                   "（例如 score init 考核工作区），之后的新版本都保存在工作区中")
REGISTER_REFUSAL = ("没有找到工作区，不能修改内置示例法规库（它随程序安装，升级时会被替换）。"
                    "请先运行 score init 建立工作区（例如 score init 考核工作区），再在工作区中导入法规库")


def check_new_version(standard: Standard, version: str, effective: date) -> None:
    """UsageError when `version` cannot be added to `standard`: bundled example, malformed or
    existing number, or the effective date of an existing version."""
    if not standard.editable:
        raise UsageError(BUNDLED_REFUSAL)
    if not _VERSION.match(version):
        raise UsageError(f"版本号“{version}”只能包含字母、数字、点、- 和 _，例如 2024.1")
    for v in standard.versions:
        if v.version == version:
            raise UsageError(f"版本 {version} 已存在，不会覆盖；请换一个版本号")
        if v.effective_from == effective:
            raise UsageError(f"新版本的施行日期 {effective.isoformat()} 与 {v.version} 版相同；"
                             "同一标准各版本的施行日期不得相同")


def date_warnings(standard: Standard, version: str, effective: date, today: date) -> list[Issue]:
    """Warnings for a new version dated before today or before the latest version, saying what
    it changes for inspections already scored (each inspection is scored by the version in
    force on its date, docs/design.md §4)."""
    issues = []
    later = [v for v in standard.versions if v.effective_from > effective]
    end = later[0].effective_from - timedelta(days=1) if later else None
    span = f"{effective.isoformat()} 至 {end.isoformat()} " if end else f"{effective.isoformat()} 及以后"
    before = standard.in_force(effective)
    if effective < today:
        was = f"此前按 {before.version} 版评分，" if before else "此前没有可用的版本，"
        issues.append(make(
            "W340", version=version, value=effective.isoformat(), expected=today.isoformat(),
            detail=f"检查日期在 {span}的检查记录{was}重新评分（score run）时将改按 {version} 版计分，"
                   "得分、等级和名次可能变化；已发出的结果不会自动改变，如需更正请重新评分"))
    if later:
        latest = standard.latest
        issues.append(make(
            "W341", version=version, value=effective.isoformat(), other=latest.version,
            expected=latest.effective_from.isoformat(),
            detail=f"{version} 版只对检查日期在 {span}的检查记录施行，{later[0].effective_from.isoformat()} "
                   f"起仍按 {later[0].version} 版计分"))
    return issues


def new_version(source: Criteria, version: str, effective: date, today: date) -> tuple[Path, str]:
    """The path and canonical JSON text of a copy of `source` as `version`, in force from
    `effective`, with an empty changelog entry for the office to fill in."""
    data, _, issues = read_json(Path(source.path))
    if issues or not isinstance(data, dict):
        raise UsageError(f"无法读取 {source.path}")
    data["version"] = version
    data["effective_from"] = effective.isoformat()
    data.setdefault("changelog", []).append({"version": version, "date": today.isoformat(), "summary": ""})
    target = Path(source.path).with_name(f"{version}.json")
    return target, canonical_text(data)


def write_new_version(target: Path, text: str) -> None:
    """Write a new version file; never overwrite an existing one."""
    try:
        with target.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise UsageError(f"{target} 已存在，不会覆盖；请换一个版本号") from None
    except OSError as exc:
        raise OutputError(f"无法写入 {target}：{describe_write(exc)}") from exc

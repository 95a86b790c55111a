"""Create a new version of a standard from an existing one: a copy with a new version number,
effective date and an empty changelog entry for the office to fill in."""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from scoring.criteria.jsonfile import read_json
from scoring.criteria.model import Criteria
from scoring.errors import OutputError, UsageError
from scoring.oserrors import describe

_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]*$")


def _number(value: Any) -> Any:
    """Decimals back to JSON numbers: int when whole, else the float with the same digits."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def new_version(source: Criteria, version: str, effective: date, today: date) -> tuple[Path, str]:
    """The path and JSON text of a copy of `source` as `version`, in force from `effective`.

    UsageError when the version number is malformed or the date is not after the source's.
    """
    if not _VERSION.match(version):
        raise UsageError(f"版本号“{version}”只能包含字母、数字、点、- 和 _，例如 2024.1")
    if effective <= source.effective_from:
        raise UsageError(f"新版本的施行日期 {effective.isoformat()} 必须晚于 {source.version} 版的施行日期 "
                         f"{source.effective_from.isoformat()}")
    data, _, issues = read_json(Path(source.path))
    if issues or not isinstance(data, dict):
        raise UsageError(f"无法读取 {source.path}")
    data["version"] = version
    data["effective_from"] = effective.isoformat()
    data.setdefault("changelog", []).append(
        {"version": version, "date": today.isoformat(), "summary": "", "changes": []})
    target = Path(source.path).with_name(f"{version}.json")
    return target, json.dumps(data, ensure_ascii=False, indent=2, default=_number) + "\n"


def write_new_version(target: Path, text: str) -> None:
    """Write the new version file; never overwrite an existing one."""
    try:
        with target.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise UsageError(f"{target} 已存在，不会覆盖；请换一个版本号") from None
    except OSError as exc:
        raise OutputError(f"无法写入 {target}：{describe(exc)}") from exc

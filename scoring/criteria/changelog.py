"""Check a version's changelog against what the diff with its predecessor shows.

A change entry names an `item` or `veto` (or neither, for standard-wide fields such as
`grades`, `scale`, `bonus_cap`, `repeat`), an `action`, and optionally the `fields` changed.
"""

from __future__ import annotations

from typing import Any

from scoring.criteria.diff import CriteriaDiff, diff
from scoring.criteria.model import Criteria
from scoring.issues import Issue, make

ACTION_NAMES = {"added": "新增", "removed": "删除", "changed": "修改"}


def _claimed(version: Criteria) -> list[tuple[int, int, dict[str, Any]]]:
    """(entry index, change index, change) of the changelog entries for this version."""
    return [(e, k, change) for e, entry in enumerate(version.changelog)
            if entry.get("version") == version.version
            for k, change in enumerate(entry.get("changes", []))]


def _shown(d: CriteriaDiff) -> dict[tuple[str, str, str], set[str]]:
    """(kind, id, action) → changed fields, for everything the diff shows."""
    shown: dict[tuple[str, str, str], set[str]] = {}
    for entry in d.entries:
        if entry.kind == "grade":
            shown.setdefault(("standard", "", "changed"), set()).add("grades")
        else:
            shown[(entry.kind, entry.id, entry.action)] = {f.field for f in entry.fields}
    for setting in d.settings:
        shown.setdefault(("standard", "", "changed"), set()).add(setting.field)
    return shown


def check_changelog(previous: Criteria, version: Criteria) -> list[Issue]:
    """Warnings where `version`'s changelog misses a change or lists one that did not happen."""
    shown = _shown(diff(previous, version))
    issues: list[Issue] = []
    listed: set[tuple[str, str, str]] = set()
    for e, k, change in _claimed(version):
        kind = "item" if "item" in change else "veto" if "veto" in change else "standard"
        ident = change.get("item") or change.get("veto") or ""
        key = (kind, ident, change["action"])
        listed.add(key)
        where = {"file": version.path, "path": f"$.changelog[{e}].changes[{k}]",
                 "item": ident or None}
        what = f"{ident}{ACTION_NAMES[change['action']]}"
        if key not in shown:
            issues.append(make("W302", **where, value=what,
                               other=previous.version, version=version.version))
            continue
        fields = set(change.get("fields", [])) if "fields" in change else None
        if fields is not None and fields != shown[key]:
            missing = "、".join(sorted(shown[key] - fields))
            extra = "、".join(sorted(fields - shown[key]))
            detail = "；".join(x for x in (missing and f"漏记字段 {missing}",
                                           extra and f"未变化的字段 {extra}") if x)
            issues.append(make("W303", **where, value=what, detail=detail))
    for key, fields in shown.items():
        if key not in listed:
            kind, ident, action = key
            what = f"{ident}{ACTION_NAMES[action]}" if ident else f"标准设置修改（{'、'.join(sorted(fields))}）"
            issues.append(make("W301", file=version.path, path="$.changelog", item=ident or None,
                               value=what, other=previous.version, version=version.version))
    return issues

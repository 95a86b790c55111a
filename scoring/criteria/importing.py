"""`criteria import`: a 标准编制表 becomes a new version file in the workspace.

Order (docs/design.md §12, issue 14): read the workbook (every problem at its sheet and cell) →
apply `--version` / `--effective` → refuse the bundled example, existing numbers and dates →
validate (schema and semantic checks, reported at their cells) → draft the changelog when asked
→ changelog check and audit → write the canonical JSON atomically, never over an existing file.
Nothing is written when any error was found.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from scoring.criteria.audit import Finding, audit_version
from scoring.criteria.canonical import canonical_text
from scoring.criteria.changelog import check_changelog
from scoring.criteria.diff import CriteriaDiff, diff
from scoring.criteria.lawref import cite
from scoring.criteria.model import Criteria
from scoring.criteria.standard import Standard, build_criteria, check_data, located
from scoring.criteria.versioning import BUNDLED_REFUSAL, check_new_version, date_warnings
from scoring.criteria.workbook_import import read_standard_workbook
from scoring.errors import InvalidCriteriaError, OutputError, UsageError
from scoring.issues import Issue, make
from scoring.oserrors import describe_write


@dataclass
class ImportResult:
    """What an import wrote and found."""

    target: Path
    version: Criteria
    previous: Criteria | None
    diff: CriteriaDiff | None
    warnings: list[Issue] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    drafted: int = 0


def at_cells(issues: list[Issue], origins: dict[str, tuple[str, str]], data: Any,
             file: str | None = None) -> list[Issue]:
    """Issues with a JSON path placed at the workbook cell the value came from (the longest
    path prefix that has an origin), naming the item when the path is inside one; `file`
    names the workbook instead of the JSON file the check saw."""
    out = []
    for issue in located(data, issues):
        if file is not None:
            issue = replace(issue, file=file)
        path = issue.path
        probe = path or ""
        while probe and probe not in origins:
            cut = max(probe.rfind("."), probe.rfind("["))
            probe = probe[:cut] if cut > 0 else ""
        if path is None or not probe:
            out.append(issue)
            continue
        sheet, cell = origins[probe]
        out.append(replace(issue, sheet=sheet, cell=cell, item=issue.item or _item_id(data, path)))
    return out


def _item_id(data: Any, path: str) -> str | None:
    """The id of the item, veto or grade a JSON path points into."""
    match = re.match(r"^\$\.(?:categories\[(\d+)\]\.items|bonus\.items|vetoes)\[(\d+)\]", path)
    try:
        if match and path.startswith("$.categories"):
            return str(data["categories"][int(match.group(1))]["items"][int(match.group(2))]["id"])
        if match and path.startswith("$.bonus"):
            return str(data["bonus"]["items"][int(match.group(2))]["id"])
        if match:
            return str(data["vetoes"][int(match.group(2))]["id"])
    except (KeyError, IndexError, TypeError, ValueError):
        return None
    return None


def drafted_changes(d: CriteriaDiff) -> list[dict[str, Any]]:
    """Changelog changes that say exactly what the diff shows (reasons left for the office)."""
    changes: list[dict[str, Any]] = []
    settings: set[str] = {s.field for s in d.settings}
    for e in d.entries:
        if e.kind == "grade":
            settings.add("grades")
            continue
        change: dict[str, Any] = {e.kind: e.id, "action": e.action}
        if e.action == "changed":
            change["fields"] = sorted(f.field for f in e.fields)
        changes.append(change)
    if settings:
        changes.append({"action": "changed", "fields": sorted(settings)})
    return changes


def _write_new(target: Path, text: str) -> None:
    """Write `text` to `target` atomically; never replace an existing file. Where the file
    system has no hard links (a USB drive formatted FAT/exFAT), the new file is created
    exclusively and written in place, and removed again if writing fails."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(prefix=".import-", suffix=".json", dir=target.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
            try:
                os.link(temp, target)  # fails if the target appeared meanwhile: never overwrite
            except FileExistsError:
                raise
            except OSError as exc:
                if exc.errno not in _NO_HARD_LINKS:
                    raise
                _write_exclusive(target, text)
        finally:
            Path(temp).unlink(missing_ok=True)
    except FileExistsError:
        raise UsageError(f"{target} 已存在，不会覆盖；请换一个版本号") from None
    except OSError as exc:
        raise OutputError(f"无法写入 {target}：{describe_write(exc)}") from exc


# What link() says on a file system without hard links (FAT/exFAT: EPERM; others: not supported).
_NO_HARD_LINKS = frozenset({errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.ENOSYS, errno.EMLINK})


def _write_exclusive(target: Path, text: str) -> None:
    with target.open("x", encoding="utf-8", newline="\n") as handle:
        try:
            handle.write(text)
        except BaseException:
            handle.close()
            target.unlink(missing_ok=True)
            raise


def import_standard(workbook: Path, standard: Standard, *, version: str | None = None,
                    effective: date | None = None, draft_changelog: bool = False,
                    today: date | None = None) -> ImportResult:
    """Import a 标准编制表 as a new version of `standard` (which must be the workspace's or
    another editable folder). Raises InvalidCriteriaError with every problem, UsageError for a
    refused target; writes nothing in either case."""
    today = today or date.today()
    if not standard.editable:
        raise UsageError(BUNDLED_REFUSAL)
    read = read_standard_workbook(workbook, standard.register)
    data = read.data
    if version is not None:
        data["version"] = version
    if effective is not None:
        data["effective_from"] = effective.isoformat()
    if read.issues:
        raise InvalidCriteriaError(f"{workbook} 有 {len(read.issues)} 处问题", read.issues)
    file = str(workbook)
    issues = at_cells(check_data(data, file, standard.register), read.origins, data)
    if data["id"] != standard.id:
        issues.append(make("C244", file=file, sheet="基本信息", cell=read.origins.get("$.id", ("", "B2"))[1],
                           detail=f"标准编号“{data['id']}”与工作区的标准“{standard.id}”不一致，请不要改标准编号"))
    if any(i.is_error for i in issues):
        raise InvalidCriteriaError(f"{workbook} 有 {sum(i.is_error for i in issues)} 处问题", issues)
    day = date.fromisoformat(data["effective_from"])
    check_new_version(standard, data["version"], day)
    earlier = [v for v in standard.versions if v.effective_from < day]
    previous = earlier[-1] if earlier else None
    warnings = date_warnings(standard, data["version"], day, today)
    target = Path(standard.source) / f"{data['version']}.json"
    own = [e for e in data.get("changelog", []) if e.get("version") == data["version"]]
    drafted = 0
    if previous is not None and not own:
        probe = build_criteria(data, str(target), "", standard.register)
        changes = drafted_changes(diff(previous, probe))
        if not changes:
            pass  # nothing changed: nothing to record
        elif draft_changelog:
            data.setdefault("changelog", []).append({
                "version": data["version"], "date": today.isoformat(),
                "summary": f"（按与 {previous.version} 版的对比起草，请核对并写明修订原因）",
                "changes": changes})
            drafted = len(changes)
            warnings.append(make("W343", value=drafted, other=previous.version))
        else:
            warnings.append(make("W342", file=file, sheet="变更记录", version=data["version"],
                                 other=previous.version))
    text = canonical_text(data)
    crit = build_criteria(data, str(target), hashlib.sha256(text.encode("utf-8")).hexdigest(),
                          standard.register)
    if previous is not None and (own or drafted):  # with no entry at all, W342 says it already
        warnings += at_cells(check_changelog(previous, crit), read.origins, data, file)
    findings = audit_version(crit, standard.register, max(today, day))
    errors = [f for f in findings if f.is_error]
    if errors:
        cells = {p: c for p, c in read.origins.items() if p.endswith(".basis")}
        raise InvalidCriteriaError("法规依据审核有错误", [
            make("C244", file=file, item=f.item, **_basis_cell(cells, data, f.item),
                 detail=f"法律依据{cite(f.law, f.article)}{f.finding}，请改为现行法规") for f in errors])
    _write_new(target, text)
    return ImportResult(target, crit, previous, diff(previous, crit) if previous else None, warnings,
                        findings, drafted)


def _basis_cell(cells: dict[str, tuple[str, str]], data: dict[str, Any], ident: str) -> dict[str, str]:
    """The sheet and cell of the 法律依据 of item or veto `ident`."""
    for path, (sheet, cell) in cells.items():
        if _item_id(data, path) == ident:
            return {"sheet": sheet, "cell": cell}
    return {}

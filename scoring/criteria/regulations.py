"""The regulations register (`criteria/regulations.json`): laws the criteria cite, with their
real dates of adoption, amendment and repeal."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from scoring.criteria.jsonfile import read_json, text_issues
from scoring.criteria.schema import schema_issues
from scoring.errors import InvalidCriteriaError
from scoring.issues import Issue, make


@dataclass(frozen=True, slots=True)
class Amendment:
    """One amendment or revision: adopted on one date, in effect from another."""

    adopted: date
    effective: date
    note: str


@dataclass(frozen=True, slots=True)
class Regulation:
    """One law or regulation."""

    id: str
    title: str
    short_title: str
    level: str
    issuer: str
    adopted: date
    effective: date
    amendments: tuple[Amendment, ...]
    repealed_on: date | None
    repealed_by: str | None

    def in_force(self, on: date) -> bool:
        """Whether the regulation is in force on a date."""
        return self.effective <= on and (self.repealed_on is None or on < self.repealed_on)


@dataclass(frozen=True, slots=True)
class Register:
    """All regulations by id."""

    regulations: dict[str, Regulation]
    path: str

    def __contains__(self, ref: object) -> bool:
        return ref in self.regulations

    def get(self, ref: str) -> Regulation:
        """The regulation with this id (KeyError if none)."""
        return self.regulations[ref]


def _regulation(raw: dict[str, Any]) -> Regulation:
    repealed = raw.get("repealed") or {}
    return Regulation(
        id=raw["id"],
        title=raw["title"],
        short_title=raw.get("short_title", raw["title"]),
        level=raw["level"],
        issuer=raw["issuer"],
        adopted=date.fromisoformat(raw["adopted"]),
        effective=date.fromisoformat(raw["effective"]),
        amendments=tuple(
            Amendment(date.fromisoformat(a["date"]), date.fromisoformat(a["effective"]),
                      a.get("note", ""))
            for a in raw.get("amendments", [])
        ),
        repealed_on=date.fromisoformat(repealed["date"]) if repealed else None,
        repealed_by=repealed.get("by"),
    )


def _date_issues(raw: dict[str, Any], i: int, file: str) -> list[Issue]:
    """Dates that are not real calendar dates."""
    issues = []
    paths = [("adopted", raw.get("adopted")), ("effective", raw.get("effective"))]
    paths += [(f"amendments[{k}].date", a.get("date")) for k, a in enumerate(raw.get("amendments", []))]
    paths += [(f"amendments[{k}].effective", a.get("effective"))
              for k, a in enumerate(raw.get("amendments", []))]
    if raw.get("repealed"):
        paths.append(("repealed.date", raw["repealed"].get("date")))
    for where, text in paths:
        try:
            date.fromisoformat(str(text))
        except ValueError:
            issues.append(make("C041", file=file, path=f"$.regulations[{i}].{where}",
                               value=raw.get("id"), detail=f"“{text}”不是有效日期"))
    return issues


def check_register(data: dict[str, Any], file: str) -> list[Issue]:
    """Semantic checks of a schema-valid register: unique ids, dates in order, repeal targets."""
    issues: list[Issue] = text_issues(data, file)
    if issues:
        return issues
    raws = data["regulations"]
    ids = [r["id"] for r in raws]
    for i, raw in enumerate(raws):
        path = f"$.regulations[{i}]"
        if ids.index(raw["id"]) != i:
            issues.append(make("C040", file=file, path=f"{path}.id", value=raw["id"]))
        dates = _date_issues(raw, i, file)
        issues += dates
        if dates:
            continue
        reg = _regulation(raw)
        if reg.effective < reg.adopted:
            issues.append(make("C041", file=file, path=f"{path}.effective", value=reg.id,
                               detail="施行日期早于通过日期"))
        if reg.repealed_on and reg.repealed_on < reg.effective:
            issues.append(make("C041", file=file, path=f"{path}.repealed.date", value=reg.id,
                               detail="废止日期早于施行日期"))
        if reg.repealed_by and reg.repealed_by not in ids:
            issues.append(make("C042", file=file, path=f"{path}.repealed.by", value=reg.id,
                               other=reg.repealed_by))
    return issues


def load_register(path: Path, *, schema: bool = True) -> Register:
    """Load and check a register; raises InvalidCriteriaError listing every problem.

    `schema=False` (commands that only show a register or a standard, and must start without
    jsonschema) checks the JSON Schema only when the cheap checks or building fail, to report why.
    """
    data, _, issues = read_json(path, register=True)
    if not issues and schema:
        issues = schema_issues(data, "regulations", str(path))
    if not issues:
        try:
            issues = check_register(data, str(path))
            register = build_register(data, str(path))
        except (KeyError, TypeError, ValueError, AttributeError):
            issues = schema_issues(data, "regulations", str(path)) or [
                make("C010", file=str(path), detail="法规库内容不完整")]
    if issues:
        raise InvalidCriteriaError(f"法规库 {path} 有 {len(issues)} 处问题", issues)
    return register


def build_register(data: dict[str, Any], path: str) -> Register:
    """The register of checked data."""
    return Register({raw["id"]: _regulation(raw) for raw in data["regulations"]}, path)

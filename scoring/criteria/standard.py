"""A standard: all versions of one criteria id, the version in force on a date, and loading
from a folder (or one version file) together with its regulations register."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from scoring.criteria.checks import check_criteria
from scoring.criteria.jsonfile import read_json
from scoring.criteria.model import Basis, Category, Criteria, Grade, Item, Veto
from scoring.criteria.regulations import Register, load_register
from scoring.criteria.resources import REGISTER_NAME, bundled_standard
from scoring.criteria.schema import schema_issues
from scoring.errors import InvalidCriteriaError, UsageError
from scoring.issues import Issue, make


def _dec(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _basis(raw: list[dict[str, Any]]) -> tuple[Basis, ...]:
    return tuple(Basis(b["ref"], b.get("article"), b.get("note")) for b in raw)


def _item(raw: dict[str, Any], category: str | None) -> Item:
    return Item(
        id=raw["id"],
        name=raw["name"],
        type=raw["type"],
        points=_dec(raw["points"]),
        category=category,
        step=_dec(raw["step"]) if "step" in raw else None,
        choices={k: _dec(v) for k, v in raw.get("choices", {}).items()},
        per_unit=_dec(raw["per_unit"]) if "per_unit" in raw else None,
        conditions=tuple(raw.get("conditions", [])),
        na=bool(raw.get("na", False)),
        exempt=bool(raw.get("exempt", False)),
        basis=_basis(raw.get("basis", [])),
        standard=raw.get("standard"),
        method=raw.get("method"),
    )


def build_criteria(data: dict[str, Any], path: str, sha256: str) -> Criteria:
    """The model of a version that passed the schema and the semantic checks."""
    bonus = data.get("bonus", {"cap": 0, "items": []})
    return Criteria(
        id=data["id"],
        title=data["title"],
        issuer=data.get("issuer", ""),
        version=data["version"],
        effective_from=date.fromisoformat(data["effective_from"]),
        subject=data.get("subject", "courtyard"),
        scale=_dec(data["scale"]),
        categories=tuple(
            Category(c["id"], c["name"], tuple(c.get("tags", [])),
                     tuple(_item(i, c["id"]) for i in c["items"]))
            for c in data["categories"]
        ),
        bonus_cap=_dec(bonus["cap"]),
        bonus_items=tuple(_item(i, None) for i in bonus["items"]),
        vetoes=tuple(
            Veto(v["id"], v["name"], v["effect"], v.get("grade"), v.get("category"),
                 _basis(v.get("basis", [])))
            for v in data.get("vetoes", [])
        ),
        grades=tuple(
            Grade(g["name"], _dec(g["min"]), bool(g["pass"]), tuple(g.get("requires", [])),
                  {k: _dec(v) for k, v in g.get("min_rates", {}).items()})
            for g in data["grades"]
        ),
        repeat=data.get("repeat", "mean"),
        changelog=tuple(data.get("changelog", [])),
        path=path,
        sha256=sha256,
    )


def read_criteria_file(path: Path, register: Register, *, check_refs: bool = True,
                       schema: bool = True) -> tuple[Criteria | None, list[Issue]]:
    """Load one version file: strict JSON, schema, semantic checks. Never raises for bad data.

    `schema=False` skips the JSON Schema (and the jsonschema import) unless the semantic checks
    or building fail, when it runs to say why: for commands that only show criteria.
    """
    data, raw, issues = read_json(path)
    if issues:
        return None, issues
    if schema:
        issues = schema_issues(data, "criteria", str(path))
        if issues:
            return None, issues
    try:
        issues = check_criteria(data, str(path), register, check_refs=check_refs)
        built = None if issues else build_criteria(data, str(path), hashlib.sha256(raw).hexdigest())
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError):
        if schema:
            raise
        return read_criteria_file(path, register, check_refs=check_refs)
    if issues and not schema:
        return read_criteria_file(path, register, check_refs=check_refs)
    return built, issues


@dataclass(frozen=True)
class Standard:
    """The versions of one standard, oldest first, and the register they cite."""

    versions: tuple[Criteria, ...]
    register: Register
    source: str

    @property
    def id(self) -> str:
        """The standard's id."""
        return self.versions[0].id

    @property
    def latest(self) -> Criteria:
        """The newest version."""
        return self.versions[-1]

    def get(self, version: str) -> Criteria:
        """The version named `version`; UsageError listing the versions there are."""
        for v in self.versions:
            if v.version == version:
                return v
        known = "、".join(v.version for v in self.versions)
        issue = make("E153", value=version, expected=known)
        raise UsageError(issue.message, [issue])

    def in_force(self, on: date) -> Criteria | None:
        """The version in force on a date: the latest with effective_from ≤ date."""
        found = None
        for v in self.versions:
            if v.effective_from <= on:
                found = v
        return found


def _register_for(criteria: Path, regulations: Path | None) -> Path:
    if regulations is not None:
        return regulations
    folder = criteria if criteria.is_dir() else criteria.parent
    return folder.parent / REGISTER_NAME


def load_standard(criteria: Path | None = None, regulations: Path | None = None, *,
                  check_refs: bool = True, schema: bool = True) -> Standard:
    """Load a standard's folder (all versions) or one version file, with its register.

    Raises InvalidCriteriaError listing every problem of every file.
    """
    criteria = criteria if criteria is not None else bundled_standard()
    if not criteria.exists():
        issue = make("C001", file=str(criteria), detail="文件或文件夹不存在")
        raise InvalidCriteriaError(issue.message, [issue])
    register = load_register(_register_for(criteria, regulations), schema=schema)
    files = sorted(criteria.glob("*.json")) if criteria.is_dir() else [criteria]
    if not files:
        issue = make("C032", value=str(criteria))
        raise InvalidCriteriaError(issue.message, [issue])
    versions: list[Criteria] = []
    issues: list[Issue] = []
    for path in files:
        version, found = read_criteria_file(path, register, check_refs=check_refs, schema=schema)
        issues += found
        if version is not None:
            versions.append(version)
    seen: dict[date, Criteria] = {}
    for v in versions:
        if v.effective_from in seen:
            issues.append(make("C028", file=v.path, path="$.effective_from", value=v.version,
                               other=seen[v.effective_from].version, expected=v.effective_from))
        seen[v.effective_from] = v
    ids = {v.id for v in versions}
    if len(ids) > 1:
        issues.append(make("C010", file=str(criteria), path="$.id",
                           detail=f"同一文件夹中有多个标准编号：{'、'.join(sorted(ids))}"))
    if issues:
        raise InvalidCriteriaError(f"考核标准有 {len(issues)} 处问题", issues)
    versions.sort(key=lambda v: v.effective_from)
    return Standard(tuple(versions), register, str(criteria))

"""A standard: all versions of one criteria id, the version in force on a date, and loading
from a folder (or one version file) together with its regulations register."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal

from scoring.criteria.checks import check_criteria
from scoring.criteria.jsonfile import read_json
from scoring.criteria.lawref import citation_of, resolve
from scoring.criteria.locations import describe
from scoring.criteria.model import Basis, Category, Criteria, Grade, Item, Lists, Veto
from scoring.criteria.regulations import Register, load_register
from scoring.criteria.resources import REGISTER_NAME, bundled_root, bundled_standard
from scoring.criteria.schema import schema_issues
from scoring.errors import InvalidCriteriaError, UsageError
from scoring.files import CRITERIA_MAX, FileRefused, check_regular
from scoring.issues import Issue, make
from scoring.text import visible
from scoring.workspace import Workspace, find_workspace

# The origins a standard can come from; `load_standard`'s `workspace` argument defaults to
# looking one up (docs/design.md §8), `None` means "do not look".
Origin = Literal["workspace", "bundled", "path"]
LOOK_UP: Any = object()


def _dec(value: Any) -> Decimal:
    return value if isinstance(value, Decimal) else Decimal(str(value))


def _basis(raw: list[Any], register: Register | None) -> tuple[Basis, ...]:
    """Citations with the law resolved to its register id (a title or short title may name it)."""
    out = []
    for entry in raw:
        c = citation_of(entry)
        ref = (resolve(c.law, register) if register is not None else None) or c.law
        out.append(Basis(ref, c.article, c.note))
    return tuple(out)


def _changelog(raw: list[dict[str, Any]], register: Register | None) -> tuple[dict[str, Any], ...]:
    """The changelog with every change's bases as `{"ref": register id, …}` (a basis may name
    its law by title in the file), so readers of `Criteria.changelog` see one form."""
    out = []
    for entry in raw:
        changes = [
            {**change, "basis": [{k: v for k, v in (("ref", b.ref), ("article", b.article), ("note", b.note))
                                  if v is not None} for b in _basis(change["basis"], register)]}
            if "basis" in change else change
            for change in entry.get("changes", [])]
        out.append({**entry, "changes": changes} if "changes" in entry else entry)
    return tuple(out)


def _lists(raw: dict[str, Any] | None) -> Lists:
    """The publication rules, §9's defaults where a field is absent or null."""
    red = (raw or {}).get("red") or {}
    black = (raw or {}).get("black") or {}
    defaults = Lists()

    def pick(section: dict[str, Any], key: str, default: Any) -> Any:
        value = section.get(key)
        return default if value is None else value

    min_total = red.get("min_total")
    max_total = black.get("max_total")
    return Lists(
        red_top=int(pick(red, "top", defaults.red_top)),
        red_min_total=_dec(min_total) if min_total is not None else None,
        red_min_grade=red.get("min_grade"),
        black_bottom=int(pick(black, "bottom", defaults.black_bottom)),
        black_max_total=_dec(max_total) if max_total is not None else None,
        black_include_disqualified=bool(pick(black, "include_disqualified",
                                             defaults.black_include_disqualified)),
    )


def _item(raw: dict[str, Any], category: str | None, register: Register | None) -> Item:
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
        basis=_basis(raw.get("basis", []), register),
        standard=raw.get("standard"),
        method=raw.get("method"),
    )


def build_criteria(data: dict[str, Any], path: str, sha256: str,
                   register: Register | None = None) -> Criteria:
    """The model of a version that passed the schema and the semantic checks; with a register,
    laws named by title are resolved to their register ids."""
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
                     tuple(_item(i, c["id"], register) for i in c["items"]))
            for c in data["categories"]
        ),
        bonus_cap=_dec(bonus["cap"]),
        bonus_items=tuple(_item(i, None, register) for i in bonus["items"]),
        vetoes=tuple(
            Veto(v["id"], v["name"], v["effect"], v.get("grade"), v.get("category"),
                 _basis(v.get("basis", []), register))
            for v in data.get("vetoes", [])
        ),
        grades=tuple(
            Grade(g["name"], _dec(g["min"]), bool(g["pass"]), tuple(g.get("requires", [])),
                  {k: _dec(v) for k, v in g.get("min_rates", {}).items()})
            for g in data["grades"]
        ),
        repeat=data.get("repeat", "mean"),
        changelog=_changelog(data.get("changelog", []), register),
        path=path,
        sha256=sha256,
        lists=_lists(data.get("lists")),
    )


def located(data: Any, issues: list[Issue]) -> list[Issue]:
    """Issues with their JSON paths also said in the office's words (`Issue.where`)."""
    def where(path: str) -> str | None:
        # A name holding a character no .xlsx or .docx can carry (C203) is shown as <U+FFFE> there too.
        said = describe(data, path)
        return None if said is None else visible(said)

    return [replace(i, where=where(i.path)) if i.path else i for i in issues]


def check_data(data: Any, file: str, register: Register, *, check_refs: bool = True) -> list[Issue]:
    """Schema and semantic issues of one version's decoded JSON, located in the office's words."""
    issues = schema_issues(data, "criteria", file)
    if not issues:
        issues = check_criteria(data, file, register, check_refs=check_refs)
    return located(data, issues)


def read_criteria_file(path: Path, register: Register, *, check_refs: bool = True,
                       schema: bool = True) -> tuple[Criteria | None, list[Issue]]:
    """Load one version file: strict JSON, schema, semantic checks. Never raises for bad data.

    `schema=False` skips the JSON Schema (and the jsonschema import) unless the semantic checks
    or building fail, when it runs to say why: for commands that only show criteria.
    """
    data, raw, issues = read_json(path)
    if issues:
        return None, issues
    sha256 = hashlib.sha256(raw).hexdigest()
    if isinstance(data, dict) and isinstance(data.get("version"), str) and data["version"] != path.stem:
        # Versions are found by file name (criteria/<standard>/<version>.json): the two must agree.
        return None, [make("C033", file=str(path), path="$.version", value=path.name, expected=data["version"])]
    if schema:
        issues = check_data(data, str(path), register, check_refs=check_refs)
        if issues:
            return None, issues
        return build_criteria(data, str(path), sha256, register), []
    try:
        if not check_criteria(data, str(path), register, check_refs=check_refs):
            return build_criteria(data, str(path), sha256, register), []
    except (KeyError, TypeError, ValueError, AttributeError, ArithmeticError):
        pass
    return read_criteria_file(path, register, check_refs=check_refs)


@dataclass(frozen=True)
class Standard:
    """The versions of one standard, oldest first, and the register they cite."""

    versions: tuple[Criteria, ...]
    register: Register
    source: str
    origin: Origin = "path"
    workspace: Workspace | None = None

    @property
    def source_note(self) -> str:
        """One line saying which standard is in use (docs/design.md §8: say which was used)."""
        if self.origin == "workspace":
            return f"考核标准：工作区 {self.source}"
        if self.origin == "bundled":
            return "考核标准：内置示例标准（未找到工作区；用 score init 建立工作区后可修改标准）"
        return f"考核标准：{self.source}"

    @property
    def editable(self) -> bool:
        """Whether new versions may be written next to these files (never the installed package)."""
        return not is_bundled(Path(self.source))

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


def is_bundled(path: Path) -> bool:
    """Whether a path lies inside the bundled example (the installed package's criteria)."""
    try:
        path.resolve().relative_to(bundled_root().resolve())
    except ValueError:
        return False
    return True


def default_criteria(workspace: Workspace | None) -> tuple[Path, Origin]:
    """Where the criteria are when none is named: the workspace's standard folder, else the
    bundled example (docs/design.md §8)."""
    if workspace is not None and workspace.standard_dir.is_dir():
        return workspace.standard_dir, "workspace"
    return bundled_standard(), "bundled"


def _register_for(criteria: Path, regulations: Path | None) -> Path:
    if regulations is not None:
        return regulations
    folder = criteria if criteria.is_dir() else criteria.parent
    return folder.parent / REGISTER_NAME


def load_standard(criteria: Path | None = None, regulations: Path | None = None, *,
                  check_refs: bool = True, schema: bool = True,
                  workspace: Workspace | None = LOOK_UP) -> Standard:
    """Load a standard's folder (all versions) or one version file, with its register.

    Without `criteria`: the workspace's standard (the workspace found by docs/design.md §8's lookup
    unless one is given; `workspace=None` skips the lookup), else the bundled example.
    Raises InvalidCriteriaError listing every problem of every file.
    """
    if workspace is LOOK_UP:
        workspace = find_workspace(None)
    origin: Origin = "path"
    if criteria is None:
        criteria, origin = default_criteria(workspace)
    if not criteria.exists():
        issue = make("C001", file=str(criteria), detail="文件或文件夹不存在")
        raise InvalidCriteriaError(issue.message, [issue])
    if not criteria.is_dir():  # one version file: said before its register is looked for
        try:
            check_regular(criteria, CRITERIA_MAX)
        except FileRefused as refused:
            issue = make("C001", file=str(criteria), detail=refused.reason)
            raise InvalidCriteriaError(issue.message, [issue]) from None
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
    return Standard(tuple(versions), register, str(criteria), origin,
                    workspace if origin == "workspace" else None)

"""Semantic checks of one schema-valid criteria version (docs/design.md §3), each with its JSON path."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from typing import Any

from scoring.criteria.jsonfile import text_issues
from scoring.criteria.lawref import CitationError, citation_of, resolve, shown_name, unknown_hint
from scoring.criteria.regulations import Register
from scoring.engine.period import FIRST_YEAR
from scoring.exact import decimals_of
from scoring.issues import Issue, make
from scoring.marks import RESERVED_MARKS
from scoring.text import cut, normalise


def _num(value: Any) -> Decimal:
    return Decimal(str(value)) if not isinstance(value, Decimal) else value


def _items(data: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """(JSON path, item) for every base and bonus item."""
    for ci, cat in enumerate(data["categories"]):
        for ii, item in enumerate(cat["items"]):
            yield f"$.categories[{ci}].items[{ii}]", item
    for bi, item in enumerate(data.get("bonus", {}).get("items", [])):
        yield f"$.bonus.items[{bi}]", item


def _bases(data: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """(JSON path, raw basis entry) for every citation: items, vetoes, changelog changes."""
    for path, item in _items(data):
        for k, b in enumerate(item.get("basis", [])):
            yield f"{path}.basis[{k}]", b
    for vi, veto in enumerate(data.get("vetoes", [])):
        for k, b in enumerate(veto.get("basis", [])):
            yield f"$.vetoes[{vi}].basis[{k}]", b
    for ei, entry in enumerate(data.get("changelog", [])):
        for ki, change in enumerate(entry.get("changes", [])):
            for k, b in enumerate(change.get("basis", [])):
                yield f"$.changelog[{ei}].changes[{ki}].basis[{k}]", b


def _basis_issues(data: dict[str, Any], file: str, register: Register, check_refs: bool) -> list[Issue]:
    """Bases written wrongly, and (with `check_refs`) laws the register does not hold."""
    issues = []
    for path, raw in _bases(data):
        try:
            law = citation_of(raw).law
        except CitationError:
            issues.append(make("C241", file=file, path=path, value=raw))
            continue
        if check_refs and resolve(law, register) is None:
            issues.append(make("C240", file=file, path=f"{path}.ref" if isinstance(raw, dict) else path,
                               value=shown_name(law), hint=unknown_hint(law, register)))
    return issues


def _lists_issues(data: dict[str, Any], file: str) -> list[Issue]:
    """The 红榜's minimum grade must be one of the version's grades."""
    wanted = (data.get("lists") or {}).get("red", {}) or {}
    grade = wanted.get("min_grade")
    if grade is not None and grade not in {g["name"] for g in data["grades"]}:
        return [make("C026", file=file, path="$.lists.red.min_grade", kind="等级", value=grade)]
    return []


def _id_issues(data: dict[str, Any], file: str) -> list[Issue]:
    """Item, bonus-item and veto ids share one namespace (they name columns); categories another."""
    issues = []
    seen: set[str] = set()
    named = [(p, i["id"]) for p, i in _items(data)]
    named += [(f"$.vetoes[{k}]", v["id"]) for k, v in enumerate(data.get("vetoes", []))]
    for path, ident in named:
        if ident in seen:
            issues.append(make("C020", file=file, path=f"{path}.id", value=ident))
        seen.add(ident)
    cats: set[str] = set()
    for k, cat in enumerate(data["categories"]):
        if cat["id"] in cats:
            issues.append(make("C020", file=file, path=f"$.categories[{k}].id", value=cat["id"]))
        cats.add(cat["id"])
    return issues


def _item_issues(path: str, item: dict[str, Any], file: str) -> list[Issue]:
    issues = []
    points = _num(item["points"])
    if item["type"] == "scale":
        step = _num(item.get("step", Decimal("0.5")))
        if points % step != 0:
            issues.append(make("C023", file=file, path=f"{path}.step", item=item["id"],
                               value=step, expected=points))
    conditions = item.get("conditions") or []
    if item["type"] == "count" and conditions and "per_unit" in item:
        # 每项 per_unit 分 over the listed conditions must be able to reach the item's points.
        needed = -(-points // _num(item["per_unit"]))
        if len(conditions) < needed:
            issues.append(make("C030", file=file, path=f"{path}.conditions", item=item["id"],
                               value=len(conditions), expected=needed))
    labels: set[str] = set()
    for label, value in item.get("choices", {}).items():
        if not Decimal(0) <= _num(value) <= points:
            issues.append(make("C022", file=file, path=f"{path}.choices.{label}", item=item["id"],
                               label=label, value=value, expected=points))
        key = normalise(label)
        if key in RESERVED_MARKS:
            issues.append(make("C029", file=file, path=f"{path}.choices.{label}",
                               item=item["id"], label=label))
        if key in labels:
            issues.append(make("C020", file=file, path=f"{path}.choices.{label}",
                               item=item["id"], value=label))
        labels.add(key)
    return issues


def _grade_issues(data: dict[str, Any], file: str) -> list[Issue]:
    issues = []
    grades = data["grades"]
    names: set[str] = set()
    item_ids = {i["id"] for _, i in _items(data)}
    cat_ids = {c["id"] for c in data["categories"]}
    for k, grade in enumerate(grades):
        path = f"$.grades[{k}]"
        if grade["name"] in names:
            issues.append(make("C031", file=file, path=f"{path}.name", value=grade["name"]))
        names.add(grade["name"])
        if k and _num(grade["min"]) >= _num(grades[k - 1]["min"]):
            issues.append(make("C024", file=file, path=f"{path}.min",
                               detail=f"“{grade['name']}”的 {grade['min']} 分不低于上一等级的 "
                                      f"{grades[k - 1]['min']} 分"))
        for r, ref in enumerate(grade.get("requires", [])):
            if ref not in item_ids:
                issues.append(make("C026", file=file, path=f"{path}.requires[{r}]",
                                   kind="项目", value=ref))
        for cat in grade.get("min_rates", {}):
            if cat not in cat_ids:
                issues.append(make("C026", file=file, path=f"{path}.min_rates.{cat}",
                                   kind="类别", value=cat))
    last = grades[-1]
    if _num(last["min"]) != 0:
        issues.append(make("C025", file=file, path=f"$.grades[{len(grades) - 1}].min",
                           value=last["min"]))
    for k, veto in enumerate(data.get("vetoes", [])):
        if "grade" in veto and veto["grade"] not in names:
            issues.append(make("C026", file=file, path=f"$.vetoes[{k}].grade",
                               kind="等级", value=veto["grade"]))
        if "category" in veto and veto["category"] not in cat_ids:
            issues.append(make("C026", file=file, path=f"$.vetoes[{k}].category",
                               kind="类别", value=veto["category"]))
    return issues


# What scoring can score exactly (scoring/exact.py, engine/score.py): every figure becomes a whole
# number of 1/10^d points held in int64, and a courtyard's base is scale × earned points summed
# over its inspections. Real standards have 100 or 1,000 points and halves or tenths of a point;
# these bounds are far above that and keep every product well inside int64.
MAX_POINTS = Decimal(1000)
POINT_DECIMALS = 3
RATE_DECIMALS = 4  # a rate of 83.33% is 0.8333
FIGURE_SHOWN = 24  # characters of a figure quoted in a message


def _figures(data: dict[str, Any]) -> Iterator[tuple[str, str, str | None, Any, int]]:
    """(JSON path, the field in the office's words, item id, value, decimals allowed) of every
    figure of a version: points and rates."""
    yield "$.scale", "满分（scale）", None, data["scale"], POINT_DECIMALS
    if "bonus" in data:
        yield "$.bonus.cap", "加分上限（bonus.cap）", None, data["bonus"]["cap"], POINT_DECIMALS
    for path, item in _items(data):
        ident = item["id"]
        yield f"{path}.points", "分值（points）", ident, item["points"], POINT_DECIMALS
        if "step" in item:
            yield f"{path}.step", "步长（step）", ident, item["step"], POINT_DECIMALS
        if "per_unit" in item:
            yield f"{path}.per_unit", "每处（每项）分值（per_unit）", ident, item["per_unit"], POINT_DECIMALS
        for label, value in item.get("choices", {}).items():
            yield f"{path}.choices.{label}", f"选项“{label}”的分值", ident, value, POINT_DECIMALS
    for k, grade in enumerate(data["grades"]):
        yield f"$.grades[{k}].min", f"等级“{grade['name']}”的分数线（min）", None, grade["min"], POINT_DECIMALS
        for cat, rate in grade.get("min_rates", {}).items():
            yield (f"$.grades[{k}].min_rates.{cat}", f"等级“{grade['name']}”的得分率要求（min_rates.{cat}）",
                   None, rate, RATE_DECIMALS)
    lists = data.get("lists") or {}
    for side, key, name in (("red", "min_total", "红榜最低分"), ("black", "max_total", "黑榜分数线")):
        value = (lists.get(side) or {}).get(key)
        if value is not None:
            yield f"$.lists.{side}.{key}", f"{name}（{key}）", None, value, POINT_DECIMALS


def _figure_issues(data: dict[str, Any], file: str) -> list[Issue]:
    """Figures scoring cannot score exactly: above MAX_POINTS or with too many decimals."""
    issues = []
    for path, field, ident, raw, places in _figures(data):
        value = _num(raw)
        shown = cut(str(raw), FIGURE_SHOWN)
        # copy_abs, not abs(): abs() rounds in the context and overflows on 1E+999999999.
        if not value.is_finite() or value.copy_abs() > MAX_POINTS:
            detail = f"超出可用范围：应在 0 至 {MAX_POINTS} 分之间"
        elif decimals_of(value) > places:
            detail = (f"小数位数过多：最多 {places} 位小数" if places == POINT_DECIMALS else
                      f"小数位数过多：最多 {places} 位小数（如 0.8333 表示 83.33%）")
        else:
            continue
        issues.append(make("C202", file=file, path=path, item=ident, field=field, value=shown, detail=detail))
    return issues


def check_criteria(data: dict[str, Any], file: str, register: Register, *,
                   check_refs: bool = True) -> list[Issue]:
    """Every semantic-check failure of a schema-valid criteria version (`check_refs=False`
    leaves citations of unknown laws to `audit`, which reports them as findings). Figures that
    cannot be scored exactly and unwritable texts come first: the other checks compute with them."""
    issues = text_issues(data, file) + _figure_issues(data, file)
    if issues:
        return issues
    issues = _id_issues(data, file)
    total = sum((_num(i["points"]) for c in data["categories"] for i in c["items"]), Decimal(0))
    if total != _num(data["scale"]):
        issues.append(make("C021", file=file, path="$.scale", value=total, expected=data["scale"]))
    for path, item in _items(data):
        issues += _item_issues(path, item, file)
    issues += _grade_issues(data, file)
    issues += _basis_issues(data, file, register, check_refs)
    issues += _lists_issues(data, file)
    for path, text in [("$.effective_from", data["effective_from"])] + [
        (f"$.changelog[{k}].date", e["date"]) for k, e in enumerate(data.get("changelog", []))
    ]:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            issues.append(make("C010", file=file, path=path, detail=f"“{text}”不是有效日期"))
            continue
        if day.year < FIRST_YEAR:  # inspections of such a year could not name their period
            issues.append(make("C010", file=file, path=path, detail=f"日期“{text}”早于 {FIRST_YEAR} 年"))
    return issues

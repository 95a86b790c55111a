"""`results.json`: the machine-readable contract (docs/design.md §7; field names fixed), written from
and read back into the typed `Results` document, so that `Results.load(path).dump()` gives the
same bytes.

Scores are numbers rounded half-up to 2 decimals; rates are fractions in [0, 1]; dates are ISO.
Reading parses numbers as Decimals: a score's text is its exact value, and a rate's float comes
back bit for bit (the shortest repr of a float converts back to that float).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scoring.criteria.model import Lists
from scoring.engine.period import parse_period
from scoring.engine.results import (
    SCHEMA_VERSION,
    CategoryScore,
    CommunityScore,
    CourtyardScore,
    InputFile,
    ItemScore,
    ListEntry,
    PublishedLists,
    Results,
    Unscored,
    VersionRef,
    VetoMark,
)
from scoring.errors import InvalidInputError, ScoreError
from scoring.issues import Issue

if TYPE_CHECKING:
    from scoring.criteria.standard import Standard


def _cents(value: int | None) -> float | None:
    return None if value is None else value / 100


def _rate(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def courtyard_dict(y: CourtyardScore) -> dict[str, Any]:
    """One entry of `courtyards`."""
    return {
        "community": y.community,
        "courtyard": y.courtyard,
        "inspections": y.inspections,
        "dates": [d.isoformat() for d in y.dates],
        "version": y.version,
        "base": float(y.base),
        "bonus": float(y.bonus),
        "total": y.total_cents / 100,
        "grade": y.grade,
        "pass": y.passing,
        "disqualified": y.disqualified,
        "grade_reason": y.grade_reason,
        "vetoes": list(y.vetoes),
        "veto_marks": [{"id": m.id, "version": m.version, "date": m.date.isoformat(), "where": m.where}
                       for m in y.veto_marks],
        "notes": y.notes,
        "scored_by": y.scored_by,
        "rank": y.rank,
        "rank_in_community": y.rank_in_community,
        "rule_of_law_rate": _rate(y.rule_of_law_rate),
        "categories": {
            cid: {"earned": _cents(c.earned_cents), "possible": c.possible_cents / 100, "rate": _rate(c.rate)}
            for cid, c in y.categories.items()
        },
        "items": {  # the document's largest part: no helper calls per item
            iid: {"earned": None if i.earned_cents is None else i.earned_cents / 100,
                  "possible": i.possible_cents / 100, "value": i.value, "cells": i.cells, "values": i.values,
                  "earned_each": [None if c is None else c / 100 for c in i.earned_each_cents]}
            for iid, i in y.items.items()
        },
    }


def results_dict(results: Results) -> dict[str, Any]:
    """The whole `results.json` document as plain data."""
    return {
        "schema_version": results.schema_version,
        "criteria": {
            "id": results.standard_id,
            "title": results.standard_title,
            "versions": [
                {"version": v.version, "effective_from": v.effective_from.isoformat(), "sha256": v.sha256}
                for v in results.version_refs
            ],
        },
        "inputs": [{"path": i.path, "sha256": i.sha256} for i in results.inputs],
        "period": results.period.label,
        "courtyards": [courtyard_dict(y) for y in results.courtyards],
        "communities": [
            {
                "community": c.community,
                "courtyards": c.courtyards,
                "mean_total": c.mean_total_cents / 100,
                "grade_counts": dict(c.grade_counts),
                "pass_rate": float(c.pass_rate),
                "rule_of_law_rate": _rate(c.rule_of_law_rate),
                "rank": c.rank,
            }
            for c in results.communities
        ],
        "issues": [i.as_dict() for i in results.issues],
        "unscored": [{"community": u.community, "courtyard": u.courtyard, "rows": u.rows, "where": u.where,
                      "reason": u.reason} for u in results.unscored],
        "lists": None if results.lists is None else lists_dict(results.lists),
    }


def _entry(e: ListEntry) -> dict[str, Any]:
    return {"community": e.community, "courtyard": e.courtyard, "rank": e.rank, "total": float(e.total),
            "grade": e.grade, "reason": e.reason}


def _optional(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def lists_dict(lists: PublishedLists) -> dict[str, Any]:
    """`lists`: the rule as in the criteria (docs/design.md §9), then the entries."""
    rule = lists.rule
    return {
        "version": lists.version,
        "rule": {"red": {"top": rule.red_top, "min_total": _optional(rule.red_min_total),
                         "min_grade": rule.red_min_grade},
                 "black": {"bottom": rule.black_bottom, "max_total": _optional(rule.black_max_total),
                           "include_disqualified": rule.black_include_disqualified}},
        "red": [_entry(e) for e in lists.red],
        "black": [_entry(e) for e in lists.black],
        "kept_off_black": list(lists.kept_off_black),
    }


INDENT_UP_TO = 2000  # courtyards: a district's results are indented to read; a city's are compact


def json_writer(results: Results) -> Callable[[Path], None]:
    """A writer of results.json. A large one goes out courtyard by courtyard, each encoded by the
    C encoder (`json.dump` to a file would use the pure-Python one), so that no second copy of
    the whole document is ever held as one string."""
    def write(path: Path) -> None:
        with path.open("w", encoding="utf-8") as handle:
            if len(results.courtyards) <= INDENT_UP_TO:
                handle.write(dumps_results(results))
                return
            document = results_dict(results)
            handle.write("{")
            for n, (key, value) in enumerate(document.items()):
                handle.write(("," if n else "") + json.dumps(key) + ":")
                if isinstance(value, list):
                    handle.write("[")
                    for k, entry in enumerate(value):
                        handle.write(("," if k else "") + _compact(entry))
                    handle.write("]")
                else:
                    handle.write(_compact(value))
            handle.write("}\n")

    return write


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def dumps_results(results: Results) -> str:
    """results.json as text, laid out by its size (the same bytes `json_writer` writes)."""
    document = results_dict(results)
    if len(results.courtyards) <= INDENT_UP_TO:
        return json.dumps(document, ensure_ascii=False, allow_nan=False, indent=2) + "\n"
    return "{" + ",".join(
        json.dumps(key) + ":" + ("[" + ",".join(_compact(e) for e in value) + "]" if isinstance(value, list)
                                 else _compact(value))
        for key, value in document.items()) + "}\n"


# Reading ------------------------------------------------------------------------------------------


class _Bad(Exception):
    """A field of the document that is missing or of the wrong kind (its path)."""


def _get(data: Any, key: str, kind: type | tuple[type, ...], where: str, *, null: bool = False) -> Any:
    if not isinstance(data, dict) or key not in data:
        raise _Bad(f"{where}.{key} 缺失")
    value = data[key]
    if value is None and null:
        return None
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _Bad(f"{where}.{key} 的值 {value!r} 类型不对")
    return value


def _num(data: Any, key: str, where: str, *, null: bool = False) -> Decimal | None:
    value = _get(data, key, (Decimal, int), where, null=null)
    return None if value is None else Decimal(value)


def _cents_of(value: Decimal | None) -> int | None:
    return None if value is None else int(value * 100)


def _fraction(value: Decimal | None) -> Fraction | None:
    return None if value is None else Fraction(value)


def _day(text: str, where: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _Bad(f"{where} 的日期“{text}”格式不对") from None


def _veto_mark(m: Any, where: str) -> VetoMark:
    return VetoMark(_get(m, "id", str, where), _get(m, "version", str, where),
                    _day(_get(m, "date", str, where), where), _get(m, "where", str, where))


def _courtyard(y: Any, where: str) -> CourtyardScore:
    community, courtyard = _get(y, "community", str, where), _get(y, "courtyard", str, where)
    categories = {}
    for cid, c in _get(y, "categories", dict, where).items():
        at = f"{where}.categories.{cid}"
        categories[cid] = CategoryScore(_cents_of(_num(c, "earned", at, null=True)),
                                        _cents_of(_num(c, "possible", at)) or 0,
                                        _fraction(_num(c, "rate", at, null=True)))
    items = {}
    for iid, i in _get(y, "items", dict, where).items():
        at = f"{where}.items.{iid}"
        earned = _cents_of(_num(i, "earned", at, null=True))
        possible = _cents_of(_num(i, "possible", at)) or 0
        items[iid] = ItemScore(earned, possible, _get(i, "value", str, at, null=True),
                               list(_get(i, "cells", list, at)),
                               full=earned is None or earned >= possible,
                               values=list(_get(i, "values", list, at)),
                               earned_each_cents=[None if v is None else int(Decimal(v) * 100)
                                                  for v in _get(i, "earned_each", list, at)])
    base = _num(y, "base", where)
    bonus = _num(y, "bonus", where)
    total = _num(y, "total", where)
    assert base is not None and bonus is not None and total is not None
    return CourtyardScore(
        community=community,
        courtyard=courtyard,
        inspections=_get(y, "inspections", int, where),
        dates=[_day(d, f"{where}.dates") for d in _get(y, "dates", list, where)],
        version=_get(y, "version", str, where),
        base_exact=Fraction(base), bonus_exact=Fraction(bonus), total_exact=Fraction(total),
        total_cents=int(total * 100),
        rule_of_law_rate=_fraction(_num(y, "rule_of_law_rate", where, null=True)),
        categories=categories,
        items=items,
        vetoes=list(_get(y, "vetoes", list, where)),
        veto_marks=[_veto_mark(m, f"{where}.veto_marks") for m in _get(y, "veto_marks", list, where)],
        notes=list(_get(y, "notes", list, where)),
        scored_by=list(_get(y, "scored_by", list, where)),
        grade=_get(y, "grade", str, where),
        passing=_get(y, "pass", bool, where),
        disqualified=_get(y, "disqualified", bool, where),
        grade_reason=_get(y, "grade_reason", str, where),
        rank=_get(y, "rank", int, where, null=True),
        rank_in_community=_get(y, "rank_in_community", int, where, null=True),
    )


def _community(c: Any, where: str) -> CommunityScore:
    mean = _num(c, "mean_total", where)
    pass_rate = _num(c, "pass_rate", where)
    assert mean is not None and pass_rate is not None
    return CommunityScore(
        community=_get(c, "community", str, where),
        courtyards=_get(c, "courtyards", int, where),
        mean_total_cents=int(mean * 100),
        grade_counts={str(k): int(v) for k, v in _get(c, "grade_counts", dict, where).items()},
        pass_rate=Fraction(pass_rate),
        rule_of_law_rate=_fraction(_num(c, "rule_of_law_rate", where, null=True)),
        rank=_get(c, "rank", int, where),
    )


def _issue(i: Any, where: str) -> Issue:
    optional = ("file", "sheet", "cell", "item", "community", "courtyard", "value", "expected")
    return Issue(_get(i, "code", str, where), _get(i, "message", str, where),
                 **{k: _get(i, k, str, where, null=True) for k in optional})


def _list_entry(e: Any, where: str) -> ListEntry:
    total = _num(e, "total", where)
    assert total is not None
    return ListEntry(_get(e, "community", str, where), _get(e, "courtyard", str, where),
                     _get(e, "rank", int, where, null=True), total, _get(e, "grade", str, where),
                     _get(e, "reason", str, where))


def _lists(data: Any, where: str) -> PublishedLists | None:
    if data is None:
        return None
    rule = _get(data, "rule", dict, where)
    red, black = _get(rule, "red", dict, f"{where}.rule"), _get(rule, "black", dict, f"{where}.rule")
    return PublishedLists(
        version=_get(data, "version", str, where),
        rule=Lists(red_top=_get(red, "top", int, f"{where}.rule.red"),
                   red_min_total=_num(red, "min_total", f"{where}.rule.red", null=True),
                   red_min_grade=_get(red, "min_grade", str, f"{where}.rule.red", null=True),
                   black_bottom=_get(black, "bottom", int, f"{where}.rule.black"),
                   black_max_total=_num(black, "max_total", f"{where}.rule.black", null=True),
                   black_include_disqualified=_get(black, "include_disqualified", bool, f"{where}.rule.black")),
        red=[_list_entry(e, f"{where}.red") for e in _get(data, "red", list, where)],
        black=[_list_entry(e, f"{where}.black") for e in _get(data, "black", list, where)],
        kept_off_black=list(_get(data, "kept_off_black", list, where)),
    )


def results_from_data(data: Any, standard: Standard | None = None) -> Results:
    """The typed document from parsed JSON (numbers as Decimals); _Bad names what is wrong."""
    version = _get(data, "schema_version", int, "$")
    if version != SCHEMA_VERSION:
        raise _Bad(f"格式版本为 {version}，本工具只能读取版本 {SCHEMA_VERSION}")
    criteria = _get(data, "criteria", dict, "$")
    refs = [VersionRef(_get(v, "version", str, "$.criteria.versions"),
                       _day(_get(v, "effective_from", str, "$.criteria.versions"), "$.criteria.versions"),
                       _get(v, "sha256", str, "$.criteria.versions"))
            for v in _get(criteria, "versions", list, "$.criteria")]
    try:
        period = parse_period(_get(data, "period", str, "$"))
    except ScoreError:
        raise _Bad(f"$.period 的值“{data['period']}”不是考核期") from None
    return Results(
        standard_id=_get(criteria, "id", str, "$.criteria"),
        standard_title=_get(criteria, "title", str, "$.criteria"),
        version_refs=refs,
        inputs=[InputFile(_get(i, "path", str, "$.inputs"), _get(i, "sha256", str, "$.inputs"))
                for i in _get(data, "inputs", list, "$")],
        period=period,
        courtyards=[_courtyard(y, f"$.courtyards[{k}]") for k, y in enumerate(_get(data, "courtyards", list, "$"))],
        communities=[_community(c, f"$.communities[{k}]")
                     for k, c in enumerate(_get(data, "communities", list, "$"))],
        issues=[_issue(i, f"$.issues[{k}]") for k, i in enumerate(_get(data, "issues", list, "$"))],
        unscored=[Unscored(_get(u, "community", str, "$.unscored"), _get(u, "courtyard", str, "$.unscored"),
                           _get(u, "rows", int, "$.unscored"), _get(u, "where", str, "$.unscored"))
                  for u in _get(data, "unscored", list, "$")],
        lists=_lists(data.get("lists") if isinstance(data, dict) else None, "$.lists"),
        standard=standard,
    )


def load_results(path: Path, standard: Standard | None = None) -> Results:
    """A results.json written earlier; InvalidInputError naming the file and what is wrong."""
    def fail(why: str) -> InvalidInputError:
        return InvalidInputError(f"{path} 不是有效的评分结果文件（results.json）：{why}")

    from scoring.criteria.jsonfile import syntax_error_text
    from scoring.oserrors import describe

    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise fail(describe(exc)) from None
    except UnicodeDecodeError:
        raise fail("文件不是 UTF-8 编码的文本") from None
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise fail(f"JSON 格式错误（第 {exc.lineno} 行第 {exc.colno} 列）：{syntax_error_text(exc)}") from None
    try:
        return results_from_data(data, standard)
    except _Bad as exc:
        raise fail(str(exc)) from None

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
from scoring.text import shown_value as _shown

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


# Courtyards: a district's results are indented to read; larger ones are compact, encoded by the C
# encoder (json indents only in pure Python, and each courtyard carries every inspection's values).
INDENT_UP_TO = 200


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

_MISSING = object()


class _Bad(Exception):
    """A field of the document that is missing or of the wrong kind (its path)."""


class _Reader:
    """Typed access to a parsed results.json. A file of schema 1 (written before the fields of
    schema 2 existed) reads with those fields empty: `dates`, `version`, `grade_reason`,
    `veto_marks`, `notes`, `scored_by`, items' `values` and `earned_each`, `unscored`, `lists`."""

    def __init__(self, legacy: bool) -> None:
        self.legacy = legacy

    def get(self, data: Any, key: str, kind: type | tuple[type, ...], where: str, *, null: bool = False,
            since_2: Any = _MISSING) -> Any:
        if not isinstance(data, dict) or key not in data:
            if self.legacy and since_2 is not _MISSING:
                return since_2
            raise _Bad(f"{where}.{key} 缺失")
        value = data[key]
        if value is None and null:
            return None
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            raise _Bad(f"{where}.{key} 的值 {_shown(value)} 类型不对，应为{_kind_name(kind)}")
        if isinstance(value, int) and abs(value) >= _LARGEST:  # counts and ranks
            raise _Bad(f"{where}.{key} 的值 {_shown(value)} 超出评分结果的范围")
        return value

    def texts(self, data: Any, key: str, where: str, *, null: bool = False, since_2: Any = _MISSING) -> list[Any]:
        """A list of texts (or nulls, with `null`)."""
        values = self.get(data, key, list, where, since_2=since_2)
        for value in values:
            if not (isinstance(value, str) or (null and value is None)):
                raise _Bad(f"{where}.{key} 中的值 {_shown(value)} 类型不对，应为文字")
        return list(values)

    def num(self, data: Any, key: str, where: str, *, null: bool = False) -> Decimal | None:
        value = self.get(data, key, (Decimal, int), where, null=null)
        return None if value is None else _finite(Decimal(value), f"{where}.{key}")


# The largest figure and the most decimals a results.json holds: scores are below 1,000 points
# in cents and rates are floats (17 significant digits); anything past these is not a result, and a
# figure like 1E+999999 or 1E-999999 would take minutes to turn into a whole number or a Fraction.
_LARGEST = Decimal(10) ** 12
_PLACES = 40
_NAMES = {str: "文字", int: "整数", bool: "true 或 false", dict: "对象 {…}", list: "列表 […]"}


def _kind_name(kind: type | tuple[type, ...]) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    return "数字" if Decimal in kinds else "或".join(_NAMES.get(k, k.__name__) for k in kinds)


def _finite(value: Decimal, where: str) -> Decimal:
    if not value.is_finite():
        raise _Bad(f"{where} 的值 {value} 不是普通数字")
    exponent = value.as_tuple().exponent
    # copy_abs, not abs(): abs() rounds in the context and overflows on 1E+999999999.
    if value.copy_abs() >= _LARGEST or (isinstance(exponent, int) and exponent < -_PLACES):
        raise _Bad(f"{where} 的值 {_shown(value)} 超出评分结果的范围")
    return value


def _cents_of(value: Decimal | None) -> int | None:
    return None if value is None else int(value * 100)


def _fraction(value: Decimal | None) -> Fraction | None:
    return None if value is None else Fraction(value)


def _day(text: str, where: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise _Bad(f"{where} 的日期“{text}”格式不对") from None


def _veto_mark(r: _Reader, m: Any, where: str) -> VetoMark:
    return VetoMark(r.get(m, "id", str, where), r.get(m, "version", str, where),
                    _day(r.get(m, "date", str, where), where), r.get(m, "where", str, where))


def _earned_each(r: _Reader, i: Any, where: str) -> list[int | None]:
    out: list[int | None] = []
    for value in r.get(i, "earned_each", list, where, since_2=[]):
        if (value is not None and not isinstance(value, Decimal | int)) or isinstance(value, bool):
            raise _Bad(f"{where}.earned_each 中的值 {_shown(value)} 类型不对，应为数字")
        out.append(None if value is None else int(_finite(Decimal(value), f"{where}.earned_each") * 100))
    return out


def _courtyard(r: _Reader, y: Any, where: str, newest: str) -> CourtyardScore:
    community, courtyard = r.get(y, "community", str, where), r.get(y, "courtyard", str, where)
    categories = {}
    for cid, c in r.get(y, "categories", dict, where).items():
        at = f"{where}.categories.{cid}"
        categories[cid] = CategoryScore(_cents_of(r.num(c, "earned", at, null=True)),
                                        _cents_of(r.num(c, "possible", at)) or 0,
                                        _fraction(r.num(c, "rate", at, null=True)))
    items = {}
    for iid, i in r.get(y, "items", dict, where).items():
        at = f"{where}.items.{iid}"
        earned = _cents_of(r.num(i, "earned", at, null=True))
        possible = _cents_of(r.num(i, "possible", at)) or 0
        items[iid] = ItemScore(earned, possible, r.get(i, "value", str, at, null=True), r.texts(i, "cells", at),
                               full=earned is None or earned >= possible,
                               values=r.texts(i, "values", at, null=True, since_2=[]),
                               earned_each_cents=_earned_each(r, i, at))
    base, bonus, total = (r.num(y, key, where) for key in ("base", "bonus", "total"))
    assert base is not None and bonus is not None and total is not None
    return CourtyardScore(
        community=community,
        courtyard=courtyard,
        inspections=r.get(y, "inspections", int, where),
        dates=[_day(d, f"{where}.dates") for d in r.texts(y, "dates", where, since_2=[])],
        version=r.get(y, "version", str, where, since_2=newest),
        base_exact=Fraction(base), bonus_exact=Fraction(bonus), total_exact=Fraction(total),
        total_cents=int(total * 100),
        rule_of_law_rate=_fraction(r.num(y, "rule_of_law_rate", where, null=True)),
        categories=categories,
        items=items,
        vetoes=r.texts(y, "vetoes", where),
        veto_marks=[_veto_mark(r, m, f"{where}.veto_marks") for m in r.get(y, "veto_marks", list, where, since_2=[])],
        notes=r.texts(y, "notes", where, null=True, since_2=[]),
        scored_by=r.texts(y, "scored_by", where, since_2=[]),
        grade=r.get(y, "grade", str, where),
        passing=r.get(y, "pass", bool, where),
        disqualified=r.get(y, "disqualified", bool, where),
        grade_reason=r.get(y, "grade_reason", str, where, since_2=""),
        rank=r.get(y, "rank", int, where, null=True),
        rank_in_community=r.get(y, "rank_in_community", int, where, null=True),
    )


def _community(r: _Reader, c: Any, where: str) -> CommunityScore:
    mean = r.num(c, "mean_total", where)
    pass_rate = r.num(c, "pass_rate", where)
    assert mean is not None and pass_rate is not None
    counts = r.get(c, "grade_counts", dict, where)
    for name, count in counts.items():
        if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count < _LARGEST:
            raise _Bad(f"{where}.grade_counts.{name} 的值 {_shown(count)} 不对，应为不小于 0 的整数")
    return CommunityScore(
        community=r.get(c, "community", str, where),
        courtyards=r.get(c, "courtyards", int, where),
        mean_total_cents=int(mean * 100),
        grade_counts=dict(counts),
        pass_rate=Fraction(pass_rate),
        rule_of_law_rate=_fraction(r.num(c, "rule_of_law_rate", where, null=True)),
        rank=r.get(c, "rank", int, where),
    )


def _issue(r: _Reader, i: Any, where: str) -> Issue:
    optional = ("file", "sheet", "cell", "item", "community", "courtyard", "value", "expected")
    return Issue(r.get(i, "code", str, where), r.get(i, "message", str, where),
                 **{k: r.get(i, k, str, where, null=True, since_2=None) for k in optional})


def _list_entry(r: _Reader, e: Any, where: str) -> ListEntry:
    total = r.num(e, "total", where)
    assert total is not None
    return ListEntry(r.get(e, "community", str, where), r.get(e, "courtyard", str, where),
                     r.get(e, "rank", int, where, null=True), total, r.get(e, "grade", str, where),
                     r.get(e, "reason", str, where))


def _lists(r: _Reader, data: Any, where: str) -> PublishedLists | None:
    lists = r.get(data, "lists", dict, "$", null=True, since_2=None)
    if lists is None:
        return None
    rule = r.get(lists, "rule", dict, where)
    red, black = r.get(rule, "red", dict, f"{where}.rule"), r.get(rule, "black", dict, f"{where}.rule")
    return PublishedLists(
        version=r.get(lists, "version", str, where),
        rule=Lists(red_top=r.get(red, "top", int, f"{where}.rule.red"),
                   red_min_total=r.num(red, "min_total", f"{where}.rule.red", null=True),
                   red_min_grade=r.get(red, "min_grade", str, f"{where}.rule.red", null=True),
                   black_bottom=r.get(black, "bottom", int, f"{where}.rule.black"),
                   black_max_total=r.num(black, "max_total", f"{where}.rule.black", null=True),
                   black_include_disqualified=r.get(black, "include_disqualified", bool, f"{where}.rule.black")),
        red=[_list_entry(r, e, f"{where}.red") for e in r.get(lists, "red", list, where)],
        black=[_list_entry(r, e, f"{where}.black") for e in r.get(lists, "black", list, where)],
        kept_off_black=r.texts(lists, "kept_off_black", where),
    )


def results_from_data(data: Any, standard: Standard | None = None) -> Results:
    """The typed document from parsed JSON (numbers as Decimals); _Bad names what is wrong."""
    version = _Reader(False).get(data, "schema_version", int, "$")
    if version not in (1, SCHEMA_VERSION):
        raise _Bad(f"格式版本为 {version}，本工具只能读取版本 1 至 {SCHEMA_VERSION}")
    r = _Reader(legacy=version == 1)
    criteria = r.get(data, "criteria", dict, "$")
    refs = [VersionRef(r.get(v, "version", str, "$.criteria.versions"),
                       _day(r.get(v, "effective_from", str, "$.criteria.versions"), "$.criteria.versions"),
                       r.get(v, "sha256", str, "$.criteria.versions"))
            for v in r.get(criteria, "versions", list, "$.criteria")]
    if not refs:
        raise _Bad("$.criteria.versions 为空：没有记录评分所用的考核标准版本")
    try:
        period = parse_period(r.get(data, "period", str, "$"))
    except ScoreError:
        raise _Bad(f"$.period 的值 {_shown(data['period'])} 不是考核期") from None
    newest = max(refs, key=lambda ref: ref.effective_from).version
    results = Results(  # fields read in the document's order, so the first problem is the one named
        standard_id=r.get(criteria, "id", str, "$.criteria"),
        standard_title=r.get(criteria, "title", str, "$.criteria"),
        version_refs=refs,
        inputs=[InputFile(r.get(i, "path", str, "$.inputs"), r.get(i, "sha256", str, "$.inputs"))
                for i in r.get(data, "inputs", list, "$")],
        period=period,
        courtyards=[_courtyard(r, y, f"$.courtyards[{k}]", newest)
                    for k, y in enumerate(r.get(data, "courtyards", list, "$"))],
        communities=[_community(r, c, f"$.communities[{k}]")
                     for k, c in enumerate(r.get(data, "communities", list, "$"))],
        issues=[_issue(r, i, f"$.issues[{k}]") for k, i in enumerate(r.get(data, "issues", list, "$"))],
        standard=standard,
    )
    results.unscored = [Unscored(r.get(u, "community", str, "$.unscored"), r.get(u, "courtyard", str, "$.unscored"),
                                 r.get(u, "rows", int, "$.unscored"), r.get(u, "where", str, "$.unscored"))
                        for u in r.get(data, "unscored", list, "$", since_2=[])]
    results.lists = _lists(r, data, "$.lists")
    return results


def load_results(path: Path, standard: Standard | None = None) -> Results:
    """A results.json written earlier; InvalidInputError naming the file and what is wrong."""
    from scoring.criteria.jsonfile import MAX_DEPTH, syntax_error_text, too_deep_at
    from scoring.files import RESULTS_MAX, FileRefused, read_bytes

    def fail(why: str) -> InvalidInputError:
        return InvalidInputError(f"{path} 不是有效的评分结果文件（results.json）：{why}")

    try:
        text = read_bytes(path, RESULTS_MAX).decode("utf-8-sig")
    except FileRefused as refused:
        raise fail(refused.reason) from None
    except UnicodeDecodeError:
        raise fail("文件不是 UTF-8 编码的文本") from None
    try:
        # No Python hook per number (a city's results.json holds millions): figures are bounded
        # when read (`_finite`, `_Reader.get`); only an integer of over 4,300 digits fails here.
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise fail(f"JSON 格式错误（第 {exc.lineno} 行第 {exc.colno} 列）：{syntax_error_text(exc)}") from None
    except ValueError:
        raise fail("文件中有几千位长的数字，不是评分结果中的数字") from None
    except RecursionError:
        line, column = too_deep_at(text, MAX_DEPTH)
        raise fail(f"JSON 嵌套过深（第 {line} 行第 {column} 列处超过 {MAX_DEPTH} 层括号）") from None
    del text
    try:
        return results_from_data(data, standard)
    except _Bad as exc:
        raise fail(str(exc)) from None


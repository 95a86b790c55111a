"""JSON Schema validation (2020-12) with every error reported, in Chinese, with its JSON path.

`best_match` hides errors (docs/reliability.md), so every error of `iter_errors` becomes an Issue.
"""

from __future__ import annotations

import difflib
import json
from collections.abc import Iterable
from functools import cache
from typing import TYPE_CHECKING, Any

from scoring.criteria.resources import schema_path

if TYPE_CHECKING:  # jsonschema is imported when a file is first validated (start-up time)
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError
from scoring.issues import Issue, make
from scoring.text import SHORT, shown_value

if TYPE_CHECKING:  # jsonschema is imported when a check runs: commands that only show criteria start without it
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

_TYPE_NAMES = {
    "object": "对象 {…}", "array": "列表 […]", "string": "文字", "number": "数字",
    "integer": "整数", "boolean": "true 或 false", "null": "null",
}


@cache
def validator(name: str) -> Draft202012Validator:
    """The validator for `criteria` or `regulations` (schemas ship with the package; that they
    are valid 2020-12 schemas is a test, not a cost of every run)."""
    from jsonschema import Draft202012Validator

    return Draft202012Validator(json.loads(schema_path(name).read_text(encoding="utf-8")))


def json_path(parts: Iterable[Any]) -> str:
    """`$.categories[0].items[3].points` from a jsonschema path."""
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _describe(error: ValidationError) -> tuple[str, list[Any]]:
    """A Chinese explanation of one schema error, and extra path parts to append."""
    v, inst = error.validator, error.instance
    value: Any = error.validator_value
    schema: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    if v == "required":
        missing = [k for k in value if isinstance(inst, dict) and k not in inst]
        return f"缺少必填字段“{'”“'.join(missing)}”", []
    if v == "additionalProperties" and isinstance(inst, dict):
        allowed = sorted(schema.get("properties", {}))
        extra = [k for k in inst if k not in allowed]
        key = extra[0] if extra else "?"
        close = difflib.get_close_matches(key, allowed, n=1)
        hint = f"，是否应为“{close[0]}”？" if close else f"；可用字段：{'、'.join(allowed)}"
        return f"未知字段“{key}”{hint}", [key]
    if v == "type":
        wanted = value if isinstance(value, list) else [value]
        names = "或".join(_TYPE_NAMES.get(str(t), str(t)) for t in wanted)
        return f"应为{names}，实际是 {shown_value(inst)}", []
    if v == "enum":
        options = "、".join(str(o) for o in value)
        shown = f"“{inst}”" if isinstance(inst, str) and len(inst) <= SHORT else f" {shown_value(inst)} "
        return f"取值{shown}无效，可选：{options}", []
    if v == "const":
        return f"取值应为 {value}", []
    if v in ("minimum", "exclusiveMinimum", "maximum", "exclusiveMaximum"):
        op = {"minimum": "≥", "exclusiveMinimum": ">", "maximum": "≤", "exclusiveMaximum": "<"}[v]
        return f"取值 {inst} 不符合要求：应 {op} {value}", []
    if v == "pattern":
        if "[0-9]{4}" in str(value):
            return f"日期“{inst}”格式不对，应为 YYYY-MM-DD", []
        return f"“{inst}”格式不对：只能包含字母、数字、-、_ 和 .", []
    if v == "anyOf":
        return ("法律依据应写成文字“《法规名称》第N条”，或 {\"ref\": \"法规编号或名称\", \"article\": \"第N条\"}"), []
    if v == "minItems":
        return f"至少需要 {value} 项", []
    if v == "minLength":
        return "不能为空", []
    if v == "minProperties":
        return "至少需要一个选项", []
    if v == "uniqueItems":
        return "列表中有重复项", []
    if v == "not" and isinstance(value, dict) and "required" in value:
        key = value["required"][0]
        return f"字段“{key}”不适用于该类型的项目", [key]
    return error.message, []


def schema_issues(instance: Any, name: str, file: str) -> list[Issue]:
    """Every schema error of `instance` against schema `name`, as Issues."""
    issues = []
    for error in validator(name).iter_errors(instance):
        detail, extra = _describe(error)
        path = json_path([*error.absolute_path, *extra])
        issues.append(make("C010", file=file, path=path, detail=detail))
    return sorted(issues, key=lambda i: i.path or "")

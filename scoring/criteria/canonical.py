"""The canonical JSON text of a criteria version: fixed key order, numbers in their shortest
exact form (`3`, `0.5`, never `3.0` or `5E-1`), two-space indentation, Chinese as is.

Every version file the toolkit writes (`criteria new`, `criteria import`) is canonical, and the
标准编制表 round trip is exact in this form: export then import gives the canonical text of the
original. Two equivalent spellings are folded: an empty `changes` list is left out, and so are
null or empty parts of `lists` (§9's defaults apply to what is absent).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

# Key order of each kind of object (the order the bundled files use).
ORDER: dict[str, tuple[str, ...]] = {
    "top": ("$schema", "schema_version", "id", "title", "issuer", "version", "effective_from",
            "subject", "scale", "description", "categories", "bonus", "vetoes", "grades", "lists",
            "repeat", "changelog"),
    "category": ("id", "name", "tags", "description", "items"),
    "item": ("id", "name", "standard", "method", "type", "points", "per_unit", "step", "choices",
             "conditions", "na", "exempt", "basis", "note"),
    "bonus": ("cap", "items"),
    "veto": ("id", "name", "standard", "effect", "grade", "category", "basis"),
    "grade": ("name", "min", "pass", "requires", "min_rates"),
    "lists": ("red", "black"),
    "red": ("top", "min_total", "min_grade"),
    "black": ("bottom", "max_total", "include_disqualified"),
    "entry": ("version", "date", "summary", "changes"),
    "change": ("item", "category", "veto", "action", "fields", "reason", "basis"),
    "basis": ("ref", "article", "note"),
}


def _ordered(obj: dict[str, Any], kind: str) -> dict[str, Any]:
    keys = ORDER[kind]
    out = {k: obj[k] for k in keys if k in obj}
    out.update({k: v for k, v in obj.items() if k not in out})
    return out


def _bases(raw: list[Any]) -> list[Any]:
    return [_ordered(b, "basis") if isinstance(b, dict) else b for b in raw]


def _item(raw: dict[str, Any]) -> dict[str, Any]:
    item = _ordered(raw, "item")
    if "basis" in item:
        item["basis"] = _bases(item["basis"])
    return item


def _lists(raw: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for part in ("red", "black"):
        section = {k: v for k, v in (raw.get(part) or {}).items() if v is not None}
        if section:
            out[part] = _ordered(section, part)
    return out


def canonical(data: dict[str, Any]) -> dict[str, Any]:
    """A schema-valid version's data in canonical key order (values untouched)."""
    top = _ordered(data, "top")
    top["categories"] = [
        {**(cat := _ordered(c, "category")), "items": [_item(i) for i in cat["items"]]}
        for c in data["categories"]
    ]
    if "bonus" in top:
        bonus = _ordered(top["bonus"], "bonus")
        top["bonus"] = {**bonus, "items": [_item(i) for i in bonus["items"]]}
    if "vetoes" in top:
        top["vetoes"] = [{**_ordered(v, "veto"), **({"basis": _bases(v["basis"])} if "basis" in v else {})}
                         for v in top["vetoes"]]
    top["grades"] = [_ordered(g, "grade") for g in top["grades"]]
    if "lists" in top:
        lists = _lists(top["lists"])
        if lists:
            top["lists"] = lists
        else:
            del top["lists"]
    if "changelog" in top:
        entries = []
        for e in top["changelog"]:
            entry = _ordered(e, "entry")
            if entry.get("changes"):
                entry["changes"] = [
                    {**_ordered(c, "change"), **({"basis": _bases(c["basis"])} if "basis" in c else {})}
                    for c in entry["changes"]]
            else:
                entry.pop("changes", None)
            entries.append(entry)
        top["changelog"] = entries
    return top


def number_text(value: Decimal | int | float) -> str:
    """The shortest exact JSON form of a number: 3, 0.5, 12.25."""
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    if d == d.to_integral_value():
        return str(int(d))
    return format(d.normalize(), "f")


def _dump(value: Any, indent: str) -> str:
    inner = indent + "  "
    if isinstance(value, dict):
        if not value:
            return "{}"
        body = ",\n".join(f"{inner}{json.dumps(k, ensure_ascii=False)}: {_dump(v, inner)}"
                          for k, v in value.items())
        return "{\n" + body + "\n" + indent + "}"
    if isinstance(value, list):
        if not value:
            return "[]"
        return "[\n" + ",\n".join(inner + _dump(v, inner) for v in value) + "\n" + indent + "]"
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (int, float, Decimal)):
        return number_text(value)
    raise TypeError(f"not JSON: {type(value).__name__}")


def canonical_text(data: dict[str, Any]) -> str:
    """The canonical JSON text (with a final newline) of a schema-valid version's data."""
    return _dump(canonical(data), "") + "\n"

"""Positions in a criteria file as the office reads them: "分类 法治建设 › 项目 LAW-02 › 法律依据"
instead of `$.categories[5].items[1].basis[0].ref` (which stays in the issue for `--debug`)."""

from __future__ import annotations

import re
from typing import Any

# Field names in the office's words (the same words as the 标准编制表's headers).
FIELD_LABELS = {
    "schema_version": "格式版本", "id": "编号", "title": "标准名称", "issuer": "发布单位",
    "version": "版本号", "effective_from": "施行日期", "subject": "考核对象", "scale": "满分",
    "description": "说明", "name": "名称", "tags": "标签", "standard": "考核标准",
    "method": "考核方法", "type": "类型", "points": "分值", "step": "步长", "choices": "选项",
    "per_unit": "每处扣分", "conditions": "计数条件", "na": "允许不适用", "exempt": "允许免检",
    "basis": "法律依据", "article": "条款", "note": "备注", "cap": "加分上限", "effect": "否决后果",
    "grade": "限定等级", "category": "分类", "min": "分数线", "pass": "是否达标",
    "requires": "须满分项目", "min_rates": "分类得分率", "repeat": "多次检查计分",
    "changelog": "变更记录", "date": "日期", "summary": "概述", "changes": "变更",
    "item": "项目", "veto": "否决项", "action": "变更类型", "fields": "变更字段", "reason": "原因",
    "lists": "公示规则", "red": "红榜", "black": "黑榜", "top": "红榜名额", "bottom": "黑榜名额",
    "min_total": "最低总分", "max_total": "最高总分", "min_grade": "最低等级",
    "include_disqualified": "包含取消评选资格的楼院", "categories": "分类", "vetoes": "否决项",
    "grades": "等级", "bonus": "加分项",
}
_LISTS = frozenset({"categories", "items", "vetoes", "grades", "changelog", "regulations", "changes"})
_TOKEN = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")


def _tokens(path: str) -> list[str | int]:
    return [int(m.group(2)) if m.group(2) is not None else m.group(1)
            for m in _TOKEN.finditer(path.removeprefix("$"))]


def _name(node: Any, key: str) -> str | None:
    if isinstance(node, dict) and isinstance(node.get(key), str):
        return str(node[key])
    return None


def describe(data: Any, path: str | None) -> str | None:
    """The office's words for a JSON path into `data` (None when there is no path)."""
    if path is None:
        return None
    parts: list[str] = []
    node: Any = data
    container: str | None = None  # the key of the list we are indexing into
    for token in _tokens(path):
        if isinstance(token, int):
            child = node[token] if isinstance(node, list) and 0 <= token < len(node) else None
            label = {
                "categories": ("分类", _name(child, "name")),
                "items": ("加分项" if parts and parts[-1] == "加分项" else "项目", _name(child, "id")),
                "vetoes": ("否决项", _name(child, "id")),
                "grades": ("等级", _name(child, "name")),
                "changelog": ("变更记录", _name(child, "version")),
                "regulations": ("法规", _name(child, "title")),
            }.get(container or "")
            if label is not None:
                kind, name = label
                if kind == "加分项":
                    parts[-1] = f"加分项 {name}" if name else f"加分项第 {token + 1} 项"
                else:
                    parts.append(f"{kind} {name}" if name else f"{kind}第 {token + 1} 项")
            elif container == "basis":
                if isinstance(node, list) and len(node) > 1:
                    parts[-1] = f"法律依据第 {token + 1} 条"
            elif isinstance(child, str) and parts:
                parts[-1] += f"“{child}”"
            else:
                parts.append(f"第 {token + 1} 条")
            node, container = child, None
            continue
        child = node.get(token) if isinstance(node, dict) else None
        if container == "choices" and parts:
            parts[-1] = f"选项“{token}”"
        elif container == "min_rates" and parts:
            parts[-1] = f"分类得分率（{token}）"
        elif token in _LISTS or token == "ref" or (token == "items" and parts and parts[-1] == "加分项"):
            pass  # the list's entries name themselves; a basis's ref is the basis itself
        else:
            parts.append(FIELD_LABELS.get(token, token))
        node, container = child, token
    return " › ".join(parts) or "考核标准"

"""Strict JSON reading for criteria and register files.

Python's `json` accepts `NaN`, keeps the last of duplicate keys and chokes on a Notepad BOM
(docs/reliability.md); this reader refuses the first two and accepts the third, and reports each
problem as an `Issue` with a Chinese message.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

from scoring.files import CRITERIA_MAX, FileRefused, read_bytes
from scoring.issues import Issue, make
from scoring.text import UNWRITABLE, cut, unwritable, visible

# A criteria file nests about 7 deep (version › categories › items › basis › citation); far more
# is not a criteria file, and would overflow Python's recursion in the decoder or the schema check.
MAX_DEPTH = 64
# The longest number a criteria or register file may hold (a figure like 12.5 has 4 characters).
MAX_NUMBER_CHARS = 30
# Strings (with their escapes) and brackets: what counts for nesting.
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]')

_BOM = b"\xef\xbb\xbf"
# Characters that slip in when a file is edited in Word or a Chinese input method.
_LOOKALIKES = {
    "“": "中文左引号", "”": "中文右引号", "‘": "中文单引号", "’": "中文单引号",
    "，": "中文逗号", "：": "中文冒号", "｛": "全角花括号", "｝": "全角花括号",
    "［": "全角方括号", "］": "全角方括号",
}


# Python's json messages (json/decoder.py, json/scanner.py), said as what is missing or wrong.
_SYNTAX = {
    "Expecting ',' delimiter": "这里缺少英文逗号“,”（相邻两项之间要用逗号分隔），或缺少右括号“}”“]”",
    "Expecting ':' delimiter": "这里缺少英文冒号“:”（键名和值之间要用冒号分隔）",
    "Expecting value": "这里缺少值（可能多了一个逗号，或文字没有用英文双引号括起来）",
    "Expecting property name enclosed in double quotes":
        "这里应是用英文双引号括起来的键名（可能最后一项后面多了逗号）",
    "Unterminated string starting at": "从这里开始的文字缺少右边的英文双引号",
    "Invalid control character at": "文字中有换行符或制表符，请删除（需要换行时写成 \\n）",
    "Extra data": "内容已经结束，后面还有多余的内容（可能多了右括号，或两段内容没有合并）",
    "Invalid \\escape": "反斜杠“\\”用法不对（文字中的反斜杠要写成两个：\\\\）",
    "Invalid \\uXXXX escape": "“\\u”后面应是 4 位十六进制数字",
}


def syntax_error_text(exc: json.JSONDecodeError) -> str:
    """A JSON syntax error in Chinese: what is missing or wrong where the reader stopped."""
    char = exc.doc[exc.pos] if exc.pos < len(exc.doc) else ""
    if char in _LOOKALIKES:
        return f"此处是{_LOOKALIKES[char]}“{char}”，JSON 的引号和标点必须是英文半角"
    if exc.pos >= len(exc.doc.rstrip()) and exc.msg.startswith("Expecting"):
        return "内容不完整：文件在这里提前结束了（可能缺少右括号“}”“]”或右引号）"
    return _SYNTAX.get(exc.msg, "格式不对，请检查这一处的括号、引号和逗号")


class _Refused(ValueError):
    """Raised inside the decoder hooks; turned into an Issue."""

    def __init__(self, issue: Issue) -> None:
        super().__init__(issue.message)
        self.issue = issue


def _no_constant(name: str) -> Any:
    raise _Refused(make("C004", value=name))


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _Refused(make("C005", key=key))
        seen[key] = value
    return seen


def _number(text: str, kind: Callable[[str], Any]) -> Any:
    """A JSON number no longer than any real figure: Python refuses an integer of over 4,300
    digits with a ValueError, and a Decimal of thousands of digits makes every sum slow."""
    if len(text) > MAX_NUMBER_CHARS:
        raise _Refused(make("C201", value=cut(text, 20), expected=MAX_NUMBER_CHARS))
    return kind(text)


def nesting(value: Any) -> int:
    """How deep lists and objects nest in decoded JSON (iteratively: any depth is measured)."""
    deepest = 0
    pending = [(value, 1)]
    while pending:
        node, depth = pending.pop()
        if isinstance(node, dict | list):
            deepest = max(deepest, depth)
            pending += [(child, depth + 1) for child in (node.values() if isinstance(node, dict) else node)]
    return deepest


def too_deep_at(text: str, limit: int) -> tuple[int, int]:
    """(line, column) of the bracket that opens level `limit + 1` (1, 1 when there is none)."""
    depth = 0
    for match in _TOKENS.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                line = text.count("\n", 0, match.start()) + 1
                return line, match.start() - (text.rfind("\n", 0, match.start()) + 1) + 1
        elif token in "]}":
            depth -= 1
    return 1, 1


def _too_deep(text: str, file: str) -> Issue:
    line, column = too_deep_at(text, MAX_DEPTH)
    return make("C200", file=file, line=line, column=column, expected=MAX_DEPTH)


def parse_json(data: bytes, file: str) -> tuple[Any, list[Issue]]:
    """Decode strict JSON; numbers with a fraction become `Decimal` so points stay exact.
    Nesting deeper than any criteria file (MAX_DEPTH) and over-long numbers are refused."""
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None, [make("C002", file=file)]
    try:
        value = json.loads(
            text, parse_float=lambda t: _number(t, Decimal), parse_int=lambda t: _number(t, int),
            parse_constant=_no_constant, object_pairs_hook=_pairs,
        )
    except _Refused as refused:
        i = refused.issue
        return None, [Issue(i.code, i.message, file=file)]
    except json.JSONDecodeError as exc:
        return None, [make("C003", file=file, line=exc.lineno, column=exc.colno, detail=syntax_error_text(exc))]
    except RecursionError:
        return None, [_too_deep(text, file)]
    if nesting(value) > MAX_DEPTH:
        return None, [_too_deep(text, file)]
    return value, []


def read_json(path: Path, *, register: bool = False) -> tuple[Any, bytes, list[Issue]]:
    """Read and strictly decode a JSON file (a version of a standard, or with `register` the
    regulations register); returns (value, raw bytes, issues). Only a regular file of at most
    CRITERIA_MAX bytes is read (never /dev/zero or a FIFO)."""
    try:
        data = read_bytes(path, CRITERIA_MAX)
    except FileRefused as refused:
        return None, b"", [make("C050" if register else "C001", file=str(path), detail=refused.reason)]
    value, issues = parse_json(data, str(path))
    return value, data, issues


def _texts(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(JSON path, text) of every string and key of decoded JSON (iteratively)."""
    pending = [(value, path)]
    while pending:
        node, at = pending.pop()
        if isinstance(node, str):
            yield at, node
        elif isinstance(node, dict):
            for key, child in node.items():
                yield f"{at}.{key}", key
                pending.append((child, f"{at}.{key}"))
        elif isinstance(node, list):
            pending += [(child, f"{at}[{k}]") for k, child in enumerate(node)]


def text_issues(data: Any, file: str) -> list[Issue]:
    """Names and texts holding characters no .xlsx or .docx can carry (control characters,
    U+FFFE/U+FFFF, lone surrogates): every output would fail on them, so the file is refused."""
    return sorted((make("C203", file=file, path=path, value=visible(cut(text, 60)), detail=unwritable(text))
                   for path, text in _texts(data, "$") if UNWRITABLE.search(text)), key=lambda i: i.path or "")

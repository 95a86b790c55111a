"""Strict JSON reading for criteria and register files.

Python's `json` accepts `NaN`, keeps the last of duplicate keys and chokes on a Notepad BOM
(reliability.md); this reader refuses the first two and accepts the third, and reports each
problem as an `Issue` with a Chinese message.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from scoring.issues import Issue, make

_BOM = b"\xef\xbb\xbf"
# Characters that slip in when a file is edited in Word or a Chinese input method.
_LOOKALIKES = {
    "“": "中文左引号", "”": "中文右引号", "‘": "中文单引号", "’": "中文单引号",
    "，": "中文逗号", "：": "中文冒号", "｛": "全角花括号", "｝": "全角花括号",
    "［": "全角方括号", "］": "全角方括号",
}


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


def parse_json(data: bytes, file: str) -> tuple[Any, list[Issue]]:
    """Decode strict JSON; numbers with a fraction become `Decimal` so points stay exact."""
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None, [make("C002", file=file)]
    try:
        value = json.loads(
            text, parse_float=Decimal, parse_constant=_no_constant, object_pairs_hook=_pairs
        )
    except _Refused as refused:
        i = refused.issue
        return None, [Issue(i.code, i.message, file=file)]
    except json.JSONDecodeError as exc:
        detail = exc.msg
        if exc.pos < len(text) and text[exc.pos] in _LOOKALIKES:
            char = text[exc.pos]
            detail = f"此处是{_LOOKALIKES[char]}“{char}”，JSON 的引号和标点必须是英文半角"
        return None, [make("C003", file=file, line=exc.lineno, column=exc.colno, detail=detail)]
    return value, []


def read_json(path: Path) -> tuple[Any, bytes, list[Issue]]:
    """Read and strictly decode a JSON file; returns (value, raw bytes, issues)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, b"", [make("C001", file=str(path), detail=exc.strerror or str(exc))]
    value, issues = parse_json(data, str(path))
    return value, data, issues

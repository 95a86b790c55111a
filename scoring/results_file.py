"""Reading a `results.json` written earlier (for compare, and later report and explain), with a
clear message when the file is not one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scoring.criteria.jsonfile import syntax_error_text
from scoring.errors import InvalidInputError
from scoring.oserrors import describe
from scoring.outputs.results_json import SCHEMA_VERSION

REQUIRED = ("schema_version", "criteria", "inputs", "period", "courtyards", "communities")
YARD_KEYS = ("community", "courtyard", "total", "grade", "rank")


def load_results(path: Path) -> dict[str, Any]:
    """The results document; InvalidInputError naming the file and what is wrong."""
    def fail(why: str) -> InvalidInputError:
        return InvalidInputError(f"{path} 不是有效的评分结果文件（results.json）：{why}")

    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise fail(describe(exc)) from None
    except UnicodeDecodeError:
        raise fail("文件不是 UTF-8 编码的文本") from None
    except json.JSONDecodeError as exc:
        raise fail(f"JSON 格式错误（第 {exc.lineno} 行第 {exc.colno} 列）：{syntax_error_text(exc)}") from None
    if not isinstance(data, dict):
        raise fail("内容不是对象")
    missing = [k for k in REQUIRED if k not in data]
    if missing:
        raise fail(f"缺少字段 {'、'.join(missing)}")
    if data["schema_version"] != SCHEMA_VERSION:
        raise fail(f"格式版本为 {data['schema_version']}，本工具只能读取版本 {SCHEMA_VERSION}")
    for k, yard in enumerate(data["courtyards"]):
        if not isinstance(yard, dict) or any(key not in yard for key in YARD_KEYS):
            raise fail(f"courtyards[{k}] 缺少必需字段")
    return data

"""`criteria export`: one version of a standard written as the 标准编制表, atomically, never over
an existing file (it may hold the office's edits)."""

from __future__ import annotations

from pathlib import Path

from scoring.criteria.jsonfile import read_json
from scoring.criteria.model import Criteria
from scoring.criteria.regulations import Register
from scoring.errors import InvalidCriteriaError, UsageError


def export_standard(version: Criteria, register: Register, output: Path) -> Path:
    """Write `version` (from its own JSON file, so every field comes back on import) as a
    标准编制表 at `output`; UsageError when `output` exists or is not .xlsx."""
    from scoring.criteria.workbook_export import write_standard_workbook
    from scoring.outputs.staging import write_one

    if output.suffix.lower() != ".xlsx":
        raise UsageError(f"标准编制表应保存为 .xlsx 文件，例如 -o 标准.xlsx（现为 {output.name}）")
    if output.exists():
        raise UsageError(f"{output} 已存在，不会覆盖（其中可能有您的修改）；请换一个文件名，或先把它移走")
    data, _, issues = read_json(Path(version.path))
    if issues:
        raise InvalidCriteriaError(f"无法读取 {version.path}", issues)
    return write_one(output, lambda path: write_standard_workbook(data, register, path))

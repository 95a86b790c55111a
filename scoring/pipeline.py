"""The one data path of `score run`: files → sheet tables → inspections → scores → results."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scoring.criteria.standard import Standard, load_standard
from scoring.engine.combine import combine
from scoring.engine.grading import assign_grade, rank_courtyards, roll_up
from scoring.engine.inspections import collect
from scoring.engine.layout import HEADER_SCAN_ROWS, ColumnCatalog, SheetTable, build_table
from scoring.engine.limits import DEFAULT_LIMITS, Limits
from scoring.engine.reader import Backend, RawSheet, expand_inputs, read_all
from scoring.engine.results import InputFile, Results, VersionRef
from scoring.engine.score import score
from scoring.errors import InvalidInputError
from scoring.files import file_keys, shown_path
from scoring.issues import Issue, make
from scoring.lists import publish


def file_sha256(path: Path) -> str:
    """The sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class ReadInput(InputFile):
    """An InputFile read from disk. `path` is the name as `shown_path` writes it (what results.json,
    说明 and the history say); `file` is the file itself, named as the file system holds it (not
    always UTF-8), for whatever opens it again. Equal to the InputFile of the same path and sha256."""

    file: Path

    def __new__(cls, file: Path, sha256: str) -> ReadInput:
        self = super().__new__(cls, shown_path(file), sha256)
        self.file = file
        return self


def input_path(item: InputFile) -> Path:
    """The file an input was read from."""
    return item.file if isinstance(item, ReadInput) else Path(item.path)


def distinct_inputs(files: list[Path]) -> tuple[list[InputFile], list[Issue]]:
    """Each file with its sha256 (for 说明 and results.json), and an E139 for every file that is
    another one again — the same file named twice or through a link, or a copy with the same
    bytes — whose inspections would otherwise be counted twice. Files are named as `shown_path`
    writes them (a name that is not UTF-8 reaches no writer as it is)."""
    inputs: list[InputFile] = []
    issues: list[Issue] = []
    known: dict[object, Path] = {}
    by_digest: dict[str, Path] = {}
    for path in files:
        keys = file_keys(path)
        first = next((known[key] for key in keys if key in known), None)
        if first is not None:
            issues.append(make("E139", file=shown_path(path), other=shown_path(first),
                               detail="是同一个文件（重复列出，或是它的链接），其中的检查记录会被计算两次；请只列出一次"))
            continue
        known.update(dict.fromkeys(keys, path))
        digest = file_sha256(path)
        inputs.append(ReadInput(path, digest))
        copy_of = by_digest.setdefault(digest, path)
        if copy_of is not path:
            issues.append(make("E139", file=shown_path(path), other=shown_path(copy_of),
                               detail="内容完全相同（是它的副本），其中的检查记录会被计算两次；请删除或移走其中一个"))
    return inputs, issues


def read_tables(files: list[Path], standard: Standard, progress: Callable[[str], None] | None = None,
                limits: Limits = DEFAULT_LIMITS, backend: Backend = "calamine",
                ) -> tuple[list[SheetTable], list[Issue]]:
    """Every sheet with a recognisable layout, and the issues found on the way."""
    catalog = ColumnCatalog(standard.versions)
    tables: list[SheetTable] = []
    issues: list[Issue] = []
    for found in read_all(files, limits, backend):
        if isinstance(found, Issue):
            issues.append(found)
            continue
        sheet: RawSheet = found
        if progress is not None:
            progress(f"{sheet.file} {sheet.sheet or ''}".strip())
        table, table_issues = build_table(sheet, catalog)
        issues += table_issues
        if table is not None:
            tables.append(table)
    return tables, issues


def run(
    paths: list[Path],
    *,
    criteria: Path | None = None,
    regulations: Path | None = None,
    standard: Standard | None = None,
    frames: list[tuple[str, list[list[Any]]]] | None = None,
    period: str | None = None,
    version: str | None = None,
    lenient: bool = False,
    progress: Callable[[str], None] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    backend: Backend = "calamine",
    top: int | None = None,
) -> Results:
    """Score, combine, grade, rank and list every courtyard in the inputs: the files in `paths` and
    the in-memory tables in `frames` (name, rows with the header first). The standard is
    `standard`, else loaded from `criteria`/`regulations`. The red and black lists follow the
    newest version's `lists` rule, or `top` for both (score run --top).

    Raises InvalidCriteriaError, InvalidInputError (every problem listed) or UsageError.
    """
    if standard is None:
        standard = load_standard(criteria, regulations)
    if version is not None:
        standard.get(version)  # a wrong --criteria-version is a usage error before any reading
    files, found = expand_inputs(paths)
    inputs, twice = distinct_inputs(files)
    errors = [i for i in found if i.is_error] + twice
    if errors:
        raise InvalidInputError(errors[0].message, errors)
    tables, issues = read_tables(files, standard, progress, limits, backend)
    issues = found + issues  # the warnings about the inputs themselves (W225) come first
    for name, rows in frames or []:
        inputs.append(InputFile(name, rows_sha256(rows)))
        table, table_issues = build_table(RawSheet(name, None, rows), ColumnCatalog(standard.versions))
        issues += table_issues
        if table is not None:
            tables.append(table)
    if not tables and not any(i.is_error for i in issues):
        names = "、".join(i.sheet or i.file or "" for i in issues if i.code == "W205") or "只有填表说明"
        issues.append(make("E110", value=HEADER_SCAN_ROWS, detail=names))
    if any(i.is_error for i in issues):
        raise InvalidInputError(f"检查记录有 {sum(i.is_error for i in issues)} 处错误", issues)
    inspections = collect(tables, standard, period=period, version=version, lenient=lenient)
    del tables  # the sheets' cells: the inspections hold what scoring needs (a third of the peak)
    yards = combine(inspections, score(inspections))
    used = {b.criteria.version: b.criteria for b in inspections.blocks}
    for yard in yards:
        assign_grade(yard, standard.get(yard.version), used)
    yards = rank_courtyards(yards)
    # One block per version; oldest first for results.json, newest first for the grade order.
    ordered = sorted(used.values(), key=lambda c: c.effective_from)
    grade_names: list[str] = []
    for crit in reversed(ordered):
        grade_names += [g.name for g in crit.grades if g.name not in grade_names]
    return Results(
        standard_id=standard.id,
        standard_title=standard.latest.title,
        version_refs=[VersionRef(c.version, c.effective_from, c.sha256) for c in ordered],
        inputs=inputs,
        period=inspections.period,
        courtyards=yards,
        communities=roll_up(yards, grade_names),
        issues=issues + inspections.issues,
        unscored=inspections.unscored,
        lists=publish(yards, ordered[-1], top, used),
        rows_scored=len(inspections.frame),
        rows_excluded=inspections.excluded_rows,
        forced_version=version,
        standard=standard,
    )


def rows_sha256(rows: list[list[Any]]) -> str:
    """A fingerprint of an in-memory table (its cells as text), so that runs of the same
    DataFrame compare as the same input."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update(("\x1f".join("" if v is None else str(v) for v in row) + "\x1e").encode())
    return digest.hexdigest()

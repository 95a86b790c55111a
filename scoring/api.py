"""The front door for code (docs/design.md §10): the same job as `score run`, without the command line.

    import scoring
    std = scoring.load_standard()                          # the bundled example, or a path
    res = scoring.score(["检查记录.xlsx"], std, period="2023")  # or a pandas DataFrame
    res.courtyards[0].total, res.communities[0].rank
    scoring.write_outputs(res, "out/")                     # results.json, ranking.xlsx, report.*
    same = scoring.Results.load("out/results.json", std)   # the typed document

The command line calls these functions and only converts arguments and exceptions. Heavy
libraries (pandas, the Excel and Word writers) are imported inside the functions that use them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeAlias

from scoring.criteria.standard import Standard
from scoring.engine.limits import DEFAULT_LIMITS, Limits
from scoring.engine.results import Results
from scoring.errors import UsageError

if TYPE_CHECKING:
    import pandas as pd

Source: TypeAlias = "str | Path | pd.DataFrame"
OUTPUT_NAMES = ("results.json", "ranking.xlsx", "report.md", "report.docx")


def load_standard(criteria: str | Path | None = None, regulations: str | Path | None = None) -> Standard:
    """A standard with all its versions and the regulations register it cites: `criteria` is a
    standard's folder or one version file (default: the standard of the workspace found by
    docs/design.md §8's lookup, else the bundled example); the register is `regulations`, else
    `regulations.json` in the folder above the standard's folder.

    Raises InvalidCriteriaError listing every problem of every file.
    """
    from scoring.criteria.standard import load_standard as load

    return load(None if criteria is None else Path(criteria), None if regulations is None else Path(regulations))


def _table_rows(frame: pd.DataFrame) -> list[list[Any]]:
    """A DataFrame in the inspection layout (docs/design.md §5) as sheet rows, header first: missing
    values are blank cells, timestamps dates, numpy scalars Python numbers."""
    import pandas as pd

    cells = frame.astype(object).where(frame.notna(), None)
    rows: list[list[Any]] = [[str(c) for c in frame.columns]]
    for row in cells.itertuples(index=False, name=None):
        rows.append([v.to_pydatetime() if isinstance(v, pd.Timestamp) else
                     v.item() if hasattr(v, "item") and not isinstance(v, str) else v for v in row])
    return rows


def score(
    inputs: Source | Sequence[Source],
    standard: Standard | None = None,
    *,
    period: str | None = None,
    criteria_version: str | None = None,
    lenient: bool = False,
    limits: Limits = DEFAULT_LIMITS,
    reader: Literal["calamine", "openpyxl"] = "calamine",
    progress: Callable[[str], None] | None = None,
    top: int | None = None,
) -> Results:
    """Score, combine, grade and rank every courtyard of the inputs: inspection files or folders
    (.xlsx/.xlsm/.xls/.csv) and pandas DataFrames in the inspection layout (columns 社区, 楼院,
    检查日期 and one per item, as in a sheet). Each inspection is scored by the version in force
    on its date, or by `criteria_version` for all (a what-if). `period` is "2023" or "2023Q2"
    (default: the one year all dates fall in). With `lenient`, rows with errors are left out and
    listed in `issues`; otherwise InvalidInputError lists every problem. The red and black
    lists follow the criteria's `lists` rule, or `top` courtyards each (ties at the cut included).
    """
    from scoring.pipeline import run

    sources = [inputs] if isinstance(inputs, str | Path) or not isinstance(inputs, Sequence) else list(inputs)
    paths: list[Path] = []
    frames: list[tuple[str, list[list[Any]]]] = []
    for k, source in enumerate(sources, start=1):
        if isinstance(source, str | Path):
            paths.append(Path(source))
        else:
            frames.append((f"数据表{k}", _table_rows(source)))
    return run(paths, standard=standard if standard is not None else load_standard(), frames=frames,
               period=period, version=criteria_version, lenient=lenient, progress=progress,
               limits=limits, backend=reader, top=top)


def output_writers(results: Results, *, previous: Results | None = None,
                   template: Path | None = None) -> dict[str, Callable[[Path], None]]:
    """Writers of results.json, ranking.xlsx, report.md and report.docx, by file name."""
    from scoring.outputs.results_json import json_writer
    from scoring.outputs.workbook import write_ranking
    from scoring.report.section import build_section

    if results.standard is None:
        raise UsageError("写出结果需要评分所用的考核标准：请用 Results.load(路径, 考核标准) 读取结果文件")
    section = build_section(results, results.standard, previous, template)
    return {"results.json": json_writer(results),
            "ranking.xlsx": lambda p: write_ranking(results, p),
            **section.writers()}


def write_outputs(results: Results, out_dir: str | Path, *, previous: Results | None = None,
                  template: Path | None = None) -> list[Path]:
    """Write results.json, ranking.xlsx, report.md and report.docx into `out_dir`, all or none
    (staged in a hidden folder inside `out_dir`, then renamed; the folder is locked meanwhile);
    the paths written. OutputError (e.g. a workbook open in Excel/WPS, another run writing into
    the folder, a folder where a file goes) leaves earlier outputs untouched; UsageError when an
    output would replace one of the inspection files scored."""
    from scoring.outputs.staging import write_all
    from scoring.pipeline import input_path

    inputs = {input_path(i): "检查记录" for i in results.inputs}
    return write_all(Path(out_dir), output_writers(results, previous=previous, template=template), inputs=inputs)

"""Hypothesis: arbitrary cell values and arbitrary small (or damaged) workbooks go through the
reader and the engine, and the only exception that ever escapes is the toolkit's own."""

from __future__ import annotations

import contextlib
import tempfile
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from scoring.criteria import load_standard
from scoring.engine.values import interpret, special, veto_marked
from scoring.errors import ScoreError
from scoring.pipeline import run
from tests.helpers import MINI, MINI_COLUMNS, criteria_dir, record, rows_for, write_xlsx

SETTINGS = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
MARKS = ["是", "否", "√", "×", "不适用", "免检", "N/A", "—", "好", "中", "#N/A", "=DISPIMG(\"x\",1)",
         "3.5分", "3处", "2次", "无", "８５", "1,234", "nan", "inf", "1_000", "٣", "\u00a0", "\x07", "TRUE", ""]
CELLS = st.one_of(
    st.none(),
    st.sampled_from(MARKS),
    st.text(max_size=12),
    st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31)),
    st.datetimes(min_value=datetime(1900, 1, 1), max_value=datetime(2100, 12, 31)),
    st.times(),
)
STANDARD_DIR = criteria_dir(Path(tempfile.mkdtemp(prefix="fuzz-")), MINI)
ITEMS = load_standard(STANDARD_DIR).latest.all_items


@SETTINGS
@given(CELLS, st.sampled_from(ITEMS))
def test_any_cell_value_has_a_meaning(value: Any, item: Any) -> None:
    outcome = interpret(value, item, 100)
    assert outcome.kind in {"ok", "na", "exempt", "blank", "invalid", "na_refused", "exempt_refused",
                            "error", "no_result", "image", "ambiguous", "unit_refused"}
    if outcome.kind == "ok":
        assert 0 <= outcome.units <= int(item.points * 100)
    assert special(value) is None or special(value) == outcome or outcome.kind == "blank"
    assert veto_marked(value) in (True, False, None)


def _run(path: Path) -> None:
    """Run the pipeline; a ScoreError is a clear message, anything else fails the test."""
    with contextlib.suppress(ScoreError):
        run([path], criteria=STANDARD_DIR)


def _writable(value: Any) -> Any:
    """What openpyxl can write: no control characters; text starting with = stays text."""
    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)
        return "'" + value if value.startswith("=") else value
    return value


@SETTINGS
@given(st.lists(st.lists(CELLS.filter(lambda v: not isinstance(v, time)), max_size=16), max_size=6),
       st.booleans())
def test_any_small_workbook(rows: list[list[Any]], with_header: bool) -> None:
    header = ["社区", "楼院", "检查日期", *MINI_COLUMNS]
    book = Workbook()
    ws = book.active
    if with_header:
        ws.append(header)
    for row in rows:
        ws.append([_writable(v) for v in row])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.xlsx"
        book.save(path)
        _run(path)


VALID = write_xlsx(Path(tempfile.mkdtemp(prefix="fuzz-")) / "valid.xlsx",
                   rows_for([record("一社区", "甲院", "2023-03-01"), record("二社区", "乙院", "2023-04-01")]))


@SETTINGS
@given(st.data())
def test_damaged_workbook_bytes(data: st.DataObject) -> None:
    raw = bytearray(VALID.read_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        position = data.draw(st.integers(0, len(raw) - 1))
        raw[position] = data.draw(st.integers(0, 255))
    if data.draw(st.booleans()):
        raw = raw[: data.draw(st.integers(0, len(raw)))]
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "in.xlsx"
        path.write_bytes(bytes(raw))
        _run(path)

"""Assessment periods: a year (`2023`) or a quarter (`2023Q2`) (docs/design.md §4)."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from scoring.errors import UsageError
from scoring.issues import make

_PERIOD = re.compile(r"^(\d{4})(?:[Qq]([1-4]))?$")
# The years a period may name: those of the dates Excel and WPS can hold (1900-01-01 to
# 9999-12-31); outside them no inspection date exists and Python's dates overflow.
FIRST_YEAR, LAST_YEAR = 1900, 9999


@dataclass(frozen=True, slots=True)
class Period:
    """An inclusive date range with its label."""

    label: str
    start: date
    end: date


def parse_period(text: str) -> Period:
    """`2023` or `2023Q2`; UsageError otherwise (also for a year outside 1900–9999)."""
    match = _PERIOD.match(text.strip())
    if not match:
        issue = make("E152", value=text)
        raise UsageError(issue.message, [issue])
    year = int(match.group(1))
    if not FIRST_YEAR <= year <= LAST_YEAR:
        issue = make("E162", value=text.strip(), expected=f"{FIRST_YEAR} 至 {LAST_YEAR}")
        raise UsageError(issue.message, [issue])
    if match.group(2) is None:
        return _year(year)
    quarter = int(match.group(2))
    last_month = 3 * quarter
    end = date(year, last_month, calendar.monthrange(year, last_month)[1])
    return Period(f"{year}Q{quarter}", date(year, last_month - 2, 1), end)


def _year(year: int) -> Period:
    return Period(str(year), date(year, 1, 1), date(year, 12, 31))


def infer_period(dates: list[date]) -> Period:
    """The one year all inspection dates fall in; UsageError asking for --period otherwise."""
    years = sorted({d.year for d in dates})
    if len(years) == 1:
        return _year(years[0])
    issue = make("E151", value=len(years), detail="、".join(f"{y}年" for y in years),
                 expected=years[-1])
    raise UsageError(issue.message, [issue])

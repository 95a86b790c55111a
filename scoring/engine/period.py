"""Assessment periods: a year (`2023`) or a quarter (`2023Q2`) (docs/design.md §4)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from scoring.errors import UsageError
from scoring.issues import make

_PERIOD = re.compile(r"^(\d{4})(?:[Qq]([1-4]))?$")


@dataclass(frozen=True, slots=True)
class Period:
    """An inclusive date range with its label."""

    label: str
    start: date
    end: date


def parse_period(text: str) -> Period:
    """`2023` or `2023Q2`; UsageError otherwise."""
    match = _PERIOD.match(text.strip())
    if not match:
        issue = make("E152", value=text)
        raise UsageError(issue.message, [issue])
    year = int(match.group(1))
    if match.group(2) is None:
        return Period(str(year), date(year, 1, 1), date(year, 12, 31))
    quarter = int(match.group(2))
    start = date(year, 3 * quarter - 2, 1)
    end = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return Period(f"{year}Q{quarter}", start, date.fromordinal(end.toordinal() - 1))


def infer_period(dates: list[date]) -> Period:
    """The one year all inspection dates fall in; UsageError asking for --period otherwise."""
    years = sorted({d.year for d in dates})
    if len(years) == 1:
        return parse_period(str(years[0]))
    issue = make("E151", value=len(years), detail="、".join(f"{y}年" for y in years),
                 expected=years[-1])
    raise UsageError(issue.message, [issue])

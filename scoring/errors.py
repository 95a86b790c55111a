"""The toolkit's exception hierarchy: every failure a user can cause is one of these.

Each exception maps to one exit code of docs/design.md §6; the CLI turns it into Chinese text.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scoring.issues import Issue


class ScoreError(Exception):
    """Base of every error the toolkit raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, issues: list[Issue] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.issues: list[Issue] = list(issues or [])


class InvalidInputError(ScoreError):
    """Inspection data that cannot be scored (exit 1); `issues` lists every problem.
    `skippable`: every error is in rows that scoring with `lenient` leaves out (otherwise a file,
    sheet or header is at fault and only correcting it helps)."""

    exit_code = 1

    def __init__(self, message: str, issues: list[Issue] | None = None, *, skippable: bool = False) -> None:
        super().__init__(message, issues)
        self.skippable = skippable


class InvalidCriteriaError(ScoreError):
    """A criteria or regulations file that fails its checks (exit 1)."""

    exit_code = 1


class UsageError(ScoreError, ValueError):
    """Options that do not fit together or name nothing (exit 2)."""

    exit_code = 2


class OutputError(ScoreError, OSError):
    """An output could not be written, e.g. the workbook is open in Excel/WPS (exit 3)."""

    exit_code = 3

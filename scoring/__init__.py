"""score: scoring toolkit for the 美丽楼院 (beautiful courtyard) inspections of a community office.

The front door for code (docs/design.md §10)::

    import scoring
    std = scoring.load_standard()
    res = scoring.score(["检查记录.xlsx"], std, period="2023")
    scoring.write_outputs(res, "out/")

Names are imported on first use (PEP 562), so `import scoring` — and the command line's
`--help` — start without pandas or the Excel and Word libraries.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

_EXPORTS = {
    "load_standard": "scoring.api",
    "score": "scoring.api",
    "write_outputs": "scoring.api",
    "Results": "scoring.engine.results",
    "CourtyardScore": "scoring.engine.results",
    "CommunityScore": "scoring.engine.results",
    "CategoryScore": "scoring.engine.results",
    "ItemScore": "scoring.engine.results",
    "Standard": "scoring.criteria.standard",
    "Issue": "scoring.issues",
    "ScoreError": "scoring.errors",
    "InvalidInputError": "scoring.errors",
    "InvalidCriteriaError": "scoring.errors",
    "UsageError": "scoring.errors",
    "OutputError": "scoring.errors",
}
__all__ = [  # noqa: RUF022 — grouped as _EXPORTS: the functions, the results, the errors
    "__version__", "load_standard", "score", "write_outputs",
    "Results", "CourtyardScore", "CommunityScore", "CategoryScore", "ItemScore", "Standard", "Issue",
    "ScoreError", "InvalidInputError", "InvalidCriteriaError", "UsageError", "OutputError",
]

if TYPE_CHECKING:
    from scoring.api import load_standard, score, write_outputs
    from scoring.criteria.standard import Standard
    from scoring.engine.results import CategoryScore, CommunityScore, CourtyardScore, ItemScore, Results
    from scoring.errors import InvalidCriteriaError, InvalidInputError, OutputError, ScoreError, UsageError
    from scoring.issues import Issue


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'scoring' has no attribute {name!r}")
    value = getattr(import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)

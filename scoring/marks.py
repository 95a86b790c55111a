"""The marks inspectors type into cells (docs/design.md §4), matched after `text.normalise` and, for
ASCII words, without regard to case (`Yes`, `TRUE`, `n/a` are what office PCs produce)."""

from __future__ import annotations

YES = frozenset({"是", "√", "✓", "✔", "y", "yes", "true", "1", "有", "合格", "达标"})
NO = frozenset({"否", "×", "✗", "✘", "x", "n", "no", "false", "0", "无", "不合格", "不达标"})
# Full-width "－" and "／" arrive here already folded to "-" and "/".
NOT_APPLICABLE = frozenset({"不适用", "/", "n/a", "na", "—", "-"})
EXEMPT = frozenset({"免检"})
RESERVED_MARKS = NOT_APPLICABLE | EXEMPT | {"N/A", "NA"}


def key(text: str) -> str:
    """The lookup key of a normalised mark: ASCII letters folded to lower case."""
    return text.lower() if text.isascii() else text


def check_value(text: str) -> bool | None:
    """True for a yes mark, False for a no mark, None for anything else."""
    k = key(text)
    if k in YES:
        return True
    if k in NO:
        return False
    return None


def is_not_applicable(text: str) -> bool:
    """Whether the text marks the item 不适用."""
    return key(text) in NOT_APPLICABLE


def is_exempt(text: str) -> bool:
    """Whether the text marks the item 免检."""
    return text in EXEMPT

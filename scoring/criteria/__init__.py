"""Criteria as data: the model, strict loading, schema and semantic checks, the regulations register.

Names are imported on first use (PEP 562), so that importing a submodule such as
`scoring.criteria.resources` does not load the validators (jsonschema) — the command line's
start-up stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from scoring.criteria.model import Category, Criteria, Grade, Item, Veto
    from scoring.criteria.regulations import Register, Regulation
    from scoring.criteria.standard import Standard, load_standard

_WHERE = {
    "Category": "model", "Criteria": "model", "Grade": "model", "Item": "model", "Veto": "model",
    "Register": "regulations", "Regulation": "regulations",
    "Standard": "standard", "load_standard": "standard",
}

__all__ = [
    "Category",
    "Criteria",
    "Grade",
    "Item",
    "Register",
    "Regulation",
    "Standard",
    "Veto",
    "load_standard",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"scoring.criteria.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'scoring.criteria' has no attribute {name!r}")

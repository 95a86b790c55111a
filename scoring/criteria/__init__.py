"""Criteria as data: the model, strict loading, schema and semantic checks, the regulations register."""

from scoring.criteria.model import Category, Criteria, Grade, Item, Veto
from scoring.criteria.regulations import Register, Regulation
from scoring.criteria.standard import Standard, load_standard

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

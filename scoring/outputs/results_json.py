"""`results.json`: the machine-readable contract (design.md §7; field names fixed).

Scores are numbers rounded half-up to 2 decimals; rates are fractions in [0, 1]; dates are ISO.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

from scoring.engine.results import CourtyardScore, Results
from scoring.exact import round_half_up

SCHEMA_VERSION = 1


def _score(value: Fraction | None) -> float | None:
    return None if value is None else round_half_up(value)


def _cents(value: int | None) -> float | None:
    return None if value is None else value / 100


def _rate(value: Fraction | None) -> float | None:
    return None if value is None else float(value)


def courtyard_dict(y: CourtyardScore) -> dict[str, Any]:
    """One entry of `courtyards`."""
    return {
        "community": y.community,
        "courtyard": y.courtyard,
        "inspections": y.inspections,
        "base": _score(y.base),
        "bonus": _score(y.bonus),
        "total": y.total_cents / 100,
        "grade": y.grade,
        "pass": y.passing,
        "disqualified": y.disqualified,
        "vetoes": list(y.vetoes),
        "rank": y.rank,
        "rank_in_community": y.rank_in_community,
        "rule_of_law_rate": _rate(y.rule_of_law_rate),
        "categories": {
            cid: {"earned": _cents(c.earned_cents), "possible": _cents(c.possible_cents), "rate": _rate(c.rate)}
            for cid, c in y.categories.items()
        },
        "items": {  # the document's largest part: no helper calls per item
            iid: {"earned": None if i.earned_cents is None else i.earned_cents / 100,
                  "possible": i.possible_cents / 100, "value": i.value, "cells": i.cells}
            for iid, i in y.items.items()
        },
    }


def results_dict(results: Results) -> dict[str, Any]:
    """The whole `results.json` document."""
    return {
        "schema_version": SCHEMA_VERSION,
        "criteria": {
            "id": results.standard_id,
            "title": results.standard_title,
            "versions": [
                {"version": v.version, "effective_from": v.effective_from.isoformat(),
                 "sha256": v.sha256}
                for v in results.versions
            ],
        },
        "inputs": [{"path": path, "sha256": sha} for path, sha in results.inputs],
        "period": results.period.label,
        "courtyards": [courtyard_dict(y) for y in results.courtyards],
        "communities": [
            {
                "community": c.community,
                "courtyards": c.courtyards,
                "mean_total": c.mean_total_cents / 100,
                "grade_counts": dict(c.grade_counts),
                "pass_rate": float(c.pass_rate),
                "rule_of_law_rate": _rate(c.rule_of_law_rate),
                "rank": c.rank,
            }
            for c in results.communities
        ],
        "issues": [i.as_dict() for i in results.issues],
    }


INDENT_UP_TO = 2000  # courtyards: a district's results are indented to read; a city's are compact


def _layout(document: dict[str, Any]) -> dict[str, Any]:
    if len(document["courtyards"]) <= INDENT_UP_TO:
        return {"indent": 2}
    return {"separators": (",", ":")}


def json_writer(document: dict[str, Any]) -> Callable[[Path], None]:
    """A writer of `document`. A large one goes out courtyard by courtyard, each encoded by the
    C encoder (`json.dump` to a file would use the pure-Python one), so that no second copy of
    the whole document is ever held as one string."""
    def write(path: Path) -> None:
        with path.open("w", encoding="utf-8") as handle:
            if len(document["courtyards"]) <= INDENT_UP_TO:
                handle.write(dumps_document(document))
                return
            handle.write("{")
            for n, (key, value) in enumerate(document.items()):
                handle.write(("," if n else "") + json.dumps(key) + ":")
                if isinstance(value, list):
                    handle.write("[")
                    for k, entry in enumerate(value):
                        handle.write(("," if k else "") + _compact(entry))
                    handle.write("]")
                else:
                    handle.write(_compact(value))
            handle.write("}\n")

    return write


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def dumps_document(document: dict[str, Any]) -> str:
    """A results document as text, laid out by its size."""
    return json.dumps(document, ensure_ascii=False, allow_nan=False, **_layout(document)) + "\n"

"""Courtyards that a lenient run would lose without a word: every one of their rows had an
error. They are named, with their rows, so that the ranking, results.json, the terminal and the
report can say "未评分" instead of leaving them out silently."""

from __future__ import annotations

from collections.abc import Iterable

from scoring.engine.results import Unscored

# (community, courtyard) → {(file › sheet): [Excel rows]}
Rejected = dict[tuple[str, str], dict[str, list[int]]]


def reject(found: Rejected, place: str, names: Iterable[tuple[str, str, int]]) -> None:
    """Record rows of `place` (file › sheet) left out for errors, as (community, courtyard, row);
    rows without both names cannot be attributed and are left to the data-problem list."""
    for community, courtyard, row in names:
        if community and courtyard:
            found.setdefault((community, courtyard), {}).setdefault(place, []).append(row)


def unscored(found: Rejected, scored: set[tuple[str, str]]) -> list[Unscored]:
    """The courtyards with rejected rows and no scored row, by community and name."""
    out = []
    for (community, courtyard), places in sorted(found.items()):
        if (community, courtyard) in scored:
            continue
        where = "；".join(f"{place} 第 {'、'.join(str(r) for r in sorted(rows))} 行" for place, rows in places.items())
        out.append(Unscored(community, courtyard, sum(len(r) for r in places.values()), where))
    return out

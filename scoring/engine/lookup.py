"""Finding a courtyard of a run by the name a person types."""

from __future__ import annotations

import difflib

from scoring.engine.results import CourtyardScore
from scoring.errors import UsageError


def find_courtyard(yards: list[CourtyardScore], name: str) -> CourtyardScore:
    """The courtyard called `name`, or `社区/楼院`; UsageError listing matches or near names."""
    community, _, courtyard = name.strip().rpartition("/")
    matches = [y for y in yards if y.courtyard == courtyard and (not community or y.community == community)]
    if len(matches) == 1:
        return matches[0]
    if matches:
        options = "、".join(sorted(y.name for y in matches))
        raise UsageError(f"有 {len(matches)} 个楼院都叫“{courtyard}”，请写成 社区/楼院，如：{options}")
    names = list(dict.fromkeys(y.courtyard for y in yards))
    near = difflib.get_close_matches(courtyard, names, n=3, cutoff=0.4)
    hint = f"；是否要找：{'、'.join(near)}" if near else ""
    raise UsageError(f"结果中没有楼院“{name}”{hint}")

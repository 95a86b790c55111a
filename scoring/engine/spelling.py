"""Warnings about the data that do not stop scoring: one courtyard (or community) spelled two
ways, and the same inspection typed in twice."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pandas as pd

from scoring.issues import Issue, make, row_label

_CHINESE_DIGITS = str.maketrans("〇零一二三四五六七八九", "00123456789")
_NOISE = re.compile(r"[\s·・.,，、\-—_()（）\[\]【】#＃号]")


def skeleton(name: str, suffixes: tuple[str, ...]) -> str:
    """A name reduced to what two spellings of it share: digits unified, punctuation and 号
    dropped, and a trailing 院/小区 (or 社区) removed."""
    core = _NOISE.sub("", name.translate(_CHINESE_DIGITS))
    for suffix in suffixes:
        if core.endswith(suffix) and len(core) > len(suffix):
            return core[: -len(suffix)]
    return core


def _variants(names: Iterable[str], suffixes: tuple[str, ...]) -> list[tuple[str, str]]:
    groups: dict[str, list[str]] = {}
    for name in sorted(set(names)):
        groups.setdefault(skeleton(name, suffixes), []).append(name)
    return [(g[0], other) for g in groups.values() for other in g[1:]]


def spelling_issues(frame: pd.DataFrame) -> list[Issue]:
    """W209 for communities, and courtyards within a community, that differ only in spelling."""
    issues = [make("W209", value=a, other=b, kind="社区")
              for a, b in _variants(frame["community"], ("社区",))]
    for community, members in frame.groupby("community", sort=True)["courtyard"]:
        issues += [make("W209", value=f"{community} {a}", other=f"{community} {b}", kind="楼院")
                   for a, b in _variants(members, ("小区", "家属院", "院"))]
    return issues


def duplicate_issues(frame: pd.DataFrame, signatures: dict[int, tuple[object, ...]]) -> list[Issue]:
    """W210 for rows that repeat an earlier row's courtyard, date and values.

    `signatures` maps the frame positions of candidate rows (same courtyard and date as another
    row) to their values."""
    issues = []
    seen: dict[tuple[object, ...], int] = {}
    rows = frame.loc[sorted(signatures)].to_dict("index")  # only the few candidate rows
    for pos in sorted(signatures):
        row = rows[pos]
        key = (row["community"], row["courtyard"], row["day"], signatures[pos])
        if key in seen:
            issues.append(make("W210", file=str(row["file"]), sheet=row["sheet"], cell=f"第{row['row']}行",
                               other=rows[seen[key]]["row"],
                               row=row_label(row["community"], row["courtyard"], row["date"])))
        else:
            seen[key] = pos
    return issues

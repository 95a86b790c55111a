"""Reading a standard and an archived run once, not on every page: both are kept while their
files are unchanged (an archived run never changes; a standard is looked at by its files' sizes
and modification times, so an edit made meanwhile is picked up on the next page)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from scoring.criteria.standard import Standard
from scoring.engine.results import Results

if TYPE_CHECKING:
    from scoring.workspace import Workspace

Stamp = tuple[tuple[str, int, int], ...]
_lock = threading.Lock()


def _stamp(paths: list[Path]) -> Stamp:
    found = []
    for path in sorted(paths):
        try:
            info = path.stat()
        except OSError:
            continue
        found.append((str(path), info.st_mtime_ns, info.st_size))
    return tuple(found)


@lru_cache(maxsize=4)
def _standard(workspace: Workspace, stamp: Stamp) -> Standard:
    from scoring.criteria.standard import load_standard

    return load_standard(workspace=workspace)


def standard_of(workspace: Workspace) -> Standard:
    """The workspace's standard, read again only when one of its files changed."""
    files = [*workspace.standard_dir.glob("*.json"), workspace.regulations_path]
    with _lock:
        return _standard(workspace, _stamp(files))


_RESULTS: OrderedDict[tuple[Stamp, int], tuple[Standard, Results]] = OrderedDict()
RESULTS_KEPT = 16


def results_of(path: Path, standard: Standard) -> Results:
    """An archived results.json, typed, read once while the file and the standard are unchanged.
    Callers must not modify it (pages only read)."""
    key = (_stamp([path]), id(standard))
    with _lock:
        kept = _RESULTS.get(key)
        if kept is not None and kept[0] is standard:
            _RESULTS.move_to_end(key)
            return kept[1]
        results = Results.load(path, standard)
        _RESULTS[key] = (standard, results)
        while len(_RESULTS) > RESULTS_KEPT:
            _RESULTS.popitem(last=False)
        return results

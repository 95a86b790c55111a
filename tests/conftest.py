"""Every test runs as on a machine with no workspace (docs/design.md §8): no $SCORE_WORKSPACE and an
empty home folder, so that a developer's own ~/score-workspace never changes a result."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="session")
def no_workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SCORE_WORKSPACE", raising=False)
        patch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
        yield

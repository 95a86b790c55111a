"""Every test runs as on a machine with no workspace (docs/design.md §8): no $SCORE_WORKSPACE and an
empty home folder, so that a developer's own ~/score-workspace never changes a result. Also the
page tests' shared workspace with both samples uploaded (`scored`, once per test module)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from scoring.workspace import Workspace, init_workspace
from tests.web_support import SAMPLE, SAMPLE_2022, client_for, upload

# Fixtures shared by two modules each: output safety (`mini`, `bigger`), the report (`hostile`).
pytest_plugins = ["tests.output_support", "tests.report_support"]


@pytest.fixture(autouse=True, scope="session")
def no_workspace(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("SCORE_WORKSPACE", raising=False)
        patch.setenv("HOME", str(tmp_path_factory.mktemp("home")))
        yield


@pytest.fixture(scope="module")
def scored(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Workspace]]:
    """A workspace with the 2022 and the 2023 sample uploaded through the page."""
    ws = init_workspace(tmp_path_factory.mktemp("web") / "ws")
    with client_for(ws.root) as client:
        for sample in (SAMPLE_2022, SAMPLE):
            response = upload(client, (sample.name, sample.read_bytes()))
            assert response.status_code == 303  # type: ignore[attr-defined]
        yield client, ws

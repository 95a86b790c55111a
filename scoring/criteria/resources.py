"""Where the bundled standard, the regulations register and the schemas live once installed.

The repository's top-level `criteria/` folder ships inside the package as `scoring.bundled`
(see pyproject.toml), so the JSON files stay the single source of truth.
"""

from __future__ import annotations

import importlib
from pathlib import Path

BUNDLED_STANDARD = "beautiful-courtyard"
REGISTER_NAME = "regulations.json"


def bundled_root() -> Path:
    """The installed copy of the repository's `criteria/` folder (in a source checkout or an
    editable install, the folder itself)."""
    checkout = Path(__file__).resolve().parents[2] / "criteria"
    if (checkout / REGISTER_NAME).is_file():
        return checkout
    bundled = importlib.import_module("scoring.bundled")  # a namespace package: no __init__
    return Path(next(iter(bundled.__path__)))


def bundled_standard() -> Path:
    """The folder of the bundled example standard."""
    return bundled_root() / BUNDLED_STANDARD


def schema_path(name: str) -> Path:
    """`criteria` or `regulations` schema file."""
    return bundled_root() / "schema" / f"{name}.schema.json"

"""What one `score serve` serves: the workspace folder (or where it offers to create one) and
the limits that uploads are held to (the same `Limits` as `score run`)."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from scoring.criteria.standard import Standard  # noqa: F401  (loads criteria before workspace: see README)
from scoring.engine.limits import DEFAULT_LIMITS, Limits
from scoring.workspace import MARKER, Workspace, find_workspace

MAX_FILES = 20  # inspection files in one upload
MAX_DRAFT_MB = 50  # a Word draft of the annual report
BACKGROUND_BYTES = 2 * 1024 * 1024  # uploads larger than this are scored with a progress page
LOG_NAME = "web-errors.log"


@dataclass(frozen=True)
class WebConfig:
    """The folder the page serves and the upload limits."""

    home: Path  # a workspace, or the folder where the page offers to create one
    limits: Limits = DEFAULT_LIMITS
    max_files: int = MAX_FILES
    background_bytes: int = BACKGROUND_BYTES
    secret: str | None = field(default=None, repr=False)  # CSRF signing secret; random when None

    def workspace(self) -> Workspace | None:
        """The workspace at `home`, or None while it has not been created."""
        return find_workspace(self.home) if (self.home / MARKER).is_file() else None

    @property
    def max_request_bytes(self) -> int:
        """The largest request body accepted: every file at its limit, plus the form's fields."""
        return self.max_files * self.limits.max_bytes + 1024 * 1024

    def log_path(self) -> Path:
        """Where the traceback of a bug is written: the workspace's logs/, else the temp folder."""
        workspace = self.workspace()
        return (workspace.root / "logs" if workspace else Path(tempfile.gettempdir())) / LOG_NAME

"""Limits that every input is held to before any reader parses it (docs/reliability.md): a hostile
or broken file is refused with a clear message instead of exhausting memory or time.

The defaults fit a city-wide year of inspections (100k rows × 50 columns) with room to spare;
`score run --max-cells/--max-sheets/--max-size` raise them."""

from __future__ import annotations

from dataclasses import dataclass

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLUMNS = 16_384
MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Upper bounds for one input file."""

    max_size_mb: int = 1024  # the file on disk, and all parts of an .xlsx unpacked together
    max_sheets: int = 200
    max_cells: int = 20_000_000  # rows × columns that one sheet spans

    @property
    def max_bytes(self) -> int:
        """max_size_mb in bytes."""
        return self.max_size_mb * MB


DEFAULT_LIMITS = Limits()

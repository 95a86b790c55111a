"""Bar charts as inline SVG geometry (no script, no image files; printable)."""

from __future__ import annotations

from dataclasses import dataclass

ROW = 26  # px per bar
LABEL = 150  # px for the labels on the left
WIDTH = 640


@dataclass(frozen=True)
class Bar:
    """One bar: its label, value text and geometry."""

    label: str
    text: str
    y: int
    width: float


@dataclass(frozen=True)
class Chart:
    """Horizontal bars scaled to `top`."""

    bars: list[Bar]
    height: int
    label_width: int = LABEL
    width: int = WIDTH


def bar_chart(values: list[tuple[str, float]], top: float = 100.0) -> Chart:
    """Bars for (label, value) pairs, value 0 … top (e.g. scores out of 100)."""
    span = WIDTH - LABEL - 60
    scale = span / top if top > 0 else 0
    bars = [Bar(label, f"{value:.2f}", k * ROW, max(0.0, min(value, top)) * scale)
            for k, (label, value) in enumerate(values)]
    return Chart(bars, max(ROW, len(bars) * ROW))

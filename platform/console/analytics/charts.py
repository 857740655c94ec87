"""Server-side SVG bar charts (no script, no CDN): bars with their numbers written on them,
so the chart reads without colour and a screen reader gets the table beside it."""

from __future__ import annotations

from dataclasses import dataclass

WIDTH = 640
BAR = 22
GAP = 6
LABEL = 170


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    y: int
    width: int
    text_x: int


@dataclass(frozen=True)
class Chart:
    bars: list[Bar]
    width: int
    height: int
    label_width: int


def bars(items: list[tuple[str, int]]) -> Chart:
    """Horizontal bars scaled to the largest value."""
    top = max((v for _, v in items), default=0) or 1
    room = WIDTH - LABEL - 60
    shown = []
    for i, (label, value) in enumerate(items):
        width = round(room * value / top)
        shown.append(Bar(label, value, i * (BAR + GAP), width, LABEL + width + 6))
    return Chart(shown, WIDTH, max(len(items) * (BAR + GAP), BAR), LABEL)

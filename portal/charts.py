"""Geometry of the evaluation bar chart (pure): one group of bars per bidder, one bar per score.

The chart is drawn as SVG by the template; every bar carries its criterion's
name and value as text and a distinct hatching, so it reads without colour.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

__all__ = ["Bar", "Chart", "bar_chart"]

PATTERNS = ("solid", "hatch", "dots", "cross")


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    value: Decimal
    x: int
    y: int
    width: int
    height: int
    pattern: str


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    groups: list[tuple[str, int]]  # bidder label and its y
    bars: list[Bar]
    axis_x: int
    scale_max: Decimal


def bar_chart(
    rows: list[tuple[str, list[tuple[str, Decimal]]]],
    *,
    width: int = 640,
    label_width: int = 180,
    bar_height: int = 18,
    gap: int = 14,
) -> Chart:
    """Horizontal bars: ``rows`` is [(bidder, [(criterion, score), ...]), ...]."""
    values = [v for _, scores in rows for _, v in scores]
    scale_max = max([Decimal(1), *values])
    plot = width - label_width - 90
    criteria: list[str] = []
    for _, scores in rows:
        for name, _ in scores:
            if name not in criteria:
                criteria.append(name)
    bars: list[Bar] = []
    groups: list[tuple[str, int]] = []
    y = 10
    for label, scores in rows:
        groups.append((label, y))
        for name, value in scores:
            length = int(plot * value / scale_max) if value > 0 else 0
            pattern = PATTERNS[criteria.index(name) % len(PATTERNS)]
            bars.append(Bar(name, value, label_width, y, max(length, 1), bar_height, pattern))
            y += bar_height + 4
        y += gap
    return Chart(width, y, groups, bars, label_width, scale_max)

"""Server-side SVG charts (issue 16): line and grouped bar charts with axes, gridlines, a legend and one label
per category, drawn from the data alone, so a report page needs no script and nothing from the internet.

    from ltci.core.charts import Series, bar_chart, line_chart
    svg = line_chart(title="按月收支", categories=["1月", ..., "12月"], series=[Series("收入", [...]), ...])

The result is a ``SafeString`` holding one ``<svg>`` element to put in a template as it is. Every text (title,
labels, legend) is escaped. Colours are SVG presentation attributes (no style attribute, no script), so the
charts also show under the site's content security policy. A category without a value (``None``) is drawn as
zero. Every data point or bar carries a ``<title>`` with its label and value, which browsers show on hover and
screen readers read.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ("#2f6db5", "#d9534f", "#3c9a5f", "#e39b20", "#7b5ea7", "#5bb5c9", "#8c6d46", "#c45ca2")

WIDTH, HEIGHT = 760, 320
LEFT, RIGHT, TOP, BOTTOM = 86, 16, 34, 70  # room for the y labels, the title, the x labels and the legend


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[Decimal | int | float | None]
    color: str = ""


def nice_ticks(low: float, high: float, *, most: int = 7) -> list[float]:
    """Round tick values covering [low, high] (zero included): the smallest step of 1, 2 or 5 times a power of
    ten that needs at most ``most`` intervals."""
    low, high = min(low, 0.0), max(high, 0.0)
    if high == low:
        high = low + 1
    power = 10 ** math.floor(math.log10((high - low) / most))
    step = next(m * power for m in (1, 2, 5, 10) if (high - low) / (m * power) <= most)
    value = math.floor(low / step) * step
    ticks = [round(value, 10)]
    while ticks[-1] < high:
        value += step
        ticks.append(round(value, 10))
    return ticks


def number(value: float, *, decimals: int = 0) -> str:
    """A value as an axis label: thousands separators, a minus sign, no trailing zeros beyond ``decimals``."""
    return f"{value:,.{decimals}f}"


def _decimals(ticks: list[float]) -> int:
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1
    return 0 if step >= 1 else min(4, -math.floor(math.log10(step)))


def _values(series: Sequence[Series]) -> list[float]:
    return [float(v or 0) for s in series for v in s.values]


class _Frame:
    """The plotting area: maps a category index and a value to SVG coordinates, draws axes and legend."""

    def __init__(self, *, title: str, categories: Sequence[str], series: Sequence[Series], unit: str):
        self.title, self.categories, self.series, self.unit = title, list(categories), list(series), unit
        for s in self.series:
            if len(s.values) != len(self.categories):
                raise ValueError(
                    f"series {s.label!r} has {len(s.values)} values for {len(categories)} categories"
                )
        values = _values(self.series) or [0.0]
        self.ticks = nice_ticks(min(values), max(values))
        self.low, self.high = self.ticks[0], self.ticks[-1]
        self.plot_w = WIDTH - LEFT - RIGHT
        self.plot_h = HEIGHT - TOP - BOTTOM
        self.slot = self.plot_w / max(1, len(self.categories))

    def y(self, value: float) -> float:
        return TOP + self.plot_h * (self.high - value) / (self.high - self.low)

    def x_center(self, index: int) -> float:
        return LEFT + self.slot * (index + 0.5)

    def color(self, index: int) -> str:
        return self.series[index].color or PALETTE[index % len(PALETTE)]

    def open(self, kind: str) -> list[str]:
        title = escape(self.title)
        return [
            f'<svg xmlns="http://www.w3.org/2000/svg" class="chart chart-{kind}" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'width="100%" role="img" aria-label="{title}" font-family="sans-serif" font-size="12">',
            f"<title>{title}</title>",
            f'<text class="chart-title" x="{WIDTH / 2}" y="20" text-anchor="middle" font-size="14" '
            f'font-weight="bold">{title}</text>',
        ]

    def axes(self) -> list[str]:
        decimals = _decimals(self.ticks)
        parts = ['<g class="y-axis">']
        for tick in self.ticks:
            y = self.y(tick)
            stroke = "#666" if tick == 0 else "#ddd"
            parts.append(
                f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}" stroke="{stroke}"/>'
            )
            parts.append(
                f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
                f"{number(tick, decimals=decimals)}</text>"
            )
        if self.unit:
            parts.append(
                f'<text class="unit" x="{LEFT - 6}" y="{TOP - 8}" text-anchor="end">{escape(self.unit)}</text>'
            )
        parts.append(f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + self.plot_h}" stroke="#666"/>')
        parts.append('</g><g class="x-axis">')
        base = TOP + self.plot_h
        parts.append(f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="#666"/>')
        for index, category in enumerate(self.categories):
            parts.append(
                f'<text class="category" x="{self.x_center(index):.1f}" y="{base + 16}" text-anchor="middle">'
                f"{escape(category)}</text>"
            )
        parts.append("</g>")
        return parts

    def legend(self) -> list[str]:
        parts = ['<g class="legend">']
        x, y = LEFT, HEIGHT - 16
        for index, s in enumerate(self.series):
            parts.append(f'<rect x="{x}" y="{y - 10}" width="14" height="10" fill="{self.color(index)}"/>')
            parts.append(f'<text class="legend-label" x="{x + 18}" y="{y}">{escape(s.label)}</text>')
            x += 36 + 13 * len(s.label)
        parts.append("</g>")
        return parts

    def point_title(self, index: int, category: int, value: float) -> str:
        label = f"{self.series[index].label} {self.categories[category]}：{number(value, decimals=2)}"
        return f"<title>{escape(label)}</title>"


def line_chart(
    *, title: str, categories: Sequence[str], series: Sequence[Series], unit: str = ""
) -> SafeString:
    """One line per series over the categories (for example the twelve months of a year)."""
    frame = _Frame(title=title, categories=categories, series=series, unit=unit)
    parts = frame.open("line") + frame.axes()
    for index, s in enumerate(frame.series):
        color = frame.color(index)
        points = [(frame.x_center(i), frame.y(float(v or 0))) for i, v in enumerate(s.values)]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        parts.append(f'<g class="series" data-label="{escape(s.label)}">')
        parts.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        for i, (x, y) in enumerate(points):
            parts.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}">'
                f"{frame.point_title(index, i, float(s.values[i] or 0))}</circle>"
            )
        parts.append("</g>")
    return mark_safe("".join(parts + frame.legend() + ["</svg>"]))  # noqa: S308 -- every text is escaped above


def bar_chart(
    *, title: str, categories: Sequence[str], series: Sequence[Series], unit: str = ""
) -> SafeString:
    """Grouped bars: per category one bar per series, rising from zero (down for a negative value)."""
    frame = _Frame(title=title, categories=categories, series=series, unit=unit)
    parts = frame.open("bar") + frame.axes()
    group = frame.slot * 0.8
    width = group / max(1, len(frame.series))
    zero = frame.y(0)
    for index, s in enumerate(frame.series):
        parts.append(f'<g class="series" data-label="{escape(s.label)}">')
        for i, raw in enumerate(s.values):
            value = float(raw or 0)
            x = frame.x_center(i) - group / 2 + index * width
            top = min(zero, frame.y(value))
            height = abs(frame.y(value) - zero)
            parts.append(
                f'<rect x="{x:.1f}" y="{top:.1f}" width="{width * 0.9:.1f}" height="{height:.1f}" '
                f'fill="{frame.color(index)}">{frame.point_title(index, i, value)}</rect>'
            )
        parts.append("</g>")
    return mark_safe("".join(parts + frame.legend() + ["</svg>"]))  # noqa: S308 -- every text is escaped above

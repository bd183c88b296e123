"""Small bar charts as inline SVG, drawn on the server: no JavaScript, nothing from a CDN."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 720, 180
LEFT, RIGHT, TOP, BOTTOM = 56, 8, 12, 24


@dataclass(frozen=True)
class Bar:
    """One bar: its label on the axis, its value, and the words a tooltip shows."""

    label: str
    value: int
    tooltip: str


def bar_chart(
    bars: Sequence[Bar], *, title: str, css_class: str = "", axis: Callable[[int], str] = str
) -> Markup:
    """An accessible SVG bar chart; the first and last labels mark the time axis."""
    top = max((bar.value for bar in bars), default=0) or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    step = plot_w / max(len(bars), 1)
    parts = [
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>',
        _line(LEFT, TOP + plot_h, WIDTH - RIGHT, TOP + plot_h),
        _text(LEFT - 6, TOP + 10, axis(top), anchor="end"),
        _text(LEFT - 6, TOP + plot_h, axis(0), anchor="end"),
    ]
    for index, bar in enumerate(bars):
        height = plot_h * bar.value / top
        x = LEFT + index * step + step * 0.15
        parts.append(
            f'<rect class="bar {escape(css_class)}" x="{x:.1f}" y="{TOP + plot_h - height:.1f}" '
            f'width="{step * 0.7:.1f}" height="{height:.1f}"><title>{escape(bar.tooltip)}</title>'
            "</rect>"
        )
    if bars:
        parts.append(_text(LEFT, HEIGHT - 6, bars[0].label, anchor="start"))
        parts.append(_text(WIDTH - RIGHT, HEIGHT - 6, bars[-1].label, anchor="end"))
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text and attribute above is escaped


def _line(x1: float, y1: float, x2: float, y2: float) -> str:
    return f'<line class="axis" x1="{x1}" y1="{y1}" x2="{x2}" y2="{y2}"/>'


def _text(x: float, y: float, words: str, *, anchor: str) -> str:
    return f'<text x="{x}" y="{y}" text-anchor="{anchor}">{escape(words)}</text>'

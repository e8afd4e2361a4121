"""Small charts drawn on the server as inline SVG, so they show without JavaScript and cost no extra request.

Pure functions: data in, markup out (every text escaped). Colours come from CSS classes in hub.css.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from html import escape

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 58, 14, 12, 28


@dataclass(frozen=True)
class Series:
    name: str
    points: list[tuple[dt.datetime, float]]
    css_class: str
    # A record line holds its value until the next point (the top score stays the top score until beaten).
    step: bool = False


def nice_ticks(low: float, high: float, count: int = 4) -> list[float]:
    """Round numbers spanning [low, high], about `count` of them."""
    if high <= low:
        return [low]
    raw = (high - low) / max(count - 1, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = min((m * magnitude for m in (1, 2, 2.5, 5, 10)), key=lambda candidate: abs(candidate - raw))
    first = math.ceil(low / step) * step
    ticks = []
    value = first
    while value <= high + step * 1e-9:
        ticks.append(round(value, 10))
        value += step
    return ticks


def _format_number(value: float, ticks: list[float]) -> str:
    """As many decimals as the step between ticks needs, and no more: 0.965, 0.970 rather than 0.96500."""
    step = (ticks[1] - ticks[0]) if len(ticks) > 1 else abs(value) or 1
    decimals = 0
    while decimals < 6 and abs(round(step, decimals) - step) > step * 1e-6:
        decimals += 1
    return f"{value:.{decimals}f}"


def _format_time(value: dt.datetime, span: dt.timedelta) -> str:
    return f"{value:%H:%M}" if span <= dt.timedelta(days=2) else f"{value:%b} {value.day}"


def line_chart_svg(series: list[Series], *, title: str, now: dt.datetime) -> str:
    """An SVG line chart of scores over time; `now` ends the time axis and every record line.

    Returns "" when there is nothing to draw, so the caller can say so in words instead.
    """
    drawn = [s for s in series if s.points]
    if not drawn:
        return ""
    times = [t for s in drawn for t, _ in s.points]
    values = [v for s in drawn for _, v in s.points]
    start, end = min(times), max(max(times), now)
    if end - start < dt.timedelta(minutes=10):
        # Widen into the past only: the axis ends now, never minutes into the future.
        start = end - dt.timedelta(minutes=10)
    low, high = min(values), max(values)
    padding = (high - low) * 0.08 or (abs(high) * 0.05 or 0.05)
    low, high = low - padding, high + padding
    ticks = nice_ticks(low, high, count=5)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(when: dt.datetime) -> float:
        return LEFT + plot_w * (when - start) / (end - start)

    def y(value: float) -> float:
        return TOP + plot_h * (1 - (value - low) / (high - low))

    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}" '
        f'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in ticks:
        ty = y(tick)
        if TOP - 1 <= ty <= TOP + plot_h + 1:
            parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}"/>')
            parts.append(
                f'<text class="axis" x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end">'
                f"{_format_number(tick, ticks)}</text>"
            )
    span = end - start
    for fraction, anchor in ((0, "start"), (0.5, "middle"), (1, "end")):
        when = start + span * fraction
        parts.append(
            f'<text class="axis" x="{LEFT + plot_w * fraction:.1f}" y="{HEIGHT - 8}" text-anchor="{anchor}">'
            f"{escape(_format_time(when, span))}</text>"
        )
    parts.append(
        f'<line class="baseline-axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}"/>'
    )
    for item in drawn:
        points = sorted(item.points)
        path = []
        for index, (when, value) in enumerate(points):
            if index and item.step:
                path.append(f"{x(when):.1f},{y(points[index - 1][1]):.1f}")
            path.append(f"{x(when):.1f},{y(value):.1f}")
        if item.step:
            path.append(f"{x(end):.1f},{y(points[-1][1]):.1f}")
        parts.append(f'<g class="series {escape(item.css_class)}">')
        if len(path) > 1:
            parts.append(f'<polyline fill="none" points="{" ".join(path)}"/>')
        for when, value in points:
            parts.append(
                f'<circle cx="{x(when):.1f}" cy="{y(value):.1f}" r="3.5">'
                f"<title>{escape(item.name)}: {value:.5f} on {when:%Y-%m-%d %H:%M} UTC</title></circle>"
            )
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)

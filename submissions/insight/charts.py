"""The insight's pictures as inline SVG drawn on the server (no JavaScript, no extra request), as hub/charts.py
draws the score chart. Pure functions: data in, markup out, every text escaped."""

from __future__ import annotations

from html import escape

from hub.charts import nice_ticks

WIDTH, HEIGHT = 640, 240
LEFT, RIGHT, TOP, BOTTOM = 58, 14, 12, 40


def _svg(title: str, width: int, height: int, parts: list[str]) -> str:
    return (
        f'<svg class="chart insight-chart" viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
        + "".join(parts)
        + "</svg>"
    )


def _number(value: float) -> str:
    return f"{value:.3g}"


def confusion_heatmap_svg(labels: list[str], matrix: list[list[int]]) -> str:
    """Rows are true labels, columns predicted ones; a cell's shade is its share of its row (the true label's
    rows), so a rare label's mistakes show as plainly as a common one's. The count is written in the cell."""
    size = len(labels)
    if not size:
        return ""
    cell = max(18, min(48, 480 // size))
    margin_left, margin_top = 90, 70
    width, height = margin_left + cell * size + 10, margin_top + cell * size + 28
    parts = [
        f'<text class="axis" x="{margin_left + cell * size / 2:.1f}" y="14" text-anchor="middle">predicted</text>',
        f'<text class="axis" x="12" y="{margin_top + cell * size / 2:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 12 {margin_top + cell * size / 2:.1f})">true</text>',
    ]
    for index, label in enumerate(labels):
        short = escape(label if len(label) <= 10 else label[:9] + "…")
        cx = margin_left + cell * index + cell / 2
        parts.append(
            f'<text class="axis" x="{cx:.1f}" y="{margin_top - 8}" text-anchor="start" '
            f'transform="rotate(-45 {cx:.1f} {margin_top - 8})">{short}</text>'
        )
        parts.append(
            f'<text class="axis" x="{margin_left - 6}" y="{margin_top + cell * index + cell / 2 + 4:.1f}" '
            f'text-anchor="end">{short}</text>'
        )
    for row, counts in enumerate(matrix):
        total = sum(counts)
        for column, count in enumerate(counts):
            share = count / total if total else 0.0
            kind = "hit" if row == column else "miss"
            x, y = margin_left + cell * column, margin_top + cell * row
            parts.append(
                f'<rect class="cell {kind}" x="{x}" y="{y}" width="{cell - 1}" height="{cell - 1}" '
                f'fill-opacity="{0.06 + 0.94 * share:.3f}"><title>true {escape(labels[row])}, predicted '
                f"{escape(labels[column])}: {count} rows ({share:.1%} of true {escape(labels[row])})</title></rect>"
            )
            if cell >= 24 and count:
                ink = "light" if share > 0.55 else "dark"
                parts.append(
                    f'<text class="cell-count {ink}" x="{x + cell / 2 - 0.5:.1f}" y="{y + cell / 2 + 4:.1f}" '
                    f'text-anchor="middle">{count}</text>'
                )
    return _svg("Confusion matrix: rows are true labels, columns predicted labels", width, height, parts)


def histogram_svg(edges: list[float], counts: list[int], *, title: str, x_label: str) -> str:
    """Bars over contiguous bins, a line at x = 0 when it falls inside (no error)."""
    if not counts or not any(counts):
        return ""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    low, high = edges[0], edges[-1]
    tallest = max(counts)
    ticks = nice_ticks(0, tallest, count=4)

    def x(value: float) -> float:
        return LEFT + plot_w * (value - low) / (high - low)

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / max(ticks[-1], tallest))

    parts = []
    for tick in ticks:
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>'
        )
        parts.append(
            f'<text class="axis" x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick:g}</text>'
        )
    for index, count in enumerate(counts):
        left, right = x(edges[index]), x(edges[index + 1])
        parts.append(
            f'<rect class="bar" x="{left + 0.5:.1f}" y="{y(count):.1f}" width="{max(right - left - 1, 1):.1f}" '
            f'height="{TOP + plot_h - y(count):.1f}"><title>{_number(edges[index])} to {_number(edges[index + 1])}: '
            f"{count} rows</title></rect>"
        )
    if low < 0 < high:
        parts.append(f'<line class="zero" x1="{x(0):.1f}" x2="{x(0):.1f}" y1="{TOP}" y2="{TOP + plot_h}"/>')
    for value, anchor in ((low, "start"), ((low + high) / 2, "middle"), (high, "end")):
        parts.append(
            f'<text class="axis" x="{x(value):.1f}" y="{TOP + plot_h + 16}" text-anchor="{anchor}">'
            f"{_number(value)}</text>"
        )
    parts.append(
        f'<text class="axis" x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 4}" text-anchor="middle">{escape(x_label)}</text>'
    )
    parts.append(
        f'<line class="baseline-axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}"/>'
    )
    return _svg(title, WIDTH, HEIGHT, parts)


def calibration_svg(bins: list[dict], *, of: str) -> str:
    """Mean predicted probability (x) against the share that was right (y) per bin; the diagonal is perfect
    calibration. A point's area grows with its rows."""
    if not bins:
        return ""
    side = 300
    left, top, bottom = 48, 12, 40
    width, height = left + side + 14, top + side + bottom
    most = max(item["count"] for item in bins)

    def x(value: float) -> float:
        return left + side * value

    def y(value: float) -> float:
        return top + side * (1 - value)

    parts = []
    for tick in (0, 0.25, 0.5, 0.75, 1):
        parts.append(
            f'<line class="grid" x1="{left}" x2="{left + side}" y1="{y(tick):.1f}" y2="{y(tick):.1f}"/>'
        )
        parts.append(
            f'<text class="axis" x="{left - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick:g}</text>'
        )
        parts.append(
            f'<text class="axis" x="{x(tick):.1f}" y="{top + side + 16}" text-anchor="middle">{tick:g}</text>'
        )
    parts.append(f'<line class="diagonal" x1="{x(0)}" y1="{y(0)}" x2="{x(1)}" y2="{y(1)}"/>')
    points = " ".join(f"{x(item['mean_predicted']):.1f},{y(item['fraction_true']):.1f}" for item in bins)
    parts.append(f'<g class="series mine"><polyline fill="none" points="{points}"/>')
    for item in bins:
        radius = 3 + 5 * (item["count"] / most) ** 0.5
        parts.append(
            f'<circle cx="{x(item["mean_predicted"]):.1f}" cy="{y(item["fraction_true"]):.1f}" r="{radius:.1f}">'
            f"<title>{item['count']} rows with P in {item['low']:g}-{item['high']:g}: mean P "
            f"{item['mean_predicted']:.3f}, right {item['fraction_true']:.1%}</title></circle>"
        )
    parts.append("</g>")
    parts.append(
        f'<text class="axis" x="{left + side / 2}" y="{height - 4}" text-anchor="middle">'
        f"predicted probability of {escape(of)}</text>"
    )
    return _svg(f"Calibration of the probabilities of {of}", width, height, parts)

"""The inline SVG charts: drawn on the server, escaped, and sensible at the edges."""

import datetime as dt
import re

from hub.charts import Series, line_chart_svg, nice_ticks

NOW = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def hours_ago(hours: float) -> dt.datetime:
    return NOW - dt.timedelta(hours=hours)


def test_nothing_to_draw_gives_no_chart():
    assert line_chart_svg([Series("Top", [], "top")], title="t", now=NOW) == ""


def test_ticks_are_round_numbers_covering_the_range():
    assert nice_ticks(0.52, 0.98, count=5) == [0.6, 0.7, 0.8, 0.9]
    assert nice_ticks(3.0, 3.0) == [3.0]


def test_a_record_line_steps_and_holds_its_value_until_now():
    svg = line_chart_svg(
        [Series("Top", [(hours_ago(48), 0.5), (hours_ago(24), 0.9)], "top", step=True)], title="t", now=NOW
    )

    points = re.search(r'<polyline fill="none" points="([^"]+)"', svg).group(1).split()
    ys = [float(p.split(",")[1]) for p in points]
    assert len(points) == 4  # start, the step's corner, the new record, then flat until now
    assert ys[1] == ys[0] and ys[3] == ys[2] and ys[2] < ys[0]  # higher score, higher on the chart
    assert points[-1].startswith("626.0,")  # the right edge of the plot: now


def test_every_text_is_escaped():
    svg = line_chart_svg([Series("<script>", [(hours_ago(1), 1.0)], "x")], title='"><img>', now=NOW)

    assert "<script>" not in svg and "<img>" not in svg
    assert "&lt;script&gt;" in svg and "&quot;&gt;&lt;img&gt;" in svg


def test_one_point_gets_a_readable_window_around_it():
    svg = line_chart_svg([Series("Mine", [(NOW, 0.75)], "mine")], title="t", now=NOW)

    assert svg.count("<circle") == 1 and "nan" not in svg.lower()
    assert "11:50" in svg and "12:00" in svg and "12:05" not in svg  # the axis ends now, not in the future


def test_axis_labels_have_the_decimals_of_the_tick_step():
    svg = line_chart_svg(
        [Series("Top", [(hours_ago(2), 0.9690), (hours_ago(1), 0.9695)], "top")], title="t", now=NOW
    )
    labels = re.findall(r'text-anchor="end">([0-9.]+)</text>', svg)
    assert labels and all(len(label.split(".")[1]) <= 4 for label in labels), labels
    assert len(set(labels)) == len(labels)  # every tick tells itself apart

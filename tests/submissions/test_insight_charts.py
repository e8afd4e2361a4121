"""The insight's SVG pictures: drawn from the numbers, every text escaped."""

from submissions.insight.charts import calibration_svg, confusion_heatmap_svg, histogram_svg


def test_the_heat_map_has_a_cell_per_pair_and_escapes_labels():
    svg = confusion_heatmap_svg(["<cat>", "dog"], [[3, 1], [0, 4]])
    assert svg.count("<rect") == 4 and "&lt;cat&gt;" in svg and "<cat>" not in svg
    assert "3 rows (75.0% of true &lt;cat&gt;)" in svg


def test_the_histogram_draws_a_bar_per_bin_and_the_zero_line():
    svg = histogram_svg([-2.0, -1.0, 0.0, 1.0, 2.0], [1, 5, 6, 2], title="t <x>", x_label="error")
    assert svg.count('class="bar"') == 4 and 'class="zero"' in svg and "t &lt;x&gt;" in svg
    assert histogram_svg([0.0, 1.0], [0], title="t", x_label="e") == ""


def test_the_calibration_curve_has_a_point_per_bin_and_the_diagonal():
    bins = [
        {"low": 0.0, "high": 0.1, "count": 10, "mean_predicted": 0.05, "fraction_true": 0.1},
        {"low": 0.9, "high": 1.0, "count": 30, "mean_predicted": 0.95, "fraction_true": 0.9},
    ]
    svg = calibration_svg(bins, of="label <M>")
    assert svg.count("<circle") == 2 and 'class="diagonal"' in svg and "label &lt;M&gt;" in svg

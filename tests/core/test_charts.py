"""The server-side SVG charts (ltci.core.charts, issue 16): axes with round ticks, a label per category, a
legend, zero drawn for a missing value, text escaped."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from ltci.core.charts import Series, bar_chart, line_chart, nice_ticks

NS = {"svg": "http://www.w3.org/2000/svg"}
MONTHS = [f"{m}月" for m in range(1, 13)]


def parse(svg) -> ET.Element:
    return ET.fromstring(str(svg))  # noqa: S314 -- our own output


def texts(root, cls):
    return [t.text for t in root.iter("{http://www.w3.org/2000/svg}text") if t.get("class") == cls]


def series(root):
    return [g for g in root.iter("{http://www.w3.org/2000/svg}g") if g.get("class") == "series"]


def test_ticks_are_round_and_cover_the_values_and_zero():
    assert nice_ticks(0, 114467.10) == [0, 20000, 40000, 60000, 80000, 100000, 120000]
    assert nice_ticks(-30, 95) == [-40, -20, 0, 20, 40, 60, 80, 100]
    assert nice_ticks(0, 0) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]
    low, high = nice_ticks(1200, 1300)[0], nice_ticks(1200, 1300)[-1]
    assert low == 0 and high >= 1300


def test_a_line_chart_has_every_month_a_legend_and_labelled_axes():
    values = [Decimal("1000.50")] * 5 + [None] + [Decimal("2500")] * 6
    svg = line_chart(
        title="2024年基金收支",
        categories=MONTHS,
        series=[Series("收入", values), Series("支出", [Decimal(0)] * 12)],
        unit="元",
    )
    root = parse(svg)
    assert root.get("role") == "img" and root.get("aria-label") == "2024年基金收支"
    assert texts(root, "category") == MONTHS
    assert texts(root, "legend-label") == ["收入", "支出"]
    assert texts(root, "tick") == ["0", "500", "1,000", "1,500", "2,000", "2,500"]
    assert texts(root, "unit") == ["元"]
    lines = series(root)
    assert [len(g.findall("svg:circle", NS)) for g in lines] == [12, 12]
    june = lines[0].findall("svg:circle", NS)[5]
    zero_y = lines[1].findall("svg:circle", NS)[5].get("cy")
    assert june.get("cy") == zero_y, "a month without a value is drawn at zero"
    assert june.find("svg:title", NS).text == "收入 6月：0.00"
    assert "style=" not in str(svg) and "<script" not in str(svg)


def test_bars_rise_from_zero_in_proportion_and_negative_bars_go_down():
    root = parse(bar_chart(title="t", categories=["a", "b", "c"], series=[Series("s", [100, 50, -50])]))
    bars = series(root)[0].findall("svg:rect", NS)
    heights = [float(b.get("height")) for b in bars]
    assert heights[0] == pytest.approx(2 * heights[1]) and heights[2] == pytest.approx(heights[1])
    tops = [float(b.get("y")) for b in bars]
    assert tops[2] == pytest.approx(tops[1] + heights[1]), "the negative bar starts at the zero line"


def test_grouped_bars_one_per_series_and_category():
    root = parse(
        bar_chart(title="t", categories=MONTHS, series=[Series("收入", [1] * 12), Series("支出", [2] * 12)])
    )
    assert [len(g.findall("svg:rect", NS)) for g in series(root)] == [12, 12]
    first = [g.findall("svg:rect", NS)[0] for g in series(root)]
    assert first[0].get("fill") != first[1].get("fill")


def test_text_is_escaped():
    svg = str(bar_chart(title="<b>&", categories=["<x>"], series=[Series('"s"', [1])]))
    assert "<b>" not in svg and "&lt;x&gt;" in svg
    parse(svg)


def test_a_series_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError, match="11 values for 12 categories"):
        line_chart(title="t", categories=MONTHS, series=[Series("s", [1] * 11)])

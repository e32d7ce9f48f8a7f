"""The SVG charts: well-formed, one bar per check or range, and text escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from autograder.service.charts import pass_rates, score_histogram
from autograder.service.instructor import Bin, CheckRate

SVG = "{http://www.w3.org/2000/svg}"
EVIL = '</svg><script>alert(1)</script><img src=x onerror="x">'


def test_pass_rates_escape_names_and_draw_a_bar_per_check():
    rates = [CheckRate("q1_softmax", EVIL, EVIL, passed=1, attempted=4),
             CheckRate("q2_neural", "ok", "fine", passed=4, attempted=4)]
    svg = str(pass_rates(rates))
    assert "<script" not in svg and "onerror=\"" not in svg
    root = ET.fromstring(svg)  # parses: nothing broke out of the markup
    bars = root.findall(f"{SVG}g")
    assert len(bars) == 2
    widths = [float(g.find(f"{SVG}rect").get("width")) for g in bars]
    assert widths[1] == 4 * widths[0] > 0
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "25% (1/4)" in texts and "100% (4/4)" in texts


def test_histogram_bars_scale_with_counts():
    bins = [Bin(0, 5, 1), Bin(5, 10, 0), Bin(10, 15, 3)]
    root = ET.fromstring(str(score_histogram(bins, 15)))
    heights = [float(g.find(f"{SVG}rect").get("height")) for g in root.findall(f"{SVG}g")]
    assert heights[0] > 0 and heights[1] == 0 and abs(heights[2] - 3 * heights[0]) < 0.2
    assert any("out of 15" in (t.text or "") for t in root.iter(f"{SVG}text"))


def test_empty_charts_still_render():
    assert "no graded checks yet" in str(pass_rates([]))
    ET.fromstring(str(score_histogram([], 0)))

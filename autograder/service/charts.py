"""Charts for the instructor's pages as inline SVG, drawn on the server.

No JavaScript and nothing fetched from elsewhere (the pages' Content-Security-Policy allows
neither): the browser renders the markup as it comes. Every text that reaches the SVG
(check names, descriptions) is escaped here, so a name can never become markup.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

from autograder.service.instructor import Bin, CheckRate

FONT = "font-family=\"sans-serif\" font-size=\"12\""
GOOD, FAIR, POOR = "#2e7d32", "#f9a825", "#c62828"
BAR = "#3f6fb5"
GRID = "#ddd"


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _colour(rate: float) -> str:
    return GOOD if rate >= 0.8 else FAIR if rate >= 0.5 else POOR


def pass_rates(rates: Sequence[CheckRate], width: int = 760) -> Markup:
    """A horizontal bar per check: the share of students who passed it, with n/N."""
    label_w, value_w, row_h, top = 300, 90, 22, 24
    plot_w = width - label_w - value_w
    height = top + row_h * max(1, len(rates)) + 8
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="pass-rates-chart" '
             f'role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'aria-label="Pass rate per check">']
    for tick in (0, 25, 50, 75, 100):
        x = label_w + plot_w * tick / 100
        parts.append(f'<line x1="{x:.1f}" y1="{top - 4}" x2="{x:.1f}" y2="{height - 8}" '
                     f'stroke="{GRID}"/>')
        parts.append(f'<text x="{x:.1f}" y="{top - 8}" text-anchor="middle" {FONT}>'
                     f'{tick}%</text>')
    if not rates:
        parts.append(f'<text x="{label_w}" y="{top + 15}" {FONT}>no graded checks yet</text>')
    for i, rate in enumerate(rates):
        y = top + i * row_h
        label = f"{rate.notebook} · {rate.name}"
        shown = label if len(label) <= 46 else label[:45] + "…"
        bar = plot_w * rate.rate
        parts.append('<g class="bar">')
        parts.append(f"<title>{escape(label)}: {escape(rate.description)}</title>")
        parts.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" {FONT}>'
                     f"{escape(shown)}</text>")
        parts.append(f'<rect x="{label_w}" y="{y + 3}" width="{bar:.1f}" height="{row_h - 6}" '
                     f'fill="{_colour(rate.rate)}"/>')
        parts.append(f'<text x="{label_w + plot_w + 6}" y="{y + 15}" {FONT}>'
                     f"{round(100 * rate.rate)}% ({rate.passed}/{rate.attempted})</text>")
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))


def score_histogram(bins: Sequence[Bin], max_score: float, width: int = 760,
                    height: int = 300) -> Markup:
    """Students per range of standing score (out of max_score), bars labelled with counts."""
    left, right, top, bottom = 50, 20, 20, 60
    plot_w, plot_h = width - left - right, height - top - bottom
    most = max([b.count for b in bins] + [1])
    step = max(1, math.ceil(most / 5))
    ceiling = step * math.ceil(most / step)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="histogram-chart" '
             f'role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'aria-label="Students per score range">']
    for value in range(0, ceiling + 1, step):
        y = top + plot_h * (1 - value / ceiling)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
                     f'stroke="{GRID}"/>')
        parts.append(f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" {FONT}>'
                     f"{value}</text>")
    slot = plot_w / max(1, len(bins))
    for i, b in enumerate(bins):
        h = plot_h * b.count / ceiling
        x = left + i * slot
        parts.append(f'<g class="bin"><title>{escape(b.label)}: {b.count} students</title>')
        parts.append(f'<rect x="{x + 3:.1f}" y="{top + plot_h - h:.1f}" width="{slot - 6:.1f}" '
                     f'height="{h:.1f}" fill="{BAR}"/>')
        if b.count:
            parts.append(f'<text x="{x + slot / 2:.1f}" y="{top + plot_h - h - 4:.1f}" '
                         f'text-anchor="middle" {FONT}>{b.count}</text>')
        parts.append(f'<text x="{x + slot / 2:.1f}" y="{top + plot_h + 16}" '
                     f'text-anchor="middle" {FONT}>{escape(b.label)}</text></g>')
    parts.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{width - right}" '
                 f'y2="{top + plot_h}" stroke="#333"/>')
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 18}" text-anchor="middle" '
                 f'{FONT}>automatic score (out of {_fmt(max_score)})</text>')
    parts.append(f'<text x="14" y="{top + plot_h / 2:.1f}" text-anchor="middle" {FONT} '
                 f'transform="rotate(-90 14 {top + plot_h / 2:.1f})">students</text>')
    parts.append("</svg>")
    return Markup("".join(parts))

"""A metric across snapshots as inline SVG, and as a self-contained HTML page around it.

Plain SVG with no script: it renders the same in a browser, in a notebook output cell and in an HTML
file opened from disk, and a test can count its points in the DOM. x is the snapshot order (oldest left),
labelled by tag (else the short id); y is linear with "nice" ticks. Each point carries a <title> with the
full-precision value. Pure: takes (label, value) pairs, returns text.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

from .numbers import fmt_number

WIDTH, HEIGHT = 760, 380
LEFT, RIGHT, TOP, BOTTOM = 72, 24, 40, 96


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi] (1, 2, 2.5 or 5 times a power of ten apart)."""
    if lo == hi:
        pad = abs(lo) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    raw = (hi - lo) / max(1, count - 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    start = math.floor(lo / step) * step
    ticks = []
    t = start
    while t < hi + step * 0.5:
        ticks.append(float(f"{t:.12g}"))
        t += step
    if ticks[-1] < hi:
        ticks.append(float(f"{ticks[-1] + step:.12g}"))
    return ticks


def _label(text: str, limit: int = 18) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def to_svg(metric: str, points: Sequence[tuple[str, float]], title: str | None = None) -> str:
    """The chart of `points` (label, value), in order."""
    ticks = nice_ticks(min(v for _, v in points), max(v for _, v in points))
    y0, y1 = ticks[0], ticks[-1]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = len(points)

    def x(i: int) -> float:
        return LEFT + (plot_w / 2 if n == 1 else i * plot_w / (n - 1))

    def y(v: float) -> float:
        return TOP + plot_h - (v - y0) / (y1 - y0) * plot_h

    e = html.escape
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="dws-plot" width="{WIDTH}" height="{HEIGHT}" '
             f'viewBox="0 0 {WIDTH} {HEIGHT}" data-points="{n}" font-family="sans-serif" font-size="12">',
             f'<text x="{LEFT}" y="22" font-size="15" font-weight="bold">{e(title or metric)}</text>']
    for t in ticks:
        ty = y(t)
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{ty:.1f}" y2="{ty:.1f}" '
                     f'stroke="#ddd"/>')
        parts.append(f'<text class="ytick" x="{LEFT - 6}" y="{ty + 4:.1f}" text-anchor="end">'
                     f'{e(fmt_number(t))}</text>')
    parts.append(f'<line x1="{LEFT}" x2="{LEFT}" y1="{TOP}" y2="{TOP + plot_h}" stroke="#888"/>')
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{TOP + plot_h}" y2="{TOP + plot_h}" stroke="#888"/>')
    coords = " ".join(f"{x(i):.1f},{y(v):.1f}" for i, (_, v) in enumerate(points))
    if n > 1:
        parts.append(f'<polyline class="line" points="{coords}" fill="none" stroke="#1f77b4" stroke-width="2"/>')
    every = max(1, math.ceil(n / 24))  # at most ~24 x labels; every point keeps its tooltip
    for i, (label, v) in enumerate(points):
        px, py = x(i), y(v)
        parts.append(f'<circle class="point" cx="{px:.1f}" cy="{py:.1f}" r="4" fill="#1f77b4">'
                     f'<title>{e(label)}: {e(repr(v))}</title></circle>')
        if i % every == 0 or i == n - 1:
            ly = TOP + plot_h + 14
            parts.append(f'<text class="xtick" x="{px:.1f}" y="{ly}" text-anchor="end" '
                         f'transform="rotate(-35 {px:.1f} {ly})">{e(_label(label))}</text>')
    parts.append(f'<text x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 6}" text-anchor="middle" fill="#555">'
                 f'snapshot (oldest to newest)</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def to_html(metric: str, points: Sequence[tuple[str, float]], title: str) -> str:
    """A page holding the chart and a table of the values: nothing to load, no script."""
    e = html.escape
    rows = "\n".join(f"<tr><td>{i + 1}</td><td>{e(label)}</td><td>{e(fmt_number(v))}</td></tr>"
                     for i, (label, v) in enumerate(points))
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{e(title)}</title>
<style>body{{font-family:sans-serif;margin:24px}} table{{border-collapse:collapse}}
td,th{{border:1px solid #ccc;padding:2px 8px;text-align:left}} td:last-child{{text-align:right}}</style>
</head><body>
<div id="plot">
{to_svg(metric, points, title)}
</div>
<table id="values"><thead><tr><th>#</th><th>snapshot</th><th>{e(metric)}</th></tr></thead>
<tbody>
{rows}
</tbody></table>
</body></html>
"""

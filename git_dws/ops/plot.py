"""`git dws report plot METRIC [--html FILE]`: one metric across snapshots, as a self-contained HTML page
with an inline SVG chart (model/plot.py), or as data for a text chart on the terminal."""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..errors import UsageError
from ..model import plot as chart
from ..workspace import Workspace
from .history import Series, metric_series


@dataclass(frozen=True, slots=True)
class PlotResult:
    series: Series
    path: str | None  # the HTML file written, if any


def title(series: Series) -> str:
    return f"{series.metric} across snapshots ({series.workspace})"


def plot(ws: Workspace, metric: str, html: str | None = None, limit: int | None = None) -> PlotResult:
    series = metric_series(ws, metric, limit)
    if html is not None:
        parent = os.path.dirname(os.path.abspath(html))
        if not os.path.isdir(parent):
            raise UsageError(f"directory {parent} does not exist", "create it, or write the plot elsewhere")
        points = [(p.label, p.value) for p in series.points]
        tmp = html + ".tmp"
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(chart.to_html(metric, points, title(series)))
        os.replace(tmp, html)
    return PlotResult(series, html)

"""Comparing runs: `report history` and `report compare` keep significant digits and show a change column,
`--json` keeps full precision, and `report plot` draws a metric across snapshots as HTML with inline SVG
(rendered by headless Chromium when it is installed, like the lineage graph test)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import assert_error, dws, dws_json, write

from git_dws.model.numbers import change, fmt_change, fmt_number

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]

RUNS = [  # (tag, metrics, parameters): the numbers of the data scientist
    ("run1", {"mse": 0.01223, "r2": 0.9123456, "epochs_run": 10, "loss": 0.5},
     {"alpha": 0.1, "solver": "lbfgs", "seed": 1}),
    ("run2", {"mse": 0.013044, "r2": 0.90111, "epochs_run": 12, "loss": 0.25},
     {"alpha": 0.2, "solver": "lbfgs", "seed": 1}),
    ("run3", {"mse": 0.0101, "r2": 0.95, "epochs_run": 12, "loss": 0.125},
     {"alpha": 0.05, "solver": "adam", "seed": 1}),
]


def runs(ws: Path) -> None:
    for tag, metrics, params in RUNS:
        write(ws / "results" / "results.json", json.dumps({"step": "train", "parameters": params,
                                                          "metrics": metrics}))
        dws(ws, "snapshot", tag)


def test_numbers_keep_their_digits() -> None:
    assert [fmt_number(v) for v in (0.01223, 0.013044, 0.1 + 0.2, 5.0, 12, 1.5e-07, 44 / 45, 123456789.25)] == \
        ["0.01223", "0.013044", "0.3", "5", "12", "1.5e-07", "0.977778", "123456789"]
    assert fmt_change(change(0.01223, 0.013044)) == "+0.000814"  # not 0.0008139999999999998
    assert fmt_change(change(0.5, 0.25)) == "-0.25" and fmt_change(change(3, 3)) == "0"
    assert change("lbfgs", "adam") is None


def test_history_shows_all_metrics_and_parameters(ws: Path) -> None:
    runs(ws)
    text = dws(ws, "report", "history").stdout
    head = text.splitlines()[0].split()
    # all four metrics (most common first, then by name), then parameters that vary before constant ones
    assert head[:7] == ["Hash", "Tags", "Created", "epochs_run", "loss", "mse", "r2"]
    assert head[7:] == ["params.alpha", "params.solver", "params.seed", "Message"]
    row2 = next(line for line in text.splitlines() if " run2 " in line)
    assert "0.013044" in row2 and "0.90111" in row2 and " 0.2 " in row2 and "lbfgs" in row2
    assert "0.013 " not in row2
    only = dws(ws, "report", "history", "--metrics", "mse", "--params", "solver").stdout.splitlines()
    assert only[0].split() == ["Hash", "Tags", "Created", "mse", "params.solver", "Message"]
    assert "0.0101" in only[1] and "adam" in only[1]
    none = dws(ws, "report", "history", "--metrics", "r2", "--params", "").stdout.splitlines()[0].split()
    assert none == ["Hash", "Tags", "Created", "r2", "Message"]
    assert_error(dws(ws, "report", "history", "--metrics", "acc", check=False),
                 "no listed snapshot has the metric 'acc'", code=2)
    hist = dws_json(ws, "report", "history")
    assert hist[1]["metrics"]["mse"] == 0.013044 and hist[1]["parameters"] == RUNS[1][2]


def test_history_drops_columns_that_do_not_fit_a_terminal(ws: Path) -> None:
    """On a terminal, columns that do not fit are named in a last line (rich renders the table)."""
    runs(ws)
    script = ("import sys, os; sys.stdout.isatty = lambda: True; os.environ['COLUMNS'] = '90';"
              "from git_dws.cli import main; sys.exit(main(['report', 'history']))")
    proc = subprocess.run([sys.executable, "-c", script], cwd=ws, capture_output=True,
                          text=True, env={**os.environ, "COLUMNS": "90", "TERM": "xterm"})
    assert proc.returncode == 0, proc.stderr
    assert "Not shown (too wide):" in proc.stdout and "--metrics A,B" in proc.stdout
    assert "epochs_run" in proc.stdout.split("Not shown")[0]  # the most common metric stays


def test_compare_has_a_change_column(ws: Path) -> None:
    runs(ws)
    lines = dws(ws, "report", "compare", "run1", "run2").stdout.splitlines()
    metrics = lines[lines.index("Metrics") + 1:]
    assert metrics[0].split() == ["run1", "run2", "Change"]
    mse = next(line for line in metrics if "mse" in line)
    assert mse.split() == ["*", "mse", "0.01223", "0.013044", "+0.000814"]
    solver = next(line for line in lines if "solver" in line)
    assert solver.split() == ["solver", "lbfgs", "lbfgs"]  # same, no change
    three = dws(ws, "report", "compare", "run1", "run2", "run3").stdout
    assert "Change (run1 to run3)" in three
    assert re.search(r"\* loss\s+0\.5\s+0\.25\s+0\.125\s+-0\.375", three)
    data = dws_json(ws, "report", "compare", "run1", "run2", "run3")
    mse_row = next(r for r in data["metrics"] if r["name"] == "mse")
    assert mse_row["values"] == [0.01223, 0.013044, 0.0101] and mse_row["change"] == pytest.approx(-0.00213)
    assert next(r for r in data["parameters"] if r["name"] == "solver")["change"] is None


def test_plot_text_json_and_html(ws: Path, tmp_path: Path) -> None:
    runs(ws)
    text = dws(ws, "report", "plot", "mse").stdout.splitlines()
    assert text[0].startswith("mse across snapshots, oldest first")
    assert [line.split()[:2] for line in text[1:]] == [["run1", "0.01223"], ["run2", "0.013044"],
                                                       ["run3", "0.0101"]]
    data = dws_json(ws, "report", "plot", "mse")
    assert [p["value"] for p in data["points"]] == [0.01223, 0.013044, 0.0101]
    html = tmp_path / "mse.html"
    out = dws(ws, "report", "plot", "mse", "--html", str(html)).stdout
    assert f"to {html}" in out and "3 snapshot(s)" in out
    page = html.read_text()
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page), "the page must not load anything"
    assert "<script" not in page
    svg = ET.fromstring(page[page.index("<svg"):page.index("</svg>") + 6])
    ns = "{http://www.w3.org/2000/svg}"
    assert len(list(svg.iter(f"{ns}circle"))) == 3
    assert [t.text for t in svg.iter(f"{ns}text") if t.get("class") == "xtick"] == ["run1", "run2", "run3"]
    assert_error(dws(ws, "report", "plot", "accuracy", check=False), "no snapshot has a numeric metric 'accuracy'",
                 code=2)
    assert_error(dws(ws, "report", "plot", "mse", "--html", str(tmp_path / "no" / "x.html"), check=False),
                 "does not exist", code=2)


@pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK),
                    reason="Debian chromium is not installed (run tests/tools/install-chromium.sh)")
def test_plot_renders_in_headless_chromium(ws: Path, tmp_path: Path) -> None:
    runs(ws)
    html = tmp_path / "plot.html"
    dws(ws, "report", "plot", "mse", "--html", str(html))
    profile = tmp_path / "profile"
    proc = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--dump-dom", html.as_uri()],
                          capture_output=True, text=True, timeout=90)
    dom = proc.stdout
    assert proc.returncode == 0 and "</html>" in dom, proc.stderr[-2000:]
    plot = dom[dom.index('<div id="plot">'):]
    plot = plot[:plot.index("</svg>")]
    assert plot.count('<circle class="point"') == 3 and 'data-points="3"' in plot
    assert plot.count('<polyline class="line"') == 1
    for label in ("run1", "run2", "run3"):
        assert f">{label}</text>" in plot
    shot = tmp_path / "plot.png"
    proc = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}2", "--window-size=820,560",
                           f"--screenshot={shot}", html.as_uri()], capture_output=True, text=True, timeout=90)
    assert proc.returncode == 0 and shot.stat().st_size > 5000, proc.stderr[-2000:]
    keep = os.environ.get("KEEP_SCREENSHOTS_DIR")  # set by a developer to look at the picture
    if keep:
        shutil.copy(shot, Path(keep) / "report-plot.png")

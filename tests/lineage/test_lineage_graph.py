"""`git dws lineage graph`: DOT, SVG, and a self-contained HTML page that headless Chromium renders.

The browser test needs Debian's chromium (tests/tools/install-chromium.sh installs it; CI runs that
script) and is skipped, saying why, when /usr/bin/chromium is absent."""

from __future__ import annotations

import os
import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from conftest import assert_error, dws
from lineage_fixtures import lws, step

__all__ = ["lws"]

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def pipeline(ws: Path) -> None:
    step(ws, "step1.py")
    step(ws, "step2.py")
    dws(ws, "snapshot", "G1")


def test_graph_formats(lws: Path, tmp_path: Path) -> None:
    ws = lws
    err = assert_error(dws(ws, "lineage", "graph", str(tmp_path / "none.html"), check=False))
    assert "no lineage recorded" in err
    pipeline(ws)
    out = dws(ws, "lineage", "graph", str(tmp_path / "g.dot"), "--snapshot", "G1").stdout
    assert "(dot, 6 nodes, 6 edges)" in out  # source-data, code, step1, intermediate-data, step2, results
    dot = (tmp_path / "g.dot").read_text()
    assert dot.startswith("digraph lineage {") and dot.count("->") == 6
    dws(ws, "lineage", "graph", str(tmp_path / "g.svg"), "--snapshot", "G1")
    svg = ET.parse(tmp_path / "g.svg").getroot()
    labels = {t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")}
    assert {"source-data", "code", "step1", "intermediate-data", "step2", "results"} <= labels
    dws(ws, "lineage", "graph", str(tmp_path / "inter.txt"), "--resource", "intermediate-data", "--format", "svg")
    labels = {t.text for t in ET.parse(tmp_path / "inter.txt").getroot().iter("{http://www.w3.org/2000/svg}text")}
    assert "step1" in labels and "step2" not in labels
    # the results' current lineage moved away with the results: the latest snapshot's is shown, and said
    proc = dws(ws, "lineage", "graph", str(tmp_path / "x.html"), "--resource", "results")
    assert "showing the lineage of the latest snapshot" in proc.stderr and "as of snapshot" in proc.stdout
    assert_error(dws(ws, "lineage", "graph", str(tmp_path / "x.html"), "--resource", "nothing", check=False),
                 "no lineage found for resource 'nothing'")
    html = tmp_path / "g.html"
    dws(ws, "lineage", "graph", str(html), "--snapshot", "G1")
    text = html.read_text()
    # self-contained: no external script, stylesheet or image
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", text), "the page must not load anything"
    assert "<script>" in text and "lineage-data" in text


@pytest.mark.skipif(not os.access(CHROMIUM, os.X_OK),
                    reason="Debian chromium is not installed (run tests/tools/install-chromium.sh)")
def test_graph_renders_in_headless_chromium(lws: Path, tmp_path: Path) -> None:
    ws = lws
    pipeline(ws)
    html = tmp_path / "graph.html"
    dws(ws, "lineage", "graph", str(html), "--snapshot", "G1")
    profile = tmp_path / "profile"
    proc = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "--virtual-time-budget=3000",
                           "--dump-dom", html.as_uri()], capture_output=True, text=True, timeout=90)
    dom = proc.stdout
    assert proc.returncode == 0 and "</html>" in dom, proc.stderr[-2000:]
    assert 'data-rendered="6"' in dom, "the inline script did not draw the graph"
    graph = dom[dom.index('<div id="graph">'):]
    graph = graph[:graph.index("</div>")]
    assert graph.count('<g class="node data"') == 4 and graph.count('<g class="node step"') == 2
    assert graph.count('<path class="edge') == 6
    for label in ("source-data", "step1", "intermediate-data", "step2", "results", "code"):
        assert f">{label}</text>" in graph
    shot = tmp_path / "shot.png"
    proc = subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={profile}2", "--window-size=1200,500",
                           f"--screenshot={shot}", html.as_uri()], capture_output=True, text=True, timeout=90)
    assert proc.returncode == 0 and shot.stat().st_size > 5000, proc.stderr[-2000:]

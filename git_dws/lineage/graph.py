"""The lineage graph of a resource: data versions and the steps between them, laid out in layers from
sources (left) to results (right), and written as DOT, SVG, or a self-contained HTML page whose inline
script draws the same layout (no network, no external script). Pure: text in, text out."""

from __future__ import annotations

import hashlib
import html
import itertools
import json
from dataclasses import dataclass, field
from typing import Any

from .model import (
    Certificate,
    CodeLineage,
    HashCertificate,
    ImportedLineage,
    LineageRecord,
    ResourceRef,
    SourceDataLineage,
    StepLineage,
)
from .records import LineageSet, index, key

NODE_H = 46
GAP_X = 70
GAP_Y = 26
MARGIN = 24
CHAR_W = 7.2
DUMMY_W = 10.0
DUMMY_H = 24.0


@dataclass(slots=True)
class Node:
    id: str
    kind: str  # data | step
    label: str
    sublabel: str
    role: str = ""  # data nodes: the resource's role, "" when not a resource of this workspace
    details: dict[str, Any] = field(default_factory=dict)
    x: float = 0.0
    y: float = 0.0
    w: float = 0.0
    layer: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "kind": self.kind, "label": self.label, "sublabel": self.sublabel,
                "role": self.role, "details": self.details, "x": round(self.x, 1), "y": round(self.y, 1),
                "w": round(self.w, 1), "h": NODE_H}


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    kind: str  # input | code | output


@dataclass(slots=True)
class Graph:
    title: str
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    width: float = 0.0
    height: float = 0.0
    paths: list[str] = field(default_factory=list)  # SVG path of each edge, set by layout()

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "node_height": NODE_H, "width": round(self.width, 1),
                "height": round(self.height, 1),
                "nodes": [n.to_json() for n in self.nodes.values()],
                "edges": [{"source": e.source, "target": e.target, "kind": e.kind, "d": d}
                          for e, d in zip(self.edges, self.paths, strict=True)]}


# -- building -------------------------------------------------------------------------------------
def build(lset: LineageSet, start: list[str], roles: dict[str, str], title: str) -> Graph:
    """The graph of everything the resources `start` were derived from."""
    g = Graph(title)

    def data_node(c: Certificate) -> str:
        nid = f"d:{c.ref}:{_version(c)}"
        if nid not in g.nodes:
            details: dict[str, Any] = {"resource": c.ref.name, "path": c.ref.subpath or "/",
                                       "version": _version_long(c)}
            if c.comment:
                details["comment"] = c.comment
            g.nodes[nid] = Node(nid, "data", str(c.ref), c.label() if isinstance(c, HashCertificate)
                                else f"placeholder v{c.version}", roles.get(c.ref.name, ""), details)
        return nid

    def step_node(rec: StepLineage) -> tuple[str, bool]:
        nid = "s:" + hashlib.sha1(key(rec).encode()).hexdigest()[:12]
        if nid in g.nodes:
            return nid, False
        details: dict[str, Any] = {"step": rec.step_name, "started": rec.start_time.isoformat(sep=" "),
                                   "parameters": rec.parameters}
        if rec.execution_time_seconds is not None:
            details["seconds"] = round(rec.execution_time_seconds, 3)
        if rec.command_line:
            details["command"] = " ".join(rec.command_line)
        g.nodes[nid] = Node(nid, "step", rec.step_name, rec.start_time.strftime("%Y-%m-%d %H:%M"),
                            details=details)
        return nid, True

    seen: set[tuple[int, ResourceRef]] = set()

    def walk(scope: LineageSet, refs: list[ResourceRef]) -> None:
        todo = list(refs)
        while todo:
            ref = todo.pop()
            if (id(scope), ref) in seen:
                continue
            seen.add((id(scope), ref))
            rec = scope.retrieve(ref)
            if rec is None:
                continue
            cert = rec.cert_for(ref)
            if cert is None:
                continue
            if isinstance(rec, ImportedLineage):
                nested = nested_set(rec)
                walk(nested, [cert.ref])
                continue
            out = data_node(cert)
            if not isinstance(rec, StepLineage):
                continue
            sid, new = step_node(rec)
            g.edges.append(Edge(sid, out, "output"))
            if not new:
                continue
            for kind, certs in (("input", rec.input_resources), ("code", rec.code_resources)):
                for c in certs:
                    g.edges.append(Edge(data_node(c), sid, kind))
                    if scope.is_current(c):
                        todo.append(c.ref)

    for name in start:
        walk(lset, lset.refs_for(name))
    g.edges = list(dict.fromkeys(g.edges))
    layout(g)
    return g


def nested_set(rec: ImportedLineage) -> LineageSet:
    files: dict[str, dict[ResourceRef, LineageRecord]] = {}
    for nested in rec.nested_lineage:
        for c in nested.certs():
            files.setdefault(c.ref.name, {}).update(index(c.ref.name, [nested]))
    return LineageSet(files)


def _version(c: Certificate) -> str:
    return c.hashval if isinstance(c, HashCertificate) else f"p{c.version}"


def _version_long(c: Certificate) -> str:
    return c.hashval if isinstance(c, HashCertificate) else f"placeholder version {c.version} (not snapshotted yet)"


def record_kind(rec: LineageRecord) -> str:
    if isinstance(rec, StepLineage):
        return "Step"
    if isinstance(rec, CodeLineage):
        return "Code"
    if isinstance(rec, SourceDataLineage):
        return "Source Data"
    return "Imported"


# -- layout ---------------------------------------------------------------------------------------
def layout(g: Graph) -> None:
    """Layers by longest path from the sources (a source sits just before its first consumer), long
    edges broken by invisible waypoints so they run between nodes rather than through them, order within
    a layer by the mean position of the neighbours (a few sweeps each way), then coordinates and paths."""
    preds: dict[str, list[str]] = {n: [] for n in g.nodes}
    succs: dict[str, list[str]] = {n: [] for n in g.nodes}
    for e in g.edges:
        preds[e.target].append(e.source)
        succs[e.source].append(e.target)
    order = _topo(g, preds, succs)
    layer: dict[str, int] = {}
    for n in order:
        layer[n] = max((layer[p] + 1 for p in preds[n] if p in layer), default=0)
    for n in order:
        if not preds[n] and succs[n]:
            layer[n] = max(0, min(layer[t] for t in succs[n]) - 1)
    width: dict[str, float] = {}
    for node in g.nodes.values():
        node.layer = layer[node.id]
        node.w = width[node.id] = max(120.0, CHAR_W * max(len(node.label), len(node.sublabel)) + 28)
    vpreds: dict[str, list[str]] = {n: [] for n in g.nodes}
    vsuccs: dict[str, list[str]] = {n: [] for n in g.nodes}
    chains: list[list[str]] = []
    for i, e in enumerate(g.edges):
        chain = [e.source]
        for level in range(layer[e.source] + 1, layer[e.target]):
            d = f"~{i}:{level}"
            layer[d], width[d] = level, DUMMY_W
            vpreds[d], vsuccs[d] = [], []
            chain.append(d)
        chain.append(e.target)
        for u, v in itertools.pairwise(chain):
            vsuccs[u].append(v)
            vpreds[v].append(u)
        chains.append(chain)
    count = max(layer.values(), default=-1) + 1
    layers: list[list[str]] = [[] for _ in range(count)]
    for n in [*order, *(d for c in chains for d in c[1:-1])]:
        layers[layer[n]].append(n)
    pos = {n: float(i) for lay in layers for i, n in enumerate(lay)}
    for _ in range(4):
        for lay in layers[1:]:
            _sort(lay, vpreds, pos)
        for lay in reversed(layers[:-1]):
            _sort(lay, vsuccs, pos)

    def slot(n: str) -> float:
        return NODE_H + GAP_Y if n in g.nodes else DUMMY_H

    height = max((sum(slot(n) for n in lay) - GAP_Y for lay in layers), default=0.0)
    xy: dict[str, tuple[float, float]] = {}  # left x, top y
    x = float(MARGIN)
    for lay in layers:
        widest = max((width[n] for n in lay), default=0.0)
        y = MARGIN + (height - (sum(slot(n) for n in lay) - GAP_Y)) / 2
        for n in lay:
            xy[n] = (x + (widest - width[n]) / 2, y)
            y += slot(n)
        x += widest + GAP_X
    for node in g.nodes.values():
        node.x, node.y = xy[node.id]
    mid = NODE_H / 2
    g.paths = []
    for chain in chains:
        pts: list[tuple[float, float]] = []
        for k, n in enumerate(chain):
            nx, ny = xy[n]
            cy = ny + (mid if n in g.nodes else DUMMY_H / 2 - GAP_Y / 2)
            if k > 0:
                pts.append((nx - (2 if k == len(chain) - 1 else 0), cy))
            if k < len(chain) - 1:
                pts.append((nx + width[n], cy))
        g.paths.append(_smooth(pts))
    g.width = max(x - GAP_X + MARGIN, 2.0 * MARGIN)
    g.height = height + 2 * MARGIN


def _smooth(pts: list[tuple[float, float]]) -> str:
    """An SVG path through (exit, entry) point pairs: curves between layers, straight across waypoints."""
    d = f"M{pts[0][0]:.1f},{pts[0][1]:.1f}"
    for k in range(1, len(pts)):
        (x1, y1), (x2, y2) = pts[k - 1], pts[k]
        if k % 2 == 1:
            m = (x1 + x2) / 2
            d += f" C{m:.1f},{y1:.1f} {m:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
        else:
            d += f" L{x2:.1f},{y2:.1f}"
    return d


def _topo(g: Graph, preds: dict[str, list[str]], succs: dict[str, list[str]]) -> list[str]:
    indeg = {n: len(set(preds[n])) for n in g.nodes}
    ready = sorted(n for n, d in indeg.items() if d == 0)
    out: list[str] = []
    while ready:
        n = ready.pop(0)
        out.append(n)
        for s in dict.fromkeys(succs[n]):
            indeg[s] -= 1
            if indeg[s] == 0:
                ready.append(s)
    out += [n for n in g.nodes if n not in set(out)]  # a cycle (should not happen): keep every node
    return out


def _sort(lay: list[str], nbrs: dict[str, list[str]], pos: dict[str, float]) -> None:
    def bary(n: str) -> float:
        ps = [pos[p] for p in nbrs[n] if p in pos]
        return sum(ps) / len(ps) if ps else pos[n]

    lay.sort(key=lambda n: (bary(n), pos[n]))
    for i, n in enumerate(lay):
        pos[n] = float(i)


# -- output ---------------------------------------------------------------------------------------
ROLE_FILL = {"source-data": "#dbeafe", "intermediate-data": "#fef3c7", "code": "#e0e7ff",
             "results": "#dcfce7", "": "#f3f4f6"}
STEP_FILL = "#fde2e4"


def to_dot(g: Graph) -> str:
    def q(s: str) -> str:
        return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

    lines = ["digraph lineage {", "  rankdir=LR;", f"  label={q(g.title)};",
             '  node [fontname="Helvetica", fontsize=10, style=filled];']
    for n in g.nodes.values():
        shape = "box" if n.kind == "step" else "ellipse"
        fill = STEP_FILL if n.kind == "step" else ROLE_FILL.get(n.role, ROLE_FILL[""])
        label = n.label + "\n" + n.sublabel
        if n.kind == "step" and n.details.get("parameters"):  # parameters are part of what a step was
            label += "\n" + params_text(n.details["parameters"])
        lines.append(f"  {q(n.id)} [label={q(label)}, tooltip={q(details_text(n.details))}, shape={shape}, "
                     f"fillcolor={q(fill)}];")
    for e in g.edges:
        style = ", style=dashed" if e.kind == "code" else ""
        lines.append(f"  {q(e.source)} -> {q(e.target)} [label={q(e.kind)}{style}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def params_text(p: dict[str, Any]) -> str:
    return ", ".join(f"{k}={json.dumps(v, sort_keys=True, default=str)}" for k, v in sorted(p.items()))


def details_text(details: dict[str, Any]) -> str:
    """A node's details, one `key: value` per line (parameters as k=v)."""
    return "\n".join(f"{k}: {params_text(v) if k == 'parameters' and isinstance(v, dict) else v}"
                     for k, v in details.items())


def to_svg(g: Graph) -> str:
    esc = html.escape
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="lineage" width="{g.width:.0f}" '
             f'height="{g.height:.0f}" viewBox="0 0 {g.width:.0f} {g.height:.0f}" font-family="Helvetica, Arial, '
             'sans-serif" font-size="12">',
             f"<title>{esc(g.title)}</title>",
             '<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" '
             'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#555"/></marker></defs>']
    for e, d in zip(g.edges, g.paths, strict=True):
        dash = ' stroke-dasharray="5,4"' if e.kind == "code" else ""
        parts.append(f'<path class="edge {e.kind}" d="{d}" fill="none" stroke="#555" '
                     f'stroke-width="1.4"{dash} marker-end="url(#arrow)"/>')
    for n in g.nodes.values():
        fill = STEP_FILL if n.kind == "step" else ROLE_FILL.get(n.role, ROLE_FILL[""])
        rx = 4 if n.kind == "step" else 20
        tip = details_text(n.details)
        parts.append(
            f'<g class="node {n.kind}" data-id="{esc(n.id)}"><title>{esc(tip)}</title>'
            f'<rect x="{n.x:.1f}" y="{n.y:.1f}" width="{n.w:.1f}" height="{NODE_H}" rx="{rx}" fill="{fill}" '
            f'stroke="#333"/>'
            f'<text x="{n.x + n.w / 2:.1f}" y="{n.y + 19:.1f}" text-anchor="middle" font-weight="bold">'
            f"{esc(n.label)}</text>"
            f'<text x="{n.x + n.w / 2:.1f}" y="{n.y + 36:.1f}" text-anchor="middle" fill="#444">'
            f"{esc(n.sublabel)}</text></g>")
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


_SCRIPT = r"""
(function () {
  var data = JSON.parse(document.getElementById("lineage-data").textContent);
  var NS = "http://www.w3.org/2000/svg", H = data.node_height;
  var fills = {"source-data": "#dbeafe", "intermediate-data": "#fef3c7", "code": "#e0e7ff",
               "results": "#dcfce7", "": "#f3f4f6"};
  function el(name, attrs, parent) {
    var e = document.createElementNS(NS, name);
    for (var k in attrs) { e.setAttribute(k, attrs[k]); }
    if (parent) { parent.appendChild(e); }
    return e;
  }
  var svg = el("svg", {"class": "lineage", width: data.width, height: data.height,
                      viewBox: "0 0 " + data.width + " " + data.height});
  var defs = el("defs", {}, svg);
  var m = el("marker", {id: "arrow", viewBox: "0 0 10 10", refX: 9, refY: 5, markerWidth: 7,
                        markerHeight: 7, orient: "auto-start-reverse"}, defs);
  el("path", {d: "M0,0 L10,5 L0,10 z", fill: "#555"}, m);
  data.edges.forEach(function (e) {
    el("path", {"class": "edge " + e.kind, d: e.d, fill: "none", stroke: "#555", "stroke-width": 1.4,
                "stroke-dasharray": e.kind === "code" ? "5,4" : "none", "marker-end": "url(#arrow)"}, svg);
  });
  var details = document.getElementById("details");
  data.nodes.forEach(function (n) {
    var g = el("g", {"class": "node " + n.kind, "data-id": n.id}, svg);
    el("rect", {x: n.x, y: n.y, width: n.w, height: H, rx: n.kind === "step" ? 4 : 20,
                fill: n.kind === "step" ? "#fde2e4" : (fills[n.role] || fills[""]), stroke: "#333"}, g);
    var t1 = el("text", {x: n.x + n.w / 2, y: n.y + 19, "text-anchor": "middle", "font-weight": "bold"}, g);
    t1.textContent = n.label;
    var t2 = el("text", {x: n.x + n.w / 2, y: n.y + 36, "text-anchor": "middle", fill: "#444"}, g);
    t2.textContent = n.sublabel;
    g.addEventListener("click", function () {
      details.textContent = JSON.stringify(n.details, null, 2);
      Array.prototype.forEach.call(svg.querySelectorAll(".selected"), function (s) {
        s.classList.remove("selected");
      });
      g.classList.add("selected");
    });
  });
  document.getElementById("graph").appendChild(svg);
  document.body.setAttribute("data-rendered", String(data.nodes.length));
})();
"""

_STYLE = """
body { font-family: Helvetica, Arial, sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.3em; } #graph { overflow: auto; border: 1px solid #ddd; }
svg.lineage text { font-size: 12px; pointer-events: none; }
svg.lineage g.node { cursor: pointer; } svg.lineage g.selected rect { stroke-width: 3; }
#details { background: #f8f8f8; padding: .8em; min-height: 2em; }
.legend span { display: inline-block; padding: 2px 8px; margin-right: 6px; border: 1px solid #999; }
"""


def to_html(g: Graph) -> str:
    payload = json.dumps(g.to_json(), sort_keys=True).replace("</", "<\\/")
    legend = "".join(f'<span style="background:{ROLE_FILL[r]}">{r}</span>'
                     for r in ("source-data", "intermediate-data", "code", "results"))
    legend += f'<span style="background:{STEP_FILL}">step</span>'
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        f"<title>{html.escape(g.title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"<h1>{html.escape(g.title)}</h1>\n<p class=\"legend\">{legend}</p>\n"
        "<div id=\"graph\"></div>\n<p>Click a node for its details.</p>\n<pre id=\"details\"></pre>\n"
        f"<noscript>{to_svg(g)}</noscript>\n"
        f"<script id=\"lineage-data\" type=\"application/json\">{payload}</script>\n"
        f"<script>{_SCRIPT}</script>\n</body>\n</html>\n"
    )

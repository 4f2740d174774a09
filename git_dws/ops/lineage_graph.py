"""`git dws lineage graph OUT`: write the lineage graph of a resource (by default the first results
resource that has lineage, else everything) as a self-contained HTML page, DOT or SVG."""

from __future__ import annotations

import os
from dataclasses import dataclass

from ..errors import UsageError
from ..lineage import graph, store
from ..lineage.model import LineageNotFoundError
from ..lineage.records import LineageSet
from ..workspace import Workspace
from .report_lineage import load

FORMATS = ("html", "dot", "svg")


@dataclass(frozen=True, slots=True)
class GraphResult:
    path: str
    format: str
    resources: list[str]
    snapshot: str | None
    nodes: int
    edges: int
    fallback: bool = False  # no current lineage to show: the latest snapshot's was used


def lineage_graph(ws: Workspace, output: str, *, snapshot: str | None = None, resource: str | None = None,
                  fmt: str | None = None) -> GraphResult:
    ext = os.path.splitext(output)[1].lstrip(".").lower()
    fmt = fmt or (ext if ext in FORMATS else "html")
    if fmt not in FORMATS:
        raise UsageError(f"unknown graph format '{fmt}'", f"use one of: {', '.join(FORMATS)}")
    lset, sid, _ = load(ws, snapshot)
    fallback = False
    here = {r.name: r.role for r in ws.config.resources}
    if snapshot is None and not _start(lset, here, resource):
        # right after a snapshot the results' current lineage has moved away with the results: show the
        # latest snapshot's lineage instead (the renderer says so)
        latest = ws.current_snapshot() or _latest(ws)
        frozen = store.load_snapshot(ws, latest) if latest else None
        if frozen is not None and _start(frozen, here, resource):
            lset, sid, fallback = frozen, latest, True
    roles = {r.name: r.role for r in ws.config.resources}
    if sid is not None:
        roles.update({r.name: r.role for r in ws.db.get(sid).content.resources})
    if resource is not None:
        if not lset.refs_for(resource):
            raise LineageNotFoundError(f"no lineage found for resource '{resource}'"
                                       + (f" in snapshot {sid[:12]}" if sid else ""),
                                       "run a step that writes it, or pick another with --resource")
        start = [resource]
    else:
        results = [n for n in lset.resources() if roles.get(n) == "results"]
        start = results[:1] or lset.resources()
        if not start:
            raise LineageNotFoundError("no lineage recorded" + (f" in snapshot {sid[:12]}" if sid else ""),
                                       "record steps with the lineage API or `git dws run`")
    where = f"snapshot {sid[:12]}" if sid else "current state"
    g = graph.build(lset, start, roles, f"Lineage of {', '.join(start)} ({ws.config.name}, {where})")
    text = {"html": graph.to_html, "dot": graph.to_dot, "svg": graph.to_svg}[fmt](g)
    parent = os.path.dirname(os.path.abspath(output))
    if not os.path.isdir(parent):
        raise UsageError(f"directory {parent} does not exist", "create it, or write the graph elsewhere")
    with open(output, "w", encoding="utf-8") as f:
        f.write(text)
    return GraphResult(output, fmt, start, sid, len(g.nodes), len(g.edges), fallback)


def _start(lset: LineageSet, roles: dict[str, str], resource: str | None) -> list[str]:
    """What the graph starts from: the resource asked for, else the first results resource with
    lineage; empty when the lineage has none of it."""
    if resource is not None:
        return [resource] if lset.refs_for(resource) else []
    return [n for n in lset.resources() if roles.get(n) == "results"][:1]


def _latest(ws: Workspace) -> str | None:
    ids = ws.db.ids()
    return max(ids, key=lambda i: ws.db.get(i).meta.number) if ids else None

"""Renderers for lineage, results and comparison reports, `git dws run` and `git dws lineage graph`:
rich tables on a terminal, aligned text in pipes, stable JSON with --json."""

from __future__ import annotations

from typing import Any

from ..model.numbers import fmt_change, fmt_value
from ..ops.compare import Comparison
from ..ops.lineage_graph import GraphResult
from ..ops.report_lineage import LineageReport
from ..ops.report_results import ResultsReport
from ..ops.run import RunResult
from .console import emit_json, err, out, table


def lineage(r: LineageReport, as_json: bool) -> None:
    if as_json:
        emit_json(r.to_json())
        return
    where = f"snapshot {r.snapshot[:12]}" + (f" ({', '.join(r.tags)})" if r.tags else "") if r.snapshot \
        else "current state"
    if not r.rows:
        out(f"No lineage recorded ({where}).")
        return
    rows = [[row.resource, row.type, row.details, ", ".join(row.inputs) if row.inputs is not None else "",
             ", ".join(row.code or []), params(row.parameters)] for row in r.rows]
    table(f"Lineage, {where}", ["Resource", "Type", "Details", "Inputs", "Code", "Parameters"], rows)


def params(p: dict[str, Any] | None) -> str:
    return ", ".join(f"{k}={value(v)}" for k, v in sorted(p.items())) if p else ""


def value(v: Any) -> str:
    return fmt_value(v)


def results(r: ResultsReport, as_json: bool) -> None:
    if r.fallback:
        err("Did not find a results.json file in the workspace, checking the most recent snapshot...")
    if as_json:
        emit_json(r.to_json())
        return
    for i, f in enumerate(r.files):
        if i:
            out()
        out(f"Results file at {f.location}" + (f" (snapshot {r.snapshot[:12]})" if r.snapshot else ""))
        general = [[k, value(v)] for k, v in f.data.items() if k not in ("parameters", "metrics")]
        if general:
            table("General Properties", ["Property", "Value"], general)
        params = f.data.get("parameters")
        if isinstance(params, dict) and params:
            table("Parameters", ["Parameter", "Value"], [[k, value(v)] for k, v in params.items()])
        metrics = f.data.get("metrics")
        if isinstance(metrics, dict):
            flat = [[k, value(v)] for k, v in metrics.items() if not isinstance(v, dict)]
            if flat:
                table("Metrics", ["Metric", "Value"], flat, right=(1,))
            for k, v in metrics.items():
                if isinstance(v, dict):
                    table(f"Metrics: {k}", ["Name", "Value"], [[str(kk), value(vv)] for kk, vv in v.items()],
                          right=(1,))


def compare(c: Comparison, as_json: bool) -> None:
    if as_json:
        emit_json(c.to_json())
        return
    n = len(c.columns)
    heads = ["", *(col.title for col in c.columns)]
    info = [["snapshot", *(col.id[:12] for col in c.columns)], ["number", *(str(col.number) for col in c.columns)],
            ["created", *(col.timestamp.replace("T", " ")[:19] for col in c.columns)]]
    table("Snapshots", heads, info)
    with_change = n > 1
    change_head = ["Change" if n == 2 else f"Change ({c.columns[0].title} to {c.columns[-1].title})"]
    for title, rows in (("Metrics", c.metrics), ("Parameters", c.parameters)):
        if not rows:
            out(f"No {title.lower()} recorded.")
            continue
        body = [[("* " if c.differs(vals) else "  ") + name, *(value(v) for v in vals),
                 *([fmt_change(c.change(vals))] if with_change else [])] for name, vals in rows.items()]
        table(title, [*heads, *(change_head if with_change else [])], body,
              right=range(1, n + 1 + int(with_change)))
    if any(c.differs(v) for d in (c.metrics, c.parameters) for v in d.values()):
        out("* differs between the snapshots")


def run(r: RunResult) -> None:
    if r.recorded:
        outs = ", ".join(r.outputs) or "no outputs"
        ins = ", ".join(r.inputs) or "no inputs"
        err(f"Recorded step {r.step} ({r.seconds:.1f}s): {ins} -> {outs}.")
    else:
        err(f"Step {r.step} failed (exit status {r.returncode}); no lineage recorded"
            + (f", lineage of {', '.join(r.outputs)} forgotten." if r.outputs else "."))


def graph(r: GraphResult) -> None:
    if r.fallback:
        err(f"No current lineage for {', '.join(r.resources)} (its results moved into a snapshot): "
            f"showing the lineage of the latest snapshot, {r.snapshot[:12] if r.snapshot else '?'}.")
    where = f" as of snapshot {r.snapshot[:12]}" if r.snapshot else ""
    out(f"Wrote the lineage graph of {', '.join(r.resources)}{where} to {r.path} "
        f"({r.format}, {r.nodes} nodes, {r.edges} edges).")


def cleared(names: list[str]) -> None:
    out(f"Forgot the current lineage of {', '.join(names)}." if names else "No current lineage to forget.")

"""Jupyter kit: IPython magics for the workspace and NotebookLineageBuilder (`pip install 'git-dws[jupyter]'`).

    %load_ext git_dws.kits.jupyter
    %dws_info                              the workspace, its resources, this notebook's path
    %dws_snapshot [-m MSG] [-t TAG]        take a snapshot (save the notebook first)
    %dws_history [--max-count N] [--metrics A,B] [--params P,Q] [--plot METRIC]
    %dws_lineage_table [--snapshot S]
    %dws_lineage_graph [--resource R] [--snapshot S]
    %dws_results [--resource R] [--snapshot S]

Each shows a table (or an inline SVG chart or graph) as HTML, with a text/plain copy for consoles and
converted notebooks. Setting the environment variable DWS_MAGIC_DISABLE (to anything but "", 0 or false)
before `%load_ext` turns them into silent no-ops, for notebooks run where there is no workspace.

The original found the notebook's path by asking the classic Notebook server from the browser, so it
failed in JupyterLab and headless runs. Here the path comes from the kernel's side, first found of:
1. the environment variable `DWS_NOTEBOOK_PATH` (set it for nbclient, papermill or `jupyter nbconvert
   --execute`, which tell the kernel nothing);
2. `JPY_SESSION_NAME`, which jupyter_server (JupyterLab, Notebook 7) sets for each kernel to the notebook
   path, and `__session__`, the copy ipykernel puts in the user namespace (relative paths are tried
   against the kernel's working directory, the notebook's own directory);
3. the only `*.ipynb` in the kernel's working directory.
`notebook_path()` returns the path and which of these gave it.
"""

from __future__ import annotations

import argparse
import os
import shlex
import tempfile
from collections.abc import Callable
from typing import Any

from IPython.core.error import UsageError as IPythonUsageError
from IPython.core.magic import Magics, line_magic, magics_class
from IPython.display import display

from ..errors import DwsError
from ..lineage.api import LineageBuilder
from ..lineage.model import LineageError
from ..model.numbers import fmt_value
from . import common
from .html import Output

__all__ = ["DwsMagics", "NotebookLineageBuilder", "get_notebook_directory", "get_step_name_for_notebook",
           "is_notebook", "load_ipython_extension", "notebook_path"]


# -- where the notebook is ---------------------------------------------------------------------------
def _ipython() -> Any:
    from IPython import get_ipython

    return get_ipython()


def is_notebook() -> bool:
    """True in a Jupyter kernel (not in a terminal IPython or a plain interpreter)."""
    shell = _ipython()
    return shell is not None and type(shell).__name__ == "ZMQInteractiveShell"


def _resolve(path: str) -> str | None:
    if os.path.isabs(path):
        return path if os.path.isfile(path) else None
    for candidate in (os.path.abspath(path), os.path.abspath(os.path.basename(path))):
        if os.path.isfile(candidate):
            return candidate
    return None


def notebook_path() -> tuple[str | None, str]:
    """(absolute path of the running notebook or None, where it came from)."""
    env = os.environ.get("DWS_NOTEBOOK_PATH")
    if env:
        return os.path.abspath(os.path.expanduser(env)), "DWS_NOTEBOOK_PATH"
    session = os.environ.get("JPY_SESSION_NAME")
    if session and (found := _resolve(session)):
        return found, "JPY_SESSION_NAME"
    shell = _ipython()
    ns_session = shell.user_ns.get("__session__") if shell is not None else None
    if isinstance(ns_session, str) and ns_session and (found := _resolve(ns_session)):
        return found, "__session__"
    here = sorted(f for f in os.listdir(".") if f.endswith(".ipynb"))
    if len(here) == 1:
        return os.path.abspath(here[0]), "the only notebook in the working directory"
    return None, "unknown (set DWS_NOTEBOOK_PATH)"


def get_step_name_for_notebook() -> str | None:
    path, _ = notebook_path()
    return os.path.splitext(os.path.basename(path))[0] if path else None


def get_notebook_directory() -> str:
    path, _ = notebook_path()
    return os.path.dirname(path) if path else os.getcwd()


class NotebookLineageBuilder(LineageBuilder):
    """A LineageBuilder for a notebook: the step is named after the notebook, the notebook is its code
    (recorded when it lies in a code resource), and it writes results to `results_dir`."""

    def __init__(self, results_dir: str | os.PathLike[str], step_name: str | None = None,
                 run_description: str | None = None) -> None:
        super().__init__()
        path, _ = notebook_path()
        name = step_name or get_step_name_for_notebook()
        if name is None:
            raise LineageError("cannot tell this notebook's name", "set DWS_NOTEBOOK_PATH, or pass step_name=")
        self.with_step_name(name)
        self.current_directory = os.getcwd()
        if path is not None:
            self.script_code.append(path)
        self.as_results_step(results_dir, run_description)


# -- the magics --------------------------------------------------------------------------------------
def _show(out: Output) -> None:
    display(out.bundle(), raw=True)


def _parser(prog: str) -> argparse.ArgumentParser:
    return argparse.ArgumentParser(prog=f"%{prog}", add_help=False, exit_on_error=False)


def _names(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


def _magic(fn: Callable[[DwsMagics, argparse.Namespace], Output | None],
           parser: argparse.ArgumentParser) -> Callable[[DwsMagics, str], None]:
    """Parse the line, run, show the output; errors as a one-line UsageError (no traceback)."""

    def run(self: DwsMagics, line: str) -> None:
        if self.disabled:
            return
        try:
            args = parser.parse_args(shlex.split(line))
        except (argparse.ArgumentError, SystemExit) as e:
            raise IPythonUsageError(f"{parser.prog}: {e}\nusage: {parser.format_usage().strip()}") from None
        try:
            out = fn(self, args)
        except DwsError as e:
            raise IPythonUsageError(e.message + (f"\nhint: {e.hint}" if e.hint else "")) from None
        if out is not None:
            _show(out)

    run.__name__ = parser.prog.lstrip("%")  # IPython registers a magic under its function name
    run.__doc__ = fn.__doc__
    return run


def _info(self: DwsMagics, a: argparse.Namespace) -> Output:
    """The workspace, its resources and this notebook's path."""
    ws = common.workspace()
    path, source = notebook_path()
    out = Output().heading(f"Workspace {ws.config.name} at {ws.root}")
    out.para(f"Notebook: {path or 'unknown'} (from {source})")
    rows = [[r.name, r.role, r.type, r.path] for r in ws.config.resources]
    return out.table("Resources", ["Resource", "Role", "Type", "Path"], rows)


def _snapshot(self: DwsMagics, a: argparse.Namespace) -> Output:
    """Take a snapshot of the workspace (save the notebook first: a kernel cannot)."""
    from ..ops.snapshot import take_snapshot

    r = take_snapshot(common.workspace(), a.tag, a.message or "")
    tag = f" tagged '{r.tag}'" if r.tag else ""
    out = Output().para(f"{'Took' if r.new else 'Updated'} snapshot {r.id[:12]}{tag} (#{r.number}).")
    if r.results_moved:
        out.para(f"Moved {r.results_moved} result file(s) to {r.results_dir}.")
    return out


def _history(self: DwsMagics, a: argparse.Namespace) -> Output:
    """Snapshots, newest first, with their metrics and parameters; --plot METRIC draws one inline."""
    from ..model import plot
    from ..ops.history import history_table, metric_series

    ws = common.workspace()
    out = Output()
    if a.plot:
        series = metric_series(ws, a.plot, a.max_count)
        points = [(p.label, p.value) for p in series.points]
        text = "\n".join(f"  {label}: {fmt_value(v)}" for label, v in points)
        out.raw(plot.to_svg(a.plot, points, f"{a.plot} across snapshots ({ws.config.name})"),
                f"{a.plot} across snapshots, oldest first:\n{text}")
        return out
    h = history_table(ws, a.max_count, metrics=_names(a.metrics) if a.metrics is not None else None,
                      params=_names(a.params) if a.params is not None else None)
    heads = ["#", "Hash", "Tags", "Created", *h.metric_names, *(f"params.{p}" for p in h.param_names), "Message"]
    rows = [[str(r.snap.meta.number), r.snap.id[:7], ", ".join(r.snap.meta.tags),
             r.snap.meta.timestamp.replace("T", " ")[:19], *(fmt_value(r.metrics.get(k)) for k in h.metric_names),
             *(fmt_value(r.params.get(k)) for k in h.param_names), r.snap.meta.message] for r in h.rows]
    n = len(h.metric_names) + len(h.param_names)
    out.table(f"Snapshot history of {ws.config.name} ({h.total} snapshots)", heads, rows, right=range(4, 4 + n))
    return out


def _lineage_table(self: DwsMagics, a: argparse.Namespace) -> Output:
    """The lineage of each resource, current or as of a snapshot."""
    from ..ops.report_lineage import lineage_report

    r = lineage_report(common.workspace(), a.snapshot)
    where = f"snapshot {r.snapshot[:12]}" if r.snapshot else "current state"
    rows = [[row.resource, row.type, row.details, ", ".join(row.inputs) if row.inputs else ""] for row in r.rows]
    if not rows:
        return Output().para(f"No lineage recorded ({where}).")
    return Output().table(f"Lineage, {where}", ["Resource", "Type", "Details", "Inputs"], rows)


def _lineage_graph(self: DwsMagics, a: argparse.Namespace) -> Output:
    """The lineage graph, inline as SVG."""
    from ..ops.lineage_graph import lineage_graph

    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "graph.svg")
        g = lineage_graph(common.workspace(), path, snapshot=a.snapshot, resource=a.resource, fmt="svg")
        with open(path, encoding="utf-8") as f:
            svg = f.read()
    svg = svg[svg.index("<svg"):] if "<svg" in svg else svg  # drop the XML prolog inside HTML
    return Output().raw(svg, f"Lineage graph of {', '.join(g.resources)}: {g.nodes} nodes, {g.edges} edges")


def _results(self: DwsMagics, a: argparse.Namespace) -> Output:
    """The results.json of the workspace or of a snapshot, as tables."""
    from ..ops.report_results import results_report

    r = results_report(common.workspace(), a.snapshot, a.resource)
    out = Output()
    for f in r.files:
        out.heading(f"Results file at {f.location}" + (f" (snapshot {r.snapshot[:12]})" if r.snapshot else ""))
        general = [[k, fmt_value(v)] for k, v in f.data.items() if k not in ("parameters", "metrics")]
        if general:
            out.table("General Properties", ["Property", "Value"], general)
        params = f.data.get("parameters")
        if isinstance(params, dict) and params:
            out.table("Parameters", ["Parameter", "Value"], [[k, fmt_value(v)] for k, v in params.items()])
        metrics = f.data.get("metrics")
        if isinstance(metrics, dict):
            flat = [[k, fmt_value(v)] for k, v in metrics.items() if not isinstance(v, dict)]
            if flat:
                out.table("Metrics", ["Metric", "Value"], flat, right=(1,))
            for k, v in metrics.items():
                if isinstance(v, dict):
                    out.table(f"Metrics: {k}", ["Name", "Value"], [[str(kk), fmt_value(vv)] for kk, vv in v.items()],
                              right=(1,))
    return out


def _parsers() -> dict[str, argparse.ArgumentParser]:
    p = {name: _parser(name) for name in ("dws_info", "dws_snapshot", "dws_history", "dws_lineage_table",
                                          "dws_lineage_graph", "dws_results")}
    p["dws_snapshot"].add_argument("-m", "--message")
    p["dws_snapshot"].add_argument("-t", "--tag")
    h = p["dws_history"]
    h.add_argument("--max-count", type=int, metavar="N")
    h.add_argument("--metrics", metavar="A,B")
    h.add_argument("--params", metavar="P,Q")
    h.add_argument("--plot", metavar="METRIC")
    for name in ("dws_lineage_table", "dws_lineage_graph", "dws_results"):
        p[name].add_argument("--snapshot", metavar="S")
    for name in ("dws_lineage_graph", "dws_results"):
        p[name].add_argument("--resource", metavar="R")
    return p


_P = _parsers()


def disabled_by_environment() -> bool:
    return os.environ.get("DWS_MAGIC_DISABLE", "").strip().lower() not in ("", "0", "false", "no")


@magics_class
class DwsMagics(Magics):  # type: ignore[misc]
    """The %dws_* line magics."""

    def __init__(self, shell: Any, disabled: bool = False) -> None:
        super().__init__(shell)
        self.disabled = disabled

    dws_info = line_magic(_magic(_info, _P["dws_info"]))
    dws_snapshot = line_magic(_magic(_snapshot, _P["dws_snapshot"]))
    dws_history = line_magic(_magic(_history, _P["dws_history"]))
    dws_lineage_table = line_magic(_magic(_lineage_table, _P["dws_lineage_table"]))
    dws_lineage_graph = line_magic(_magic(_lineage_graph, _P["dws_lineage_graph"]))
    dws_results = line_magic(_magic(_results, _P["dws_results"]))


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext git_dws.kits.jupyter`."""
    ipython.register_magics(DwsMagics(ipython, disabled=disabled_by_environment()))

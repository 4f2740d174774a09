"""Lineage commands: `run`, `lineage graph|clear`, the reports `lineage`, `results` and `compare`, and
`add api-resource`. The last two families hang off the `report` and `add` commands that core.py
registers, so this module is listed after it in MODULES."""

from __future__ import annotations

import argparse
import os
from typing import Any

from .common import Parser, positive_int, workspace


def _subcommands(sub: Any, name: str, help: str) -> Any:
    """The subcommand table of command `name` (created by an earlier module), or a new one."""
    parser = sub.choices.get(name)
    if parser is None:
        parser = sub.add_parser(name, help=help)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    return parser.add_subparsers(dest=name, metavar=name.upper(), parser_class=Parser, required=True)


def register(sub: Any) -> None:
    c = sub.add_parser("run", help="run a command and record its lineage",
                       usage="git dws run [--step NAME] [--input RES[:PATH]]... [--output RES[:PATH]]... "
                             "[--param K=V]... -- CMD [ARGS...]",
                       description="Run CMD and record it as a step: its inputs, outputs, parameters, code and "
                                   "command line become the lineage of each output.")
    c.add_argument("--step", metavar="NAME", help="step name (default: the command's or script's name)")
    c.add_argument("--input", action="append", default=[], metavar="RES[:PATH]", help="an input (repeatable)")
    c.add_argument("--output", action="append", default=[], metavar="RES[:PATH]", help="an output (repeatable)")
    c.add_argument("--param", action="append", default=[], metavar="K=V", help="a parameter (repeatable)")
    c.add_argument("command", nargs=argparse.REMAINDER, metavar="-- CMD ARGS")
    c.set_defaults(func=cmd_run)

    c = sub.add_parser("lineage", help="lineage graph, clear")
    lsub = c.add_subparsers(dest="lineage", metavar="ACTION", parser_class=Parser, required=True)
    g = lsub.add_parser("graph", help="write the lineage graph as HTML, DOT or SVG")
    g.add_argument("output", metavar="OUTPUT_FILE")
    g.add_argument("--snapshot", metavar="S", help="as of this snapshot (default: the current lineage)")
    g.add_argument("--resource", metavar="R", help="whose lineage (default: the first results resource)")
    g.add_argument("--format", choices=("html", "dot", "svg"), help="default: from OUTPUT_FILE's extension, else html")
    g.add_argument("--width", type=int, default=1024, help=argparse.SUPPRESS)  # the original's; layout is automatic
    g.add_argument("--height", type=int, default=800, help=argparse.SUPPRESS)
    g.set_defaults(func=cmd_graph)
    g = lsub.add_parser("clear", help="forget the current lineage of resources (all when none named)")
    g.add_argument("resources", nargs="*", metavar="RESOURCE")
    g.set_defaults(func=cmd_clear)

    rsub = _subcommands(sub, "report", "reports")
    r = rsub.add_parser("lineage", help="what made each resource: steps, inputs and versions")
    r.add_argument("--snapshot", metavar="S", help="as of this snapshot (default: the current lineage)")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=cmd_report_lineage)
    r = rsub.add_parser("results", help="the results.json of the workspace or of a snapshot")
    r.add_argument("--snapshot", metavar="S")
    r.add_argument("--resource", metavar="R")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=cmd_report_results)
    r = rsub.add_parser("compare", help="metrics and parameters of snapshots side by side")
    r.add_argument("snapshots", nargs="+", metavar="S")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=cmd_compare)
    r = rsub.add_parser("plot", help="one metric across snapshots: a text chart, or an HTML page with --html")
    r.add_argument("metric", metavar="METRIC", help="a metric name (nested ones dotted: report.accuracy)")
    r.add_argument("--html", metavar="FILE", help="write a self-contained HTML page with an SVG chart")
    r.add_argument("--limit", type=positive_int, metavar="N", help="the newest N snapshots only")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=cmd_plot)

    asub = _subcommands(sub, "add", "add a resource")
    a = asub.add_parser("api-resource", help="data fetched from an API, versioned by a hash a step supplies")
    a.add_argument("--role", required=True, help="source-data or intermediate-data (s/i)")
    a.add_argument("--name", help="resource name (default: ROLE-api)")
    a.set_defaults(func=cmd_add_api)


def cmd_run(a: argparse.Namespace) -> int:
    from ..ops.run import run_step
    from ..ui import lineage as render

    command = list(a.command)
    if command and command[0] == "--":
        command = command[1:]
    r = run_step(workspace(), command, step=a.step, inputs=a.input, outputs=a.output, params=a.param,
                 cwd=os.getcwd())
    render.run(r)
    return r.returncode


def cmd_graph(a: argparse.Namespace) -> int:
    from ..ops.lineage_graph import lineage_graph
    from ..ui import lineage as render

    render.graph(lineage_graph(workspace(), a.output, snapshot=a.snapshot, resource=a.resource, fmt=a.format))
    return 0


def cmd_clear(a: argparse.Namespace) -> int:
    from ..lineage.store import clear
    from ..ui import lineage as render

    render.cleared(clear(workspace(), a.resources))
    return 0


def cmd_report_lineage(a: argparse.Namespace) -> int:
    from ..ops.report_lineage import lineage_report
    from ..ui import lineage as render

    render.lineage(lineage_report(workspace(), a.snapshot), a.json)
    return 0


def cmd_report_results(a: argparse.Namespace) -> int:
    from ..ops.report_results import results_report
    from ..ui import lineage as render

    render.results(results_report(workspace(), a.snapshot, a.resource), a.json)
    return 0


def cmd_compare(a: argparse.Namespace) -> int:
    from ..ops.compare import compare
    from ..ui import lineage as render

    render.compare(compare(workspace(), a.snapshots), a.json)
    return 0


def cmd_plot(a: argparse.Namespace) -> int:
    from ..ops.plot import plot
    from ..ui import render

    render.plot(plot(workspace(), a.metric, html=a.html, limit=a.limit), a.json)
    return 0


def cmd_add_api(a: argparse.Namespace) -> int:
    from ..model.names import parse_role
    from ..ops.add_api import add_api_resource

    r = add_api_resource(workspace(), role=parse_role(a.role), name=a.name)
    print(f"Added resource {r.name} ({r.type}, {r.role}).")
    return 0

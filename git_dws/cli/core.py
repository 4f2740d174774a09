"""The core commands: init, add, snapshot, restore, status, report, diff, delete-snapshot, config."""

from __future__ import annotations

import argparse
import os
from typing import Any

from .common import Parser, ProgressBar, confirm, csv, names, positive_int, workspace


def register(sub: Any) -> None:

    c = sub.add_parser("init", help="make this directory a workspace")
    c.add_argument("name", nargs="?", help="workspace name (default: directory name)")
    c.add_argument("--hostname", help="this machine's name in snapshots (default: from the system)")
    c.add_argument("--create-resources", metavar="ROLES",
                   help="comma list of roles (code,source-data,intermediate-data,results) or 'all'")
    c.add_argument("--scratch-directory", metavar="DIR", help="git-ignored scratch directory")
    c.add_argument("--no-hooks", action="store_true", help="do not install the git hooks (see `git dws hooks`)")
    c.set_defaults(func=cmd_init)

    c = sub.add_parser("add", help="add a resource")
    asub = c.add_subparsers(dest="kind", metavar="TYPE", parser_class=Parser, required=True)
    a = asub.add_parser("git", help="a subdirectory of the workspace, held by git")
    a.add_argument("path")
    _common_add(a)
    a.add_argument("-r", "--read-only", action="store_true", help="never modify (external repos only)")
    a.add_argument("--branch", help="branch of an external repository (default: its current branch)")
    _lineage_flags(a)
    a.set_defaults(func=cmd_add_git)
    a = asub.add_parser("local-files", help="a directory git does not hold (git-ignored if inside)")
    a.add_argument("path")
    _common_add(a)
    a.add_argument("--no-store", action="store_true",
                   help="record hashes only, do not copy content into the store (restore only verifies)")
    a.add_argument("--compute-hash", action="store_true", help="accepted for compatibility; always on")
    _lineage_flags(a)
    a.set_defaults(func=cmd_add_local)
    from . import collab

    collab.register_add(asub, _common_add)  # rclone, s3

    c = sub.add_parser("snapshot", help="record the state of every resource")
    c.add_argument("tag", nargs="?", help="a tag for the snapshot (an annotated git tag)")
    c.add_argument("-m", "--message", default="", help="a message for the snapshot")
    c.set_defaults(func=cmd_snapshot)

    c = sub.add_parser("restore", help="bring resources back to a snapshot")
    c.add_argument("snapshot", metavar="TAG_OR_ID")
    g = c.add_mutually_exclusive_group()
    g.add_argument("--only", type=names, metavar="R1,R2", help="restore only these (implies --strict)")
    g.add_argument("--leave", type=names, metavar="R1,R2", help="restore all but these")
    c.add_argument("--strict", action="store_true", help="fail rather than skip a resource")
    c.add_argument("--force", action="store_true", help="discard changes that no snapshot holds")
    c.set_defaults(func=cmd_restore)

    c = sub.add_parser("status", help="what changed since the current snapshot")
    c.add_argument("-v", "--verbose", dest="paths", action="store_true",
                   help="list the changed paths of each resource")
    g = c.add_mutually_exclusive_group()
    g.add_argument("--json", action="store_true")
    g.add_argument("--porcelain", action="store_true",
                   help="for scripts: one line per changed path, CODE<TAB>RESOURCE<TAB>PATH")
    c.add_argument("--exit-code", action="store_true", help="exit 1 if anything changed, else 0")
    c.set_defaults(func=cmd_status)

    c = sub.add_parser("report", help="reports: status, history, lineage, results, compare, plot")
    rsub = c.add_subparsers(dest="report", metavar="REPORT", parser_class=Parser, required=True)
    r = rsub.add_parser("status", help="the workspace's resources")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=cmd_report_status)
    r = rsub.add_parser("history", help="snapshots, newest first, with their metrics and parameters")
    r.add_argument("rev", nargs="?", metavar="REV", help="snapshots of commits reachable from REV (default HEAD)")
    r.add_argument("--all", action="store_true", help="every snapshot, of any branch or commit")
    r.add_argument("--limit", type=positive_int, metavar="N")
    r.add_argument("--metrics", type=csv, metavar="M,N", help="these metrics only ('' for none)")
    r.add_argument("--params", type=csv, metavar="P,Q", help="these parameters only ('' for none)")
    r.add_argument("--json", action="store_true")
    r.set_defaults(func=cmd_history)

    c = sub.add_parser("diff", help="file-level differences: snapshot against working state, or two snapshots")
    c.add_argument("old", metavar="S1", nargs="?", help="default: the current snapshot")
    c.add_argument("new", metavar="S2", nargs="?", help="default: the working state")
    g = c.add_mutually_exclusive_group()
    g.add_argument("--stat", dest="style", action="store_const", const="stat", help="counts (default)")
    g.add_argument("--name-status", dest="style", action="store_const", const="name-status",
                   help="one line per file: A/M/D/R, resource, path")
    g.add_argument("-v", "--verbose", dest="style", action="store_const", const="paths",
                   help="counts, and the paths under each resource")
    c.add_argument("--json", action="store_true")
    c.add_argument("--exit-code", action="store_true", help="exit 1 if there are differences, else 0")
    c.set_defaults(func=cmd_diff, style="stat")

    c = sub.add_parser("delete-snapshot", help="delete a snapshot, its tags and notes")
    c.add_argument("snapshot", metavar="TAG_OR_ID")
    c.add_argument("--no-include-resources", action="store_true",
                   help="keep the results directory the snapshot moved files into")
    c.set_defaults(func=cmd_delete)

    c = sub.add_parser("config", help="show or set parameters")
    c.add_argument("--resource", metavar="R")
    c.add_argument("name", nargs="?")
    c.add_argument("value", nargs="?")
    c.set_defaults(func=cmd_config)


def _common_add(a: argparse.ArgumentParser) -> None:
    a.add_argument("--role", help="source-data, intermediate-data, code or results (s/i/c/r)")
    a.add_argument("--name", help="resource name (default: the directory name)")


def _lineage_flags(a: argparse.ArgumentParser) -> None:
    a.add_argument("-e", "--export", action="store_true",
                   help="write lineage.json at the resource root at each snapshot (intermediate-data, results)")
    a.add_argument("--imported", action="store_true",
                   help="read lineage.json exported by another workspace (implies --role source-data)")


def _role(value: str | None) -> str:
    from ..errors import BatchModeError
    from ..model.names import ROLES, parse_role

    if value:
        return parse_role(value)
    if confirm() is None:
        raise BatchModeError("--role is required", f"add --role with one of: {', '.join(ROLES)}")
    return parse_role(input(f"Role ({', '.join(ROLES)}): "))


# -- commands ----------------------------------------------------------------------------------------
def cmd_init(a: argparse.Namespace) -> int:
    from ..model.names import parse_roles
    from ..ops.init import init

    roles = parse_roles(a.create_resources) if a.create_resources else []
    r = init(os.getcwd(), a.name, hostname=a.hostname, roles=roles, scratch=a.scratch_directory)
    if not r.created_repo:
        print(f"{r.root} is already a git repository, will just add to it.")
    print(f"Workspace {r.name} initialized successfully.")
    if not a.no_hooks:
        from .hooks import install_after_init

        install_after_init(r.root)
    return 0


def cmd_add_git(a: argparse.Namespace) -> int:
    from ..ops.add import add_git

    r = add_git(workspace(), a.path, role=_role(a.role or ("source-data" if a.imported else None)), name=a.name,
                read_only=a.read_only, branch=a.branch, confirm=confirm(), export=a.export, imported=a.imported)
    print(f"Added resource {r.name} ({r.type}, {r.role}) at {r.path}.")
    return 0


def cmd_add_local(a: argparse.Namespace) -> int:
    from ..ops.add import add_local_files

    r = add_local_files(workspace(), a.path, role=_role(a.role or ("source-data" if a.imported else None)),
                        name=a.name, store=not a.no_store, export=a.export, imported=a.imported)
    print(f"Added resource {r.name} ({r.type}, {r.role}) at {r.path}.")
    return 0


def cmd_snapshot(a: argparse.Namespace) -> int:
    from ..ops.snapshot import take_snapshot
    from ..ui import render

    with ProgressBar() as bar:
        r = take_snapshot(workspace(records=True), a.tag, a.message, progress=bar, confirm=confirm())
    render.snapshot(r)
    return 0


def cmd_restore(a: argparse.Namespace) -> int:
    from ..ops.restore import restore
    from ..ui import render

    with ProgressBar() as bar:
        r = restore(workspace(), a.snapshot, only=a.only, leave=a.leave, strict=a.strict, force=a.force,
                    progress=bar, confirm=confirm())
    render.restore(r)
    return 0


def cmd_status(a: argparse.Namespace) -> int:
    from ..ops.status import status
    from ..ui import render

    with ProgressBar() as bar:
        s = status(workspace(), bar)
    if a.porcelain:
        render.porcelain([(r.name, r.changes) for r in s.resources])
    else:
        render.status(s, a.json, a.paths)
    return 1 if a.exit_code and not all(r.changes.clean for r in s.resources) else 0


def cmd_report_status(a: argparse.Namespace) -> int:
    from ..errors import DwsError
    from ..ui import render

    ws = workspace()
    paths = {}
    for r in ws.config.resources:  # an api-resource has no directory; an outside one may have none here
        try:
            paths[r.name] = ws.resource_path(r.name, r.path) if r.path else ""
        except DwsError:
            paths[r.name] = ""
    render.report_status(ws.config, paths, a.json)
    return 0


def cmd_history(a: argparse.Namespace) -> int:
    from ..errors import UsageError
    from ..ops.history import history_table
    from ..ui import render

    if a.all and a.rev:
        raise UsageError("REV and --all cannot be used together", "give one of them")
    ws = workspace()
    rev = None if a.all else a.rev or "HEAD"
    render.history(history_table(ws, a.limit, metrics=a.metrics, params=a.params, rev=rev), a.json)
    _hint_pending(ws)
    return 0


def _hint_pending(ws: Any) -> None:
    """Snapshots plain git brought but nobody merged (issue 9): say the one command that fixes it."""
    from ..ops.resolve import pending_hint
    from ..ui.console import err

    hint = pending_hint(ws)
    if hint:
        err(f"hint: {hint}")


def cmd_diff(a: argparse.Namespace) -> int:
    from ..ops.diff import diff
    from ..ui import render

    with ProgressBar() as bar:
        d = diff(workspace(), a.old, a.new, bar)
    render.diff(d, a.style, a.json)
    return 1 if a.exit_code and not d.clean else 0


def cmd_delete(a: argparse.Namespace) -> int:
    from ..ops.delete import delete_snapshot
    from ..ui import render

    render.delete(delete_snapshot(workspace(), a.snapshot, include_resources=not a.no_include_resources,
                                  confirm=confirm()))
    return 0


def cmd_config(a: argparse.Namespace) -> int:
    from ..ops import configure
    from ..ui import render

    ws = workspace()
    if a.name is None:
        render.params(configure.list_params(ws, a.resource))
    elif a.value is None:
        render.param(configure.get_param(ws, a.name, a.resource))
    else:
        p = configure.set_param(ws, a.name, a.value, a.resource)
        where = f"resource '{a.resource}' parameter" if a.resource else f"{p.scope} parameter"
        print(f"Successfully set {where} '{p.name}' to '{a.value}'.")
    return 0

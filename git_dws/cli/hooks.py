"""`git dws hooks install | uninstall | status`, and the hidden `git dws hook-impl` that installed hooks
fall back to when the interpreter that installed them is gone."""

from __future__ import annotations

import argparse
import os
from typing import Any

from .common import Parser


def register(sub: Any) -> None:
    c = sub.add_parser("hooks", help="install, remove or list the git hooks")
    hsub = c.add_subparsers(dest="hooks_command", metavar="ACTION", parser_class=Parser, required=True)
    h = hsub.add_parser("install", help="install the hooks (a hook already there runs first)")
    h.add_argument("--hooks-path", action="store_true", help="install into the directory core.hooksPath names")
    h.set_defaults(func=cmd_install)
    h = hsub.add_parser("uninstall", help="remove the hooks, putting back any they displaced")
    h.add_argument("--hooks-path", action="store_true", help="remove them from the core.hooksPath directory")
    h.set_defaults(func=cmd_uninstall)
    h = hsub.add_parser("status", help="which hooks are installed, and with which Python")
    h.add_argument("--json", action="store_true")
    h.set_defaults(func=cmd_status)

    c = sub.add_parser("hook-impl")  # no help: hidden; run by the installed hooks
    c.add_argument("argv", nargs=argparse.REMAINDER)
    c.set_defaults(func=cmd_hook_impl)


def cmd_install(a: argparse.Namespace) -> int:
    from ..ops.hooks import install

    r = install(os.getcwd(), use_hooks_path=a.hooks_path)
    print(f"Installed git-dws hooks in {r.directory}: {', '.join(r.installed)}.")
    _install_notes(r)
    return 0


def _install_notes(r: Any) -> None:
    for name in r.kept:
        print(f"Kept the existing {name} hook as {name}.legacy; it runs first.")
    if r.shared:
        print(f"Note: core.hooksPath comes from your {r.shared} git config, so these hooks run in other "
              "repositories too (they do nothing outside a workspace).")


def install_after_init(root: str) -> None:
    """`git dws init` installs the hooks; a core.hooksPath in the way is a warning, not a failure."""
    from ..errors import DwsError
    from ..ops.hooks import install
    from ..ui.console import err, warn

    try:
        r = install(root)
    except DwsError as e:
        warn(f"hooks not installed: {e.message}")
        if e.hint:
            err(f"hint: {e.hint}")
        return
    print("Installed git hooks: data is snapshotted on `git commit`, restored on `git checkout` "
          "(`git dws hooks uninstall` removes them).")
    _install_notes(r)


def cmd_uninstall(a: argparse.Namespace) -> int:
    from ..ops.hooks import uninstall

    r = uninstall(os.getcwd(), use_hooks_path=a.hooks_path)
    if r.removed:
        print(f"Removed git-dws hooks from {r.directory}: {', '.join(r.removed)}.")
    else:
        print(f"No git-dws hooks in {r.directory}.")
    for name in r.restored:
        print(f"Put back the {name} hook that was kept as {name}.legacy.")
    for name in r.foreign:
        print(f"Left {name} alone: it is not a git-dws hook.")
    return 0


def cmd_status(a: argparse.Namespace) -> int:
    from ..ops.hooks import status
    from ..ui.console import emit_json, out, table

    s = status(os.getcwd())
    if a.json:
        emit_json({"directory": s.directory, "hooks_path": s.hooks_path,
                   "hooks": [{"name": h.name, "state": h.state, "legacy": h.legacy, "python": h.python,
                              "python_ok": h.python_ok} for h in s.hooks]})
        return 0
    out(f"Hooks directory: {s.directory}" + (" (core.hooksPath)" if s.hooks_path else ""))
    rows = []
    for h in s.hooks:
        runs = "" if h.python is None else h.python if h.python_ok else f"{h.python} (gone: uses git-dws on PATH)"
        rows.append([h.name, h.state, "yes" if h.legacy else "", runs])
    table(None, ["Hook", "State", "Runs .legacy first", "Python"], rows)
    if any(h.state in ("missing", "outdated") for h in s.hooks):
        out("Run `git dws hooks install` to install or update them.")
    return 0


def cmd_hook_impl(a: argparse.Namespace) -> int:
    from ..hooks.entry import main

    return main(list(a.argv))

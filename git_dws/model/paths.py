"""Where a resource lives on this machine, decided once for every reader (the regular commands and the
commit hook's stdlib-only path alike).

`.dws.toml` is committed, so it may come from anyone who can push: its `path` is trusted only inside the
workspace, relative, not through `..`, not into `.git`, and not through a symlink that leads out (a
committed `data -> /home/victim` link would otherwise send restores there). A directory anywhere else is
used only when this machine's own settings name it (git config `dws-resource.NAME.path`), which only the
user writes. Pure: no I/O but `os.path.realpath`.
"""

from __future__ import annotations

import os

from ..errors import UnsafePath
from .validate import component_problem


def outside_error(name: str, path: str, why: str) -> UnsafePath:
    return UnsafePath(
        f"resource '{name}' has path '{path}' in .dws.toml, {why}",
        f"if you trust that directory, set it for this machine: git config dws-resource.{name}.path DIR",
    )


def committed_path_problem(path: str) -> str | None:
    """Why a `.dws.toml` path cannot be used as it is (None if it can): it must be relative and stay
    inside the workspace."""
    if not path:
        return "which names no directory"
    if os.path.isabs(path) or path.startswith("~"):
        return "outside the workspace"
    parts = [p for p in path.split("/") if p not in ("", ".")]
    if not parts:
        return "the workspace itself"
    for p in parts:
        if p == "..":
            return "outside the workspace"
        if component_problem(p) is not None:
            return "which is not a valid directory name (or inside .git)"
    return None


def resource_dir(root: str, name: str, path: str, override: str | None) -> str:
    """Absolute directory of resource `name`: this machine's override wins, else the committed `path`,
    which must stay inside the workspace `root` (a realpath) even through symlinks."""
    if override:
        return os.path.normpath(os.path.expanduser(override))
    if not path:  # it lives outside the workspace where it was added: each machine names its own directory
        raise UnsafePath(f"resource '{name}' has no directory on this machine",
                         f"set one: git config dws-resource.{name}.path DIR (then git dws pull brings its data)")
    why = committed_path_problem(path)
    if why is not None:
        raise outside_error(name, path, why)
    full = os.path.normpath(os.path.join(root, path))
    real = os.path.realpath(full)
    if not real.startswith(root.rstrip("/") + "/"):
        raise outside_error(name, path, f"which leads outside the workspace through a symlink (to {real})")
    top = os.path.relpath(real, root).split("/")[0]
    if component_problem(top) is not None:
        raise outside_error(name, path, "which leads into .git through a symlink")
    return full
